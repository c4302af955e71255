/// Per-endpoint state of the two passes over the attempts: outages, error rate, stable-period
/// candidates and per-period latency.
///
/// Pass 1 builds the union of non-ok intervals (see `OutagePeriod` for the definition) and counts
/// the error window. Pass 2 marks which gaps of that union saw an acknowledgement (they separate
/// outages), finds the first ok attempt after each piece (stable-period candidates) and fills the
/// latency histograms, whose period bounds depend on the outages found in pass 1.
struct EndpointTracker {
    let name: String
    private let t0: Int64
    private let observeEnd: Int64

    // Pass 1.
    private(set) var attempts = 0
    private(set) var nonOk = IntervalUnion()
    private var window = (attempts: 0, failed: 0, indeterminate: 0)
    private var errorStart: Int64?
    private var errorEnd: Int64?
    private(set) var lastEnd: Int64?
    private var requests = RequestTimeline()
    private var requestTime: Int64 = 0
    private var failingTime: Int64 = 0
    /// Per writer, the end of its last attempt (set by `finishFirstPass`).
    private(set) var writerLastEnds: [(writer: Int, end: Int64)] = []
    /// Attempts that ended at or after t0.
    private(set) var attemptsAfterT0 = 0

    // Pass 2, indexed by component of `nonOk`.
    private var gapHasAck: [Bool] = []
    /// Earliest ok start / ack that falls at or after the end of component i and before the end of
    /// component i+1; a suffix minimum turns it into "earliest at or after the end of component i".
    private var okStartAfter: [Int64?] = []
    private var okEndAfter: [Int64?] = []
    private var periods: [PeriodAccumulator] = []

    init(name: String, t0: Int64, observeEnd: Int64) {
        self.name = name
        self.t0 = t0
        self.observeEnd = observeEnd
    }

    mutating func firstPass(_ a: ProbeAttempt) {
        attempts += 1
        lastEnd = max(lastEnd ?? a.end, a.end)
        if a.end >= t0 { attemptsAfterT0 += 1 }
        if let segment = requests.add(a) { countRequestTime(segment) }
        guard a.outcome != .ok else {
            if a.end >= t0 && a.start <= observeEnd { window.attempts += 1 }
            return
        }
        nonOk.insert(start: a.start, end: a.end, indeterminate: a.outcome == .indeterminate)
        guard a.end >= t0 && a.start <= observeEnd else { return }
        window.attempts += 1
        if a.outcome == .fail { window.failed += 1 } else { window.indeterminate += 1 }
        errorStart = min(errorStart ?? a.start, a.start)
        errorEnd = max(errorEnd ?? a.end, a.end)
    }

    /// Adds a writer's stretch [from, to) to the application view of [t0, observeEnd].
    private mutating func countRequestTime(_ s: RequestTimeline.Segment) {
        let inside = RequestTimeline.overlap(s.from, s.to, t0, observeEnd)
        requestTime += inside
        if s.failing { failingTime += inside }
    }

    /// Closes each writer's last stretch; call once after the first pass.
    mutating func finishFirstPass() {
        writerLastEnds = requests.lastEnds
        for segment in requests.finish() { countRequestTime(segment) }
    }

    /// End of the last non-ok attempt that ended after t0 and started before observation ended:
    /// where the "during" period stops.
    var lastFaultOutageEnd: Int64? {
        nonOk.components.last { $0.end > t0 && $0.start <= observeEnd }?.end
    }

    mutating func prepareSecondPass(periods bounds: [(PeriodStatistics.Period, Int64, Int64)]) {
        let n = nonOk.components.count
        gapHasAck = Array(repeating: false, count: max(0, n - 1))
        okStartAfter = Array(repeating: nil, count: n)
        okEndAfter = Array(repeating: nil, count: n)
        periods = bounds.map { PeriodAccumulator(period: $0.0, from: $0.1, to: $0.2, includesEnd: $0.0 != .baseline) }
    }

    mutating func secondPass(_ a: ProbeAttempt) {
        if let index = periods.firstIndex(where: { $0.contains(a.end) }) { periods[index].add(a) }
        guard a.outcome == .ok else { return }
        if let gap = nonOk.gap(containing: a.end) { gapHasAck[gap] = true }
        if let i = nonOk.lastEnding(atOrBefore: a.start) { okStartAfter[i] = min(okStartAfter[i] ?? a.start, a.start) }
        if let i = nonOk.lastEnding(atOrBefore: a.end) { okEndAfter[i] = min(okEndAfter[i] ?? a.end, a.end) }
    }

    /// An outage with the index of its last union component (to look up what came after it).
    struct Run {
        var period: OutagePeriod
        var lastComponent: Int
    }

