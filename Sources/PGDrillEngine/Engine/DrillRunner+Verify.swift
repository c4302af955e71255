import Foundation
import PGDrillCore
import PGDrillPostgres

extension DrillRunner {
    /// Cooldown, then stops the probe and reads every probe row of this run back from the new primary and
    /// from each replica once it has caught up: the evidence for lost and phantom writes.
    func verify(_ s: Session) -> DrillLifecycle.Event {
        let plan = s.record.plan
        let clock = s.record.clock
        stage(s, "cooldown \(Self.seconds(plan.cooldownMicros)), then verify every acknowledged write")
        let until = clock.now() + plan.cooldownMicros
        while clock.now() < until {
            if trap.interrupted { break }
            showLive(s, "cooldown")
            Thread.sleep(forTimeInterval: 0.1)
        }
        progress.endStatus()
        // An interrupt in the cooldown ends the drill like one during recovery (ABORTED), not with a read-back
        // and a verdict the operator asked not to wait for.
        if trap.interrupted { return .interrupted("interrupted by \(trap.signalName ?? "signal") during cooldown") }
        stopProbes(s)
        // Replicas must have replayed everything before their read-back means anything.
        var view = try? connection.clusterView()
        let waitStart = clock.now()
        while let v = view, v.members.contains(where: { !$0.isLeader && ($0.lag ?? 0) > 0 }), clock.now() - waitStart < 30_000_000 {
            Thread.sleep(forTimeInterval: 0.2)
            view = try? connection.clusterView()
        }
        guard let view, let leader = view.leader?.name else { return .verifyFailed("no leader to read the probe table back from") }
        s.record.clusterAfter = view
        s.record.primaryAfter = leader
        s.record.timelineAfter = view.leader?.timeline
        let order = [leader] + view.members.filter { !$0.isLeader && $0.state == "streaming" }.map(\.name)
        // The new primary is read key by key; a replica whose count and checksum of the run's keys match the
        // primary's holds the same rows and shares that set (a long run's keys are held once, not per node).
        var primarySummary: String?
        for node in order {
            guard let conninfo = cluster.nodeConninfo[node] else { continue }
            do {
                let summary = try ProbeTable.summary(conninfo: conninfo, runID: runID)
                if node == leader { primarySummary = summary }
                if node != leader, summary == primarySummary, let same = s.record.readBack[leader] {
                    s.record.readBack[node] = same
                } else {
                    s.record.readBack[node] = try ProbeTable.readBackKeys(conninfo: conninfo, runID: runID)
                }
                s.record.readBackOrder.append(node)
            } catch {
                if node == leader { return .verifyFailed("cannot read the probe table back from the primary \(node): \(error)") }
                s.record.notes.append("read-back from replica \(node) failed: \(error)")
            }
        }
        progress.say("[\(plan.name)] read back \(s.record.readBack[leader]?.count ?? 0) probe rows from \(leader)" +
                     (order.count > 1 ? " and \(order.dropFirst().map { "\(s.record.readBack[$0]?.count ?? 0) from \($0)" }.joined(separator: ", "))" : ""))
        return .verified
    }

    func stopProbes(_ s: Session) {
        for p in s.probes { p.stop() }
        s.probes.removeAll()
        s.monitor?.stop()
        try? s.log?.close()
    }

    func finish(_ s: Session, _ termination: DrillLifecycle.Termination) {
        stopProbes(s)
        s.record.termination = termination
        s.record.runEnd = s.record.clock.now()
        s.record.events = s.monitor?.events ?? []
        if case .completed(let satisfied) = termination { s.record.observationSatisfied = satisfied }
        // The probe rows have served their purpose once read back (the report keeps every attempt);
        // purge them so repeated drills do not fill the cluster's disk.
        if !keepProbeRows, let conninfo = cluster.endpoints[s.record.plan.probe.endpoint], s.record.t0 != nil || s.record.steadyStart > 0 {
            do {
                // A degraded cluster (a rollback that could not run) may have a replica that cannot replay: do
                // not spend the 30 s waiting for it.
                let degraded = if case .degraded = termination { true } else { false }
                if let lsn = try ProbeTable.purge(conninfo: conninfo, runID: runID), !degraded { waitForReplicas(toReplay: lsn, s) }
            } catch {
                s.record.notes.append("could not purge probe rows of run \(runID): \(error)")
            }
        }
    }

    /// The purge's own WAL shows as replica lag for a moment: leave the cluster as it was found, with every
    /// replica having replayed it (bounded: 30 s), before the next drill's pre-flight or the end of the run.
    /// Judged by LSN on each node, not by Patroni's lag, which is refreshed only once per loop.
    func waitForReplicas(toReplay lsn: String, _ s: Session) {
        let start = Date()
        var waiting = cluster.nodes.map(\.name)
        while !waiting.isEmpty, Date().timeIntervalSince(start) < 30 {
            waiting = waiting.filter { node in
                guard let conninfo = cluster.nodeConninfo[node] else { return false }
                return (try? ProbeTable.hasReplayed(conninfo: conninfo, lsn: lsn)) != true
            }
            if waiting.isEmpty { break }
            progress.status("[\(s.record.plan.name)] waiting for \(waiting.joined(separator: ", ")) to replay the probe-row purge (up to \(lsn))")
            Thread.sleep(forTimeInterval: 0.2)
        }
        progress.endStatus()
    }
}
