import Foundation
import PGDrillCore
import PGDrillModel

/// The on-call drill's part of a run: maintenance mode before the fault, the handover after it, and the
/// operator's work watched during observation.
extension DrillRunner {
    /// Why an on-call drill cannot run on this cluster (nil: it can).
    func onCallRefusal(_ plan: DrillPlan) -> String? {
        guard let manual = plan.manual, manual.pauseManager, !["patroni", "repmgr"].contains(cluster.manager) else { return nil }
        return "manual.pause_manager pauses Patroni or repmgrd; this cluster is run by \(cluster.manager), which has no automation to pause — remove pause_manager"
    }

    /// Takes automation out before the first fault, journalled first (undone by the rollback, or by
    /// `pgdrill recover`): Patroni's maintenance mode, or `repmgr service pause`.
    func pauseManager(_ s: Session) throws {
        if cluster.manager == "repmgr" { return try pauseRepmgr(s) }
        let pause = ManagerPause(nodes: cluster.nodes.compactMap { h in h.patroni.map { ManagerPause.Node(name: h.name, api: $0) } },
                                 access: cluster.patroniHTTP)
        let summary = "Patroni maintenance mode (pause) for the on-call drill"
        s.journalIDs.append(try journal.record(runID: runID, drill: s.record.plan.name, host: ClusterTarget.internalHostName,
                                               fault: summary, rollback: pause.journalText))
        let member = try pause.set(paused: true)
        s.monitor?.record(ClusterEvent(at: s.record.clock.now(), kind: .note, detail: "maintenance mode on (through \(member))"))
        progress.say("[\(s.record.plan.name)] Patroni paused (maintenance mode, through \(member)): it fails nothing over by itself now")
    }

    /// `repmgr service pause` (every node's repmgrd), run on a standby — a node the drill does not take down —
    /// where its undo, `repmgr service unpause`, is journalled to run.
    func pauseRepmgr(_ s: Session) throws {
        guard let settings = cluster.repmgr else { throw EngineError(.usage, "the cluster file has no repmgr settings") }
        let view = try s.monitor?.latestCluster ?? connection.clusterView()
        let standbys = view.members.filter { !$0.isLeader }.sorted { ($0.role == "sync_standby" ? 0 : 1, $0.name) < ($1.role == "sync_standby" ? 0 : 1, $1.name) }
        guard let host = standbys.first?.name else { throw EngineError(.unhealthy, "no standby to run `repmgr service pause` on") }
        let summary = "repmgrd paused (repmgr service pause) for the on-call drill"
        s.journalIDs.append(try journal.record(runID: runID, drill: s.record.plan.name, host: host, fault: summary,
                                               rollback: FaultTemplates.repmgrUnpause(settings, node: host)))
        try connection.run(RemoteScript(host: host, script: FaultTemplates.repmgr(settings, node: host, "service pause"), summary: summary),
                           timeout: .seconds(60))
        s.monitor?.record(ClusterEvent(at: s.record.clock.now(), kind: .note, detail: "repmgrd paused (through \(host))"))
        progress.say("[\(s.record.plan.name)] repmgrd paused on every node (through \(host)): it fails nothing over by itself now")
    }

    /// Hands the cluster over: prints the situation and the runbook, starts the scripted operator or listens to
    /// the keyboard, and starts the clock.
    func beginHandover(_ s: Session, _ manual: ManualSettings) {
        let plan = s.record.plan
        let now = s.record.clock.now()
        let t0 = s.record.t0 ?? now
        let kind: String
        if let script = operatorScript {
            kind = "scripted operator (\((script as NSString).lastPathComponent))"
        } else if isatty(0) == 1 {
            kind = "keyboard"
        } else {
            kind = "nobody answered (no terminal, no --operator-script)"
        }
        let watch = OperatorWatch(runbook: manual.runbook, handoverAt: now, operatorKind: kind)
        s.watch = watch
        let sync = s.record.clusterBefore?.members.first { $0.role == "sync_standby" }?.name
        var text = "[\(plan.name)] HANDOVER to on-call at +\(Self.seconds(now - t0)): \(plan.description.trimmingCharacters(in: .whitespacesAndNewlines))\n"
        text += "  primary before the fault: \(s.record.primaryBefore ?? "?")\(sync.map { ", synchronous standby: \($0)" } ?? "")"
        text += manual.pauseManager ? "; \(cluster.manager == "repmgr" ? "repmgrd is PAUSED" : "Patroni is PAUSED (maintenance mode)"): it will not fail over by itself\n" : "\n"
        if !manual.runbook.isEmpty {
            text += "  runbook:\n" + manual.runbook.enumerated().map { "    \($0.offset + 1). \($0.element.action)\n" }.joined()
        }
        text += "  pgdrill restores the cluster itself at +\(Self.seconds(manual.deadline.microseconds)) (Ctrl-C rolls back now)"
        text += kind == "keyboard" ? "; type `ack` and Enter to acknowledge" : ""
        progress.say(text)
        if let script = operatorScript {
            let env = ["PGDRILL_DRILL": plan.name, "PGDRILL_CLUSTER_FILE": clusterFile ?? "", "PGDRILL_PRIMARY_BEFORE": s.record.primaryBefore ?? "",
                       "PGDRILL_SYNC_STANDBY": sync ?? "", "PGDRILL_DEADLINE_SECONDS": String(manual.deadline.microseconds / 1_000_000)]
            do {
                try watch.startScript(script, environment: env)
            } catch {
                progress.warn("[\(plan.name)] the operator script \(script) did not start: \(error)")
            }
        } else if kind == "keyboard" {
            watch.startKeyboard()
        }
    }

