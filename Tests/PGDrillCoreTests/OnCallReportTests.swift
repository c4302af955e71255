import Testing
@testable import PGDrillCore

/// The on-call drill's post-mortem timeline.
struct OnCallReportTests {
    @Test(arguments: [
        (Int64(21_100_000), "operator", "human RTO 21.1 s: faster than the 1–5 min a manual failover usually takes"),
        (Int64(60_000_000), "operator", "human RTO 60.0 s: within the 1–5 min a manual failover usually takes"),
        (Int64(300_000_000), "operator", "human RTO 300.0 s: within the 1–5 min a manual failover usually takes"),
        (Int64(300_000_001), "operator", "human RTO 300.0 s: slower than the 1–5 min a manual failover usually takes"),
        (Int64(21_100_000), "pgdrill after the deadline", "no manual recovery to compare with the 1–5 min a manual failover usually takes"),
    ])
    func patternOneSaysWhereTheRecoveryStands(rto: Int64, by: String, sentence: String) {
        #expect(OnCallReport.pattern(humanRTO: rto, restoredBy: by) == sentence)
    }

    @Test func theTimelineRendersWithItsRunbookSteps() {
        let o = OnCallReport(
            handoverAt: 115_000, deadline: 300_000_000, acknowledgedAt: 5_200_000, firstActionAt: 20_800_000, humanRTO: 21_100_000,
            restoredBy: "operator", operatorKind: "keyboard",
            timeline: [OperatorAction(at: 5_200_000, signal: "acknowledged", what: "acknowledged the page", runbookStep: 1),
                       OperatorAction(at: 8_300_000, signal: "note", what: "operator: pg2 is gone"),
                       OperatorAction(at: 20_800_000, signal: "new_primary", what: "pg1 leads (was pg2)", runbookStep: 3)],
            runbook: ["Acknowledge (sees acknowledged)", "Look: patronictl list", "Fail over (sees new_primary)", "Resume (sees manager_resumed)"],
            unseenSteps: [4], pattern: OnCallReport.pattern(humanRTO: 21_100_000, restoredBy: "operator"))
        let md = MarkdownReport().onCallSection(o)
        #expect(md.contains("| +5.2 s | acknowledged the page | 1. Acknowledge (sees acknowledged) |"), "\(md)")
        #expect(md.contains("| +8.3 s | operator: pg2 is gone |  |"), "\(md)")
        #expect(md.contains("| +20.8 s | pg1 leads (was pg2) | 3. Fail over (sees new_primary) |"), "\(md)")
        #expect(md.contains("- Time to acknowledge: 5.2 s\n- Time to first effective action: 20.8 s\n- Human RTO (fault → writes acknowledged again): 21.1 s\n"), "\(md)")
        #expect(md.contains("- Runbook steps whose sign was never seen: 4. Resume (sees manager_resumed)"), "\(md)")
        #expect(md.contains("- Human RTO 21.1 s: faster than the 1–5 min"), "\(md)")
    }
}
