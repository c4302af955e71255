import Foundation

/// The cluster file's `monitoring:` section: the Prometheus that evaluates the team's alert rules, the
/// Alertmanager it sends them to, and the labels that pick this cluster's alerts out of a shared server.
///
/// Alerts outside `matchers` are never in a drill's scope: another cluster's page neither refuses, aborts nor
/// satisfies a drill here.
public struct MonitoringSettings: Sendable, Hashable {
    public var prometheus: URL
    /// Nil: the drill sees the alerts' states in Prometheus only (no delivery, no silence).
    public var alertmanager: URL?
    /// Label name → value every in-scope alert carries (`cluster: lab`); empty: every alert the server has.
    public var matchers: [LabelMatcher]
    /// Create an Alertmanager silence over `matchers` for each drill (journalled; expired at its end).
    public var silence: Bool
    /// TLS and basic auth of both APIs (`monitoring.cafile`, `username`, `password_file` …).
    public var access: HTTPAccess

    public init(prometheus: URL, alertmanager: URL? = nil, matchers: [LabelMatcher] = [], silence: Bool = false,
                access: HTTPAccess = HTTPAccess(setting: "monitoring")) {
        self.prometheus = prometheus
        self.alertmanager = alertmanager
        self.matchers = matchers
        self.silence = silence
        self.access = access
    }

    /// The matchers as a label map (what the report and the silence record keep).
    public var matcherLabels: [String: String] {
        Dictionary(matchers.map { ($0.name, $0.value) }) { first, _ in first }
    }

    /// Whether an alert with these labels belongs to this cluster.
    public func inScope(_ labels: [String: String]) -> Bool {
        matchers.allSatisfy { labels[$0.name] == $0.value }
    }

    /// `cluster="lab", env="prod"` — how messages and the report name the scope.
    public var scopeDescription: String {
        matchers.isEmpty ? "every alert of \(prometheus.absoluteString)" : matchers.map(\.description).joined(separator: ", ")
    }
}

/// One equality matcher on an alert label (Alertmanager's `name="value"`).
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    public var description: String { "\(name)=\"\(value)\"" }
}

/// What a drill expects of the monitoring (`expect.alerts`): the alerts that must fire and how soon after
/// t0, how soon after recovery they must have resolved, and the alerts that must not fire at all.
public struct AlertExpectations: Sendable, Hashable {
    public struct Fire: Sendable, Hashable {
        public var name: String
        /// Firing no later than this after t0.
        public var within: DrillDuration
        public var line: Int?

        public init(name: String, within: DrillDuration, line: Int? = nil) {
            self.name = name
            self.within = within
            self.line = line
        }
    }

    public var fire: [Fire]
    /// Every alert in `fire` resolved no later than this after the cluster recovered (nil: not judged).
    public var resolveWithin: DrillDuration?
    /// Alerts that must never reach firing during the drill (a planned switchover pages nobody).
    public var forbid: [String]

    public init(fire: [Fire] = [], resolveWithin: DrillDuration? = nil, forbid: [String] = []) {
        self.fire = fire
        self.resolveWithin = resolveWithin
        self.forbid = forbid
    }

    /// Every alert name the expectations mention.
    public var names: [String] { fire.map(\.name) + forbid }

    /// Prometheus' own rule for an alert name (`[a-zA-Z_][a-zA-Z0-9_]*`, as a metric name without colons).
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }
    }
}
