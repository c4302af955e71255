extension TimelineChart {
    /// A marker label placed in the strip above the panels.
    struct PlacedLabel {
        var marker: TimelineMarker
        var x: Double
        var baseline: Double
        var anchorEnd: Bool
    }

    /// Places every marker's label on the first strip row where it overlaps no other.
    func markerLabels(top: Double) -> ([PlacedLabel], rows: Int) {
        var rows = LabelRows(maxRows: 8)
        var placed: [PlacedLabel] = []
        for marker in markers {
            let px = x(marker.at)
            let w = Self.textWidth(marker.label)
            let anchorEnd = px + 3 + w > Self.width - 4
            let row = anchorEnd ? rows.place(from: px - 3 - w, to: px) : rows.place(from: px, to: px + 3 + w)
            placed.append(PlacedLabel(marker: marker, x: px, baseline: top + Double(row + 1) * Self.markerRowHeight - 3, anchorEnd: anchorEnd))
        }
        return (placed, rows.rowCount)
    }

    /// Marker lines from their label down through every panel's plot (leaving the panel titles
    /// readable), and the labels.
    func markerLines(labels: [PlacedLabel], panelTops: [Double]) -> String {
        var out = "<g>\n"
        for label in labels {
            let (stroke, dash, width) = switch label.marker.style {
            case .fault: ("#c0392b", "", "1.6")
            case .phase: ("#444", " stroke-dasharray=\"4 3\"", "1")
            case .rollback: ("#7d3c98", " stroke-dasharray=\"1.5 2.5\"", "1.4")
            }
            let spans = [(label.baseline - 10, panelTops[0] + 4)] + panelTops.map { (plotTop($0), plotTop($0) + Self.plotHeight) }
            for (y1, y2) in spans {
                out += "<line x1=\"\(n(label.x))\" y1=\"\(n(y1))\" x2=\"\(n(label.x))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(width)\"\(dash)/>\n"
            }
            let tx = label.anchorEnd ? label.x - 3 : label.x + 3
            out += "<text x=\"\(n(tx))\" y=\"\(n(label.baseline))\"\(label.anchorEnd ? " text-anchor=\"end\"" : "") fill=\"\(stroke)\">\(text(label.marker.label))</text>\n"
        }
        return out + "</g>\n"
    }

    /// Tick times of the time axis, µs on the run clock: round seconds relative to the zero.
    var timeTicks: [Int64] {
        let step = Int64(TimelineAxis.timeStep(span: Double(end - start) / 1_000_000) * 1_000_000)
        let first = TimelineBins.floorDiv(start - zero + step - 1, step)
        return stride(from: zero + Int64(first) * step, through: end, by: Int(step)).map { $0 }
    }

    /// Tick labels under the last panel and the axis caption; returns the text and its bottom.
    func timeAxis(top: Double) -> (String, Double) {
        var out = "<g fill=\"#444\" text-anchor=\"middle\">\n"
        for tick in timeTicks {
            out += "<text x=\"\(n(x(tick)))\" y=\"\(n(top + 15))\">\(TimelineAxis.seconds(Double(tick - zero) / 1_000_000))</text>\n"
        }
        let caption = markers.contains { $0.style == .fault }
            ? "seconds after the fault was sent (t0)" : "seconds after the first probe attempt"
        out += "<text x=\"\(n((Self.plotLeft + Self.plotRight) / 2))\" y=\"\(n(top + 33))\" font-size=\"12\">\(caption)</text>\n"
        return (out + "</g>\n", top + 33)
    }

    /// One line of legend items (wrapping when needed): endpoint colours, line styles, shading and
    /// markers. Returns the text and its bottom.
    func legend(top: Double) -> (String, Double) {
        var items: [(swatch: String, label: String)] = []
        for (e, name) in endpoints.enumerated() {
            items.append(("<line x1=\"0\" y1=\"-4\" x2=\"22\" y2=\"-4\" stroke=\"\(color(e))\" stroke-width=\"3\"/>", "endpoint \(name)"))
        }
        items.append(("<line x1=\"0\" y1=\"-4\" x2=\"22\" y2=\"-4\" stroke=\"#333\" stroke-width=\"1.6\"/>", "p50"))
        items.append(("<line x1=\"0\" y1=\"-4\" x2=\"22\" y2=\"-4\" stroke=\"#333\" stroke-width=\"1.2\" stroke-dasharray=\"4 2\"/>", "p99"))
        items.append(("<rect x=\"0\" y=\"-10\" width=\"22\" height=\"11\" fill=\"#f9d9d4\"/>", "fault window"))
        items.append(("<line x1=\"11\" y1=\"-11\" x2=\"11\" y2=\"2\" stroke=\"#444\" stroke-dasharray=\"4 3\"/>", "failover phase"))
        if markers.contains(where: { $0.style == .rollback }) {
            items.append(("<line x1=\"11\" y1=\"-11\" x2=\"11\" y2=\"2\" stroke=\"#7d3c98\" stroke-width=\"1.4\" stroke-dasharray=\"1.5 2.5\"/>", "rollback"))
        }
        var out = "<g fill=\"#222\">\n"
        var px = Self.plotLeft
        var y = top + 12
        for item in items {
            let w = 28 + Self.textWidth(item.label) + 18
            if px + w > Self.plotRight, px > Self.plotLeft {
                px = Self.plotLeft
                y += 18
            }
            out += "<g transform=\"translate(\(n(px)) \(n(y)))\">\(item.swatch)<text x=\"28\" y=\"0\">\(text(item.label))</text></g>\n"
            px += w
        }
        return (out + "</g>\n", y + 4)
    }
}
