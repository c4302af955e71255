import PGDrillModel

/// What the cluster's monitoring said during one drill, as pgdrill watched it: every alert in the cluster's
/// scope that was pending or firing, when Alertmanager had it, when it went away; the silence the drill held;
/// and when the monitoring could not be asked. All times are run-clock µs, like every other event.
///
/// `pendingAt` is Prometheus' own `activeAt` (its clock, converted through the run clock's wall-clock epoch:
/// exact when both clocks are NTP-synced). `firingAt`, `alertmanagerAt` and `resolvedAt` are the first poll
/// that saw the change: late by at most `pollInterval` plus one HTTP round trip, never early.
public struct AlertsReport: Codable, Sendable, Equatable {
    public var prometheus: String
    public var alertmanager: String?
    /// Label name → value every in-scope alert carries.
    public var matchers: [String: String]
    public var pollInterval: Int64
    public var watchedFrom: Int64
    public var watchedUntil: Int64?
    public var instances: [AlertInstance] = []
    /// Alerting rule name → its `for:` (µs) as the Prometheus has them loaded (nil: the rules could not be read).
    public var rules: [String: Int64]?
    public var outages: [MonitoringOutage] = []
    public var silence: SilenceRecord?
    /// Polls made and polls that failed, per API.
    public var polls = 0
    public var failedPolls = 0

    public init(prometheus: String, alertmanager: String?, matchers: [String: String], pollInterval: Int64, watchedFrom: Int64) {
        self.prometheus = prometheus
        self.alertmanager = alertmanager
        self.matchers = matchers
        self.pollInterval = pollInterval
        self.watchedFrom = watchedFrom
    }

    /// The first in-scope alert (of that name, if given) to reach firing at or after `t0`; without a name, the
    /// monitoring's time to detect the fault.
    public func firstFiring(after t0: Int64, named name: String? = nil) -> AlertInstance? {
        instances.filter { ($0.firingAt ?? .min) >= t0 && (name == nil || $0.name == name) }.min { $0.firingAt! < $1.firingAt! }
    }

    /// The instances of one alert name, in the order they appeared.
    public func instances(named name: String) -> [AlertInstance] { instances.filter { $0.name == name } }

    /// How long the monitoring could not be asked between two moments (µs), summed over outages that its
    /// history could not fill afterwards.
    public func darkMicros(from: Int64, to: Int64) -> Int64 {
        outages.filter { $0.seenThrough != true }.reduce(0) { sum, o in sum + max(0, min(o.to ?? to, to) - max(o.from, from)) }
    }
}

/// One alert (name and label set) from when pgdrill first saw it until it went away.
public struct AlertInstance: Codable, Sendable, Equatable {
    public var name: String
    /// Its labels without `alertname`, as Prometheus has them.
    public var labels: [String: String]
    /// Prometheus' `activeAt`: the evaluation that first saw the condition (pending began).
    public var pendingAt: Int64?
    /// The first poll that saw it firing (nil: never fired while watched).
    public var firingAt: Int64?
    /// The first poll that found it gone (nil: still there when watching ended).
    public var resolvedAt: Int64?
    /// The first poll that found it in Alertmanager, and its state there then (`active`: being notified;
    /// `suppressed`: silenced or inhibited — it would have been notified without that).
    public var alertmanagerAt: Int64?
    public var alertmanagerState: String?
    /// Suppressed by the drill's own silence (it would have paged).
    public var silencedByDrill: Bool?

    public init(name: String, labels: [String: String], pendingAt: Int64? = nil, firingAt: Int64? = nil, resolvedAt: Int64? = nil) {
        self.name = name
        self.labels = labels
        self.pendingAt = pendingAt
        self.firingAt = firingAt
        self.resolvedAt = resolvedAt
    }

    /// `node=pg1, severity=critical` without the scope's own labels, for tables.
    public func labelText(excluding scope: [String: String]) -> String {
        labels.filter { scope[$0.key] != $0.value && $0.key != "thresholds" }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}

/// A stretch of time the monitoring API did not answer.
public struct MonitoringOutage: Codable, Sendable, Equatable {
    public var api: String
    public var from: Int64
    /// Nil: still dark when watching ended.
    public var to: Int64?
    public var error: String
    /// Prometheus' own history (its `ALERTS` series) was read for this stretch afterwards, and what fired in it
    /// is in the report: it does not leave a judgement open.
    public var seenThrough: Bool?

    public init(api: String, from: Int64, to: Int64? = nil, error: String) {
        self.api = api
        self.from = from
        self.to = to
        self.error = error
    }
}

/// The Alertmanager silence a drill held so that nobody was paged.
public struct SilenceRecord: Codable, Sendable, Equatable {
    public var id: String?
    public var matchers: [String: String]
    public var createdAt: Int64?
    /// When the silence was asked to end (nil: it could not be; `endsAt` bounds it anyway).
    public var expiredAt: Int64?
    /// The end it was created with: it lapses by itself then, even if nothing expires it.
    public var endsAt: String?
    public var problem: String?

    public init(id: String? = nil, matchers: [String: String], createdAt: Int64? = nil, endsAt: String? = nil) {
        self.id = id
        self.matchers = matchers
        self.createdAt = createdAt
        self.endsAt = endsAt
    }
}
