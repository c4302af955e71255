import Foundation
import Testing

@testable import PGDrillSSH

#if canImport(Glibc)
import Glibc
#endif

/// The pool: one session per host, reused; replaced once when it died before a command was sent.
@Suite("SSHPool against a real sshd", .serialized)
struct SSHPoolTests {
    let sshd: TestSSHD
    let pool = SSHPool(logger: TestSSHD.logger)

    init() throws {
        sshd = try TestSSHD()
    }

    /// Kills our sshd's per-connection processes, as a restarted sshd or a reset connection would.
    private func dropConnections() {
        let victims = sshd.descendants()
        victims.forEach { kill($0, SIGKILL) }
        for _ in 0..<100 where victims.contains(where: isLiveProcess) { usleep(10_000) }
        usleep(20_000)  // let the FIN reach our socket
    }

    @Test("the same session and shell serve every call for a target")
    func reuse() throws {
        let target = sshd.target()
        let first = try pool.session(for: target)
        #expect(try pool.session(for: target) === first)
        let shell = try pool.run("echo $$", on: target, timeout: .seconds(5)).stdout
        #expect(try pool.run("echo $$", on: target, timeout: .seconds(5)).stdout == shell)
    }

    @Test("a dead session is replaced once and the command runs exactly once")
    func reconnect() throws {
        let target = sshd.target()
        let marks = sshd.path("marks")
        let before = try pool.run("echo $$", on: target, timeout: .seconds(5)).stdout
        dropConnections()
        let result = try pool.run("echo x >> \(marks); echo $$", on: target, timeout: .seconds(5))
        #expect(result.stdout != before)
        #expect(try String(contentsOfFile: marks, encoding: .utf8) == "x\n")
    }

    @Test("a command that timed out is not retried: a fault is never injected twice")
    func noRetryAfterTimeout() throws {
        let target = sshd.target()
        let marks = sshd.path("marks-timeout")
        let (error, _) = timed { _ = try pool.run("echo x >> \(marks); sleep 5", on: target, timeout: .milliseconds(300)) }
        #expect(error?.code == .timeout)
        #expect(error?.commandMayHaveRun == true)
        #expect(try String(contentsOfFile: marks, encoding: .utf8) == "x\n")
        #expect(try pool.run("echo ok", on: target, timeout: .seconds(5)).stdout == "ok\n")
    }

    @Test("the async API runs commands off the concurrency pool, several hosts at once")
    func async() async throws {
        let other = try TestSSHD()
        let targets = [sshd.target(), other.target()]
        let pool = self.pool
        for target in targets { _ = try pool.session(for: target) }  // time the commands, not the connects
        let clock = ContinuousClock()
        let start = clock.now
        try await withThrowingTaskGroup(of: CommandResult.self) { group in
            for target in targets + targets {
                group.addTask { try await pool.run("sleep 0.5; echo done", on: target, timeout: .seconds(5)) }
            }
            for try await result in group { #expect(result.stdout == "done\n") }
        }
        // Two hosts in parallel, two commands each in sequence: ~1 s; one after another would be 2 s.
        #expect(clock.now - start < .milliseconds(1_600))
        pool.closeAll()
    }
}
