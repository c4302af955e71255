import PGDrillModel

/// The RTO explained by the cluster's own configuration (DESIGN §10): each phase of the failover beside the
/// bound its settings imply, the phase that took longer than its settings allow, the setting that dominates,
/// what the drill's RTO target would need of it, and the RPO the configuration promises.
///
/// A pure function of the settings read at pre-flight and the phases measured (or of the settings alone, for
/// `check`): the same bounds in the report, in `check` and in a unit test.
public struct RTOBudget: Codable, Sendable, Equatable {
    public var scenario: FailureScenario
    public var phases: [PhaseBudget]
    /// The least time the configuration lets the failover take, µs (nil: no setting says).
    public var lowerBound: Int64?
    /// The sum of the phases' bounds, µs (nil: a phase no setting bounds, such as a crash recovery).
    public var upperBound: Int64?
    /// The drill's RTO, µs (nil: not measured, or `check`).
    public var measuredRTO: Int64?
    /// Which setting makes up most of the bound, and what changing it would give.
    public var dominant: String?
    /// What the drill's RTO target needs of that setting (only when the target was missed or is tighter than
    /// the bound).
    public var advice: [String]
    /// The data loss the configuration allows on this failure.
    public var rpo: String?
    /// Settings that could not be read: their bounds are missing, not guessed.
    public var unknown: [String]

    /// The phases that took longer than their settings allow.
    public var exceeded: [PhaseBudget] { phases.filter(\.exceeded) }

    /// The client's reconnect after routing is pgdrill's own probe back-off cap (`ReconnectBackoff`): added to
    /// the expected RTO, never judged against the cluster.
    public static let clientReconnect: Int64 = 50_000
    /// Between a lease running out and pgdrill seeing it: the DCS expiring it (etcd checks leases every 500 ms)
    /// and the monitor's 100 ms poll. Measured on the lab: detection 20.85 s after a partition with ttl 20 s.
    public static let observationAllowance: Int64 = 600_000

    /// The budget of `scenario` on a cluster configured as `settings`; with `phases` and `rto`, the measured
    /// figures beside the bounds; with `target` (the drill's `expect.rto`), what meeting it would need.
    /// Nil when the manager has no failover chain pgdrill knows (plain streaming replication: manual failover).
    public static func make(_ scenario: FailureScenario, settings: FailoverSettings, phases: FailoverPhases? = nil, rto: Int64? = nil,
                            target: Threshold<DrillDuration>? = nil) -> RTOBudget? {
        var rows: [PhaseBudget]
        var lower: Int64?
        var unknown = settings.unread
        let routing = routingRow(settings.haproxy)
        let client = PhaseBudget(phase: "client", bound: nil,
                                 rule: "the application's side, not the cluster's: pgdrill's probe retries a refused connection within \(ReportFormat.duration(clientReconnect)), and a write in flight waits for its answer",
                                 judged: false)
        switch settings.manager {
        case "patroni":
            guard let p = settings.patroni else {
                unknown.append("Patroni's /config was not read: no bound for detection or promotion")
                rows = [routing, client]
                break
            }
            let t = "ttl \(seconds(p.ttl))", lw = "loop_wait \(seconds(p.loopWait))", rt = "retry_timeout \(seconds(p.retryTimeout))"
            switch scenario {
            case .primaryLost, .primaryPartitioned:
                rows = [
                    PhaseBudget(phase: "detection", bound: micros(p.ttl + p.loopWait) + observationAllowance,
                                rule: "the leader key expires \(t) after its last renewal (every \(lw)), + \(lw) for a standby's HA loop, + \(ReportFormat.duration(observationAllowance)) for the DCS to expire it and the monitor to see it",
                                setting: "ttl"),
                    PhaseBudget(phase: "promotion", bound: micros(p.loopWait + p.retryTimeout),
                                rule: "a standby's HA loop (\(lw)) + the leader race, which waits at most \(rt) for members and the DCS",
                                setting: "retry_timeout"),
                    routing, client,
                ]
                lower = micros(max(0, p.ttl - p.loopWait))
            case .primaryRestartInPlace:
                rows = [PhaseBudget(phase: "restart", bound: nil,
                                    rule: "Patroni sees PostgreSQL down within \(lw) and starts it in place; crash recovery has no setting; it fails over only after primary_start_timeout \(seconds(p.primaryStartTimeout))",
                                    judged: false)]
                lower = 0
            case .plannedSwitchover:
                rows = [PhaseBudget(phase: "promotion", bound: nil,
                                    rule: "the leader's shutdown checkpoint and the candidate's promote: no setting bounds them", judged: false),
                        routing, client]
            }
        case "repmgr":
            guard let r = settings.repmgr else {
                unknown.append("repmgr.conf was not read: no bound for detection")
                rows = [routing, client]
                break
            }
            switch scenario {
            case .primaryLost, .primaryPartitioned:
                rows = [
                    PhaseBudget(phase: "detection", bound: micros(r.detectionBound),
                                rule: "repmgrd notices within monitor_interval_secs \(seconds(r.monitorInterval)), then retries reconnect_attempts \(r.reconnectAttempts) × reconnect_interval \(seconds(r.reconnectInterval)) = \(seconds(Double(r.reconnectAttempts) * r.reconnectInterval))",
                                setting: "reconnect_attempts × reconnect_interval"),
                    PhaseBudget(phase: "promotion", bound: nil,
                                rule: "the election and `repmgr standby promote`: no setting bounds them", judged: false),
                    routing, client,
                ]
                lower = micros(Double(max(0, r.reconnectAttempts - 1)) * r.reconnectInterval)
            case .primaryRestartInPlace:
                rows = [PhaseBudget(phase: "restart", bound: nil, rule: "PostgreSQL restarted by its service manager: repmgr does not bound it",
                                    judged: false)]
            case .plannedSwitchover:
                rows = [PhaseBudget(phase: "promotion", bound: nil,
                                    rule: "`repmgr standby switchover`: its checks, the shutdown checkpoint and the promote", judged: false),
                        routing, client]
            }
        default:
            return nil
        }
        rows = measure(rows, phases: phases, rto: rto)
        // The client's reconnect counts at pgdrill's own retry interval; any other phase without a bound leaves
        // the sum open.
        let cluster = rows.filter { $0.phase != "client" }
        let upper: Int64? = cluster.contains { $0.bound == nil } ? nil : cluster.reduce(clientReconnect) { $0 + $1.bound! }
        var budget = RTOBudget(scenario: scenario, phases: rows, lowerBound: lower, upperBound: upper, measuredRTO: rto,
                               dominant: nil, advice: [], rpo: rpoSentence(scenario, settings), unknown: unknown)
        budget.explainDominant(settings, target: target)
        return budget
    }

