import Foundation
import PGDrillCore
import PGDrillPostgres

extension DrillRunner {
    /// Cooldown, then stops the probe and reads every probe row of this run back from the primary and from
    /// every other node that answers: the evidence for lost and phantom writes. Runs whatever the recovery
    /// outcome — on a degraded cluster too, where the loss figure matters most — against the nodes as they
    /// say they are (each asked directly, not only through the manager).
    func verify(_ s: Session) -> DrillLifecycle.Event {
        let plan = s.record.plan
        let clock = s.record.clock
        let degraded = s.machine.verifyingDegraded
        if degraded {
            stage(s, "the cluster did not recover; verifying every acknowledged write against the nodes that answer")
        } else {
            stage(s, "cooldown \(Self.seconds(plan.cooldownMicros)), then verify every acknowledged write")
            let until = clock.now() + plan.cooldownMicros
            while clock.now() < until {
                if trap.interrupted { break }
                showLive(s, "cooldown")
                Thread.sleep(forTimeInterval: 0.1)
            }
            progress.endStatus()
            awaitAlertsResolved(s)
        }
        // An interrupt in the cooldown ends the drill like one during recovery (ABORTED), not with a read-back
        // and a verdict the operator asked not to wait for.
        if trap.interrupted { return .interrupted("interrupted by \(trap.signalName ?? "signal") during cooldown") }
        stopProbes(s)
        let view = try? connection.clusterView()
        let states = nodeStates()
        let writable = states.filter { !$0.value.inRecovery }.map(\.key).sorted()
        let reference: String
        if let leader = view?.leader?.name, states[leader]?.inRecovery == false {
            reference = leader
        } else if let node = writable.first {
            reference = node
            s.record.notes.append("verification: the manager names no leader that answers as primary; verified against \(node), which does")
        } else if let node = states.max(by: { ($0.value.timeline ?? 0, $1.key) < ($1.value.timeline ?? 0, $0.key) })?.key {
            reference = node
            s.record.notes.append("verification: no node answers as primary; verified against \(node) (read-only, timeline \(states[node]?.timeline.map(String.init) ?? "?"))")
        } else {
            return .verifyFailed("no node answered to read the probe table back from")
        }
        if writable.count > 1 {
            s.record.notes.append("verification: \(writable.joined(separator: " and ")) all answer as primary (pg_is_in_recovery() = false)")
        }
        s.record.clusterAfter = view
        s.record.primaryAfter = view?.leader?.name ?? writable.first
        s.record.timelineAfter = states[reference]?.timeline ?? view?.leader?.timeline
        s.record.readBackTimelines = states.compactMapValues(\.timeline)
        for (node, state) in states { if let started = state.startedAt { s.record.serverIdentities[ServerIdentity.started(started)] = node } }
        for node in cluster.nodes.map(\.name) where states[node] == nil {
            s.record.notes.append("verification: \(node) not verified: it did not answer")
        }
        // The cluster's own nodes; a standby cluster's only when one of them answers as primary (its
        // replicas follow the other region and are checked by the region drill's own figures).
        let own = Set(cluster.nodes.map(\.name))
        let others = states.keys.filter { $0 != reference && (own.contains($0) || states[$0]?.inRecovery == false) }.sorted()
        for node in others where states[node]?.inRecovery == false {
            s.record.notVerified[node] = "answers as primary itself (a second primary): its rows are not the cluster's"
        }
        waitForCatchUp(others.filter { states[$0]?.inRecovery == true }, to: states[reference]?.lsn, view: view, s)

        // The primary is read key by key; a node whose count and checksum of the run's keys match the
        // primary's holds the same rows and shares that set (a long run's keys are held once, not per node).
        var primarySummary: String?
        for node in [reference] + others {
            guard let conninfo = cluster.nodeConninfo[node] else { continue }
            do {
                let summary = try ProbeTable.summary(conninfo: conninfo, runID: probeRunID)
                if node == reference { primarySummary = summary }
                if node != reference, summary == primarySummary, let same = s.record.readBack[reference] {
                    s.record.readBack[node] = same
                } else {
                    s.record.readBack[node] = try ProbeTable.readBackKeys(conninfo: conninfo, runID: probeRunID)
                }
                s.record.readBackOrder.append(node)
            } catch {
                if node == reference { return .verifyFailed("cannot read the probe table back from \(node): \(error)") }
                s.record.notVerified.removeValue(forKey: node)
                s.record.notes.append("verification: \(node) not verified: read-back failed: \(error)")
            }
        }
        progress.say("[\(plan.name)] read back \(s.record.readBack[reference]?.count ?? 0) probe rows from \(reference)" +
                     (others.isEmpty ? "" : " and \(others.map { "\(s.record.readBack[$0]?.count ?? 0) from \($0)" }.joined(separator: ", "))"))
        return .verified
    }

