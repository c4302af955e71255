/// The life cycle of one drill as a value-type state machine: the runner reports what happened, the
/// machine answers with the next action. All decisions about ordering, aborting and rolling back live
/// here, so they are unit-tested without a cluster; the runner only performs I/O.
///
/// preflight → steady → fault[0…n-1] → observe → rollback → recover → verify → done.
/// Whatever happens after the first fault was sent, the path goes through `rollBack`.
public struct DrillLifecycle: Sendable {
    public enum Stage: String, Sendable, Codable { case idle, preflight, steady, fault, observe, rollback, recover, verify, done }

    public enum Event: Sendable, Equatable {
        case start
        case preflightPassed
        case preflightFailed(String)
        case steadyElapsed
        case faultApplied(Int)
        case faultFailed(Int, String)
        case observationEnded(satisfied: Bool)
        case rolledBack(complete: Bool)
        case recovered(healthy: Bool)
        /// The runner could not see whether the cluster recovered (its link to the manager is down).
        case recoveryUnconfirmed(String)
        case verified
        case verifyFailed(String)
        case interrupted(String)
    }

    public enum Action: Sendable, Equatable {
        case runPreflight
        case startProbeAndWaitSteady
        case applyFault(Int)
        case observe
        case rollBack
        case awaitRecovery
        case verify
        case finish(Termination)
    }

    /// How a drill ended, before expectations are weighed (they can still turn `.completed` into a FAIL).
    public enum Termination: Sendable, Equatable {
        /// Ran to the end; the verdict follows from the expectations.
        case completed(observationSatisfied: Bool)
        /// Pre-flight refused the cluster: nothing was injected (exit 2).
        case refused(String)
        /// Interrupted or a fault could not be applied; rollback completed (exit 3 / verdict ERROR).
        case aborted(String)
        /// Rollback or recovery did not complete: the cluster may be degraded (exit 4).
        case degraded(String)
    }

    public private(set) var stage: Stage = .idle
    public let faultCount: Int
    /// Set once the first fault command was sent: from then on every path rolls back.
    public private(set) var injected = false
    private var abortReason: String?
    private var observationSatisfied = true
    /// Why the cluster may be left degraded (rollback or recovery incomplete): the drill still verifies
    /// every acknowledged write against the nodes that answer, then ends `.degraded` with this reason.
    private var degradedReason: String?

    public init(faultCount: Int) {
        precondition(faultCount > 0, "a drill has at least one fault step")
        self.faultCount = faultCount
    }

    /// The reason the drill is being aborted, if it is.
    public var aborting: String? { abortReason }

    public mutating func handle(_ event: Event) -> Action {
        switch (stage, event) {
        case (.idle, .start):
            stage = .preflight
            return .runPreflight

        case (_, .interrupted(let reason)):
            return interrupt(reason)

        case (.preflight, .preflightPassed):
            stage = .steady
            return .startProbeAndWaitSteady
        case (.preflight, .preflightFailed(let why)):
            stage = .done
            return .finish(.refused(why))

        case (.steady, .steadyElapsed):
            stage = .fault
            injected = true
            return .applyFault(0)

        case (.fault, .faultApplied(let index)) where index + 1 < faultCount:
            return .applyFault(index + 1)
        case (.fault, .faultApplied):
            stage = .observe
            return .observe
        case (.fault, .faultFailed(let index, let why)):
            abortReason = "fault step \(index + 1) failed: \(why)"
            stage = .rollback
            return .rollBack

        case (.observe, .observationEnded(let satisfied)):
            observationSatisfied = satisfied
            stage = .rollback
            return .rollBack

        case (.rollback, .rolledBack(let complete)):
            if !complete {
                // The loss figure matters most exactly when the cluster is left broken: read back what the
                // nodes that answer hold before reporting the cluster degraded.
                return verifyThenReportDegraded("rollback incomplete" + (abortReason.map { " after: \($0)" } ?? ""))
            }
            stage = .recover
            return .awaitRecovery

        case (.recover, .recovered(let healthy)):
            if !healthy { return verifyThenReportDegraded("cluster not healthy after recovery timeout") }
            if let abortReason {
                stage = .done
                return .finish(.aborted(abortReason))
            }
            stage = .verify
            return .verify

        case (.recover, .recoveryUnconfirmed(let why)):
            return verifyThenReportDegraded("recovery not confirmed: \(why)")

        case (.verify, .verified):
            stage = .done
            if let degradedReason { return .finish(.degraded(degradedReason)) }
            return .finish(.completed(observationSatisfied: observationSatisfied))
        case (.verify, .verifyFailed(let why)):
            stage = .done
            if let degradedReason { return .finish(.degraded(degradedReason + "; verification failed: \(why)")) }
            return .finish(.aborted("verification failed: \(why)"))

        default:
            preconditionFailure("event \(event) is not valid in stage \(stage)")
        }
    }

    /// Whether the drill is verifying a cluster it already knows to be degraded.
    public var verifyingDegraded: Bool { degradedReason != nil }

    /// A drill that ran its course verifies before reporting the cluster degraded; one being aborted
    /// (interrupted, a fault step failed) reports at once — the operator asked it to stop.
    private mutating func verifyThenReportDegraded(_ reason: String) -> Action {
        if abortReason != nil {
            stage = .done
            return .finish(.degraded(reason))
        }
        degradedReason = reason
        stage = .verify
        return .verify
    }

    private mutating func interrupt(_ reason: String) -> Action {
        if abortReason == nil { abortReason = reason }
        switch stage {
        case .idle, .preflight, .steady, .done:
            // Nothing was injected yet: stop the probe and report; there is nothing to roll back.
            stage = .done
            return .finish(.aborted(reason))
        case .fault, .observe:
            stage = .rollback
            return .rollBack
        case .rollback:
            // An interrupt never abandons a rollback in progress: carry on.
            return .rollBack
        case .recover, .verify:
            // Rollback already completed (or could not): stop waiting and report — still degraded if it was.
            stage = .done
            if let degradedReason { return .finish(.degraded(degradedReason + "; verification interrupted")) }
            return .finish(.aborted(reason))
        }
    }
}
