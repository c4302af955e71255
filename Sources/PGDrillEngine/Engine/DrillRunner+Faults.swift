import Foundation
import PGDrillCore

extension DrillRunner {
    func applyFault(_ index: Int, _ s: Session) -> DrillLifecycle.Event {
        let step = s.record.plan.steps[index]
        let clock = s.record.clock
        let tag = String(runID.prefix(8)) + String(format: "%02d", index)
        if index == 0, s.record.plan.manual?.pauseManager == true {
            // Automation out of the way before the first fault; a failure here aborts with nothing else injected.
            do { try pauseManager(s) } catch {
                progress.warn("[\(s.record.plan.name)] could not pause \(cluster.manager): \(error)")
                return .faultFailed(index, "could not pause \(cluster.manager): \(error)")
            }
        }
        if case .wait(let micros) = step.action {
            let until = clock.now() + micros
            while clock.now() < until {
                if trap.interrupted { return .faultFailed(index, "interrupted") }
                showLive(s, "wait")
                Thread.sleep(forTimeInterval: 0.05)
            }
            return .faultApplied(index)
        }
        if case .restore(let before, let timeout) = step.action {
            return applyRestore(index, beforeDisaster: before, timeout: timeout, s)
        }
        if case .regionFailover(let promoteAfter, let cutBefore, let timeout) = step.action {
            return applyRegionFailover(index, promoteAfter: promoteAfter, replicationCutBefore: cutBefore, timeout: timeout, s)
        }
        if case .waitUntil(let conditions, let timeout) = step.action {
            let t0 = s.record.t0 ?? clock.now()
            let start = clock.now()
            while !conditions.allSatisfy({ holds($0, s, now: clock.now(), t0: t0) }) {
                if trap.interrupted { return .faultFailed(index, "interrupted") }
                if clock.now() - start > timeout {
                    return .faultFailed(index, "\(conditions.map(\.rawValue).joined(separator: " and ")) not reached within \(Self.seconds(timeout)): the fault did not take effect")
                }
                showLive(s, "wait until \(conditions.map(\.rawValue).joined(separator: " and "))")
                Thread.sleep(forTimeInterval: 0.05)
            }
            progress.endStatus()
            let line = "\(conditions.map(\.rawValue).joined(separator: " and ")) at +\(Self.seconds(clock.now() - t0))"
            progress.say("[\(s.record.plan.name)] \(line)")
            s.record.notes.append(line)
            return .faultApplied(index)
        }
        // What need not wait for the decision is done before it, on the hosts the latest view names: the
        // kill's PIDs found, the faults built, their rollbacks journalled (an fsync: 40 ms on a busy disk here).
        let prepared = prepareFaults(step.action, tag: tag, s)
        var adopted = false
        defer {
            // Journalled for hosts the decision did not pick (or not applied at all): nothing to undo.
            if let prepared, !adopted { for id in prepared.ids { try? journal.mark(id, .done) } }
        }
        // The decision: everything from here to the fault in effect is injection latency.
        let decided = clock.now()
        let decidedWall = clock.wallNowMicros()
        do {
            // Resolve roles now, from the freshest view: the primary of step 2 may not be that of step 1.
            let view = try s.monitor?.latestCluster ?? connection.clusterView()
            switch step.action {
            case .switchover(let to):
                return try managerCall(step.action, to: to, view: view, index: index, s)
            case .failover(let to):
                return try managerCall(step.action, to: to, view: view, index: index, s)
            default:
                break
            }
            guard let target = step.action.target else { return .faultApplied(index) }
            let hosts = try RoleResolver.resolve(target, cluster: view, nodes: cluster.nodes.map(\.name), proxies: cluster.proxies.map(\.name))
            var faults: [HostFault] = []
            var ids: [Int] = []
            if let prepared, prepared.hosts == hosts {
                (faults, ids, adopted) = (prepared.faults, prepared.ids, true)
            } else {
                for host in hosts {
                    faults.append(try step.action.hostFault(on: cluster.context(for: host), tag: tag))
                }
                // Journal every rollback before anything is applied (DESIGN §8).
                ids = try journalRollbacks(faults, s)
            }
            s.journalIDs += ids
            for f in faults {
                let sent = clock.now()
                if s.record.t0 == nil {
                    s.record.t0 = sent
                    s.live.markFault(at: sent)
                }
                s.monitor?.record(ClusterEvent(at: sent, kind: .faultSent, node: f.host, detail: f.apply.summary))
                // Stopped on the host 10 s before the runner stops waiting: a fault command given up on
                // does not go on running after its rollback.
                let result = try connection.run(f.apply.bounded(seconds: 110), timeout: .seconds(120))
                let returned = clock.now()
                let (output, effect) = recordApplied(f, stdout: result.stdout, sent: sent, returned: returned,
                                                     decided: decided, decidedWall: decidedWall, step: index, s)
                let timing = effect.map { "in effect \(Self.millis($0)) after the decision, " } ?? ""
                progress.say("[\(s.record.plan.name)] fault: \(f.apply.summary) (\(timing)returned in \(Self.millis(returned - decided)))\(output.isEmpty ? "" : " — " + output.replacingOccurrences(of: "\n", with: "; "))")
            }
            if let hold = step.holdMicros, !ids.isEmpty {
                s.timed.append((ids: ids, due: clock.now() + hold, summary: faults.compactMap { $0.rollback?.summary }.joined(separator: ", ")))
            }
            return .faultApplied(index)
        } catch {
            progress.warn("[\(s.record.plan.name)] fault step \(index + 1) failed: \(error)")
            return .faultFailed(index, "\(error)")
        }
    }

