import PGDrillCore

/// Plain sentences for the gray and infrastructure faults (a frozen process, packet loss, the DCS losing its
/// majority, Patroni dying alone, a proxy restart): when the fault was in effect, what the manager did
/// (leader key lost, kept, taken elsewhere), what the old primary did (stopped answering, demoted itself,
/// primary again) and what each application path saw. Derived only from recorded events, so a report can
/// be rebuilt, and these sentences tested, from a recorded event list.
extension ReportBuilder {
    /// One fault as applied on one host, and when its rollback ran (nil: not rolled back during the run).
    struct FaultWindow {
        var action: FaultAction
        var host: String
        var start: Int64
        var returned: Int64
        var end: Int64?
    }

    static func faultWindows(_ r: DrillRecord) -> [FaultWindow] {
        r.applied.compactMap { a in
            guard let i = a.step, r.plan.steps.indices.contains(i), let host = a.host else { return nil }
            let end = r.events.first { $0.kind == .rolledBack && $0.node == host && $0.detail == a.summary && $0.at >= a.sent }?.at
            return FaultWindow(action: r.plan.steps[i].action, host: host, start: a.sent, returned: a.returned, end: end)
        }
    }

    /// The sentences; empty for drills whose faults need none beyond the generic ones.
    static func faultStory(_ r: DrillRecord, _ m: DrillMetrics?) -> [String] {
        guard let t0 = r.t0 else { return [] }
        let windows = faultWindows(r)
        guard windows.contains(where: { isGray($0.action) }) else { return [] }
        func at(_ t: Int64) -> String { "+" + ReportFormat.duration(t - t0) }
        func span(_ w: FaultWindow) -> String {
            w.end.map { "from \(at(w.start)) to \(at($0)) (\(ReportFormat.duration($0 - w.start)))" } ?? "from \(at(w.start)) to the end of observation"
        }
        var lines: [String] = []

        // 1. What was done, and for how long.
        var etcdStops: [FaultWindow] = []
        for (i, w) in windows.enumerated() {
            switch w.action {
            case .pause(let processes, _):
                let what = processes.contains("postgres")
                    ? "PostgreSQL on \(w.host) frozen (SIGSTOP of the postmaster and every backend: up but silent)"
                    : "\(processes.map(displayName).joined(separator: " and ")) on \(w.host) frozen (SIGSTOP)"
                let kept = processes == ["patroni"] ? "; PostgreSQL kept running" : (processes == ["postgres"] ? "; Patroni kept running" : "")
                lines.append("\(what) \(span(w))\(kept)")
            case .kill(let processes, let signal, _) where processes == ["patroni"] && !["STOP", "CONT"].contains(signal.uppercased()):
                let restart = w.end.map { "; started again at \(at($0)) by the rollback, \(ReportFormat.duration($0 - w.start)) later (nothing supervised it)" }
                    ?? "; not started again during the run"
                lines.append("Patroni on \(w.host) killed (\(signal.uppercased())) while PostgreSQL kept running\(restart)")
            case .loss(let p, _):
                lines.append("\(Int((p * 100).rounded()))% of the packets of \(w.host) dropped at random \(span(w))")
            case .latency(let ms, _):
                lines.append("\(ms) ms of latency on every packet of \(w.host) \(span(w))")
            case .stopService("etcd", _):
                etcdStops.append(w)
            case .stopService(let service, _):
                let started = windows[(i + 1)...].first {
                    if case .startService(service, _) = $0.action { return $0.host == w.host }
                    return false
                }
                if let started {
                    lines.append("\(displayName(service)) on \(w.host) stopped at \(at(w.start)) and running again at \(at(started.returned)) (restart took \(ReportFormat.duration(started.returned - w.start)))")
                } else {
                    lines.append("\(displayName(service)) on \(w.host) stopped \(span(w))")
                }
            default:
                break
            }
        }
        if !etcdStops.isEmpty {
            let members = max(r.clusterBefore?.members.count ?? 0, etcdStops.count)
            let majority = etcdStops.count * 2 >= members
            let from = etcdStops.map(\.start).min()!
            let until = etcdStops.allSatisfy { $0.end != nil } ? etcdStops.compactMap(\.end).max() : nil
            lines.append("etcd stopped on \(etcdStops.map(\.host).joined(separator: ", ")) (\(etcdStops.count) of \(members) members\(majority ? ": the DCS had no majority" : "; the DCS kept its majority")) from \(at(from))"
                + (until.map { " to \(at($0)) (\(ReportFormat.duration($0 - from)))" } ?? " to the end of observation"))
        }

        // 2. What the manager did with the leader key.
        let after = r.events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element).filter { $0.at >= t0 }
        let old = r.primaryBefore
        let lost = after.first { $0.kind == .leaderLost }
        let elsewhere = after.first { $0.kind == .leaderElected && $0.node != nil && $0.node != old }
        if let lost {
            lines.append("no member held the leader key from \(at(lost.at))" + (lost.node.map { " (\($0)'s key expired or was released)" } ?? ""))
        }
        let dcsDown = !etcdStops.isEmpty && etcdStops.count * 2 >= max(r.clusterBefore?.members.count ?? 0, etcdStops.count)
        if let e = elsewhere {
            lines.append("\(e.node!) took the leader key at \(at(e.at)): failover")
        } else if dcsDown, let old {
            // Patroni answers /cluster from the DCS: while it has no majority the leader seen is the last one read.
            if r.primaryAfter == old { lines.append("no failover: \(old) led again once the DCS was back") }
        } else if let old {
            if let back = after.first(where: { $0.kind == .leaderElected && $0.node == old && $0.at >= (lost?.at ?? t0) }), lost != nil {
                lines.append("\(old) took the leader key again at \(at(back.at)): no failover")
            } else if lost == nil {
                lines.append("no failover: \(old) kept the leader key throughout")
            }
        }

