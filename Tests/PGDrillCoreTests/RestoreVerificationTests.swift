import Testing
@testable import PGDrillCore

@Suite struct RestoreVerificationTests {
    func attempt(_ seq: Int64, end: Int64, _ outcome: ProbeAttempt.Outcome = .ok) -> ProbeAttempt {
        ProbeAttempt(endpoint: "write", writer: 0, seq: seq, start: end - 500, end: end, outcome: outcome)
    }

    @Test func lostWritesAreTheAcknowledgedOnesBeforeTheCutoffThatTheRestoredHostLacks() {
        // Acked at 1..6 s; the restore holds 1–3 (and 5, acked after the cutoff); 4 s is lost; 2 s failed but present.
        let attempts = [attempt(1, end: 1_000_000), attempt(2, end: 2_000_000, .fail), attempt(3, end: 3_000_000),
                        attempt(4, end: 4_000_000), attempt(5, end: 5_500_000), attempt(6, end: 6_000_000)]
        let keys: Set<WriteKey> = [1, 2, 3, 5].map { WriteKey(endpoint: "write", writer: 0, seq: $0) }.reduce(into: []) { $0.insert($1) }
        let v = RestoreVerification.compute(attempts: attempts, endpoint: "write", restored: keys, cutoff: 5_000_000, disaster: 5_000_000)
        #expect(v.ackedBeforeCutoff == 3)
        #expect(v.lostBeforeCutoff == 1)
        #expect(v.firstLostAck == 4_000_000)
        #expect(v.lastRestoredAck == 3_000_000)
        #expect(v.presentAfterCutoff == 1)
        #expect(v.phantoms == 1)
        #expect(v.rowsPresent == 4)
        #expect(v.rpo == 2_000_000)
    }

    @Test func otherEndpointsAreIgnoredAndNothingRestoredHasNoRPO() {
        let other = ProbeAttempt(endpoint: "pooled", writer: 0, seq: 1, start: 0, end: 10, outcome: .ok)
        let v = RestoreVerification.compute(attempts: [other, attempt(1, end: 20)], endpoint: "write", restored: [], cutoff: 100, disaster: 100)
        #expect(v.ackedBeforeCutoff == 1 && v.lostBeforeCutoff == 1)
        #expect(v.rpo == nil)
    }

    /// Found by CI: a restore that held none of the run's writes (the archive had nothing of it yet) reported
    /// its RPO as "not verified (restored host not read)" although the host had been read. Now the newest
    /// replayed commit dates the restore, and the RPO never falls below the span of the lost writes.
    @Test func nothingOfTheRunRestoredIsDatedByTheLastReplayedCommit() {
        let attempts = [attempt(1, end: 2_000_000), attempt(2, end: 3_000_000), attempt(3, end: 4_000_000)]
        var v = RestoreVerification.compute(attempts: attempts, endpoint: "write", restored: [], cutoff: 5_000_000, disaster: 5_000_000)
        #expect(v.rpo == nil)
        #expect(v.rpoAtLeast == 3_000_000)
        #expect(v.rpoSource == nil)
        #expect(v.rpoText.hasPrefix("≥ 3.0 s (none of 3 acknowledged writes restored"), "\(v.rpoText)")
        v.newestRestoredCommit = -40_000_000  // 45 s before the disaster, before the run began
        #expect(v.rpo == 45_000_000)
        #expect(v.rpoSource == "server_commit_time")
        #expect(v.rpoText.hasPrefix("45.0 s (none of 3 acknowledged writes restored"), "\(v.rpoText)")
        // A server clock ahead of the runner's cannot make the figure smaller than what was lost.
        v.newestRestoredCommit = 4_500_000
        #expect(v.rpo == 3_000_000)
    }

    @Test func aRestoreHoldingTheRunsWritesIgnoresTheCommitTime() {
        let attempts = [attempt(1, end: 2_000_000), attempt(2, end: 3_000_000)]
        var v = RestoreVerification.compute(attempts: attempts, endpoint: "write", restored: [WriteKey(endpoint: "write", writer: 0, seq: 1)],
                                            cutoff: 5_000_000, disaster: 5_000_000)
        v.newestRestoredCommit = 2_100_000
        #expect(v.rpo == 3_000_000)
        #expect(v.rpoSource == "probe")
        #expect(v.rpoAtLeast == nil)
        #expect(v.rpoText == "3.0 s")
    }

    @Test func noAcknowledgementBeforeTheCutoffIsNotMeasurable() {
        let v = RestoreVerification.compute(attempts: [attempt(1, end: 6_000_000)], endpoint: "write", restored: [], cutoff: 5_000_000, disaster: 5_000_000)
        #expect(v.rpo == nil && v.rpoAtLeast == nil)
        #expect(v.rpoText == "not measurable (no write acknowledged before the disaster moment)")
    }
}
