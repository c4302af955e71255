import Foundation
import PGDrillCore
import PGDrillModel
import PGDrillSSH
import Testing
@testable import PGDrillEngine

/// The on-call drill without a cluster: its drill-file section, the journalled maintenance mode, and how the
/// operator's work becomes a timeline.
struct OnCallTests {
    static func spec(_ manual: String, observe: String = "observe: { until: [new_primary, writes_ok] }") throws -> DrillSpec {
        try DrillLoader.load(yaml: """
            name: oncall
            description: on-call takes over
            manual:
            \(manual)
            fault:
              - kill: { process: [patroni, postgres], on: primary }
            \(observe)
            """, file: "oncall.yaml")
    }

    @Test func manualSectionParses() throws {
        let s = try Self.spec("""
              pause_manager: true
              deadline: 2m
              runbook:
                - { do: "ack", sees: acknowledged }
                - { do: "patronictl list" }
                - { do: "patronictl failover", sees: new_primary }
            """)
        #expect(s.manual == ManualSettings(pauseManager: true, deadline: .seconds(120), runbook: [
            RunbookStep(action: "ack", sees: .acknowledged), RunbookStep(action: "patronictl list"),
            RunbookStep(action: "patronictl failover", sees: .newPrimary)]))
        // The deadline is the observation's timeout.
        #expect(DrillPlan(spec: s).observeTimeoutMicros == 120_000_000)
    }

    @Test(arguments: [
        ("  pause_manager: yes please", "observe: { until: writes_ok }", "oncall.yaml:4:18"),
        ("  deadline: 2s", "observe: { until: writes_ok }", "oncall.yaml:4:13: error: 'deadline' must be from 5s to 24h, got 2s"),
        ("  runbook: [{ do: a, sees: new_primary }, { do: b, sees: new_primary }]", "observe: { until: writes_ok }", "names 'new_primary' for a second step"),
        ("  runbook: [{ do: a, sees: failover_done }]", "observe: { until: writes_ok }", "oncall.yaml:4:28: error: 'sees' must be one of acknowledged"),
        ("  pager: true", "observe: { until: writes_ok }", "pager"),
        ("  deadline: 2m", "observe: { until: writes_ok, timeout: 60s }", "replaced by manual.deadline"),
    ])
    func mistakesAreNamedWithTheirLine(manual: String, observe: String, says: String) {
        do {
            _ = try Self.spec(manual, observe: observe)
            Issue.record("accepted: \(manual)")
        } catch {
            #expect("\(error)".contains(says), "\(error)")
        }
    }

    @Test func maintenanceModeIsJournalledWithoutCredentials() throws {
        let pause = ManagerPause(nodes: [.init(name: "pg1", api: URL(string: "https://10.0.0.11:8008")!)],
                                 access: HTTPCredentials(setting: "patroni_api", username: "pgdrill", password: Secret("s3cret")))
        let text = pause.journalText
        #expect(text.hasPrefix("pgdrill-internal resume-manager "))
        #expect(!text.contains("s3cret") && !text.contains("pgdrill\""), "\(text)")
        #expect(ManagerPause.parse(text)?.nodes == pause.nodes)
        #expect(ManagerPause.parse("pgdrill-internal region-failback {}") == nil)
    }

    @Test func theOperatorsWorkBecomesATimelineMatchedToTheRunbook() {
        let runbook = [RunbookStep(action: "ack", sees: .acknowledged), RunbookStep(action: "look"),
                       RunbookStep(action: "fail over", sees: .newPrimary), RunbookStep(action: "resume", sees: .managerResumed)]
        let watch = OperatorWatch(runbook: runbook, handoverAt: 100, operatorKind: "test")
        // Holding at the handover (a view a poll old, a cluster still healthy): not the operator's doing.
        #expect(watch.tick(now: 500, holding: [.healthy: ("healthy", 500), .managerResumed: ("resumed", 500)]).isEmpty)
        #expect(watch.tick(now: 1_000, holding: [:]).isEmpty)
        watch.feed(["ack", "  ", "pg2 is gone"])
        #expect(watch.tick(now: 2_000, holding: [:]) == ["acknowledged the page (runbook step 1)", "operator: pg2 is gone"])
        #expect(watch.tick(now: 3_000, holding: [.newPrimary: ("pg1 leads", 3_000), .writesOK: ("writes back", 2_500)])
                == ["pg1 leads (runbook step 3)", "writes back"])
        // Each sign once, at its first sight; a second `ack` is not a second acknowledgement.
        watch.feed(["ack"])
        #expect(watch.tick(now: 4_000, holding: [.newPrimary: ("pg1 leads", 4_000)]).isEmpty)
        #expect(watch.record.actions.map(\.signal) == ["acknowledged", "note", "new_primary", "writes_ok"])
        #expect(watch.record.actions.map(\.at) == [2_000, 2_000, 3_000, 2_500])
        #expect(watch.record.actions.map(\.step) == [1, nil, 3, nil])
    }
}