        // 3. What the old primary's PostgreSQL did, by its own SQL answers.
        if let old {
            let mine = after.filter { $0.node == old }
            let frozen = windows.first { w in
                if case .pause = w.action { return w.host == old }
                return false
            }
            if let u = mine.first(where: { $0.kind == .nodeUnreachable }) {
                var why = ""
                if dcsDown && etcdStops.contains(where: { $0.start <= u.at && ($0.end.map { u.at <= $0 } ?? true) }) {
                    why = " while the DCS had no majority"
                } else if let f = frozen {
                    if let resumed = f.end, resumed < u.at {
                        why = ", \(ReportFormat.duration(u.at - resumed)) after it was resumed"
                    } else {
                        why = " (frozen)"
                    }
                }
                lines.append("\(old) stopped answering SQL at \(at(u.at))\(why)")
            }
            if let d = mine.first(where: { $0.kind == .nodeReadOnly }) {
                let inEtcdWindow = dcsDown && etcdStops.contains { $0.start <= d.at && ($0.end.map { d.at <= $0 } ?? true) }
                if inEtcdWindow && (elsewhere.map { $0.at > d.at } ?? true) {
                    lines.append("primary \(old) demoted itself (DCS unreachable, and no standby was promoted): read-only at \(at(d.at))")
                } else if let f = frozen, let resumed = f.end, resumed <= d.at {
                    let led = elsewhere.map { $0.at < d.at ? " (\($0.node!) led by then)" : "" } ?? ""
                    lines.append("primary \(old) was demoted once it was resumed\(led): read-only at \(at(d.at)), \(ReportFormat.duration(d.at - resumed)) after it was resumed")
                } else if let e = elsewhere, e.at <= d.at {
                    lines.append("primary \(old) was demoted after \(e.node!) took the leader key: read-only at \(at(d.at))")
                } else {
                    lines.append("primary \(old) was demoted: read-only at \(at(d.at))")
                }
                if let w = mine.first(where: { $0.kind == .nodeWritable && $0.at > d.at }) {
                    lines.append("\(old) was primary again at \(at(w.at))")
                }
            }
        }

        // 4. Two writable nodes, and whether both acknowledged writes meanwhile.
        if let m {
            for o in m.splitBrain.writableOverlaps where o.isSplitBrain {  // shorter ones are within one poll
                let acked = m.splitBrain.ackOverlaps.contains { $0.isSplitBrain }
                lines.append("\(o.nodeA) and \(o.nodeB) both answered pg_is_in_recovery() = false for \(ReportFormat.duration(o.to - o.from)) from \(at(o.from))"
                    + (acked ? ": both ACKNOWLEDGED writes (split-brain)" : ": only one acknowledged writes (the other's commits waited for a synchronous standby that no longer followed it, or no client reached it)"))
            }
            // 5. The error window of every application path.
            let paths = m.endpoints.map { e -> String in
                let rate = e.errorRate
                guard let s = rate.windowStart, let end = rate.windowEnd, rate.failed + rate.indeterminate > 0 else { return "'\(e.endpoint)' none" }
                return "'\(e.endpoint)' \(ReportFormat.duration(end - s)) from \(at(s)) (\(rate.failed) failed, \(rate.indeterminate) indeterminate)"
            }
            lines.append("application error window: " + paths.joined(separator: "; "))
            // A gray fault often degrades rather than breaks: say how much of the write rate was left.
            if windows.contains(where: { if case .loss = $0.action { true } else if case .latency = $0.action { true } else { false } }),
               let before = m.main.periods.first(where: { $0.period == .baseline }),
               let during = m.main.periods.first(where: { $0.period == .during }), before.throughput > 0 {
                lines.append(String(format: "'%@' acknowledged %.1f writes/s during the fault against %.0f/s before (%.1f%%)",
                                    m.main.endpoint, during.throughput, before.throughput, 100 * during.throughput / before.throughput))
            }
        }
        return lines
    }

    /// Faults whose story the generic sentences do not tell.
    static func isGray(_ a: FaultAction) -> Bool {
        switch a {
        case .pause, .loss, .latency: true
        case .kill(let p, _, _): p == ["patroni"]
        case .stopService(let s, _): ["etcd", "pgbouncer", "haproxy"].contains(s)
        default: false
        }
    }

    static func displayName(_ process: String) -> String {
        switch process {
        case "postgres": "PostgreSQL"
        case "patroni": "Patroni"
        case "pgbouncer": "PgBouncer"
        case "haproxy": "HAProxy"
        default: process
        }
    }
}