    /// Faults built and their rollbacks journalled before the decision, for the hosts named then.
    struct PreparedFaults {
        var hosts: [String]
        var faults: [HostFault]
        var ids: [Int]
    }

    /// The step's faults on the hosts the latest cluster view names, with the PIDs of a `kill`'s processes
    /// found there (so its script checks a few PIDs instead of scanning every process, `FaultTemplates.kill`),
    /// and their rollbacks journalled. Best effort: nil (no view yet, a failure) means the decision path
    /// builds and journals them itself, as it does when the freshest view names other hosts.
    private func prepareFaults(_ action: FaultAction, tag: String, _ s: Session) -> PreparedFaults? {
        guard let target = action.target, let view = s.monitor?.latestCluster,
              let hosts = try? RoleResolver.resolve(target, cluster: view, nodes: cluster.nodes.map(\.name), proxies: cluster.proxies.map(\.name))
        else { return nil }
        let names = action.processNamesToFind
        var faults: [HostFault] = []
        for host in hosts {
            var hints: [String: [Int]] = [:]
            let find = RemoteScript(host: host, script: FaultTemplates.processIDs(names: names), summary: "find \(names.joined(separator: "+")) on \(host)")
            if !names.isEmpty, let result = try? connection.run(find, timeout: .seconds(5)), result.exitStatus == 0 {
                hints = FaultTemplates.parseProcessIDs(result.stdout)
            }
            guard let fault = try? action.hostFault(on: cluster.context(for: host), tag: tag, processHints: hints) else { return nil }
            faults.append(fault)
        }
        guard let ids = try? journalRollbacks(faults, s) else { return nil }
        return PreparedFaults(hosts: hosts, faults: faults, ids: ids)
    }

    /// Records the faults' rollbacks in the journal, synced; on failure none stays pending.
    /// A fault command returned on its host: the event, the node's effect stamp turned into decision → effect
    /// latency, and the applied fault in the record. Returns the command's output (stamp removed) and that latency.
    func recordApplied(_ f: HostFault, stdout: String, sent: Int64, returned: Int64, decided: Int64, decidedWall: Int64,
                       step index: Int, _ s: Session) -> (output: String, effect: Int64?) {
        if s.record.t0Returned == nil { s.record.t0Returned = returned }
        s.monitor?.record(ClusterEvent(at: returned, kind: .faultApplied, node: f.host, detail: f.apply.summary))
        let stamped = EffectStamp.extract(from: stdout)
        let effect = EffectStamp.latency(decidedWall: decidedWall, effectWall: stamped.wallMicros,
                                         roundTripEnd: decidedWall + (returned - decided))
        let output = stamped.output.trimmingCharacters(in: .whitespacesAndNewlines)
        s.record.applied.append(.init(summary: f.apply.summary, host: f.host, sent: sent, returned: returned, output: output,
                                      decided: decided, effectLatency: effect, step: index))
        return (output, effect)
    }

