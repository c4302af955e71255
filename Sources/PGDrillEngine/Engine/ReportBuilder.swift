import Foundation
import PGDrillCore
import PGDrillModel

/// Turns what a drill recorded into its report: the analysis of the probe log and events, the expectation
/// table, and plain sentences saying what the cluster did.
public enum ReportBuilder {
    /// `timeline`: gathers the timeline chart's counts during the analysis's own read of the probe log.
    public static func report(for record: DrillRecord, cluster: ClusterTarget, pollInterval: Int64 = 100_000,
                              timeline: TimelineSVG.Gathered? = nil) -> DrillReport {
        let plan = record.plan
        var errors: [String] = []
        var metrics: DrillMetrics?
        // A record that is not whole (no attempt after t0, rows lost to a write error, malformed rows, a
        // writer that stopped recording) cannot support a PASS: the drill ends in ERROR with the reason.
        var recordProblems = record.recordProblems
        if let t0 = record.t0 {
            var serverNodes: [String: String] = [:]
            for n in cluster.nodes + (cluster.standbyCluster?.nodes ?? []) { serverNodes["\(n.address):\(cluster.pgPort)"] = n.name }
            // Acks through a loopback or Unix-socket hop carry the postmaster's start time instead (ServerIdentity).
            serverNodes.merge(record.serverIdentities) { address, _ in address }
            let readBack = record.readBackOrder.first.map { primary in
                var r = ReadBack(primary: primary, nodes: record.readBack)
                r.timelines = record.readBackTimelines
                r.unverified = record.notVerified
                return r
            }
            var input = DrillAnalysisInput(
                endpoint: plan.probe.endpoint, also: plan.probe.also,
                readEndpoints: cluster.readEndpoints,
                steadyStart: record.steadyStart, t0: t0, observeEnd: record.observeEnd ?? record.runEnd ?? t0,
                runEnd: record.runEnd ?? t0, stableFor: plan.stableForMicros, oldPrimary: record.primaryBefore,
                events: record.events, readBack: readBack, serverNodes: serverNodes, writeBackend: record.writeBackend ?? cluster.haproxyWriteBackend ?? "",
                pollInterval: pollInterval)
            input.writers = plan.probe.writers
            input.writerSilenceLimit = max(10_000_000, 3 * plan.probe.deadlineMicros)
            do {
                let reader = try ProbeLogReader(path: record.probeLogPath)
                metrics = DrillAnalyzer(input).analyze(log: reader, timeline: timeline)
                if reader.issues.malformedRows > 0 {
                    recordProblems.append("probe log: \(reader.issues.malformedRows) malformed row(s) skipped (\(reader.issues.firstProblem.map { "\($0)" } ?? ""))")
                } else if let problem = reader.issues.firstProblem {
                    recordProblems.append("probe log could not be read to its end: \(problem)")
                }
                recordProblems += metrics?.recordProblems ?? []
            } catch {
                recordProblems.append("cannot read the probe log \(record.probeLogPath): \(error)")
            }
        }
        let restored = restoreVerification(record, endpoint: plan.probe.endpoint)
        var expectations = evaluate(record, metrics)
        if let expect = plan.expect.alerts, let alerts = record.alerts, let t0 = record.t0 {
            expectations += AlertExpectationCheck(expect: expect, alerts: alerts, t0: t0, recoveredAt: record.recoverEnd,
                                                  end: alerts.watchedUntil ?? record.runEnd ?? t0).results()
        }
        if case .completed? = record.termination, let restore = record.restore {
            expectations += restoreExpectations(restore, restored, plan.expect)
        }
        var verdict: Verdict
        switch record.termination {
        case .completed?:
            verdict = expectations.allSatisfy(\.passed) ? .pass : .fail
        case .aborted(let why)?:
            verdict = .aborted
            errors.append("aborted: \(why)")
        case .refused(let why)?:
            verdict = .error
            errors.append("refused, nothing injected: \(why)")
        case .degraded(let why)?:
            // Verified anyway: a missed expectation (lost writes above all) is a FAIL even on a cluster left
            // degraded; the exit status (4) still says the cluster needs `pgdrill recover`.
            verdict = expectations.contains { !$0.passed } ? .fail : .error
            errors.append("cluster may be degraded: \(why); run `pgdrill recover --cluster …`")
        case nil:
            verdict = .error
        }
        if !recordProblems.isEmpty {
            if verdict == .pass || verdict == .fail { verdict = .error }
            errors += recordProblems.map { "incomplete record: \($0)" }
        }
        var report = DrillReport(
            name: plan.name, description: plan.description, scenario: scenario(plan), verdict: verdict,
            whatHappened: whatHappened(record, metrics) + restoreSentences(record, restored), expectations: expectations, metrics: metrics,
            clusterBefore: record.clusterBefore.map { snapshot($0, cluster, at: record.steadyStart) },
            clusterAfter: record.clusterAfter.map { snapshot($0, cluster, at: record.runEnd ?? 0) },
            events: record.events, probeLog: record.t0 == nil && record.steadyStart == 0 ? nil : record.probeLogRelative,
            probeRunId: record.t0 == nil && record.steadyStart == 0 ? nil : record.runID,
            stages: stages(record),
            faultInjection: record.applied.first.map(\.injectionTiming),
            restore: record.restore.map { r in
                RestoreReport(target: r.targetTime == nil ? "latest" : "time", recoveryTargetTime: r.targetTime, disasterAt: r.disaster,
                              cutoffAt: r.cutoff, readWriteAt: r.readWriteAt, stages: r.stages, verification: restored,
                              checks: r.checks, problems: r.problems)
            },
            regionFailover: record.region, availability: errorBudget(record, metrics),
            errors: errors, notes: record.notes + record.rollbacks + MonitorSourceStats.note(record.monitorSources ?? []))
        report.monitorSources = record.monitorSources
        report.failoverSettings = record.failoverSettings
        report.onCall = onCallReport(record, rto: metrics?.main.recovery.rto)
        report.alerts = record.alerts
        // With the manager paused for an on-call drill, the person is the chain, not the settings' timeouts.
        if let settings = record.failoverSettings, plan.manual?.pauseManager != true, let scenario = plan.failureScenario(manager: cluster.manager, lease: settings.patroni?.ttl) {
            report.rtoBudget = RTOBudget.make(scenario, settings: settings, phases: metrics?.phases, rto: metrics?.main.recovery.rto,
                                              target: plan.expect.rto)
        }
        return report
    }

