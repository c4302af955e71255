import Testing
@testable import PGDrillEngine

@Suite struct DrillLifecycleTests {
    @Test func happyPathVisitsEveryStageInOrder() {
        var m = DrillLifecycle(faultCount: 2)
        #expect(m.handle(.start) == .runPreflight)
        #expect(m.handle(.preflightPassed) == .startProbeAndWaitSteady)
        #expect(m.handle(.steadyElapsed) == .applyFault(0))
        #expect(m.injected)
        #expect(m.handle(.faultApplied(0)) == .applyFault(1))
        #expect(m.handle(.faultApplied(1)) == .observe)
        #expect(m.handle(.observationEnded(satisfied: true)) == .rollBack)
        #expect(m.handle(.rolledBack(complete: true)) == .awaitRecovery)
        #expect(m.handle(.recovered(healthy: true)) == .verify)
        #expect(m.handle(.verified) == .finish(.completed(observationSatisfied: true)))
    }

    @Test func preflightRefusalInjectsNothing() {
        var m = DrillLifecycle(faultCount: 1)
        _ = m.handle(.start)
        #expect(m.handle(.preflightFailed("no leader")) == .finish(.refused("no leader")))
        #expect(!m.injected)
    }

    @Test(arguments: [
        // (events before the interrupt, expected action on interrupt)
        (0, DrillLifecycle.Action.finish(.aborted("SIGINT"))),   // during pre-flight
        (1, .finish(.aborted("SIGINT"))),                        // during steady: nothing injected
        (2, .rollBack),                                          // after the first fault was sent
        (3, .rollBack),                                          // during observation
    ])
    func interruptRollsBackOnlyOnceSomethingWasInjected(stepsBefore: Int, expected: DrillLifecycle.Action) {
        var m = DrillLifecycle(faultCount: 1)
        let script: [DrillLifecycle.Event] = [.start, .preflightPassed, .steadyElapsed, .faultApplied(0)]
        for e in script.prefix(stepsBefore + 1) { _ = m.handle(e) }
        #expect(m.handle(.interrupted("SIGINT")) == expected)
    }

    @Test func interruptDuringRollbackNeverAbandonsIt() {
        var m = DrillLifecycle(faultCount: 1)
        for e in [DrillLifecycle.Event.start, .preflightPassed, .steadyElapsed, .faultApplied(0)] { _ = m.handle(e) }
        #expect(m.handle(.interrupted("SIGINT")) == .rollBack)
        #expect(m.handle(.interrupted("SIGINT")) == .rollBack)
        #expect(m.handle(.rolledBack(complete: true)) == .awaitRecovery)
        #expect(m.handle(.recovered(healthy: true)) == .finish(.aborted("SIGINT")))
    }

    @Test func failedFaultStepRollsBackThenReportsAborted() {
        var m = DrillLifecycle(faultCount: 2)
        for e in [DrillLifecycle.Event.start, .preflightPassed, .steadyElapsed, .faultApplied(0)] { _ = m.handle(e) }
        #expect(m.handle(.faultFailed(1, "no such process")) == .rollBack)
        #expect(m.handle(.rolledBack(complete: true)) == .awaitRecovery)
        #expect(m.handle(.recovered(healthy: true)) == .finish(.aborted("fault step 2 failed: no such process")))
    }

    /// A degraded end still verifies first: the lost-write count matters most when the cluster is left broken.
    @Test func incompleteRollbackOrRecoveryVerifiesThenReportsDegraded() {
        var a = DrillLifecycle(faultCount: 1)
        for e in [DrillLifecycle.Event.start, .preflightPassed, .steadyElapsed, .faultApplied(0), .observationEnded(satisfied: false)] { _ = a.handle(e) }
        #expect(a.handle(.rolledBack(complete: false)) == .verify)
        #expect(a.verifyingDegraded)
        guard case .finish(.degraded(let why)) = a.handle(.verified) else { Issue.record("expected degraded"); return }
        #expect(why.hasPrefix("rollback incomplete"))

        var b = DrillLifecycle(faultCount: 1)
        for e in [DrillLifecycle.Event.start, .preflightPassed, .steadyElapsed, .faultApplied(0), .observationEnded(satisfied: true), .rolledBack(complete: true)] { _ = b.handle(e) }
        #expect(b.handle(.recovered(healthy: false)) == .verify)
        guard case .finish(.degraded) = b.handle(.verifyFailed("no node answered")) else { Issue.record("expected degraded"); return }

        var c = DrillLifecycle(faultCount: 1)
        for e in [DrillLifecycle.Event.start, .preflightPassed, .steadyElapsed, .faultApplied(0), .observationEnded(satisfied: true), .rolledBack(complete: true)] { _ = c.handle(e) }
        #expect(c.handle(.recoveryUnconfirmed("manager unreachable")) == .verify)
        guard case .finish(.degraded) = c.handle(.interrupted("SIGINT")) else { Issue.record("an interrupt must not hide the degraded cluster"); return }
    }

    @Test func unsatisfiedObservationStillRecoversAndVerifies() {
        var m = DrillLifecycle(faultCount: 1)
        for e in [DrillLifecycle.Event.start, .preflightPassed, .steadyElapsed, .faultApplied(0)] { _ = m.handle(e) }
        #expect(m.handle(.observationEnded(satisfied: false)) == .rollBack)
        #expect(m.handle(.rolledBack(complete: true)) == .awaitRecovery)
        #expect(m.handle(.recovered(healthy: true)) == .verify)
        #expect(m.handle(.verified) == .finish(.completed(observationSatisfied: false)))
    }
}