    /// Why a rollback that starts PostgreSQL by hand (`pg_ctl start`, no manager to demote it) must not run:
    /// another node is primary now, or which node is cannot be seen — starting the old primary would give the
    /// cluster two read-write primaries. Nil when it may run (nothing else is primary; the node itself is).
    static func secondPrimaryRefusal(_ entry: Journal.Entry, view: ClusterView?) -> String? {
        guard let view else {
            return "cannot see which node is primary now, and starting PostgreSQL by hand on \(entry.host) could make a second primary; "
                + "check the cluster, then start it (as a standby if another node was promoted) and run `pgdrill recover` again"
        }
        let others = view.members.filter { $0.role == "leader" && $0.name != entry.host }.map(\.name)
        guard let other = others.first else { return nil }
        return "\(other) is primary now: starting PostgreSQL on \(entry.host) would make a second read-write primary. "
            + "Rejoin \(entry.host) as a standby of \(other) (pg_rewind, standby.signal, primary_conninfo) by hand; the entry stays in the journal"
    }

    func journalRollbacks(_ faults: [HostFault], _ s: Session) throws -> [Int] {
        var ids: [Int] = []
        do {
            for f in faults {
                if let rb = f.rollback {
                    ids.append(try journal.record(runID: runID, drill: s.record.plan.name, host: f.host, fault: f.apply.summary, rollback: rb.script,
                                                  startsPostgres: f.rollbackStartsPostgres))
                }
            }
        } catch {
            for id in ids { try? journal.mark(id, .done) }
            throw error
        }
        return ids
    }

    private func managerCall(_ action: FaultAction, to: RoleReference?, view: ClusterView, index: Int, _ s: Session) throws -> DrillLifecycle.Event {
        let clock = s.record.clock
        guard let leader = view.leader?.name else { throw EngineError(.unhealthy, "no leader to switch over from") }
        let candidate = try to.map { try RoleResolver.resolve($0, cluster: view, nodes: cluster.nodes.map(\.name), proxies: []).first! }
        let manager = connection.manager
        let sent = clock.now()
        if s.record.t0 == nil {
            s.record.t0 = sent
            s.live.markFault(at: sent)
        }
        let summary: String
        let answer: String
        if case .failover = action {
            guard let candidate else { throw EngineError(.usage, "failover needs a candidate: give the step a `to:`") }
            summary = "failover to \(candidate) through \(manager.kind)"
            s.monitor?.record(ClusterEvent(at: sent, kind: .faultSent, node: leader, detail: summary))
            answer = try manager.failover(from: leader, to: candidate)
        } else {
            summary = "switchover \(leader) → \(candidate ?? "any sync standby") through \(manager.kind)"
            s.monitor?.record(ClusterEvent(at: sent, kind: .faultSent, node: leader, detail: summary))
            answer = try manager.switchover(from: leader, to: candidate)
        }
        let returned = clock.now()
        if s.record.t0Returned == nil { s.record.t0Returned = returned }
        s.monitor?.record(ClusterEvent(at: returned, kind: .faultApplied, node: leader, detail: summary))
        s.record.applied.append(.init(summary: summary, host: leader, sent: sent, returned: returned, output: answer, step: index))
        progress.say("[\(s.record.plan.name)] \(summary): \(answer) (\(Self.millis(returned - sent)))")
        return .faultApplied(index)
    }

