import Foundation
import PGDrillCore
import PGDrillModel

extension DrillRunner {
    /// Waits until every `until:` condition holds (or the timeout), running timed rollbacks as they fall due
    /// and aborting if the cluster has had no primary for longer than `abort_if.no_primary_for`.
    func observe(_ s: Session) -> DrillLifecycle.Event {
        let plan = s.record.plan
        let clock = s.record.clock
        let t0 = s.record.t0 ?? clock.now()
        stage(s, "observe until \(plan.until.map(\.rawValue).joined(separator: " and ")) (timeout \(Self.seconds(plan.observeTimeoutMicros)))")
        var deadlinePassed = false
        if let manual = plan.manual { beginHandover(s, manual) }
        defer { endHandover(s, deadlinePassed: deadlinePassed) }
        var noPrimarySince: Int64?
        while true {
            let now = clock.now()
            watchOperator(s, now: now, t0: t0)
            if trap.interrupted { return .interrupted("interrupted by \(trap.signalName ?? "signal") during observation") }
            if let lost = lostLink(s, now: now) {
                progress.endStatus()
                s.record.observeEnd = now
                s.record.notes.append("aborted: " + lost)
                progress.warn("[\(plan.name)] aborting: \(lost)")
                return .interrupted(lost)
            }
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
                deadlinePassed = plan.manual != nil
                s.record.notes.append((deadlinePassed ? "on-call deadline passed after " : "observation timed out after ")
                                      + "\(Self.seconds(plan.observeTimeoutMicros)): \(missing.joined(separator: ", ")) not reached")
                progress.warn("[\(plan.name)] observation timed out: \(missing.joined(separator: ", ")) not reached")
                runDueRollbacks(s)
                return .observationEnded(satisfied: false)
            }
            showLive(s, "observe")
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// A link the runner needs to judge the drill has been dark for `linkLimit`: every Patroni API (no view
    /// of the cluster), or the probe endpoint while the primary is writable when reached directly (no view of
    /// what the application sees). Either way measuring on would mean deciding on stale or missing data.
    func lostLink(_ s: Session, now: Int64) -> String? {
        guard let monitor = s.monitor else { return nil }
        let limit = Self.linkLimitMicros
        let silence = monitor.patroniSilence(now: now)
        if silence.micros > limit {
            let detail = silence.errors.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
            return "lost sight of the cluster: no Patroni REST API answered this runner for \(Self.seconds(silence.micros))"
                + (detail.isEmpty ? "" : " (\(detail))")
                + ". Check the network path from this machine to each node's Patroni port; the cluster itself may be fine"
        }
        let main = s.record.plan.probe.endpoint
        if let dark = s.live.unansweredFor(now: now), dark > limit, let leader = monitor.leader, silence.micros < 2_000_000,
           monitor.writableNodes.contains(leader), !faultTargets(endpoint: main, s) {
            let hosts = Conninfo.hosts(cluster.endpoints[main] ?? "").joined(separator: ",")
            return "probe endpoint '\(main)' (\(hosts)) has not accepted a connection for \(Self.seconds(dark)) while \(leader) is primary and writable when reached directly: "
                + "the runner's own link to the endpoint is down, so what the application sees cannot be measured. Check the network path from this machine to \(hosts)"
        }
        return nil
    }

    /// How long a link may stay dark before the drill is aborted (10 s: several of the probe's 2 s deadlines
    /// and about a hundred monitor polls).
    static let linkLimitMicros: Int64 = 10_000_000

    /// True when an applied fault hit a host the endpoint points at (then its silence is the fault's effect).
    func faultTargets(endpoint: String, _ s: Session) -> Bool {
        let endpointHosts = Set(Conninfo.hosts(cluster.endpoints[endpoint] ?? ""))
        return s.record.applied.contains { a in
            guard let host = a.host else { return false }
            return endpointHosts.contains(cluster.host(named: host)?.address ?? host) || endpointHosts.contains(host)
        }
    }


    /// One `until:` condition, now. `writes_ok` needs `stable_for` of only-ok attempts entirely after t0,
    /// so the steady state before the fault can never satisfy it.
    func holds(_ c: DrillPlan.Condition, _ s: Session, now: Int64, t0: Int64) -> Bool {
        let plan = s.record.plan
        // The monitor keeps its last view when no API answers: conditions about the leader need a fresh one.
        let fresh = (s.monitor?.patroniSilence(now: now).micros ?? .max) < 2_000_000
        switch c {
        case .newPrimary:
            guard fresh else { return false }
            guard let leader = s.monitor?.leader else { return false }
            return leader != s.record.primaryBefore
        case .samePrimary:
            guard fresh else { return false }
            return s.monitor?.leader == s.record.primaryBefore && s.monitor?.leader != nil
        case .writesOK:
            return now - plan.stableForMicros >= t0 && s.live.writesOK(now: now, window: plan.stableForMicros)
        case .writesFailing:
            return s.live.writesFailing(now: now)
        case .leaderLost:
            guard fresh else { return false }
            return s.monitor?.leader == nil
        case .healthy:
            guard fresh, let view = s.monitor?.latestCluster else { return false }
            return ClusterHealth.evaluate(view, criteria: criteria(plan)).isHealthy
        case .managerResumed:
            guard fresh, let view = s.monitor?.latestCluster else { return false }
            return view.paused != true
        }
    }

    func criteria(_ plan: DrillPlan) -> ClusterHealth.Criteria {
        .init(members: cluster.nodes.map(\.name), maxLagBytes: plan.maxLagBytes, requireSync: plan.requireSync, minReplicas: plan.minReplicas,
              standbyMembers: cluster.standbyNodeNames)
    }

    /// After rollback: waits until the cluster is healthy again by the pre-flight's own criteria.
    func awaitRecovery(_ s: Session) -> DrillLifecycle.Event {
        let plan = s.record.plan
        let clock = s.record.clock
        stage(s, "recover until healthy (timeout \(Self.seconds(plan.recoverTimeoutMicros)))")
        let start = clock.now()
        let (_, health) = connection.waitUntilHealthy(
            criteria(plan), timeout: Double(plan.recoverTimeoutMicros) / 1e6, every: 0.25,
            giveUpUnreachableAfter: Double(Self.linkLimitMicros) / 1e6, stop: { trap.signalled }
        ) { elapsed, problems in
            progress.status("[\(plan.name)] recovering +\(String(format: "%.1f s", elapsed)): \(problems.joined(separator: "; "))")
        }
        // A signal stops the wait; a drill's own stop condition (abort_if) does not: the cluster it rolled
        // back is awaited as after any rollback, so the next drill finds it healthy.
        if trap.signalled, !health.isHealthy {
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
        if health.unreachable {
            let why = "no Patroni REST API answered for \(Self.seconds(Self.linkLimitMicros)) after rollback (\(last.joined(separator: "; "))); run `pgdrill check --cluster …` once this machine reaches them, and `pgdrill recover` if it is not healthy"
            s.record.notes.append("recovery not confirmed: " + why)
            progress.warn("[\(plan.name)] recovery not confirmed: \(why)")
            return .recoveryUnconfirmed(why)
        }
        s.record.notes.append("not healthy \(Self.seconds(plan.recoverTimeoutMicros)) after rollback: \(last.joined(separator: "; "))")
        progress.warn("[\(plan.name)] cluster still unhealthy: \(last.joined(separator: "; "))")
        return .recovered(healthy: false)
    }
}
