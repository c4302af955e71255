/// Split-brain evidence from the client's side: per server, the first and last acknowledgement
/// after t0 (pass 1), then how many acks each server of an overlapping pair got inside the overlap
/// (pass 2). See `AckOverlap` for why the second pass is needed.
struct AckRangeTracker {
    private let t0: Int64
    /// Per server, in the order first seen: a handful of servers over millions of acks, found by
    /// comparing names (the last one found first) rather than hashing one per ack.
    private var ranges: [(server: String, first: Int64, last: Int64)] = []
    private var lastFound = 0
    private var candidates: [AckOverlap] = []

    init(t0: Int64) { self.t0 = t0 }

    mutating func firstPass(_ a: ProbeAttempt) {
        guard a.outcome == .ok, a.end > t0, let server = a.server else { return }
        if lastFound < ranges.count, ranges[lastFound].server == server {
        } else if let i = ranges.firstIndex(where: { $0.server == server }) {
            lastFound = i
        } else {
            ranges.append((server, a.end, a.end))
            lastFound = ranges.count - 1
            return
        }
        ranges[lastFound].first = min(ranges[lastFound].first, a.end)
        ranges[lastFound].last = max(ranges[lastFound].last, a.end)
    }

    mutating func prepareSecondPass(serverNodes: [String: String]) {
        let ranges = Dictionary(uniqueKeysWithValues: self.ranges.map { ($0.server, (first: $0.first, last: $0.last)) })
        let servers = ranges.keys.sorted()
        for (i, a) in servers.enumerated() {
            for b in servers[(i + 1)...] {
                let from = max(ranges[a]!.first, ranges[b]!.first)
                let to = min(ranges[a]!.last, ranges[b]!.last)
                // from == to: one server's single ack inside the other's range is evidence too.
                guard from <= to else { continue }
                candidates.append(AckOverlap(
                    serverA: a, nodeA: serverNodes[a], serverB: b, nodeB: serverNodes[b], from: from, to: to, acksA: 0, acksB: 0
                ))
            }
        }
    }

    mutating func secondPass(_ a: ProbeAttempt) {
        guard !candidates.isEmpty, a.outcome == .ok, let server = a.server else { return }
        for i in candidates.indices where a.end >= candidates[i].from && a.end <= candidates[i].to {
            if server == candidates[i].serverA { candidates[i].acksA += 1 }
            if server == candidates[i].serverB { candidates[i].acksB += 1 }
        }
    }

    var overlaps: [AckOverlap] { candidates }
}