    /// Runs the rollbacks of this drill that are still pending, newest first. Complete only if every one
    /// succeeded; failures stay in the journal for `pgdrill recover`.
    func rollBack(_ s: Session) -> DrillLifecycle.Event {
        stage(s, "rollback")
        s.record.observeEnd = s.record.observeEnd ?? s.record.clock.now()
        if s.record.plan.hasRegionFailover {
            s.record.primaryObserved = s.monitor?.leader
        }
        let mine = Set(s.journalIDs)
        var complete = true
        for entry in journal.pending where mine.contains(entry.id) {
            if !runRollback(entry, s) { complete = false }
        }
        trap.restoring(nil)
        return .rolledBack(complete: complete)
    }

    /// Runs one journalled rollback, retrying a few times (a host may be busy restarting). Bounded: each
    /// attempt first checks the link (5 s, then the ssh connect timeout), the script gets 60 s, and no new
    /// attempt starts after 45 s; with a host that does not answer over ssh the whole entry fails in ~20 s.
    @discardableResult
    func runRollback(_ entry: Journal.Entry, _ s: Session?) -> Bool {
        if let why = journal.foreignHost(entry) {
            // Replaying it would run root's rollback on whatever host now has that name: left for the cluster
            // file it was written with.
            progress.warn("not replayed: journal entry \(entry.id) (\(entry.fault), run \(entry.runID)): \(why); run `pgdrill recover` with the cluster file it was written for")
            return false
        }
        if entry.startsPostgres == true, let why = Self.secondPrimaryRefusal(entry, view: try? connection.clusterView()) {
            progress.warn("not rolled back: \(entry.fault) on \(entry.host): \(why)")
            try? journal.mark(entry.id, .failed, error: why)
            s?.record.notes.append("NOT rolled back: \(entry.fault) on \(entry.host): \(why)")
            return false
        }
        trap.restoring("\(entry.fault) on \(entry.host)")
        var lastError = ""
        let started = Date()
        for attempt in 1...3 {
            if attempt > 1, Date().timeIntervalSince(started) > 45, entry.host != ClusterTarget.internalHostName { break }
            do {
                let out: String
                if entry.host == ClusterTarget.internalHostName {
                    // Bounded by its own stages' limits; one attempt carries on from wherever an earlier one stopped.
                    out = try runInternalRollback(entry, s)
                } else {
                    let result = try connection.runChecked(RemoteScript(host: entry.host, script: entry.rollback, summary: "undo \(entry.fault)"), timeout: .seconds(60))
                    out = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                try journal.mark(entry.id, .done)
                let line = "rolled back: \(entry.fault)\(out.isEmpty ? "" : " — " + out.replacingOccurrences(of: "\n", with: "; "))"
                progress.say(s.map { "[\($0.record.plan.name)] " + line } ?? line)
                if let s {
                    s.record.rollbacks.append(line)
                    s.monitor?.record(ClusterEvent(at: s.record.clock.now(), kind: .rolledBack, node: entry.host, detail: entry.fault))
                }
                return true
            } catch {
                lastError = "\(error)"
                progress.warn("rollback of '\(entry.fault)' on \(entry.host) failed (attempt \(attempt) of 3): \(error)")
                Thread.sleep(forTimeInterval: Double(attempt))
            }
        }
        try? journal.mark(entry.id, .failed, error: lastError)
        s?.record.notes.append("NOT rolled back: \(entry.fault) on \(entry.host) (\(lastError)); it stays in the journal: run `pgdrill recover --cluster …` once \(entry.host) answers over ssh")
        progress.warn("NOT rolled back: \(entry.fault) on \(entry.host) after \(String(format: "%.1f", Date().timeIntervalSince(started))) s; it stays in \(journal.path): run `pgdrill recover --cluster …` once \(entry.host) answers over ssh")
        return false
    }

    /// Rolls back steps whose `for:` hold time has passed (during observation).
    func runDueRollbacks(_ s: Session) {
        let now = s.record.clock.now()
        let due = s.timed.filter { $0.due <= now }
        guard !due.isEmpty else { return }
        s.timed.removeAll { $0.due <= now }
        let pending = journal.pending
        for item in due {
            for id in item.ids {
                if let entry = pending.first(where: { $0.id == id }) { runRollback(entry, s) }
            }
        }
    }

    static func millis(_ micros: Int64) -> String { String(format: "%.1f ms", Double(micros) / 1e3) }
}
