/// Probe attempts counted per endpoint in equal time buckets, read in one pass: the data behind
/// the timeline chart.
///
/// Buckets start 100 ms wide; whenever the attempts span more than `maxBuckets` buckets, adjacent
/// pairs are merged and the width doubles. Memory and chart size are therefore bounded by
/// `maxBuckets` whatever the run's length or write rate, and no second pass over a probe log of
/// millions of rows is needed. An attempt counts in the bucket of its `end`: the moment the
/// application learned the outcome.
struct TimelineBins {
    /// Counts of one endpoint; every array has one entry per bucket.
    struct Series {
        var ok: [Int] = []
        var failed: [Int] = []
        var indeterminate: [Int] = []
        /// Latency bins of acknowledged attempts, `LatencyBins.binCount` per bucket, flattened.
        var latency: [UInt32] = []
        /// Writer-time (µs, summed over writers) the attempts account for in each bucket, and the part of
        /// it owned by failed or indeterminate attempts: the application view (see `RequestTimeline`).
        var requestTime: [Int64] = []
        var failingTime: [Int64] = []
        var requests = RequestTimeline()

        init(count: Int) {
            if count > 0 { insert(count, at: 0) }
        }

        /// Errors (fail + indeterminate) in bucket `i`.
        func errors(_ i: Int) -> Int { failed[i] + indeterminate[i] }

        /// Share of the application's requests failing in bucket `i`, 0…1; nil when the probe accounts
        /// for no time in it.
        func failingShare(_ i: Int) -> Double? {
            requestTime[i] > 0 ? Double(failingTime[i]) / Double(requestTime[i]) : nil
        }

        /// Latency quantile `q` of bucket `i` in µs; nil when nothing was acknowledged in it.
        func latency(_ q: Double, bucket i: Int) -> Double? {
            LatencyBins.quantile(q, of: latency[(i * LatencyBins.binCount)..<((i + 1) * LatencyBins.binCount)])
        }

        mutating func insert(_ n: Int, at position: Int) {
            ok.insert(contentsOf: repeatElement(0, count: n), at: position)
            failed.insert(contentsOf: repeatElement(0, count: n), at: position)
            indeterminate.insert(contentsOf: repeatElement(0, count: n), at: position)
            requestTime.insert(contentsOf: repeatElement(0, count: n), at: position)
            failingTime.insert(contentsOf: repeatElement(0, count: n), at: position)
            latency.insert(contentsOf: repeatElement(0, count: n * LatencyBins.binCount), at: position * LatencyBins.binCount)
        }

        /// Merges buckets 2k and 2k+1 into bucket k.
        mutating func halve() {
            func pairs(_ a: [Int]) -> [Int] {
                stride(from: 0, to: a.count, by: 2).map { a[$0] + (($0 + 1) < a.count ? a[$0 + 1] : 0) }
            }
            ok = pairs(ok)
            failed = pairs(failed)
            indeterminate = pairs(indeterminate)
            func pairs64(_ a: [Int64]) -> [Int64] {
                stride(from: 0, to: a.count, by: 2).map { a[$0] + (($0 + 1) < a.count ? a[$0 + 1] : 0) }
            }
            requestTime = pairs64(requestTime)
            failingTime = pairs64(failingTime)
            let bins = LatencyBins.binCount
            let oldCount = latency.count / bins
            var merged = [UInt32](repeating: 0, count: ((oldCount + 1) / 2) * bins)
            for i in 0..<oldCount {
                let target = (i / 2) * bins
                for b in 0..<bins { merged[target + b] += latency[i * bins + b] }
            }
            latency = merged
        }
    }

    let maxBuckets: Int
    /// Bucket width, µs.
    private(set) var width: Int64
    /// Start of bucket 0, µs on the run clock; nil until the first attempt.
    private(set) var origin: Int64?
    private(set) var count = 0
    /// Earliest and latest attempt end seen, µs on the run clock.
    private(set) var firstEnd: Int64?
    private(set) var lastEnd: Int64?
    /// Endpoints in the order their first attempt was seen.
    private(set) var endpoints: [String] = []
    /// One per endpoint, in the order of `endpoints`.
    private(set) var series: [Series] = []
    private var seriesIndex: [String: Int] = [:]
    private var lastSeries = 0

