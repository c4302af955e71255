import Foundation
import Testing

@testable import PGDrillSSH

#if canImport(Glibc)
import Glibc
#endif

/// Connecting: host key checks, authentication, and hosts that are not there.
@Suite("SSHSession connect and host keys", .serialized)
struct SSHConnectTests {
    let sshd: TestSSHD

    init() throws {
        sshd = try TestSSHD()
    }

    private func connectError(_ target: SSHTarget) -> (error: SSHError?, elapsed: Duration) {
        timed { _ = try SSHSession(target: target, logger: TestSSHD.logger) }
    }

    @Test("the [host]:port known_hosts entry is accepted")
    func bracketedEntry() throws {
        let session = try SSHSession(target: sshd.target(), logger: TestSSHD.logger)
        #expect(try session.run("echo hi", timeout: .seconds(5)).stdout == "hi\n")
    }

    @Test("a hashed known_hosts entry (ssh-keygen -H) is accepted")
    func hashedEntry() throws {
        let file = sshd.path("known_hosts_hashed")
        try sshd.writeKnownHosts(["[127.0.0.1]:\(sshd.port) \(try TestSSHD.keyField(of: sshd.path("host_key.pub")))"], to: file)
        try TestSSHD.run("/usr/bin/ssh-keygen", ["-q", "-H", "-f", file])
        let contents = try String(contentsOfFile: file, encoding: .utf8)
        #expect(contents.hasPrefix("|1|"))
        #expect(!contents.contains("127.0.0.1"))
        let session = try SSHSession(target: sshd.target(knownHosts: file), logger: TestSSHD.logger)
        #expect(try session.run("true", timeout: .seconds(5)).exitStatus == 0)
    }

    @Test("an empty known_hosts gives hostKeyUnknown, with the file and a hint, without key material")
    func unknownHostKey() throws {
        let file = sshd.path("known_hosts_empty")
        try sshd.writeKnownHosts([], to: file)
        let error = try #require(connectError(sshd.target(knownHosts: file)).error)
        #expect(error.code == .hostKeyUnknown)
        #expect(error.description.hasPrefix("ssh to 127.0.0.1:\(sshd.port): host key not in known_hosts (\(file)). hint: "))
        #expect(!error.description.contains(try TestSSHD.keyField(of: sshd.path("host_key.pub")).split(separator: " ")[1]))
        #expect(!error.commandMayHaveRun)
    }

    @Test("another key for the same host gives hostKeyMismatch")
    func changedHostKey() throws {
        try TestSSHD.keygen(path: sshd.path("impostor_key"))
        let file = sshd.path("known_hosts_other")
        try sshd.writeKnownHosts(["[127.0.0.1]:\(sshd.port) \(try TestSSHD.keyField(of: sshd.path("impostor_key.pub")))"], to: file)
        let error = try #require(connectError(sshd.target(knownHosts: file)).error)
        #expect(error.code == .hostKeyMismatch)
        #expect(error.description.contains("refusing"))
    }

    @Test("an entry for another port does not vouch for this one")
    func otherPortEntry() throws {
        let file = sshd.path("known_hosts_port")
        try sshd.writeKnownHosts(["[127.0.0.1]:\(sshd.port + 1) \(try TestSSHD.keyField(of: sshd.path("host_key.pub")))"], to: file)
        #expect(connectError(sshd.target(knownHosts: file)).error?.code == .hostKeyUnknown)
    }

    @Test("a user key the server does not know gives authenticationFailed")
    func wrongUserKey() throws {
        try TestSSHD.keygen(path: sshd.path("stranger_key"))
        let error = try #require(connectError(sshd.target(key: sshd.path("stranger_key"))).error)
        #expect(error.code == .authenticationFailed)
        #expect(error.description.contains("stranger_key"))
        let privateKey = try String(contentsOfFile: sshd.path("stranger_key"), encoding: .utf8)
        let keyBody = privateKey.split(separator: "\n").dropFirst().first.map(String.init) ?? "unlikely"
        #expect(!error.description.contains(keyBody))
        #expect(!error.debugDescription.contains(keyBody))
    }

    @Test("a missing identity file gives keyFileUnreadable before any connection")
    func missingIdentity() throws {
        let error = try #require(connectError(sshd.target(key: sshd.path("no_such_key"))).error)
        #expect(error.code == .keyFileUnreadable)
        #expect(error.description.contains("no_such_key"))
    }

    @Test("a closed port gives connectFailed at once")
    func closedPort() throws {
        let (error, elapsed) = connectError(sshd.target(port: try TestSSHD.freePort()))
        #expect(error?.code == .connectFailed)
        #expect(elapsed < .seconds(2), "must not wait for the connect timeout (5 s)")
    }

    @Test("a listener that accepts but never answers gives timeout within connectTimeout")
    func blackholedListener() throws {
        kill(sshd.listenerPID, SIGSTOP)
        defer { kill(sshd.listenerPID, SIGCONT) }
        let (error, elapsed) = connectError(sshd.target(connectTimeout: .milliseconds(500)))
        #expect(error?.code == .timeout)
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(3), "bounded by the timeout, not hung")
    }
}
