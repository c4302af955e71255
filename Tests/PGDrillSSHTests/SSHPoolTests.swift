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
        // Each command reports when it ran on its host (same machine, same clock): commands on two hosts
        // must overlap in time. Evidence, not a stopwatch, so a loaded CI machine cannot make it flaky.
        var intervals: [(host: Int, start: Int64, end: Int64)] = []
        try await withThrowingTaskGroup(of: (Int, CommandResult).self) { group in
            for (i, target) in (targets + targets).enumerated() {
                group.addTask { (i % 2, try await pool.run("date +%s%N; sleep 0.5; date +%s%N", on: target, timeout: .seconds(10))) }
            }
            for try await (host, result) in group {
                let stamps = result.stdout.split(separator: "\n").compactMap { Int64($0) }
                #expect(stamps.count == 2)
                if stamps.count == 2 { intervals.append((host, stamps[0], stamps[1])) }
            }
        }
        let a = intervals.filter { $0.host == 0 }, b = intervals.filter { $0.host == 1 }
        let overlaps = a.contains { x in b.contains { y in x.start < y.end && y.start < x.end } }
        #expect(overlaps, "commands on two hosts never ran at the same time: \(intervals)")
        // Commands to one host run one after another on its shell.
        for same in [a, b] where same.count == 2 {
            #expect(same[0].end <= same[1].start || same[1].end <= same[0].start)
        }
        pool.closeAll()
    }
}