    /// HAProxy's bound on routing writes to the new primary, or an unknown row when its checks were not read.
    static func routingRow(_ h: HAProxyChecks?) -> PhaseBudget {
        guard let h else {
            return PhaseBudget(phase: "routing", bound: nil, rule: "HAProxy's check settings were not read", judged: false)
        }
        let rest = h.rise > 1 ? " and marks it up after rise \(h.rise) successes, the later ones \(seconds(h.fastinter)) apart (fastinter)"
                              : " and marks it up on the first success (rise 1)"
        return PhaseBudget(phase: "routing", bound: micros(h.markUpBound),
                           rule: "HAProxy's \(h.backend) backend checks a down server every \(seconds(h.downinter)) (\(h.downinter == h.inter ? "inter" : "downinter"))\(rest)",
                           setting: "inter")
    }

    /// Each row's measured duration: from the latest phase reached before it (t0 for the first) to its own mark.
    static func measure(_ rows: [PhaseBudget], phases: FailoverPhases?, rto: Int64?) -> [PhaseBudget] {
        guard phases != nil || rto != nil else { return rows }
        var latest: Int64 = 0
        return rows.map { row in
            var row = row
            let reached: Int64? = switch row.phase {
            case "detection": phases?.detection?.offset
            case "promotion": phases?.promotion?.offset
            case "routing": phases?.routing?.offset
            case "client": phases?.client?.offset
            case "restart": rto
            default: nil
            }
            if let reached {
                row.reachedAt = reached
                row.measured = max(0, reached - latest)
                latest = max(latest, reached)
            }
            return row
        }
    }

    /// The expected RPO of this failure on this configuration.
    static func rpoSentence(_ scenario: FailureScenario, _ s: FailoverSettings) -> String? {
        var parts: [String] = []
        if scenario == .primaryRestartInPlace {
            parts.append("0: a restart in place replays the primary's own WAL")
        } else if let p = s.patroni {
            parts.append(p.synchronousMode
                ? "0: with synchronous_mode Patroni promotes only the synchronous standby, which has every acknowledged commit"
                : "up to maximum_lag_on_failover \(ReportFormat.bytes(p.maximumLagOnFailover)) of WAL: asynchronous replication, and a replica further behind is not promoted")
        } else if s.repmgr != nil {
            parts.append(s.synchronousStandbyNames.map { $0.isEmpty
                ? "not bounded by repmgr: replication is asynchronous (synchronous_standby_names is empty), and the promoted standby may lack the last acknowledged commits"
                : "0 while synchronous_standby_names ('\($0)') names the standby that is promoted" }
                ?? "not bounded by repmgr: the most advanced standby is promoted")
        }
        if let a = s.archiveTimeout {
            parts.append(a > 0 ? "recovery from the WAL archive: up to archive_timeout \(seconds(a)) of writes"
                               : "recovery from the WAL archive: up to a whole WAL segment (archive_timeout 0)")
        }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }

