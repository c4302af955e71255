import Foundation
import Testing

/// The node-down and switchover drills against the repmgr flavour of the lab (`lab.sh up --manager
/// repmgr`; `make test-repmgr`). repmgr's defaults decide the figures, so the tests assert what was
/// measured — nothing lost, the primary moved, the cluster healthy again — and the RTO within the
/// bounds those defaults imply, not the Patroni drills' targets.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.manager == "repmgr", "the lab runs Patroni; `make test-repmgr` brings up the repmgr flavour"))
    struct RepmgrIntegrationTests {
        static var drills: String { Lab.drills + "/repmgr" }

        @Test func checkReadsRolesFromRepmgrAndTheNodes() throws {
            let r = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: Lab.scratch("repmgr-check"), timeout: 60)
            #expect(r.status == 0, "\(r.stdout)\n\(r.stderr)")
            #expect(r.stdout.contains("Cluster lab (repmgr)"))
            #expect(r.stdout.contains("leader") && r.stdout.contains("sync_standby") && r.stdout.contains("streaming"))
        }

        /// `repmgr standby switchover --siblings-follow` on the sync standby: repmgr's checks (ssh to every
        /// node, pausing repmgrd) take ~10 s while writes still succeed, then a clean shutdown and promote.
        @Test func plannedSwitchoverLosesNothing() throws {
            let drill = try run("07-planned-switchover.yaml", "repmgr-switchover")
            #expect(drill.lostWrites == 0, "\(drill.expectationsText)")
            #expect(drill.acknowledged > 100)
            #expect(drill.expectationsText.contains("failover") && drill.expectationsText.contains("→"), "the primary must have moved")
            let rto = try #require(drill.rto, "no RTO measured: \(drill.expectationsText)")
            #expect(rto > 0 && rto < 40_000_000, "switchover RTO \(Double(rto) / 1e6) s")
        }

        /// Primary's repmgrd and postmaster killed: repmgrd on the standbys needs reconnect_attempts ×
        /// reconnect_interval (the lab keeps repmgr's defaults, 6 × 10 s) before it promotes, so the RTO
        /// is about a minute and the drill's 45 s target fails — measured, as the issue asks.
        @Test func primaryNodeDownFailsOverAfterRepmgrsTimeout() throws {
            let drill = try run("02-primary-node-down.yaml", "repmgr-node-down")
            #expect(drill.lostWrites == 0, "\(drill.expectationsText)")
            #expect(drill.acknowledged > 100)
            let rto = try #require(drill.rto, "no RTO measured: \(drill.expectationsText)")
            #expect(rto > 45_000_000 && rto < 120_000_000, "node-down RTO \(Double(rto) / 1e6) s")
            #expect(drill.verdict == "FAIL" && drill.expectationsText.contains("rto"), "\(drill.expectationsText)")
            // The report explains the RTO from repmgr's own settings, read from repmgr.conf (issue 17).
            let budget = drill.json["rto_budget"] as? [String: Any]
            #expect(budget?["scenario"] as? String == "primary_lost")
            let dominant = budget?["dominant"] as? String ?? ""
            #expect(dominant.hasPrefix("repmgr's reconnect_attempts 6 × reconnect_interval 10 s = 60 s bounds detection"), "\(String(describing: budget))")
            let advice = (budget?["advice"] as? [String])?.first ?? ""
            #expect(advice.hasPrefix("the 45.0 s RTO target needs reconnect_attempts × reconnect_interval ≤ "), "\(String(describing: budget))")
            print("repmgr node-down, RTO \(Double(rto) / 1e6) s: \(dominant) \(advice)")
            let detection = (budget?["phases"] as? [[String: Any]])?.first
            #expect(detection?["bound"] as? Int == 61_000_000, "\(String(describing: detection))")
            if let took = detection?["measured"] as? Int { #expect(took <= 61_000_000, "detection slower than repmgr's settings allow: \(took) µs") }
        }

        /// The on-call twin (issue 17): repmgrd paused everywhere, the primary lost, the scripted operator promotes
        /// the synchronous standby, points the other at it and unpauses repmgrd; pgdrill times each step.
        @Test func onCallScriptedOperatorPromotesByTheRunbook() throws {
            let state = Lab.scratch("repmgr-oncall")
            let reports = state + "/reports"
            let r = try CLI.pgdrill(["run", Lab.drills + "/oncall/repmgr-manual-failover.yaml", "--cluster", Lab.clusterPath!, "--yes",
                                     "--report-dir", reports, "--operator-script", Lab.root + "/lab/operators/repmgr-manual-failover.sh"],
                                    stateDir: state, timeout: 600)
            let drill = try #require(try Report.load(reports).drills.first)
            #expect(r.status == 0, "exit \(r.status)\n\(r.stderr.suffix(4000))\n\(drill.expectationsText)")
            #expect(drill.lostWrites == 0)
            let o = try #require(drill.json["on_call"] as? [String: Any], "no on_call in the report")
            #expect(o["restored_by"] as? String == "operator")
            let steps = Set((o["timeline"] as? [[String: Any]] ?? []).compactMap { $0["runbook_step"] as? Int })
            #expect(steps == [1, 3, 4, 6], "runbook steps seen: \(steps.sorted())")
            print("repmgr on-call: ack \(o["acknowledged_at"] ?? "-") µs, first action \(o["first_action_at"] ?? "-") µs, human RTO \(o["human_rto"] ?? "-") µs")
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0, "cluster not healthy after the on-call drill:\n\(c.stdout)\(c.stderr)")
        }

        private func run(_ file: String, _ name: String) throws -> Report.Drill {
            let state = Lab.scratch(name)
            let reports = state + "/reports"
            let r = try CLI.pgdrill(["run", Self.drills + "/" + file, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", reports],
                                    stateDir: state, timeout: 600)
            let drill = try #require(try Report.load(reports).drills.first)
            // 0 passed, 1 an expectation missed; anything else (aborted, rollback incomplete) is a failure here.
            #expect(r.status == 0 || r.status == 1, "exit \(r.status)\n\(r.stderr.suffix(4000))")
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0, "cluster not healthy after \(file):\n\(c.stdout)\(c.stderr)")
            return drill
        }
    }
}
