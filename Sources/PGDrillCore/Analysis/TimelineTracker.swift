/// Server-side evidence of the outage: per timeline, the earliest and latest server time of an
/// acknowledged row, and which timeline the cluster was on just before t0.
struct TimelineTracker {
    private let t0: Int64
    private var rows: [Int: (first: Int64, last: Int64)] = [:]
    /// Ack time and timeline of the last ok row before t0 (main endpoint).
    private var lastBeforeFault: (end: Int64, timeline: Int)?

    init(t0: Int64) { self.t0 = t0 }

    mutating func add(_ a: ProbeAttempt, isMainEndpoint: Bool) {
        guard a.outcome == .ok, let timeline = a.timeline else { return }
        if isMainEndpoint, a.end < t0, lastBeforeFault.map({ a.end > $0.end }) ?? true {
            lastBeforeFault = (a.end, timeline)
        }
        guard let serverTime = a.serverTime else { return }
        if let r = rows[timeline] {
            rows[timeline] = (min(r.first, serverTime), max(r.last, serverTime))
        } else {
            rows[timeline] = (serverTime, serverTime)
        }
    }

    var evidence: TimelineEvidence? {
        guard let old = lastBeforeFault?.timeline, let oldRows = rows[old] else { return nil }
        let newer = rows.filter { $0.key > old }
        return TimelineEvidence(
            oldTimeline: old, newTimeline: newer.keys.min(), lastOldRow: oldRows.last,
            firstNewRow: newer.values.map(\.first).min()
        )
    }
}
