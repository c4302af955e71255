/// The settings of a cluster that bound how fast it can fail over, as read at pre-flight: Patroni's dynamic
/// configuration, the write backend's HAProxy checks, repmgrd's reconnect settings and the primary's
/// `archive_timeout`. Kept in report.json beside the figures, so a reader (and `history`) can tell whether an
/// RTO changed because the cluster did or because its configuration did.
///
/// Durations are in seconds, as the configuration files write them.
public struct FailoverSettings: Codable, Sendable, Equatable {
    /// `patroni`, `repmgr` or `streaming`.
    public var manager: String
    public var patroni: PatroniTimeouts?
    public var haproxy: HAProxyChecks?
    public var repmgr: RepmgrReconnect?
    /// The primary's `archive_timeout` in seconds (0: off): the RPO of recovery from the archive.
    public var archiveTimeout: Double?
    /// The primary's `synchronous_standby_names` (repmgr and streaming clusters: whether commits wait).
    public var synchronousStandbyNames: String?
    /// Where each group was read (`GET /config on pg1`, `haproxy.cfg on px`, …).
    public var sources: [String]
    /// What could not be read, and why: those bounds are reported as unknown, never guessed.
    public var unread: [String]

    public init(manager: String, patroni: PatroniTimeouts? = nil, haproxy: HAProxyChecks? = nil, repmgr: RepmgrReconnect? = nil,
                archiveTimeout: Double? = nil, synchronousStandbyNames: String? = nil, sources: [String] = [], unread: [String] = []) {
        self.manager = manager
        self.patroni = patroni
        self.haproxy = haproxy
        self.repmgr = repmgr
        self.archiveTimeout = archiveTimeout
        self.synchronousStandbyNames = synchronousStandbyNames
        self.sources = sources
        self.unread = unread
    }

    /// The settings that bound the RTO, in one comparable line each (`patroni.ttl=20`): what `history`
    /// compares between runs. `sources` and `unread` are left out: reading them differently is not a change.
    public var fingerprint: [String] {
        var lines: [String] = []
        if let p = patroni {
            lines += ["patroni.ttl=\(Self.text(p.ttl))", "patroni.loop_wait=\(Self.text(p.loopWait))",
                      "patroni.retry_timeout=\(Self.text(p.retryTimeout))", "patroni.primary_start_timeout=\(Self.text(p.primaryStartTimeout))",
                      "patroni.synchronous_mode=\(p.synchronousMode)", "patroni.synchronous_mode_strict=\(p.synchronousModeStrict)",
                      "patroni.maximum_lag_on_failover=\(p.maximumLagOnFailover)"]
        }
        if let h = haproxy {
            lines += ["haproxy.\(h.backend).inter=\(Self.text(h.inter))", "haproxy.\(h.backend).fastinter=\(Self.text(h.fastinter))",
                      "haproxy.\(h.backend).downinter=\(Self.text(h.downinter))", "haproxy.\(h.backend).fall=\(h.fall)",
                      "haproxy.\(h.backend).rise=\(h.rise)"]
        }
        if let r = repmgr {
            lines += ["repmgr.reconnect_attempts=\(r.reconnectAttempts)", "repmgr.reconnect_interval=\(Self.text(r.reconnectInterval))",
                      "repmgr.monitor_interval_secs=\(Self.text(r.monitorInterval))"]
        }
        if let a = archiveTimeout { lines.append("postgres.archive_timeout=\(Self.text(a))") }
        return lines
    }

    /// `20` for 20.0, `0.5` for 0.5: settings as a configuration file writes them.
    public static func text(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int64(seconds)) : String(seconds)
    }
}

/// Patroni's dynamic configuration (`GET /config`), as Patroni applies it: the configured values and, where the
/// running version adjusts them (≥ 3.0.3: ttl ≥ 20, loop_wait ≥ 1, retry_timeout ≥ 3, and
/// loop_wait + 2 × retry_timeout ≤ ttl), the values in force.
public struct PatroniTimeouts: Codable, Sendable, Equatable {
    public var ttl: Double
    public var loopWait: Double
    public var retryTimeout: Double
    public var primaryStartTimeout: Double
    public var synchronousMode: Bool
    public var synchronousModeStrict: Bool
    /// Bytes a replica may lag and still be promoted (asynchronous clusters' RPO bound).
    public var maximumLagOnFailover: Int64
    /// The leader's Patroni version, which decides the adjustment.
    public var version: String?
    /// What Patroni changed from the configured values, in words (empty: applied as configured).
    public var adjustments: [String]

    public init(ttl: Double = 30, loopWait: Double = 10, retryTimeout: Double = 10, primaryStartTimeout: Double = 300,
                synchronousMode: Bool = false, synchronousModeStrict: Bool = false, maximumLagOnFailover: Int64 = 1_048_576,
                version: String? = nil, adjustments: [String] = []) {
        self.ttl = ttl
        self.loopWait = loopWait
        self.retryTimeout = retryTimeout
        self.primaryStartTimeout = primaryStartTimeout
        self.synchronousMode = synchronousMode
        self.synchronousModeStrict = synchronousModeStrict
        self.maximumLagOnFailover = maximumLagOnFailover
        self.version = version
        self.adjustments = adjustments
    }

