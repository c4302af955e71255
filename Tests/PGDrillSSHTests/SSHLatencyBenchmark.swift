import Foundation
import Testing

@testable import PGDrillSSH

/// Cost of one remote `true`: long-lived shell vs. new exec channel vs. a fresh `ssh` process.
///
/// Off by default (it takes about a minute); run with
/// `PGDRILL_SSH_BENCH=1 swift test --filter SSHLatencyBenchmark`.
@Suite("SSH latency benchmark")
struct SSHLatencyBenchmark {
    static let runs = 200

    @Test(
        "median and p99 of 200 runs of `true` per transport",
        .enabled(if: ProcessInfo.processInfo.environment["PGDRILL_SSH_BENCH"] == "1"))
    func latency() throws {
        let sshd = try TestSSHD()
        let target = sshd.target()
        let session = try SSHSession(target: target, logger: TestSSHD.logger)
        let sshArguments = [
            "-F", "/dev/null", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
            "-o", "UserKnownHostsFile=\(target.knownHostsFile)", "-o", "IdentitiesOnly=yes",
            "-i", target.identityFile, "-p", String(target.port), "\(target.user)@127.0.0.1", "true",
        ]
        let shell = try Self.sample { () throws in
            let status = try session.run("true", timeout: .seconds(5)).exitStatus
            #expect(status == 0)
        }
        let exec = try Self.sample { () throws in
            let status = try session.exec("true", timeout: .seconds(5)).exitStatus
            #expect(status == 0)
        }
        let ssh = try Self.sample { () throws in
            let status = try ChildProcess("/usr/bin/ssh", sshArguments).wait()
            #expect(status == 0)
        }
        for (name, micros) in [("run (shell channel)", shell), ("exec (new channel)", exec), ("/usr/bin/ssh", ssh)] {
            print("ssh-bench \(name): median \(Self.millis(micros, 0.5)) ms, p99 \(Self.millis(micros, 0.99)) ms over \(Self.runs) runs")
        }
        #expect(Self.percentile(shell, 0.5) < Self.percentile(exec, 0.5))
        #expect(Self.percentile(exec, 0.5) < Self.percentile(ssh, 0.5))
    }

    /// Durations of `runs` calls of `body`, in µs, sorted.
    private static func sample(_ body: () throws -> Void) throws -> [Int64] {
        try (0..<runs).map { _ in
            let start = monotonicMicros()
            try body()
            return monotonicMicros() - start
        }.sorted()
    }

    private static func percentile(_ sorted: [Int64], _ fraction: Double) -> Int64 {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }

    private static func millis(_ sorted: [Int64], _ fraction: Double) -> String {
        String(format: "%.2f", Double(percentile(sorted, fraction)) / 1_000)
    }
}
