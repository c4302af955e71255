import Foundation
import Testing

/// The gray and infrastructure faults: each shipped drill runs in `DrillIntegrationTests` (PASS, nothing lost,
/// `check` clean afterwards); here, what its report must say the cluster did, and the latency drill, which
/// needs `sch_netem`.
extension LabIntegration {
    @Suite(.serialized)
    struct GrayFaultIntegrationTests {
        static let latencyDrill = Lab.drills + "/netem/primary-latency.yaml"

        /// Whether this kernel has sch_netem, by the same test the engine's pre-flight uses.
        static var kernelHasNetem: Bool {
            let release = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            if FileManager.default.fileExists(atPath: "/sys/module/sch_netem") { return true }
            return ["modules.builtin", "modules.dep"].contains { f in
                ((try? String(contentsOfFile: "/lib/modules/\(release)/\(f)", encoding: .utf8)) ?? "").contains("/sch_netem.ko")
            }
        }

        /// Without sch_netem the latency drill is refused at pre-flight: exit 2, a message naming sch_netem and
        /// what to do, no fault sent, nothing left behind. Where the kernel has netem it must run and pass.
        @Test func latencyIsRefusedBeforeInjectionWithoutNetem() throws {
            let state = Lab.scratch("latency")
            let reports = state + "/reports"
            let r = try CLI.pgdrill(["run", Self.latencyDrill, "--cluster", Lab.clusterPath!, "--yes", "--report-dir", reports],
                                    stateDir: state, timeout: 300)
            let drill = try #require(try Report.load(reports).drills.first)
            if Self.kernelHasNetem {
                #expect(r.status == 0, "\(r.stderr.suffix(3000))\n\(drill.expectationsText)")
                return
            }
            #expect(r.status == 2, "\(r.stderr.suffix(3000))")
            #expect(r.stderr.contains("sch_netem"), "\(r.stderr)")
            #expect(r.stderr.contains("CONFIG_NET_SCH_NETEM"), "the message says what to do: \(r.stderr)")
            #expect(drill.verdict == "ERROR")
            let events = drill.json["events"] as? [[String: Any]] ?? []
            #expect(!events.contains { $0["kind"] as? String == "fault_sent" }, "nothing may be injected")
            let c = try CLI.pgdrill(["check", "--cluster", Lab.clusterPath!], stateDir: state, timeout: 120)
            #expect(c.status == 0, "\(c.stdout)\(c.stderr)")
            #expect(c.stdout.contains("No leftovers"), "\(c.stdout)")
        }

        /// `plan` says the latency step needs sch_netem (it opens no ssh, so it cannot check).
        @Test func planNamesTheNetemRequirement() throws {
            let r = try CLI.pgdrill(["plan", Self.latencyDrill, "--cluster", Lab.clusterPath!], stateDir: Lab.scratch("latency-plan"), timeout: 60)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("needs sch_netem"), "\(r.stdout)")
        }
    }
}

extension LabIntegration.DrillIntegrationTests {
    /// What each gray-fault drill's report must say the cluster did (fragments of `what_happened`), as it behaved
    /// on the lab (Patroni 4.1.5, ttl 20, retry_timeout 4, failsafe_mode off, no watchdog).
    static let storyFragments: [String: [String]] = [
        "08-primary-postgres-frozen.yaml": ["frozen (SIGSTOP of the postmaster and every backend", "took the leader key at", ": failover",
                                            "after it was resumed"],
        "09-primary-patroni-frozen.yaml": ["Patroni on ", "frozen (SIGSTOP)", "PostgreSQL kept running", "took the leader key at",
                                           "after it was resumed", "both answered pg_is_in_recovery() = false", "only one acknowledged writes"],
        "10-primary-packet-loss.yaml": ["% of the packets of ", "application error window"],
        "11-dcs-majority-lost.yaml": ["(2 of 3 members: the DCS had no majority)", "while the DCS had no majority", "DCS unreachable, and no standby was promoted"],
        "12-primary-patroni-killed.yaml": ["killed (KILL) while PostgreSQL kept running", "started again at", "no failover"],
        "13-pgbouncer-restart.yaml": ["PgBouncer on px stopped at +0 s and running again at", "no failover", "application error window"],
        "14-haproxy-restart.yaml": ["HAProxy on px stopped at +0 s and running again at", "no failover", "application error window"],
    ]

    /// Every fragment expected for this drill file appears in one of the report's sentences.
    func expectStory(_ file: String, _ drill: Report.Drill) {
        let story = drill.json["what_happened"] as? [String] ?? []
        for fragment in Self.storyFragments[file] ?? [] {
            #expect(story.contains { $0.contains(fragment) }, "'\(fragment)' missing from:\n\(story.joined(separator: "\n"))")
        }
    }
}
