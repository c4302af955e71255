import Foundation
import Testing

/// The on-call drill on the lab (issue 17): Patroni paused, the primary lost, the cluster handed over. The
/// scripted operator recovers it by the runbook; with nobody at the keyboard pgdrill restores it after the
/// deadline; a runner killed during the handover leaves maintenance mode in the journal for `recover`.
extension LabIntegration {
    @Suite(.serialized)
    struct OnCallIntegrationTests {
        static let drill = Lab.drills + "/oncall/manual-failover.yaml"
        static let operatorScript = Lab.root + "/lab/operators/manual-failover.sh"

        @Test func scriptedOperatorFailsOverByTheRunbook() throws {
            guard Lab.manager == "patroni" else { return }
            let dir = Lab.scratch("oncall-operator")
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r",
                                     "--operator-script", Self.operatorScript], stateDir: dir, timeout: 400)
            let drill = try #require(try Report.load(dir + "/r").drills.first)
            #expect(r.status == 0, "exit \(r.status)\n\(r.stderr.suffix(4000))\n\(drill.expectationsText)")
            #expect(drill.lostWrites == 0)
            let o = try #require(drill.json["on_call"] as? [String: Any], "no on_call in the report")
            #expect(o["restored_by"] as? String == "operator")
            // The script acknowledges after 5 s, fails over after 3 + 3 s; the failover completes once the dead
            // leader's key expires (ttl 20 s), and Patroni is resumed 3 s later.
            let ack = try #require(o["acknowledged_at"] as? Int)
            #expect(ack > 4_000_000 && ack < 15_000_000, "ack at \(ack) µs")
            let first = try #require(o["first_action_at"] as? Int)
            #expect(first > ack && first < 60_000_000, "first action at \(first) µs")
            let human = try #require(o["human_rto"] as? Int)
            #expect(human >= first - 2_000_000 && human < 90_000_000, "human RTO \(human) µs")
            let steps = Set((o["timeline"] as? [[String: Any]] ?? []).compactMap { $0["runbook_step"] as? Int })
            #expect(steps == [1, 3, 4, 5], "runbook steps seen: \(steps.sorted())")
            #expect((o["unseen_steps"] as? [Int])?.isEmpty == true)
            print("on-call, scripted operator: ack \(Double(ack) / 1e6) s, first action \(Double(first) / 1e6) s, human RTO \(Double(human) / 1e6) s")
            try Self.expectResumedHealthyAndClean(dir)
        }

        @Test func nobodyAnswersAndPgdrillRestoresAfterTheDeadline() throws {
            guard Lab.manager == "patroni" else { return }
            let dir = Lab.scratch("oncall-deadline")
            let file = dir + "/deadline.yaml"
            try String(contentsOfFile: Self.drill, encoding: .utf8).replacingOccurrences(of: "deadline: 5m", with: "deadline: 20s")
                .write(toFile: file, atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["run", file, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"], stateDir: dir, timeout: 400)
            #expect(r.status == 1, "exit \(r.status)\n\(r.stderr.suffix(4000))")
            #expect(r.stderr.contains("deadline passed without recovery: pgdrill restores the cluster itself"), "\(r.stderr.suffix(3000))")
            let drill = try #require(try Report.load(dir + "/r").drills.first)
            #expect(drill.lostWrites == 0)
            let o = try #require(drill.json["on_call"] as? [String: Any])
            #expect(o["restored_by"] as? String == "pgdrill after the deadline")
            #expect(o["acknowledged_at"] == nil && o["human_rto"] == nil)
            #expect((o["timeline"] as? [Any])?.isEmpty == true, "nothing was done, nothing may be credited: \(o)")
            try Self.expectResumedHealthyAndClean(dir)
        }

        @Test func runnerKilledDuringTheHandoverThenRecoverResumesPatroni() throws {
            guard Lab.manager == "patroni" else { return }
            let dir = Lab.scratch("oncall-sigkill")
            let r = try CLI.pgdrill(["run", Self.drill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, signal: (SIGKILL, after: { $0.contains("HANDOVER to on-call") }))
            #expect(r.status != 0)
            #expect(try Self.paused(), "Patroni should still be paused after the runner died")
            let journal = try String(contentsOfFile: dir + "/lab.journal.json", encoding: .utf8)
            #expect(journal.contains("resume-manager"), "maintenance mode must be journalled: \(journal)")
            let rec = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 300)
            #expect(rec.status == 0, "\(rec.stderr.suffix(3000))")
            #expect(rec.stderr.contains("maintenance mode off") || rec.stdout.contains("maintenance mode off"), "\(rec.stderr.suffix(2000))")
            try Self.expectResumedHealthyAndClean(dir)
        }

        /// Whether Patroni is in maintenance mode, as the first member API that answers says (the primary's may
        /// be the one the drill killed).
        static func paused() throws -> Bool {
            for node in ["pg1", "pg2", "pg3"] {
                let r = try Lab.patroniCurl(node, "/cluster", ["-s", "-f", "--max-time", "5"])
                guard r.status == 0, let json = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] else { continue }
                return json["pause"] as? Bool == true
            }
            Issue.record("no Patroni API answered")
            return false
        }

        static func expectResumedHealthyAndClean(_ dir: String) throws {
            #expect(try !paused(), "Patroni left in maintenance mode")
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 120)
            #expect(c.status == 0, "not healthy afterwards:\n\(c.stdout)\(c.stderr)")
            #expect(c.stdout.contains("No leftovers"), "\(c.stdout)")
        }
    }
}