    /// The cluster's nodes and the standby cluster's: every node the probe's writes may be on.
    var verifiableNodes: [ClusterTarget.Host] { cluster.nodes + (cluster.standbyCluster?.nodes ?? []) }

    /// Each node asked directly, in parallel (5 s each at most): the ones that answer, with their state.
    func nodeStates() -> [String: ProbeTable.NodeState] {
        let nodes = verifiableNodes.compactMap { n in cluster.nodeConninfo[n.name].map { (n.name, $0) } }
        let found = Mutexed<[String: ProbeTable.NodeState]>([:])
        DispatchQueue.concurrentPerform(iterations: nodes.count) { i in
            if let state = try? ProbeTable.nodeState(conninfo: nodes[i].1) { found.mutate { $0[nodes[i].0] = state } }
        }
        return found.value
    }

    /// A replica's read-back means something only once it has replayed everything the primary holds: waits
    /// (30 s at most) for each to replay `lsn`; one that has not, or cannot say, is named as not verified.
    func waitForCatchUp(_ replicas: [String], to lsn: String?, view: ClusterView?, _ s: Session) {
        guard !replicas.isEmpty else { return }
        guard let lsn else {
            for node in replicas { s.record.notVerified[node] = "the primary's WAL position is unknown, so whether it had caught up is too" }
            return
        }
        let start = Date()
        var waiting = replicas
        while !waiting.isEmpty {
            waiting = waiting.filter { node in
                guard let conninfo = cluster.nodeConninfo[node] else { return false }
                return (try? ProbeTable.hasReplayed(conninfo: conninfo, lsn: lsn)) != true
            }
            if waiting.isEmpty || Date().timeIntervalSince(start) >= 30 || trap.interrupted { break }
            progress.status("[\(s.record.plan.name)] waiting for \(waiting.joined(separator: ", ")) to replay the primary's WAL up to \(lsn) before reading them back")
            Thread.sleep(forTimeInterval: 0.2)
        }
        progress.endStatus()
        for node in waiting {
            let state = view?.members.first { $0.name == node }?.state
            s.record.notVerified[node] = "had not replayed the primary's WAL up to \(lsn) after \(Int(Date().timeIntervalSince(start).rounded())) s"
                + (state.map { $0 == "streaming" ? "" : " (state: \($0))" } ?? "")
        }
    }

    func stopProbes(_ s: Session) {
        for p in s.probes { p.stop() }
        s.probes.removeAll()
        s.monitor?.stop()
        if !s.sqlPollers.isEmpty { s.record.monitorSources = s.sqlPollers.map(\.stats) }
        do {
            try s.log?.close()
        } catch {
            // Rows lost to a full disk (or any write error) make the record incomplete: never a PASS.
            let problem = "the probe log could not be written completely (\(s.log?.droppedCount ?? 0) row(s) dropped): \(error)"
            if !s.record.recordProblems.contains(problem) { s.record.recordProblems.append(problem) }
        }
    }

    func finish(_ s: Session, _ termination: DrillLifecycle.Termination) {
        stopProbes(s)
        endAlerts(s)
        // A stop condition of this drill (abort_if.alert) ends with it; the next drill starts clean.
        defer { trap.endDrill() }
        s.record.termination = termination
        s.record.runEnd = s.record.clock.now()
        s.record.events = s.monitor?.events ?? []
        s.record.serverIdentities.merge(s.monitor?.serverIdentities ?? [:]) { old, _ in old }
        if case .completed(let satisfied) = termination { s.record.observationSatisfied = satisfied }
        // The probe rows have served their purpose once read back (the report keeps every attempt);
        // purge them so repeated drills do not fill the cluster's disk.
        if !keepProbeRows, let conninfo = cluster.endpoints[s.record.plan.probe.endpoint], s.record.t0 != nil || s.record.steadyStart > 0 {
            do {
                // A degraded cluster (a rollback that could not run) may have a replica that cannot replay: do
                // not spend the 30 s waiting for it.
                let degraded = if case .degraded = termination { true } else { false }
                if let lsn = try ProbeTable.purge(conninfo: conninfo, runID: probeRunID), !degraded { waitForReplicas(toReplay: lsn, s) }
            } catch {
                s.record.notes.append("could not purge probe rows of run \(probeRunID): \(error)")
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
