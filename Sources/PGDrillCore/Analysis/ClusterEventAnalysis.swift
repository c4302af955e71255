/// The figures that come from the cluster monitor's events alone: the failover phases up to routing
/// and the writable-overlap half of the split-brain check.
struct ClusterEventAnalysis {
    let detection: PhaseMark?
    let promotion: PhaseMark?
    let routing: PhaseMark?
    /// The node promoted after t0 (other than the old primary), if any.
    let newPrimary: String?
    let writableOverlaps: [WritableOverlap]

    init(_ input: DrillAnalysisInput) {
        // Stable sort by time, so events recorded in the same µs keep their order.
        let events = input.events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        let t0 = input.t0
        let old = input.oldPrimary
        func mark(_ e: ClusterEvent) -> PhaseMark { PhaseMark(offset: e.at - t0, node: e.node, detail: e.detail) }

        let afterFault = events.filter { $0.at >= t0 }
        detection = afterFault.first { e in
            e.kind == .leaderLost || (e.kind == .leaderElected && e.node != nil && e.node != old)
        }.map(mark)

        // The node that became writable; a timeline change alone only when no node was seen writable: a
        // replica that follows the new primary onto its timeline can be seen before the primary's own answer.
        let promoted = afterFault.first { e in e.kind == .nodeWritable && e.node != nil && e.node != old }
            ?? afterFault.first { e in e.kind == .timelineChanged && e.node != nil && e.node != old }
        promotion = promoted.map { e in
            var m = mark(e)
            if let timeline = e.timeline { m.detail = m.detail ?? "\(e.kind) timeline \(timeline)" } else { m.detail = m.detail ?? e.kind.rawValue }
            return m
        }
        newPrimary = promoted?.node

        let backend = input.writeBackend
        routing = afterFault.first { e in
            guard e.kind == .backendUp, e.detail == backend, let node = e.node else { return false }
            if let newPrimary = promoted?.node { return node == newPrimary }
            return node != old
        }.map(mark)

        writableOverlaps = Self.writableOverlaps(events, runEnd: input.runEnd, pollInterval: input.pollInterval)
    }

    /// Writable intervals per node from `node_writable` to `node_read_only` / `node_unreachable`,
    /// and every overlap between two nodes' intervals.
    static func writableOverlaps(_ events: [ClusterEvent], runEnd: Int64, pollInterval: Int64) -> [WritableOverlap] {
        var open: [String: Int64] = [:]
        var intervals: [(node: String, from: Int64, to: Int64)] = []
        for e in events {
            guard let node = e.node else { continue }
            switch e.kind {
            case .nodeWritable:
                if open[node] == nil { open[node] = e.at }
            case .nodeReadOnly, .nodeUnreachable:
                if let from = open.removeValue(forKey: node) { intervals.append((node, from, e.at)) }
            default:
                break
            }
        }
        for (node, from) in open { intervals.append((node, from, max(from, runEnd))) }
        intervals.sort { ($0.from, $0.node) < ($1.from, $1.node) }

        var overlaps: [WritableOverlap] = []
        for (i, a) in intervals.enumerated() {
            for b in intervals[(i + 1)...] where b.node != a.node {
                let from = max(a.from, b.from)
                let to = min(a.to, b.to)
                guard from < to else { continue }
                let (first, second) = a.node < b.node ? (a.node, b.node) : (b.node, a.node)
                overlaps.append(WritableOverlap(nodeA: first, nodeB: second, from: from, to: to, isSplitBrain: to - from > pollInterval,
                                                resolution: pollInterval, acksA: 0, acksB: 0))
            }
        }
        return overlaps
    }
}
