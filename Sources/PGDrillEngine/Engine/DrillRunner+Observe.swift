import Foundation
import PGDrillCore

extension DrillRunner {
    /// Waits until every `until:` condition holds (or the timeout), running timed rollbacks as they fall due
    /// and aborting if the cluster has had no primary for longer than `abort_if.no_primary_for`.
    func observe(_ s: Session) -> DrillLifecycle.Event {
        let plan = s.record.plan
        let clock = s.record.clock
        let t0 = s.record.t0 ?? clock.now()
        stage(s, "observe until \(plan.until.map(\.rawValue).joined(separator: " and ")) (timeout \(Self.seconds(plan.observeTimeoutMicros)))")
        var noPrimarySince: Int64?
        while true {
            let now = clock.now()
            if trap.interrupted { return .interrupted("interrupted by \(trap.signalName ?? "signal") during observation") }
            runDueRollbacks(s)
            let leader = s.monitor?.leader
            if leader == nil { noPrimarySince = noPrimarySince ?? now } else { noPrimarySince = nil }
            if let limit = plan.noPrimaryForMicros, let since = noPrimarySince, now - since > limit {
                s.record.notes.append("aborted: no primary for \(Self.seconds(now - since)) (abort_if.no_primary_for \(Self.seconds(limit)))")
                return .interrupted("abort_if: no primary for \(Self.seconds(now - since))")
            }
            // Pending timed rollbacks are part of the scenario: observation is not over before they ran.
            if s.timed.isEmpty, plan.until.allSatisfy({ holds($0, s, now: now, t0: t0) }) {
                progress.endStatus()
                s.record.observeEnd = now
                progress.say("[\(plan.name)] observed \(plan.until.map(\.rawValue).joined(separator: ", ")) at +\(Self.seconds(now - t0))")
                return .observationEnded(satisfied: true)
            }
            if now - t0 > plan.observeTimeoutMicros {
                progress.endStatus()
                s.record.observeEnd = now
                let missing = plan.until.filter { !holds($0, s, now: now, t0: t0) }.map(\.rawValue)
                s.record.notes.append("observation timed out after \(Self.seconds(plan.observeTimeoutMicros)): \(missing.joined(separator: ", ")) not reached")
                progress.warn("[\(plan.name)] observation timed out: \(missing.joined(separator: ", ")) not reached")
                runDueRollbacks(s)
                return .observationEnded(satisfied: false)
            }
            showLive(s, "observe")
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// One `until:` condition, now. `writes_ok` needs `stable_for` of only-ok attempts entirely after t0,
    /// so the steady state before the fault can never satisfy it.
    func holds(_ c: DrillPlan.Condition, _ s: Session, now: Int64, t0: Int64) -> Bool {
        let plan = s.record.plan
        switch c {
        case .newPrimary:
            guard let leader = s.monitor?.leader else { return false }
            return leader != s.record.primaryBefore
        case .samePrimary:
            return s.monitor?.leader == s.record.primaryBefore && s.monitor?.leader != nil
        case .writesOK:
            return now - plan.stableForMicros >= t0 && s.live.writesOK(now: now, window: plan.stableForMicros)
        case .writesFailing:
            return s.live.writesFailing(now: now)
        case .leaderLost:
            return s.monitor?.leader == nil
        case .healthy:
            guard let view = s.monitor?.latestCluster else { return false }
            return ClusterHealth.evaluate(view, criteria: criteria(plan)).isHealthy
        }
    }

    func criteria(_ plan: DrillPlan) -> ClusterHealth.Criteria {
        .init(members: cluster.nodes.map(\.name), maxLagBytes: plan.maxLagBytes, requireSync: plan.requireSync, minReplicas: plan.minReplicas)
    }

    /// After rollback: waits until the cluster is healthy again by the pre-flight's own criteria.
    func awaitRecovery(_ s: Session) -> DrillLifecycle.Event {
        let plan = s.record.plan
        let clock = s.record.clock
        stage(s, "recover until healthy (timeout \(Self.seconds(plan.recoverTimeoutMicros)))")
        let start = clock.now()
        let (_, health) = connection.waitUntilHealthy(
            criteria(plan), timeout: Double(plan.recoverTimeoutMicros) / 1e6, every: 0.25, stop: { trap.interrupted }
        ) { elapsed, problems in
            progress.status("[\(plan.name)] recovering +\(String(format: "%.1f s", elapsed)): \(problems.joined(separator: "; "))")
        }
        if trap.interrupted, !health.isHealthy {
            progress.endStatus()
            return .interrupted("interrupted by \(trap.signalName ?? "signal") during recovery")
        }
        if health.isHealthy {
            progress.endStatus()
            s.record.recoverEnd = clock.now()
            progress.say("[\(plan.name)] healthy again after \(Self.seconds(clock.now() - start)): leader \(health.leader ?? "?"), sync \(health.syncStandby ?? "none")")
            return .recovered(healthy: true)
        }
        let last = health.problems
        progress.endStatus()
        s.record.recoverEnd = clock.now()
        s.record.notes.append("not healthy \(Self.seconds(plan.recoverTimeoutMicros)) after rollback: \(last.joined(separator: "; "))")
        progress.warn("[\(plan.name)] cluster still unhealthy: \(last.joined(separator: "; "))")
        return .recovered(healthy: false)
    }
}
