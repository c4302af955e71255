/// Server-side evidence of the outage: per timeline, the earliest and latest server time of an
/// acknowledged row, and which timeline the cluster was on just before t0.
struct TimelineTracker {
    private let t0: Int64
    /// Per timeline, in the order first seen (a few over millions of rows: no hashing per row).
    private var timelines: [(timeline: Int, first: Int64, last: Int64)] = []
    private var lastFound = 0
    /// Ack time and timeline of the last ok row before t0 (main endpoint).
    private var lastBeforeFault: (end: Int64, timeline: Int)?

    init(t0: Int64) { self.t0 = t0 }

    mutating func add(_ a: ProbeAttempt, isMainEndpoint: Bool) {
        guard a.outcome == .ok, let timeline = a.timeline else { return }
        if isMainEndpoint, a.end < t0, lastBeforeFault.map({ a.end > $0.end }) ?? true {
            lastBeforeFault = (a.end, timeline)
        }
        guard let serverTime = a.serverTime else { return }
        if lastFound < timelines.count, timelines[lastFound].timeline == timeline {
        } else if let i = timelines.firstIndex(where: { $0.timeline == timeline }) {
            lastFound = i
        } else {
            timelines.append((timeline, serverTime, serverTime))
            lastFound = timelines.count - 1
            return
        }
        timelines[lastFound].first = min(timelines[lastFound].first, serverTime)
        timelines[lastFound].last = max(timelines[lastFound].last, serverTime)
    }

    var evidence: TimelineEvidence? {
        let rows = Dictionary(uniqueKeysWithValues: timelines.map { ($0.timeline, (first: $0.first, last: $0.last)) })
        guard let old = lastBeforeFault?.timeline, let oldRows = rows[old] else { return nil }
        let newer = rows.filter { $0.key > old }
        return TimelineEvidence(
            oldTimeline: old, newTimeline: newer.keys.min(), lastOldRow: oldRows.last,
            firstNewRow: newer.values.map(\.first).min()
        )
    }
}
