/// Renders a drill's `timeline.svg`: what each endpoint of the application saw over time (acked
/// writes/s, errors/s, latency p50/p99), with the fault window shaded and the failover phases
/// marked, so a post-mortem shows at a glance where the outage's seconds went.
///
/// Hand-written SVG 1.1: no scripts, no external fonts or images, a white background and a
/// `viewBox`, so it renders the same in a browser, in GitHub's Markdown (`<img>`) and in
/// `rsvg-convert`. The probe attempts are read once and bucketed (100 ms, doubled as needed to stay
/// under `maxBuckets`), so a ten-minute run at full probe rate stays a few hundred KB at most.
public struct TimelineSVG: Sendable {
    public var redactor: Redactor
    /// Most buckets per endpoint; the bucket width doubles until the run fits.
    public var maxBuckets: Int

    /// Buckets per endpoint unless told otherwise.
    public static let defaultMaxBuckets = 600

    public init(redactor: Redactor = Redactor(), maxBuckets: Int = TimelineSVG.defaultMaxBuckets) {
        self.redactor = redactor
        self.maxBuckets = maxBuckets
    }

    /// The SVG document for `drill`, from its probe attempts (any order, any endpoints; read once).
    public func render(drill: DrillReport, attempts: some Sequence<ProbeAttempt>) -> String {
        var bins = TimelineBins(maxBuckets: maxBuckets)
        for attempt in attempts { bins.add(attempt) }
        return TimelineChart(drill: drill, bins: bins, redactor: redactor).document()
    }
}