    /// Joins union components across gaps without an acknowledgement.
    func outageRuns() -> [Run] {
        var runs: [Run] = []
        for (i, c) in nonOk.components.enumerated() {
            if let last = runs.last, !gapHasAck[i - 1] {
                runs[runs.count - 1] = Run(
                    period: OutagePeriod(
                        start: last.period.start, end: max(last.period.end, c.end),
                        failed: last.period.failed + c.failed, indeterminate: last.period.indeterminate + c.indeterminate
                    ),
                    lastComponent: i
                )
            } else {
                runs.append(Run(period: OutagePeriod(start: c.start, end: c.end, failed: c.failed, indeterminate: c.indeterminate), lastComponent: i))
            }
        }
        return runs
    }

    /// `values[i]` becomes the minimum of `values[i...]`.
    private static func suffixMinimum(_ values: [Int64?]) -> [Int64?] {
        var result = values
        var running: Int64?
        for i in values.indices.reversed() {
            if let v = values[i] { running = min(running ?? v, v) }
            result[i] = running
        }
        return result
    }

    /// First ok ack at or after the end of outage run `run`.
    func firstAck(after run: Run) -> Int64? {
        Self.suffixMinimum(okEndAfter)[run.lastComponent]
    }

    func recovery(runs: [Run], stableFor: Int64) -> Recovery {
        // Outages that begin after observation (the rollback's own, a recovery restart) are listed but
        // are not the fault's: they do not make the fault's outage "not recovered".
        let afterFault = runs.filter { $0.period.end > t0 && $0.period.start <= observeEnd }
        guard !afterFault.isEmpty else { return Recovery(status: .noOutage, rto: 0, stableFrom: nil) }
        let okStarts = Self.suffixMinimum(okStartAfter)
        for (k, run) in afterFault.enumerated() {
            guard let stableFrom = okStarts[run.lastComponent], stableFrom <= observeEnd else { break }
            let nextFailure = k + 1 < afterFault.count ? afterFault[k + 1].period.start : Int64.max
            if stableFrom + stableFor <= nextFailure, stableFrom + stableFor <= (lastEnd ?? .min) {
                // RTO ends at the first acknowledgement after the outage, never at an attempt's start:
                // after a crash HAProxy may hold a new connection until the server is back, so an attempt
                // can start at once and be acknowledged seconds later — the application waited those
                // seconds. An attempt in flight across the outage's end can be acknowledged before the
                // first attempt of the stable period starts: that ack is the moment service was back.
                let firstAck = firstAck(after: run) ?? stableFrom
                return Recovery(status: .recovered, rto: firstAck - t0, stableFrom: stableFrom)
            }
        }
        return Recovery(status: .notRecovered, rto: nil, stableFrom: nil)
    }

    func metrics(stableFor: Int64, lostWrites: Int?) -> EndpointMetrics {
        let runs = outageRuns()
        return EndpointMetrics(
            endpoint: name, attempts: attempts, recovery: recovery(runs: runs, stableFor: stableFor),
            outages: runs.map(\.period),
            errorRate: ErrorRate(
                attempts: window.attempts, failed: window.failed, indeterminate: window.indeterminate,
                windowStart: errorStart, windowEnd: errorEnd,
                observed: max(0, observeEnd - t0), requestTime: requestTime, failingTime: failingTime
            ),
            periods: periods.map { $0.statistics() },
            lostWrites: lostWrites
        )
    }
}

/// Counts and latency histogram of one period; an attempt belongs to the first period its end falls
/// in: baseline [steadyStart, t0), during [t0, duringEnd], after [duringEnd, runEnd] — so the failed
/// attempt that ends the last outage counts in "during".
struct PeriodAccumulator {
    let period: PeriodStatistics.Period
    let from: Int64
    let to: Int64
    private var histogram = LatencyHistogram()
    private var failed = 0
    private var indeterminate = 0

    let includesEnd: Bool

    init(period: PeriodStatistics.Period, from: Int64, to: Int64, includesEnd: Bool) {
        self.period = period
        self.from = from
        self.to = to
        self.includesEnd = includesEnd
    }

    func contains(_ t: Int64) -> Bool { t >= from && (t < to || (includesEnd && t == to)) }

    mutating func add(_ a: ProbeAttempt) {
        switch a.outcome {
        case .ok: histogram.record(a.end - a.start)
        case .fail: failed += 1
        case .indeterminate: indeterminate += 1
        }
    }

    func statistics() -> PeriodStatistics {
        PeriodStatistics(
            period: period, from: from, to: to, acknowledged: Int(histogram.count), failed: failed,
            indeterminate: indeterminate, latency: LatencySummary(histogram)
        )
    }
}
