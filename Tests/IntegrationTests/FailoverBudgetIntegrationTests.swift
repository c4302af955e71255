import Foundation
import Testing

/// The RTO explained by the cluster's own settings: `check` reads Patroni's ttl and HAProxy's check interval
/// from the live cluster, and its expected RTO moves when they change.
extension LabIntegration {
    @Suite(.serialized)
    struct FailoverBudgetIntegrationTests {
        @Test func checksExpectedRTOFollowsTTLAndHAProxyInter() throws {
            guard Lab.manager == "patroni" else { return }
            let dir = Lab.scratch("budget")
            let cfg = Lab.stateDir + "/px/haproxy.cfg"
            let original = try String(contentsOfFile: cfg, encoding: .utf8)
            func run() throws -> CLIResult { try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 60) }
            func check() throws -> String {
                let r = try run()
                #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
                return r.stdout
            }
            // The lab: ttl 20, loop_wait 1, retry_timeout 4; the write backend inter 500ms rise 1.
            let before = try check()
            #expect(before.contains("ttl 20 s, loop_wait 1 s, retry_timeout 4 s"), "\(before)")
            #expect(before.contains("HAProxy write: inter 0.5 s"), "\(before)")
            #expect(before.contains("Expected RTO, primary lost: 19.0 s – 27.1 s."), "\(before)")

            defer {
                try? original.write(toFile: cfg, atomically: true, encoding: .utf8)
                _ = try? Lab.ssh(Lab.address("px"), "\(Lab.root)/lab/bin/lab-svc restart haproxy")
                _ = try? Self.patchConfig(["ttl": 20])
            }
            try Self.patchConfig(["ttl": 30])
            try original.replacingOccurrences(of: "default-server inter 500ms fall 2 rise 1", with: "default-server inter 1s fall 2 rise 2")
                .write(toFile: cfg, atomically: true, encoding: .utf8)
            let restart = try Lab.ssh(Lab.address("px"), "\(Lab.root)/lab/bin/lab-svc restart haproxy")
            #expect(restart.status == 0, "\(restart.stderr)")
            // HAProxy back with the primary UP, and Patroni's loop has taken the new ttl.
            Self.waitFor(30) { (try? run()).map { $0.status == 0 && $0.stdout.contains("ttl 30 s") } == true }

            let after = try check()
            #expect(after.contains("ttl 30 s, loop_wait 1 s, retry_timeout 4 s"), "\(after)")
            #expect(after.contains("HAProxy write: inter 1 s, fastinter 1 s, downinter 1 s, fall 2, rise 2"), "\(after)")
            // detection 30 + 1 + 0.6, promotion 1 + 4, routing downinter 1 + (rise 2 − 1) × fastinter 1 = 2, client 0.05.
            #expect(after.contains("Expected RTO, primary lost: 29.0 s – 38.6 s."), "\(after)")
            #expect(after.contains("ttl 20 s (the least Patroni accepts with loop_wait 1 s and retry_timeout 4 s) would take 10 s off it."), "\(after)")
        }

        static func patchConfig(_ values: [String: Int]) throws {
            let body = String(decoding: try JSONSerialization.data(withJSONObject: values), as: UTF8.self)
            let r = try Lab.patroniCurl("pg1", "/config", ["-s", "-f", "--max-time", "10", "-X", "PATCH", "-H", "Content-Type: application/json", "-d", body],
                                        timeout: 20)
            #expect(r.status == 0, "PATCH /config failed: \(r.stderr)")
        }

        static func waitFor(_ seconds: Double, _ condition: () -> Bool) {
            let end = Date().addingTimeInterval(seconds)
            while Date() < end, !condition() { Thread.sleep(forTimeInterval: 0.5) }
        }
    }
}
