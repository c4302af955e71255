/// A moment worth a vertical line on the timeline: the fault, each failover phase, each rollback
/// and the start of the stable period, so a reader sees which component the outage waited on.
struct TimelineMarker: Equatable {
    enum Style: Equatable {
        /// The fault command was sent (t0): a solid line.
        case fault
        /// A failover phase or the RTO: a dashed line.
        case phase
        /// A rollback: a dotted line.
        case rollback
    }

    /// µs on the run clock.
    var at: Int64
    var label: String
    var style: Style

    /// The markers of `drill`, in time order: t0, the phases the analysis found, every rollback
    /// event, and the start of the stable period that decided the RTO.
    static func markers(of drill: DrillReport) -> [TimelineMarker] {
        var out: [TimelineMarker] = []
        if let t0 = drill.metrics?.t0 ?? drill.events.first(where: { $0.kind == .faultSent })?.at {
            out.append(TimelineMarker(at: t0, label: "fault sent", style: .fault))
        }
        if let m = drill.metrics {
            let phases: [(PhaseMark?, String)] = [
                (m.phases.detection, "leader lost"),
                (m.phases.promotion, "promoted"),
                (m.phases.routing, "routed"),
                (m.phases.client, "first ok write"),
            ]
            for case let (mark?, name) in phases {
                let label = mark.node.map { "\(name) \($0)" } ?? name
                out.append(TimelineMarker(at: m.t0 + mark.offset, label: label, style: .phase))
            }
            if m.main.recovery.status == .recovered, let stable = m.main.recovery.stableFrom {
                out.append(TimelineMarker(at: stable, label: "stable (RTO \(ReportFormat.rto(m.main.recovery)))", style: .phase))
            }
        }
        // Disaster recovery: a restore's stages and a region failover's moments, like failover phases.
        if let restore = drill.restore {
            for stage in restore.stages {
                out.append(TimelineMarker(at: stage.end, label: stage.name.replacingOccurrences(of: "restore: ", with: "") + " done", style: .phase))
            }
        }
        if let region = drill.regionFailover {
            if let cut = region.replicationCutAt { out.append(TimelineMarker(at: cut, label: "DR link cut", style: .phase)) }
            if let asked = region.promotionRequestedAt {
                out.append(TimelineMarker(at: asked, label: "promote '\(region.standbyCluster)' requested", style: .phase))
            }
            if let promoted = region.promotedAt {
                out.append(TimelineMarker(at: promoted, label: "\(region.promotedNode ?? region.standbyCluster) primary", style: .phase))
            }
        }
        // The monitoring noticed: the first alert to fire after the fault (time to detect).
        if let t0 = drill.metrics?.t0, let first = drill.alerts?.firstFiring(after: t0), let at = first.firingAt {
            out.append(TimelineMarker(at: at, label: "alert \(first.name)", style: .phase))
        }
        for event in drill.events where event.kind == .rolledBack {
            out.append(TimelineMarker(at: event.at, label: "rollback", style: .rollback))
        }
        return out.sorted { $0.at < $1.at }
    }

    /// Where the fault was in force, µs on the run clock: from t0 to the last rollback after it,
    /// else to the end of observation; nil without a t0.
    static func faultWindow(of drill: DrillReport) -> ClosedRange<Int64>? {
        guard let t0 = drill.metrics?.t0 ?? drill.events.first(where: { $0.kind == .faultSent })?.at else { return nil }
        let rollback = drill.events.filter { $0.kind == .rolledBack && $0.at >= t0 }.map(\.at).max()
        let end = rollback ?? drill.metrics?.observeEnd ?? t0
        return t0...max(t0, end)
    }
}

/// Puts marker labels on as few rows as needed so that none overlaps another: each label goes on
/// the first row where it clears the previous label by a gap. Failover phases often land within a
/// second of each other, which is a few pixels on a minute-long chart.
struct LabelRows {
    /// Row of each label, in the order given.
    private(set) var rows: [Int] = []
    private var rowEnds: [Double] = []
    let maxRows: Int

    init(maxRows: Int) {
        self.maxRows = maxRows
    }

    /// Places a label spanning [from, to] (pixels); returns its row. Beyond `maxRows`, the row
    /// whose last label ends first is reused.
    mutating func place(from: Double, to: Double, gap: Double = 10) -> Int {
        let row = rowEnds.firstIndex { $0 + gap <= from }
            ?? (rowEnds.count < maxRows ? rowEnds.count : rowEnds.indices.min { rowEnds[$0] < rowEnds[$1] }!)
        if row == rowEnds.count { rowEnds.append(to) } else { rowEnds[row] = max(rowEnds[row], to) }
        rows.append(row)
        return row
    }

    var rowCount: Int { rowEnds.count }
}