    /// The values Patroni `version` runs with, given the configured ones (Patroni's defaults for missing
    /// keys: ttl 30, loop_wait 10, retry_timeout 10, primary_start_timeout 300). From 3.0.3 Patroni raises
    /// each to its minimum and then lowers loop_wait (or, at its minimum, retry_timeout) until
    /// loop_wait + 2 × retry_timeout ≤ ttl; before 3.0.3 it uses them as given.
    public static func inForce(configured c: PatroniTimeouts) -> PatroniTimeouts {
        guard let version = c.version, PatroniVersion(version) >= PatroniVersion("3.0.3") else { return c }
        var p = c
        var notes: [String] = []
        func raise(_ value: inout Double, to minimum: Double, _ name: String) {
            if value < minimum { notes.append("\(name) \(FailoverSettings.text(value)) raised to \(FailoverSettings.text(minimum))"); value = minimum }
        }
        raise(&p.loopWait, to: 1, "loop_wait")
        raise(&p.retryTimeout, to: 3, "retry_timeout")
        raise(&p.ttl, to: 20, "ttl")
        if 1 + 2 * p.retryTimeout > p.ttl {
            let retry = ((p.ttl - 1) / 2).rounded(.down)
            notes.append("loop_wait \(FailoverSettings.text(p.loopWait)) lowered to 1 and retry_timeout \(FailoverSettings.text(p.retryTimeout)) to \(FailoverSettings.text(retry)) (loop_wait + 2 × retry_timeout ≤ ttl)")
            p.loopWait = 1
            p.retryTimeout = retry
        } else if p.loopWait + 2 * p.retryTimeout > p.ttl {
            let wait = p.ttl - 2 * p.retryTimeout
            notes.append("loop_wait \(FailoverSettings.text(p.loopWait)) lowered to \(FailoverSettings.text(wait)) (loop_wait + 2 × retry_timeout ≤ ttl)")
            p.loopWait = wait
        }
        p.adjustments = c.adjustments + notes
        return p
    }
}

/// A dotted version compared number by number (`3.0.10` > `3.0.3`); text after the numbers is ignored.
struct PatroniVersion: Comparable {
    let parts: [Int]
    init(_ text: String) {
        parts = text.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
    }
    static func < (a: PatroniVersion, b: PatroniVersion) -> Bool {
        for i in 0..<max(a.parts.count, b.parts.count) {
            let x = i < a.parts.count ? a.parts[i] : 0, y = i < b.parts.count ? b.parts[i] : 0
            if x != y { return x < y }
        }
        return false
    }
}

/// How HAProxy checks the servers of the backend that routes writes (`default-server`/`server` lines, with
/// HAProxy's defaults: inter 2 s, fall 3, rise 2; fastinter and downinter default to inter).
public struct HAProxyChecks: Codable, Sendable, Equatable {
    public var backend: String
    public var inter: Double
    public var fastinter: Double
    public var downinter: Double
    public var fall: Int
    public var rise: Int
    /// `timeout check` (nil: HAProxy uses inter, or `timeout connect` for the connection).
    public var timeoutCheck: Double?

    public init(backend: String, inter: Double = 2, fastinter: Double? = nil, downinter: Double? = nil, fall: Int = 3, rise: Int = 2,
                timeoutCheck: Double? = nil) {
        self.backend = backend
        self.inter = inter
        self.fastinter = fastinter ?? inter
        self.downinter = downinter ?? inter
        self.fall = fall
        self.rise = rise
        self.timeoutCheck = timeoutCheck
    }

    /// A server that just became able to serve (the new primary) is marked up after the first check while it
    /// is down (within `downinter`), then `rise − 1` more, `fastinter` apart, while it is transitioning.
    public var markUpBound: Double { downinter + Double(rise - 1) * fastinter }
    /// A server that stopped answering (the old primary) is marked down after `fall` failed checks: the first
    /// within `inter`, then `fall − 1` more `fastinter` apart, each allowed `timeout check`.
    public var markDownBound: Double { inter + Double(fall - 1) * fastinter + Double(fall) * (timeoutCheck ?? 0) }
}

/// repmgrd's detection of a lost primary (`repmgr.conf`, with repmgr's defaults: reconnect_attempts 6,
/// reconnect_interval 10, monitor_interval_secs 2).
public struct RepmgrReconnect: Codable, Sendable, Equatable {
    public var reconnectAttempts: Int
    public var reconnectInterval: Double
    public var monitorInterval: Double

    public init(reconnectAttempts: Int = 6, reconnectInterval: Double = 10, monitorInterval: Double = 2) {
        self.reconnectAttempts = reconnectAttempts
        self.reconnectInterval = reconnectInterval
        self.monitorInterval = monitorInterval
    }

    /// repmgrd notices the primary is gone within one monitoring interval, then retries
    /// `reconnect_attempts` times `reconnect_interval` apart before it starts the election.
    public var detectionBound: Double { monitorInterval + Double(reconnectAttempts) * reconnectInterval }
}