    /// Names the setting that makes up most of the bound, what the least it may be would give, and what the
    /// drill's target needs of it given the other phases as measured.
    mutating func explainDominant(_ s: FailoverSettings, target: Threshold<DrillDuration>?) {
        guard let top = phases.filter({ $0.judged && $0.bound != nil && $0.setting != nil }).max(by: { $0.bound! < $1.bound! }),
              let topBound = top.bound else { return }
        let total = upperBound.map { " of the \(ReportFormat.duration($0)) bound" } ?? ""
        // The time the other phases took (measured) or allow (bounds), which the dominant one must leave room for.
        let others: Int64? = measuredRTO.flatMap { rto in top.reachedAt.map { rto - $0 } }
        // Advice only where the target is missed, or the configuration allows missing it.
        let limit: Int64? = target.flatMap { t in
            [Comparison.less, .lessOrEqual, .equal].contains(t.comparison) ? t.value.microseconds : nil
        }.flatMap { limit in (measuredRTO ?? 0) > limit || (upperBound ?? .max) > limit ? limit : nil }
        switch (s.manager, top.phase) {
        case ("patroni", "detection"):
            guard let p = s.patroni else { return }
            let least = max(20, p.loopWait + 2 * p.retryTimeout)
            dominant = "ttl dominates: \(ReportFormat.duration(topBound)) of detection (ttl \(Self.seconds(p.ttl)) + loop_wait \(Self.seconds(p.loopWait)) + \(ReportFormat.duration(Self.observationAllowance)) to see it)\(total). "
                + (p.ttl > least
                   ? "ttl \(Self.seconds(least)) (the least Patroni accepts with loop_wait \(Self.seconds(p.loopWait)) and retry_timeout \(Self.seconds(p.retryTimeout))) would take \(Self.seconds(p.ttl - least)) off it."
                   : "ttl \(Self.seconds(p.ttl)) is already the least Patroni accepts (20 s, and loop_wait + 2 × retry_timeout ≤ ttl).")
            if let limit, let others {
                let room = Self.tenths(limit - others - Self.micros(p.loopWait) - Self.observationAllowance)
                advice.append("the \(ReportFormat.duration(limit)) RTO target needs ttl ≤ \(Self.seconds(room)) (after loop_wait \(Self.seconds(p.loopWait)), \(ReportFormat.duration(Self.observationAllowance)) to see the lease expire and the \(ReportFormat.duration(others)) the later phases took)"
                              + (room < 20 ? ": below Patroni's minimum of 20 s, so not reachable by ttl alone" : ""))
            }
        case ("repmgr", "detection"):
            guard let r = s.repmgr else { return }
            let product = Double(r.reconnectAttempts) * r.reconnectInterval
            dominant = "repmgr's reconnect_attempts \(r.reconnectAttempts) × reconnect_interval \(Self.seconds(r.reconnectInterval)) = \(Self.seconds(product)) bounds detection\(total); each attempt fewer takes \(Self.seconds(r.reconnectInterval)) off."
            if let limit, let others {
                let room = Self.tenths(limit - others - Self.micros(r.monitorInterval))
                advice.append("the \(ReportFormat.duration(limit)) RTO target needs reconnect_attempts × reconnect_interval ≤ \(Self.seconds(max(0, room))) (after monitor_interval_secs \(Self.seconds(r.monitorInterval)) and the \(ReportFormat.duration(others)) the later phases took)")
            }
        default:
            dominant = "\(top.setting!) dominates: \(ReportFormat.duration(topBound)) of the \(top.phase) phase\(total)."
        }
    }

    static func micros(_ seconds: Double) -> Int64 { Int64((seconds * 1_000_000).rounded()) }
    /// µs as seconds, rounded down to the tenth: the most a setting may be and still fit.
    static func tenths(_ micros: Int64) -> Double { Double((micros < 0 ? micros - 99_999 : micros) / 100_000) / 10 }
    /// `20 s`, `0.5 s`: a setting as the configuration writes it.
    static func seconds(_ value: Double) -> String { FailoverSettings.text(value) + " s" }
}