    /// One line per drill for the summary table: the faults as applied.
    static func scenario(_ plan: DrillPlan) -> String {
        plan.steps.map { step -> String in
            let base: String
            switch step.action {
            case .kill(let p, let sig, let on): base = "kill -\(sig.uppercased()) \(p.joined(separator: "+")) on \(on)"
            case .stopService(let s, let on): base = "stop \(s) on \(on)"
            case .startService(let s, let on): base = "start \(s) on \(on)"
            case .partition(let scope, let on): base = "partition \(on) from \(scope.rawValue)"
            case .fillDisk(let path, let bytes, let leave, let on):
                let where_: String = switch path { case .pgWal: "pg_wal"; case .data: "data"; case .absolute(let p): p }
                base = "fill \(where_) on \(on)" + (bytes.map { " (\(ReportFormat.bytes($0)))" } ?? " until full") + (leave.map { ", leave \(ReportFormat.bytes($0))" } ?? "")
            case .walBurst(let b, let on): base = "WAL burst \(ReportFormat.bytes(b)) on \(on)"
            case .pause(let p, let on): base = "SIGSTOP \(p.joined(separator: "+")) on \(on)"
            case .loss(let p, let on): base = "\(Int((p * 100).rounded()))% packet loss on \(on)"
            case .latency(let ms, let on): base = "\(ms) ms latency on \(on)"
            case .switchover(let to): base = "switchover" + (to.map { " to \($0)" } ?? "")
            case .failover(let to): base = "failover to \(to)"
            case .restore(let before, _): base = "restore backup + WAL onto a scratch host" + (before.map { " (PITR: \(ReportFormat.duration($0)) before the disaster)" } ?? " (to the end of the archive)")
            case .shell(_, _, let on): base = "shell command on \(on)"
            case .regionFailover(let after, let cutBefore, _):
                base = (cutBefore > 0 ? "replication to the standby region cut, \(ReportFormat.duration(cutBefore)) later " : "")
                    + "primary region cut off, standby cluster promoted \(ReportFormat.duration(after)) later"
            case .wait(let us): base = "wait \(ReportFormat.duration(us))"
            case .waitUntil(let c, let us): base = "wait until \(c.map(\.rawValue).joined(separator: " and ")) (at most \(ReportFormat.duration(us)))"
            }
            return base + (step.holdMicros.map { " for \(ReportFormat.duration($0))" } ?? "")
        }.joined(separator: ", then ")
    }

