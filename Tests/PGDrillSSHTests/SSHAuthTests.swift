import Foundation
import Testing

@testable import PGDrillSSH

#if canImport(Glibc)
import Glibc
#endif

/// Keys as operators hold them (issue 14): an encrypted key file with its passphrase, and the keys of a real
/// ssh-agent (started by the test, ended by PID), against a real sshd. Each refusal says what to do and
/// never shows the passphrase.
@Suite("SSHSession authentication: passphrases and ssh-agent", .serialized)
struct SSHAuthTests {
    let sshd: TestSSHD
    static let passphrase = "correct horse battery staple"

    init() throws {
        sshd = try TestSSHD()
        try ChildProcess.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", Self.passphrase, "-C", "pgdrill-test-encrypted", "-f", sshd.path("encrypted_key")])
        let authorized = try String(contentsOfFile: sshd.path("authorized_keys"), encoding: .utf8)
            + (try String(contentsOfFile: sshd.path("encrypted_key.pub"), encoding: .utf8))
        try authorized.write(toFile: sshd.path("authorized_keys"), atomically: true, encoding: .utf8)
    }

    private func connect(_ target: SSHTarget) -> (error: SSHError?, elapsed: Duration) {
        timed {
            let session = try SSHSession(target: target, logger: TestSSHD.logger)
            #expect(try session.run("echo in", timeout: .seconds(5)).stdout == "in\n")
        }
    }

    @Test("an encrypted key with its passphrase logs in")
    func encryptedKeyWithPassphrase() throws {
        var target = sshd.target(key: sshd.path("encrypted_key"))
        target.passphrase = Secret(Self.passphrase)
        #expect(connect(target).error == nil)
    }

    @Test("a wrong passphrase is refused with what to check, and the passphrase is in no message")
    func wrongPassphrase() throws {
        var target = sshd.target(key: sshd.path("encrypted_key"))
        target.passphrase = Secret("not the passphrase")
        let error = try #require(connect(target).error)
        #expect(error.code == .keyFileUnreadable)
        #expect(error.description.contains("cannot decrypt identity \(sshd.path("encrypted_key")) with the passphrase"), "\(error)")
        #expect(!error.debugDescription.contains("not the passphrase") && !error.debugDescription.contains(Self.passphrase))
        #expect(!"\(target)".contains("not the passphrase") && !String(reflecting: target).contains("not the passphrase"))
    }

    @Test("an encrypted key without a passphrase names the settings that would open it")
    func encryptedKeyWithoutPassphrase() throws {
        let error = try #require(connect(sshd.target(key: sshd.path("encrypted_key"))).error)
        #expect(error.code == .keyFileUnreadable)
        #expect(error.hint.contains("passphrase_file") && error.hint.contains("agent"), "\(error)")
    }

    @Test("the ssh-agent's key logs in; an empty agent, a wrong key and no agent are each refused clearly")
    func agent() throws {
        let socket = sshd.path("agent.sock")
        let agent = try ChildProcess("/usr/bin/ssh-agent", ["-D", "-a", socket])
        defer {
            kill(agent.pid, SIGKILL)  // `ssh-agent -D` does not end on SIGTERM
            agent.wait()
        }
        for _ in 0..<100 where access(socket, F_OK) != 0 { usleep(20_000) }
        var target = sshd.target(key: "")
        target.agent = true
        target.agentSocket = socket

        let empty = try #require(connect(target).error)
        #expect(empty.code == .authenticationFailed && empty.message.contains("holds no key"), "\(empty)")
        #expect(empty.hint.contains("ssh-add"))

        try TestSSHD.keygen(path: sshd.path("stranger_key"))
        try ChildProcess.run("/usr/bin/env", ["SSH_AUTH_SOCK=" + socket, "/usr/bin/ssh-add", "-q", sshd.path("stranger_key")])
        let stranger = try #require(connect(target).error)
        #expect(stranger.code == .authenticationFailed && stranger.message.contains("none of the ssh-agent's 1 key(s) was accepted"), "\(stranger)")

        try ChildProcess.run("/usr/bin/env", ["SSH_AUTH_SOCK=" + socket, "/usr/bin/ssh-add", "-q", sshd.userKey])
        #expect(connect(target).error == nil, "the agent's second key is the one sshd accepts")

        target.agentSocket = sshd.path("no-such-agent.sock")
        let gone = try #require(connect(target).error)
        #expect(gone.code == .authenticationFailed && gone.message.contains("cannot reach the ssh-agent"), "\(gone)")
    }
}

/// The encryption check that keeps a passphrase error about the passphrase (keys made by ssh-keygen here).
@Suite struct PrivateKeyFileTests {
    @Test func opensshAndPEMKeysAreToldApartByTheirCipher() throws {
        let dir = NSTemporaryDirectory() + "pgdrill-keyfile-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ChildProcess.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", dir + "/plain"])
        try ChildProcess.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "secret words", "-f", dir + "/locked"])
        try ChildProcess.run("/usr/bin/ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret words", "-f", dir + "/pem"])
        #expect(!PrivateKeyFile.isEncrypted(path: dir + "/plain"))
        #expect(PrivateKeyFile.isEncrypted(path: dir + "/locked"))
        #expect(PrivateKeyFile.isEncrypted(path: dir + "/pem"))
        #expect(!PrivateKeyFile.isEncrypted(path: dir + "/missing"))
    }
}
