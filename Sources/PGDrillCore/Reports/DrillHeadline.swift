/// The figures a drill is quoted by — the summary row of `report.md`, JUnit's system-out, the Prometheus
/// textfile and `history` — decided in one place, so they never disagree.
///
/// For most drills they are the live cluster's: the main endpoint's RTO, the RPO and lost writes of the
/// read-back, the application-view error rate. A drill with a `restore` step is about the restore: its
/// RTO is disaster moment → read-write restored host, its RPO the backup-based recovery's, and its data
/// loss the writes acknowledged before the cutoff that the restored host lacks. (The live cluster's own
/// figures stay in the drill's section.)
public struct DrillHeadline: Sendable, Equatable {
    /// µs; nil when not recovered or not measured.
    public var rto: Int64?
    public var rtoText: String
    /// µs; nil when not verified.
    public var rpo: Int64?
    public var rpoText: String
    /// nil when not verified.
    public var lostWrites: Int?
    public var dataLossText: String
    /// 1 recovered (or no outage), 0 not; nil when nothing was measured.
    public var recovered: Bool?
    /// The main endpoint's application-view share of failed requests, 0…1.
    public var errorRate: Double?
    public var errorRateText: String
    /// Whether the figures are the restore's rather than the live cluster's.
    public var isRestore: Bool

    public init(_ d: DrillReport) {
        let m = d.metrics
        errorRate = m?.main.errorRate.rate
        errorRateText = m.map { ReportFormat.errorRate($0.main.errorRate) } ?? "n/a"
        if let r = d.restore {
            isRestore = true
            rto = r.rto
            recovered = r.rto != nil
            rtoText = r.rto.map { "\(ReportFormat.duration($0)) (restore to read-write)" } ?? "restored host never read-write"
            rpo = r.rpo
            rpoText = r.rpo.map { "\(ReportFormat.duration($0)) (restore\(r.rpoSource == "server_commit_time" ? ", by the last replayed commit" : ""))" }
                ?? r.rpoAtLeast.map { "≥ \(ReportFormat.duration($0)) (restore: nothing of this run restored)" }
                ?? (r.lostBeforeCutoff == nil ? "not verified" : "n/a (nothing acknowledged before the disaster)")
            lostWrites = r.lostBeforeCutoff
            if let lost = r.lostBeforeCutoff, let acked = r.ackedBeforeCutoff {
                dataLossText = lost == 0
                    ? "none missing from the restored host (0 of \(ReportFormat.count(acked)) acked before \(r.target == "time" ? "the target" : "the disaster"))"
                    : "\(ReportFormat.count(lost)) of \(ReportFormat.count(acked)) acked writes not restored"
            } else {
                dataLossText = "not verified (restored host not read)"
            }
            return
        }
        isRestore = false
        rto = m?.main.recovery.rto
        recovered = m.map { $0.main.recovery.status != .notRecovered }
        rtoText = m.map { ReportFormat.rto($0.main.recovery) } ?? "n/a"
        rpo = m?.rpo?.rpo
        rpoText = m?.rpo.map { ReportFormat.duration($0.rpo) } ?? "not verified"
        lostWrites = m?.writes?.lostWritesOnAnyVerifiedNode
        dataLossText = Self.dataLoss(m)
    }

    /// `none (0 of 123,456 acked)`, `12 of 123,456 acked writes lost`, `not verified`.
    static func dataLoss(_ m: DrillMetrics?) -> String {
        guard let w = m?.writes else { return "not verified" }
        var text = w.lostWrites == 0
            ? "none (0 of \(ReportFormat.count(w.acknowledged)) acked)"
            : "\(ReportFormat.count(w.lostWrites)) of \(ReportFormat.count(w.acknowledged)) acked writes lost"
        if let worse = w.replicasMissingMore.max(by: { $0.lost.count < $1.lost.count }) {
            text += "; \(ReportFormat.count(worse.lost.count)) missing on \(worse.node)"
        }
        if w.phantomWrites > 0 { text += ", \(ReportFormat.count(w.phantomWrites)) phantom" }
        return text
    }
}