    static func whatHappened(_ r: DrillRecord, _ m: DrillMetrics?) -> [String] {
        var lines: [String] = []
        let before = r.primaryBefore ?? "?"
        for a in r.applied {
            let offset = a.sent - (r.t0 ?? a.sent)
            let at = offset < 0 ? "\(ReportFormat.duration(-offset)) before t0" : "+\(ReportFormat.duration(offset))"
            lines.append("\(a.summary) at \(at) (command took \(ReportFormat.duration(a.returned - a.sent)))" + (a.output.isEmpty ? "" : ": \(a.output.replacingOccurrences(of: "\n", with: "; "))"))
        }
        if let observed = r.primaryObserved, let after = r.primaryAfter, observed != before {
            // A failback: the primary moved to the other region and was moved back by the rollback.
            let promoted = r.events.first { $0.node == observed && $0.kind == .nodeWritable && $0.at >= (r.t0 ?? 0) }
            lines.append("primary \(before) failed over to \(observed) in the standby region"
                         + (promoted.map { " (writable at +\(ReportFormat.duration($0.at - (r.t0 ?? $0.at))))" } ?? "")
                         + "; after the failback \(after) leads again, timeline \(r.timelineBefore.map(String.init) ?? "?") → \(r.timelineAfter.map(String.init) ?? "?")")
        } else if let after = r.primaryAfter {
            let tl = [r.timelineBefore, r.timelineAfter].map { $0.map(String.init) ?? "?" }
            if after != before {
                let promoted = m?.phases.promotion.map { " (promoted at +\(ReportFormat.duration($0.offset)))" } ?? ""
                lines.append("primary \(before) failed over to \(after), timeline \(tl[0]) → \(tl[1])\(promoted)")
            } else if r.timelineBefore != r.timelineAfter {
                lines.append("primary \(before) is primary again, on a new timeline \(tl[0]) → \(tl[1])")
            } else {
                // A gray fault's own sentences say why the node stopped answering (frozen, packets lost).
                let restarted = faultStory(r, m).isEmpty && r.events.contains { $0.node == before && $0.kind == .nodeUnreachable && $0.at >= (r.t0 ?? 0) }
                lines.append(restarted
                    ? "primary \(before) kept the leader role: PostgreSQL restarted in place, timeline \(tl[0]) unchanged, no failover"
                    : "primary \(before) stayed primary (timeline \(tl[0]), no failover)")
            }
        }
        if let t0 = r.t0, let after = r.primaryAfter, after != before {
            let old = r.events.filter { $0.node == before && $0.at >= t0 }
            let lost = old.first { $0.kind == .nodeUnreachable }
            let back = old.first { $0.kind == .nodeReadOnly && $0.at >= (lost?.at ?? t0) }
            let promotedAt = r.events.first { $0.node == after && $0.kind == .nodeWritable && $0.at >= t0 }?.at
            switch (lost, back) {
            case (let l?, let b?) where promotedAt.map({ b.at < $0 }) ?? false:
                lines.append("old primary \(before) demoted itself at +\(ReportFormat.duration(l.at - t0)) (back read-only at +\(ReportFormat.duration(b.at - t0))), before any standby was promoted")
            case (let l?, let b?):
                lines.append("old primary \(before) stopped answering at +\(ReportFormat.duration(l.at - t0)) and rejoined as a replica at +\(ReportFormat.duration(b.at - t0))")
            case (let l?, nil):
                lines.append("old primary \(before) stopped answering at +\(ReportFormat.duration(l.at - t0))")
            case (nil, let b?):
                lines.append("old primary \(before) turned read-only (demoted) at +\(ReportFormat.duration(b.at - t0))")
            case (nil, nil):
                break
            }
        }
        if let promotions = promotionHistory(r) { lines.append(promotions) }
        lines += faultStory(r, m)
        let syncBefore = r.clusterBefore?.members.first { $0.role == "sync_standby" }?.name
        let syncAfter = r.clusterAfter?.members.first { $0.role == "sync_standby" }?.name
        if let b = syncBefore, let a = syncAfter, a != b { lines.append("synchronous standby moved from \(b) to \(a)") }
        if let m {
            let outages = m.main.outages
            if outages.isEmpty {
                lines.append("no write failed on '\(m.main.endpoint)' after the fault")
            } else {
                lines.append("writes on '\(m.main.endpoint)' failed in \(outages.count) outage(s): " + outages.map {
                    "+\(ReportFormat.duration($0.start - m.t0)) for \(ReportFormat.duration($0.duration)) (\($0.failed) failed, \($0.indeterminate) indeterminate)"
                }.joined(separator: "; "))
            }
            if let w = m.writes {
                let replicas = w.replicas.map { n in "\(n.node) (\(n.lost.count) missing" + (n.notVerified.map { "; not verified: \($0)" } ?? "") + ")" }
                if w.lostWrites == 0 {
                    lines.append("all \(w.acknowledged) acknowledged writes present on \(w.primary.node)" + (replicas.isEmpty ? "" : " and on " + replicas.joined(separator: ", ")))
                } else {
                    lines.append("\(w.lostWrites) of \(w.acknowledged) acknowledged writes LOST on \(w.primary.node) (RPO \(ReportFormat.duration(m.rpo?.rpo ?? 0)))"
                                 + (replicas.isEmpty ? "" : "; on " + replicas.joined(separator: ", ")))
                }
                for source in w.lostBySource ?? [] {
                    guard let tl = source.timeline, let now = w.primary.timeline, tl != now else { continue }
                    lines.append("\(source.count) of the lost writes were acknowledged by \(source.node ?? source.server ?? "?") on timeline \(tl) "
                                 + "from +\(ReportFormat.duration(source.firstAck - m.t0)) to +\(ReportFormat.duration(source.lastAck - m.t0)); "
                                 + "that timeline was abandoned: \(w.primary.node) is on timeline \(now) without them")
                }
                if w.phantomWrites > 0 { lines.append("anomaly: \(w.phantomWrites) write(s) reported as failed are present (phantom writes)") }
            }
            if m.splitBrain.ackOverlaps.contains(where: \.isSplitBrain) {
                lines.append("SPLIT-BRAIN: two servers acknowledged writes at the same time")
            } else if m.splitBrain.detected {
                lines.append("SPLIT-BRAIN (monitor view): two nodes answered as primary at the same time; no write was acknowledged by both")
            }
            if let ev = m.timelineEvidence, let gap = ev.gap {
                lines.append("server-side evidence: last row on timeline \(ev.oldTimeline), first on timeline \(ev.newTimeline.map(String.init) ?? "?"): \(ReportFormat.duration(gap)) apart")
            }
        }
        return lines
    }