    init(width: Int64 = 100_000, maxBuckets: Int = 600) {
        precondition(width > 0 && maxBuckets >= 2)
        self.width = width
        self.maxBuckets = maxBuckets
    }

    /// Counts one attempt.
    mutating func add(_ attempt: ProbeAttempt) {
        let i = makeRoom(for: attempt.end)
        firstEnd = min(firstEnd ?? attempt.end, attempt.end)
        lastEnd = max(lastEnd ?? attempt.end, attempt.end)
        let e: Int
        // The endpoint of the previous attempt first: a handful of endpoints, millions of attempts.
        if lastSeries < endpoints.count, endpoints[lastSeries] == attempt.endpoint {
            e = lastSeries
        } else if let known = seriesIndex[attempt.endpoint] {
            e = known
            lastSeries = known
        } else {
            e = series.count
            seriesIndex[attempt.endpoint] = e
            endpoints.append(attempt.endpoint)
            series.append(Series(count: count))
            lastSeries = e
        }
        switch attempt.outcome {
        case .ok:
            series[e].ok[i] += 1
            series[e].latency[i * LatencyBins.binCount + LatencyBins.bin(attempt.end - attempt.start)] += 1
        case .fail:
            series[e].failed[i] += 1
        case .indeterminate:
            series[e].indeterminate[i] += 1
        }
        if let segment = series[e].requests.add(attempt) { spread(segment, series: e) }
    }

    /// Adds one writer stretch to the request and failing time of every bucket it crosses.
    private mutating func spread(_ segment: RequestTimeline.Segment, series e: Int) {
        guard segment.to > segment.from else { return }
        _ = makeRoom(for: segment.from)
        _ = makeRoom(for: segment.to - 1)
        let first = Self.floorDiv(segment.from - origin!, width), last = Self.floorDiv(segment.to - 1 - origin!, width)
        for i in first...last {
            let inside = RequestTimeline.overlap(segment.from, segment.to, start(ofBucket: i), start(ofBucket: i + 1))
            series[e].requestTime[i] += inside
            if segment.failing { series[e].failingTime[i] += inside }
        }
    }

    /// The counts of `endpoint`, if any attempt of it was seen.
    func series(_ endpoint: String) -> Series? { seriesIndex[endpoint].map { series[$0] } }

    /// Start of bucket `i` (i may equal `count`: the end of the last bucket).
    func start(ofBucket i: Int) -> Int64 { (origin ?? 0) + Int64(i) * width }

    /// Seconds of bucket `i` that lie between the first and the last attempt: the divisor of a
    /// rate. Nil when under a quarter of the bucket is covered (the run started or ended just
    /// inside it), where a rate would be a misleading dip or spike at the chart's edge.
    func coveredSeconds(ofBucket i: Int) -> Double? {
        guard let firstEnd, let lastEnd else { return nil }
        let covered = min(start(ofBucket: i + 1), lastEnd + 1) - max(start(ofBucket: i), firstEnd)
        return covered * 4 < width ? nil : Double(covered) / 1_000_000
    }

    /// Index of the bucket holding `time`, growing (and if need be coarsening) the buckets first.
    private mutating func makeRoom(for time: Int64) -> Int {
        guard let origin else {
            origin = time - Self.floorMod(time, width)
            grow(front: 0, back: 1)
            return 0
        }
        var index = Self.floorDiv(time - origin, width)
        // Coarsen before growing, so a far-off time never allocates more than maxBuckets.
        while max(count - 1, index) - min(0, index) + 1 > maxBuckets {
            halve()
            index = Self.floorDiv(time - origin, width)
        }
        if index < 0 {
            grow(front: -index, back: 0)
            index = 0
        } else if index >= count {
            grow(front: 0, back: index - count + 1)
        }
        return index
    }

    private mutating func grow(front: Int, back: Int) {
        for e in series.indices {
            if front > 0 { series[e].insert(front, at: 0) }
            if back > 0 { series[e].insert(back, at: count + front) }
        }
        origin! -= Int64(front) * width
        count += front + back
    }

    private mutating func halve() {
        for e in series.indices { series[e].halve() }
        count = (count + 1) / 2
        width *= 2
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int {
        Int(a >= 0 ? a / b : -((-a + b - 1) / b))
    }

    static func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
        a - Int64(floorDiv(a, b)) * b
    }
}
