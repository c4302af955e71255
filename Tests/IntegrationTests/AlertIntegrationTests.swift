import Foundation
import Testing

/// The monitoring's part of a drill against the lab's real Prometheus and Alertmanager: expected alerts fire
/// under the drill's silence and the silence is gone afterwards; a rule that is not there fails the drill by
/// name; `abort_if.alert` rolls back within 2 s of the alert firing; a killed runner's silence is expired by
/// `recover`; monitoring that does not answer refuses the drill, or is reported when it goes dark mid-drill.
extension LabIntegration {
    @Suite(.serialized, .enabled(if: Lab.monitoring != nil, "the lab runs without monitoring (up --no-monitoring)"))
    struct AlertIntegrationTests {
        static let syncStandbyDown = Lab.drills + "/06-sync-standby-down.yaml"

        @Test func expectedAlertsFireUnderTheDrillsSilenceWhichIsGoneAfterwards() throws {
            let dir = Lab.scratch("alerts-fire")
            let r = try CLI.pgdrill(["run", Self.syncStandbyDown, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 400)
            let report = try Report.load(dir + "/r")
            let drill = try #require(report.drills.first)
            #expect(r.status == 0, "exit \(r.status)\n\(r.stderr.suffix(3000))\n\(drill.expectationsText)")
            let row = try #require(Self.expectation(drill, "alert PostgreSQLReplicaNotStreaming"))
            #expect(row["passed"] as? Bool == true, "\(row)")
            #expect((row["detail"] as? String)?.contains("silenced by the drill (it would have paged)") == true, "\(row)")
            let alerts = try #require(drill.json["alerts"] as? [String: Any])
            let silence = try #require(alerts["silence"] as? [String: Any])
            #expect(silence["expired_at"] != nil && silence["id"] != nil, "\(silence)")
            #expect(try Self.pgdrillSilences().isEmpty, "the drill's silence is still active")
            let md = try String(contentsOfFile: ReportArtifacts.newestRun(dir + "/r") + "/report.md", encoding: .utf8)
            #expect(md.contains("| alert firing (time to detect) |"), "the phase table lacks the time to detect")
            try ReportArtifacts.verify(runDir: ReportArtifacts.newestRun(dir + "/r"), extraOutput: r.stdout + r.stderr, stateDir: dir)
        }

        /// The rule renamed away in the lab's Prometheus (a copy of the rule file, reloaded): the drill that
        /// expects it FAILs, and the row names the alert and the missing rule.
        @Test func aRemovedRuleFailsTheDrillNamingTheAlert() throws {
            let dir = Lab.scratch("alerts-norule")
            let mon = try #require(Lab.monitoring)
            let config = Lab.stateDir + "/mon/prometheus.yml"
            let original = try String(contentsOfFile: config, encoding: .utf8)
            let rules = try String(contentsOfFile: Lab.root + "/monitoring/alerts.yml", encoding: .utf8)
            let copy = Lab.stateDir + "/mon/alerts-without-replica-not-streaming.yml"
            try rules.replacingOccurrences(of: "alert: PostgreSQLReplicaNotStreaming", with: "alert: PostgreSQLReplicaNotStreamingRenamed")
                .write(toFile: copy, atomically: true, encoding: .utf8)
            try original.replacingOccurrences(of: Lab.root + "/monitoring/alerts.yml", with: copy).write(toFile: config, atomically: true, encoding: .utf8)
            defer {
                try? original.write(toFile: config, atomically: true, encoding: .utf8)
                _ = try? CLI.run("/usr/bin/curl", ["-fsS", "-XPOST", mon.prometheus + "/-/reload"], timeout: 20)
                try? FileManager.default.removeItem(atPath: copy)
            }
            let reload = try CLI.run("/usr/bin/curl", ["-fsS", "-XPOST", mon.prometheus + "/-/reload"], timeout: 20)
            #expect(reload.status == 0, "\(reload.stderr)")
            let r = try CLI.pgdrill(["run", Self.syncStandbyDown, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 400)
            let drill = try #require(try Report.load(dir + "/r").drills.first)
            #expect(r.status == 1, "exit \(r.status)\n\(r.stderr.suffix(3000))\n\(drill.expectationsText)")
            #expect(drill.verdict == "FAIL")
            let row = try #require(Self.expectation(drill, "alert PostgreSQLReplicaNotStreaming"))
            #expect(row["passed"] as? Bool == false)
            #expect(row["measured"] as? String == "did not fire")
            #expect((row["detail"] as? String)?.contains("the Prometheus has no alerting rule named PostgreSQLReplicaNotStreaming") == true, "\(row)")
            #expect(r.stderr.contains("no alerting rule named PostgreSQLReplicaNotStreaming"), "pre-flight must warn")
            #expect(try Self.pgdrillSilences().isEmpty)
        }

        /// A stop condition provoked on purpose: a replica held down 60 s makes PostgreSQLReplicaNotStreaming
        /// fire after about 11 s; the drill stops on it and rolls back within 2 s of its firing.
        @Test func abortIfAnAlertRollsBackWithinTwoSeconds() throws {
            let dir = Lab.scratch("alerts-abort")
            let drillFile = dir + "/abort-on-alert.yaml"
            try """
            name: abort-on-alert
            description: A replica held down for a minute; the drill must stop as soon as the monitoring pages.
            preflight: { healthy: true, max_lag: 1MB }
            probe: { endpoint: write, writers: 2 }
            steady: 3s
            fault:
              - kill: { process: [patroni, postgres], on: replica, signal: KILL, for: 60s }
            observe: { until: [same_primary, writes_ok], timeout: 90s, stable_for: 3s }
            recover: { until: healthy, timeout: 120s }
            cooldown: 1s
            expect: { lost_writes: 0 }
            abort_if: { alert: PostgreSQLReplicaNotStreaming }

            """.write(toFile: drillFile, atomically: true, encoding: .utf8)
            let r = try CLI.pgdrill(["run", drillFile, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 400)
            let drill = try #require(try Report.load(dir + "/r").drills.first)
            #expect(r.status == 3, "exit \(r.status)\n\(r.stderr.suffix(3000))")
            #expect(drill.verdict == "ABORTED")
            #expect(r.stderr.contains("abort_if: alert PostgreSQLReplicaNotStreaming firing"), "\(r.stderr.suffix(2000))")
            let alerts = try #require(drill.json["alerts"] as? [String: Any])
            let instances = alerts["instances"] as? [[String: Any]] ?? []
            let fired = try #require(instances.first { $0["name"] as? String == "PostgreSQLReplicaNotStreaming" && $0["firing_at"] != nil })
            let firingAt = try #require((fired["firing_at"] as? NSNumber)?.int64Value)
            let events = drill.json["events"] as? [[String: Any]] ?? []
            let rollback = try #require(events.first { $0["kind"] as? String == "stage" && ($0["detail"] as? String) == "rollback" })
            let rollbackAt = try #require((rollback["at"] as? NSNumber)?.int64Value)
            let rolledBack = try #require(events.first { $0["kind"] as? String == "rolled_back" })
            let undoneAt = try #require((rolledBack["at"] as? NSNumber)?.int64Value)
            // The first poll that saw it firing is at most one poll interval (500 ms) after Prometheus marked it.
            #expect(rollbackAt - firingAt >= 0 && rollbackAt - firingAt < 2_000_000, "rollback began \(rollbackAt - firingAt) µs after the alert fired")
            #expect(undoneAt - firingAt < 2_500_000, "the replica was restarted \(undoneAt - firingAt) µs after the alert fired")
            try Self.expectHealthy(dir)
        }

        /// SIGKILL mid-fault: the silence stays in Alertmanager (journalled), `check` names it, `recover`
        /// expires it.
        @Test func sigkillMidDrillLeavesTheSilenceForRecover() throws {
            let dir = Lab.scratch("alerts-sigkill")
            let r = try CLI.pgdrill(["run", Self.syncStandbyDown, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 300, env: ["PGDRILL_PHASE_LINES": "1"],
                                    signal: (SIGKILL, after: { $0.contains("PGDRILL_PHASE=fault") }))
            #expect(r.status == SIGKILL, "\(r.stderr.suffix(2000))")
            #expect(try Self.pgdrillSilences().count == 1, "the killed run's silence must still be there")
            let journal = try String(contentsOfFile: dir + "/lab.journal.json", encoding: .utf8)
            #expect(journal.contains("expire-silence"), "the silence must be journalled: \(journal)")
            let check = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 60)
            #expect(check.status == 2)
            #expect(check.stdout.contains("Alertmanager silence(s) of pgdrill still active"), "\(check.stdout)")
            let rec = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 300)
            #expect(rec.status == 0, "\(rec.stderr.suffix(3000))")
            #expect(rec.stderr.contains("Alertmanager silence expired"), "\(rec.stderr.suffix(2000))")
            #expect(try Self.pgdrillSilences().isEmpty, "recover must expire the silence")
            try Self.expectHealthy(dir)
        }

        /// Monitoring that does not answer: a drill that judges alerts refuses at pre-flight (exit 2), nothing
        /// injected, and says what to check.
        @Test func unreachableMonitoringRefusesADrillThatJudgesAlerts() throws {
            let dir = Lab.scratch("alerts-unreachable")
            let mon = try #require(Lab.monitoring)
            let cluster = Lab.stateDir + "/cluster-unreachable-monitoring.yaml"
            // Port 9 (discard) on the monitoring node: nothing listens there.
            let dead = mon.prometheus.replacingOccurrences(of: ":9090", with: ":9")
            try String(contentsOfFile: Lab.clusterPath!, encoding: .utf8).replacingOccurrences(of: mon.prometheus, with: dead)
                .write(toFile: cluster, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: cluster) }
            let r = try CLI.pgdrill(["run", Self.syncStandbyDown, "--cluster", cluster, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 120)
            #expect(r.status == 2, "exit \(r.status)\n\(r.stderr.suffix(2000))")
            #expect(r.stderr.contains("the monitoring does not answer"), "\(r.stderr.suffix(2000))")
            #expect(!r.stderr.contains("fault: kill"))
            let check = try CLI.pgdrill(["check", "--cluster", cluster], stateDir: dir, timeout: 60)
            #expect(check.status == 2 && check.stdout.contains("did not answer"), "\(check.stdout)")
        }

        /// Prometheus cut off from the runner for 8 s right after the fault: the drill goes on, the report says
        /// when the monitoring was dark, and what fired meanwhile is read from Prometheus' history afterwards.
        @Test func monitoringGoingDarkMidDrillIsReported() throws {
            let dir = Lab.scratch("alerts-dark")
            let rule = ["INPUT", "-p", "tcp", "--dport", "9090", "-s", Lab.runnerAddress, "-j", "DROP"]
            defer { _ = try? Lab.iptables("mon", ["-D"] + rule) }
            let r = try CLI.pgdrill(["run", Self.syncStandbyDown, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", dir + "/r"],
                                    stateDir: dir, timeout: 400, env: ["PGDRILL_PHASE_LINES": "1"],
                                    action: (after: { $0.contains("PGDRILL_PHASE=fault") }, run: {
                                        _ = try? Lab.iptables("mon", ["-I"] + rule)
                                        DispatchQueue.global().asyncAfter(deadline: .now() + 8) { _ = try? Lab.iptables("mon", ["-D"] + rule) }
                                    }))
            #expect(r.status != 2, "exit \(r.status)\n\(r.stderr.suffix(2000))")
            let md = try String(contentsOfFile: ReportArtifacts.newestRun(dir + "/r") + "/report.md", encoding: .utf8)
            #expect(md.contains("- Prometheus did not answer from +"), "no outage line in the report")
            // Prometheus kept evaluating while the runner could not ask: its ALERTS history fills the gap, so the
            // forbidden alerts are judged (they did not fire) rather than left open.
            #expect(md.contains("what fired meanwhile was read from its ALERTS history afterwards"), "the gap was not read through")
            let drill = try #require(try Report.load(dir + "/r").drills.first)
            #expect(r.status == 0 && drill.verdict == "PASS", "exit \(r.status)\n\(drill.expectationsText)")
            try Self.expectHealthy(dir)
        }

        // MARK: helpers

        static func expectation(_ drill: Report.Drill, _ metric: String) -> [String: Any]? {
            (drill.json["expectations"] as? [[String: Any]] ?? []).first { $0["metric"] as? String == metric }
        }

        /// Active or pending silences pgdrill created in the lab's Alertmanager.
        static func pgdrillSilences() throws -> [String] {
            let mon = try #require(Lab.monitoring)
            let r = try CLI.run("/usr/bin/curl", ["-fsS", mon.alertmanager + "/api/v2/silences"], timeout: 20)
            let list = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]] ?? []
            return list.filter { ($0["comment"] as? String ?? "").contains("pgdrill-silence-")
                && (($0["status"] as? [String: Any])?["state"] as? String) != "expired" }.compactMap { $0["id"] as? String }
        }

        static func expectHealthy(_ dir: String) throws {
            let check = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 240)
            if check.status != 0 {
                // Give a rejoining replica the time recover gives it.
                _ = try CLI.pgdrill(["recover", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 300)
            }
            let again = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: dir, timeout: 60)
            #expect(again.status == 0, "\(again.stdout)")
        }
    }
}