    /// More than one promotion after the fault, by the nodes' own SQL answers (each node that turned writable
    /// after another had been): a second promotion is what a split-brain after a partition heals looks like
    /// (Patroni 3.0.2 handing the leader key back to the old primary), and a post-mortem needs it named.
    static func promotionHistory(_ r: DrillRecord) -> String? {
        guard let t0 = r.t0 else { return nil }
        var current = r.primaryBefore
        var steps: [String] = []
        let writable = r.events.enumerated().filter { $0.element.kind == .nodeWritable && $0.element.at >= t0 }
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        for e in writable {
            guard let node = e.node, node != current else { continue }
            steps.append("\(current ?? "?") → \(node) at +\(ReportFormat.duration(e.at - t0))" + (e.timeline.map { " (timeline \($0))" } ?? ""))
            current = node
        }
        guard steps.count > 1 else { return nil }
        return "SECOND PROMOTION: the primary changed \(steps.count) times after the fault: " + steps.joined(separator: ", ")
    }

    static func snapshot(_ c: ClusterView, _ cluster: ClusterTarget, at: Int64) -> ClusterSnapshot {
        ClusterSnapshot(members: c.members.map {
            .init(name: $0.name, host: $0.host ?? cluster.host(named: $0.name)?.address ?? "", role: .init($0.role), state: .init($0.state),
                  timeline: $0.timeline, lagBytes: $0.lag)
        }, leader: c.leader?.name, takenAt: at, manager: cluster.manager, managerVersion: c.managerVersion, synchronousMode: c.synchronousMode)
    }

    static func stages(_ r: DrillRecord) -> [StageTiming] {
        var out: [StageTiming] = []
        let end = r.runEnd ?? 0
        if let t0 = r.t0 {
            out.append(StageTiming(name: "steady", start: r.steadyStart, end: t0))
            out.append(StageTiming(name: "fault", start: t0, end: r.applied.last?.returned ?? t0))
            if let o = r.observeEnd { out.append(StageTiming(name: "observe", start: t0, end: o)) }
            if let o = r.observeEnd, let rec = r.recoverEnd { out.append(StageTiming(name: "rollback+recover", start: o, end: rec)) }
            if let rec = r.recoverEnd { out.append(StageTiming(name: "verify", start: rec, end: end)) }
        }
        out += r.restore?.stages ?? []
        return out
    }
}