    /// One look at what the operator has done: the signs that hold now, in words.
    func watchOperator(_ s: Session, now: Int64, t0: Int64) {
        guard let watch = s.watch, let manual = s.record.plan.manual else { return }
        var holding: [OperatorSignal: (what: String, since: Int64)] = [:]
        let leader = s.monitor?.leader
        if holds(.newPrimary, s, now: now, t0: t0), let leader {
            holding[.newPrimary] = ("\(leader) leads (was \(s.record.primaryBefore ?? "?"))", now)
        }
        if manual.pauseManager, holds(.managerResumed, s, now: now, t0: t0) {
            holding[.managerResumed] = (cluster.manager == "repmgr" ? "repmgrd unpaused" : "Patroni resumed (maintenance mode off)", now)
        }
        // Seen once the writes have held for stable_for: they came back at the start of that window.
        let stable = s.record.plan.stableForMicros
        if holds(.writesOK, s, now: now, t0: t0) {
            holding[.writesOK] = ("writes acknowledged again (and for \(Self.seconds(stable)) since)", now - stable)
        }
        if holds(.healthy, s, now: now, t0: t0) { holding[.healthy] = ("cluster healthy: every member back and streaming", now) }
        for line in watch.tick(now: now, holding: holding) {
            progress.endStatus()
            progress.say("[\(s.record.plan.name)] on-call +\(Self.seconds(now - t0)): \(line)")
            s.monitor?.record(ClusterEvent(at: now, kind: .operatorNote, detail: line))
        }
    }

    /// Ends the handover: the scripted operator stopped, the record kept.
    func endHandover(_ s: Session, deadlinePassed: Bool) {
        guard let watch = s.watch else { return }
        if deadlinePassed {
            watch.deadlinePassed()
            progress.warn("[\(s.record.plan.name)] deadline passed without recovery: pgdrill restores the cluster itself")
        }
        watch.stop()
        s.record.onCall = watch.record
        s.watch = nil
    }
}

extension ReportBuilder {
    /// The on-call timeline, offsets from t0.
    static func onCallReport(_ r: DrillRecord, rto: Int64?) -> OnCallReport? {
        guard let o = r.onCall, let manual = r.plan.manual else { return nil }
        let t0 = r.t0 ?? o.handoverAt
        let restoredBy: String = if o.deadlinePassed {
            "pgdrill after the deadline"
        } else if case .completed(observationSatisfied: true)? = r.termination {
            "operator"
        } else {
            "pgdrill (the drill was stopped)"
        }
        let timeline = o.actions.map { OperatorAction(at: $0.at - t0, signal: $0.signal, what: $0.what, runbookStep: $0.step) }
            .sorted { $0.at < $1.at }
        let unseen = manual.runbook.indices.filter { i in manual.runbook[i].sees != nil && !timeline.contains { $0.runbookStep == i + 1 } }.map { $0 + 1 }
        var notes: [String] = []
        if manual.pauseManager, let ttl = r.failoverSettings?.patroni?.ttl {
            notes.append("In maintenance mode a new leader can take the key only once the lost leader's has expired (ttl \(FailoverSettings.text(ttl)) s): no manual failover completes sooner.")
        }
        let firstAction = timeline.first { $0.signal == OperatorSignal.newPrimary.rawValue || $0.signal == OperatorSignal.managerResumed.rawValue }?.at
        let human = restoredBy == "operator" ? rto : nil
        return OnCallReport(
            handoverAt: o.handoverAt - t0, deadline: manual.deadline.microseconds,
            acknowledgedAt: timeline.first { $0.signal == OperatorSignal.acknowledged.rawValue }?.at, firstActionAt: firstAction,
            humanRTO: human, restoredBy: restoredBy, operatorKind: o.operatorKind, timeline: timeline,
            runbook: manual.runbook.map { $0.action + ($0.sees.map { " (sees \($0))" } ?? "") }, unseenSteps: unseen,
            pattern: manual.pauseManager ? OnCallReport.pattern(humanRTO: human, restoredBy: restoredBy) : nil, notes: notes)
    }
}
