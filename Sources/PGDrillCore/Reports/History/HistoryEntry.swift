import Foundation

/// One drill of one earlier run, as the trend shows it: the figures a DBA lead compares month by
/// month, taken from that run's `report.json`.
public struct HistoryEntry: Sendable, Equatable {
    public var drill: String
    public var cluster: String
    public var runId: String
    /// Wall-clock start of the run.
    public var date: Date
    /// How the main endpoint's RTO was decided; nil when the drill measured nothing.
    public var recovery: Recovery.Status?
    /// RTO in µs (0 with no outage); nil when not recovered or not measured.
    public var rto: Int64?
    /// RPO in µs; nil when writes were not verified.
    public var rpo: Int64?
    /// Acknowledged writes lost; nil when writes were not verified.
    public var lostWrites: Int?
    /// Main endpoint's application-view share of failed requests from t0 to the end of observation.
    public var errorRate: Double?
    public var verdict: Verdict
    /// Main endpoint's application-view downtime, µs (`ErrorBudget.applicationDowntime`: what the availability
    /// summary adds up); nil when the drill measured nothing or its report predates the application view.
    public var downtime: Int64?
    /// Whether the drill measured anything (a refused drill did not).
    public var measured: Bool
    /// The `report.json` it came from, relative to the history directory.
    public var source: String
    /// Fault sent → the first alert in scope firing (time to detect), µs, and that alert; nil when the drill did
    /// not watch the monitoring or no alert fired.
    public var detect: Int64?
    public var detectAlert: String?
    /// The failover settings the run found (`FailoverSettings.fingerprint`); nil in reports before they were read.
    public var settings: [String]?

    public init(
        drill: String, cluster: String, runId: String, date: Date, recovery: Recovery.Status?, rto: Int64?,
        rpo: Int64?, lostWrites: Int?, errorRate: Double?, verdict: Verdict, downtime: Int64? = nil, measured: Bool = true,
        source: String
    ) {
        self.drill = drill
        self.cluster = cluster
        self.runId = runId
        self.date = date
        self.recovery = recovery
        self.rto = rto
        self.rpo = rpo
        self.lostWrites = lostWrites
        self.errorRate = errorRate
        self.verdict = verdict
        self.downtime = downtime
        self.measured = measured
        self.source = source
    }

    /// The entry of `drill` in `run`.
    public init(_ drill: DrillReport, of run: RunReport, source: String) {
        let m = drill.metrics
        let h = DrillHeadline(drill)
        self.init(
            drill: drill.name, cluster: run.cluster, runId: run.runId, date: run.startedAt,
            recovery: h.isRestore ? (h.rto == nil ? .notRecovered : .recovered) : m?.main.recovery.status,
            rto: h.rto, rpo: h.rpo, lostWrites: h.lostWrites, errorRate: h.errorRate, verdict: drill.verdict,
            downtime: m.flatMap { ErrorBudget.applicationDowntime($0.main.errorRate) }, measured: m != nil, source: source
        )
        settings = drill.failoverSettings?.fingerprint
        if let t0 = m?.t0, let first = drill.alerts?.firstFiring(after: t0) {
            detect = first.firingAt! - t0
            detectAlert = first.name
        }
    }
}
