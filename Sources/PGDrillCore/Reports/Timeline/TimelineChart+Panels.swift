import Foundation

extension TimelineChart {
    /// Top of panel's plot area, given the panel's top.
    func plotTop(_ panelTop: Double) -> Double { panelTop + Self.panelTitleHeight }

    /// Panel title, frame, horizontal gridlines with their labels and the vertical time gridlines.
    func panelFrame(top: Double, title: String, yTicks: [(y: Double, label: String)]) -> String {
        let plotTop = plotTop(top)
        let bottom = plotTop + Self.plotHeight
        var out = "<g>\n<text x=\"\(n(Self.plotLeft))\" y=\"\(n(top + 14))\" font-size=\"12\" font-weight=\"bold\" fill=\"#222\">\(text(title))</text>\n"
        for tick in timeTicks {
            let px = x(tick)
            out += "<line x1=\"\(n(px))\" y1=\"\(n(plotTop))\" x2=\"\(n(px))\" y2=\"\(n(bottom))\" stroke=\"#e4e4e4\"/>\n"
        }
        for tick in yTicks {
            out += "<line x1=\"\(n(Self.plotLeft))\" y1=\"\(n(tick.y))\" x2=\"\(n(Self.plotRight))\" y2=\"\(n(tick.y))\" stroke=\"#e4e4e4\"/>\n"
            out += "<text x=\"\(n(Self.plotLeft - 6))\" y=\"\(n(tick.y + 4))\" text-anchor=\"end\" fill=\"#444\">\(text(tick.label))</text>\n"
        }
        out += "<rect x=\"\(n(Self.plotLeft))\" y=\"\(n(plotTop))\" width=\"\(n(Self.plotRight - Self.plotLeft))\" height=\"\(n(Self.plotHeight))\" fill=\"none\" stroke=\"#999\"/>\n"
        return out + "</g>\n"
    }

    /// A note in the middle of an empty panel.
    func emptyNote(top: Double, _ note: String) -> String {
        let y = plotTop(top) + Self.plotHeight / 2
        return "<text x=\"\(n((Self.plotLeft + Self.plotRight) / 2))\" y=\"\(n(y))\" text-anchor=\"middle\" fill=\"#777\">\(text(note))</text>\n"
    }

    /// Per-second rates of `count(i)` per bucket; nil for edge buckets the run barely covers.
    func rates(_ count: (Int) -> Int) -> [Double?] {
        (0..<bins.count).map { i in bins.coveredSeconds(ofBucket: i).map { Double(count(i)) / $0 } }
    }

    func throughputPanel(top: Double) -> String {
        let values = endpoints.map { name in
            let s = bins.series(name)!
            return rates { s.ok[$0] }
        }
        return linearPanel(top: top, title: "Acknowledged writes/s", values: values, fill: false,
                           emptyNote: "no probe attempts recorded")
    }

    /// The share of the application's requests failing per bucket, 0–100 % (writer-time in failed attempts
    /// and their back-off): what the application saw. Failed attempts per second would plot the probe's
    /// back-off instead — tens per second while every write fails.
    func errorPanel(top: Double) -> String {
        let values = endpoints.map { name in
            let s = bins.series(name)!
            return s.ok.indices.map { s.failingShare($0).map { $0 * 100 } }
        }
        let title = "Requests failing (% of the application's requests: time in failed attempts and back-off)"
        let bottom = plotTop(top) + Self.plotHeight
        let y = { (v: Double) in bottom - min(max(v, 0), 100) / 100 * Self.plotHeight }
        var out = panelFrame(top: top, title: title, yTicks: [0.0, 25, 50, 75, 100].map { (y($0), "\(Int($0))%") })
        guard values.joined().contains(where: { ($0 ?? 0) > 0 }) else {
            return out + emptyNote(top: top, endpoints.isEmpty ? "no probe attempts recorded" : "no errors")
        }
        for (e, series) in values.enumerated() {
            let segments = stepSegments(series, y: y)
            let area = segments.map { "\($0.d)V\(n(bottom))H\(n($0.startX))Z" }.joined()
            out += "<path d=\"\(area)\" fill=\"\(color(e))\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            out += "<path d=\"\(segments.map(\.d).joined())\" fill=\"none\" stroke=\"\(color(e))\" stroke-width=\"1.4\" stroke-linejoin=\"round\"/>\n"
        }
        return out
    }

    /// A panel of one step line per endpoint on a linear axis from 0.
    func linearPanel(top: Double, title: String, values: [[Double?]], fill: Bool, emptyNote note: String) -> String {
        let maximum = values.joined().compactMap { $0 }.max() ?? 0
        let axis = TimelineAxis.linear(maximum: maximum)
        let bottom = plotTop(top) + Self.plotHeight
        let y = { (v: Double) in bottom - min(v, axis.top) / axis.top * Self.plotHeight }
        var out = panelFrame(top: top, title: title, yTicks: axis.ticks.map { (y($0), TimelineAxis.rate($0)) })
        guard maximum > 0 else { return out + emptyNote(top: top, note) }
        for (e, series) in values.enumerated() {
            let segments = stepSegments(series, y: y)
            if fill {
                let area = segments.map { "\($0.d)V\(n(bottom))H\(n($0.startX))Z" }.joined()
                out += "<path d=\"\(area)\" fill=\"\(color(e))\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            out += "<path d=\"\(segments.map(\.d).joined())\" fill=\"none\" stroke=\"\(color(e))\" stroke-width=\"1.4\" stroke-linejoin=\"round\"/>\n"
        }
        return out
    }

    func latencyPanel(top: Double) -> String {
        let title = "Latency of acknowledged writes (log scale): p50 solid, p99 dashed"
        let quantiles = endpoints.map { name in
            let s = bins.series(name)!
            return (p50: s.ok.indices.map { s.latency(0.5, bucket: $0) }, p99: s.ok.indices.map { s.latency(0.99, bucket: $0) })
        }
        let all = quantiles.flatMap { $0.p50 + $0.p99 }.compactMap { $0 }
        guard let low = all.min(), let high = all.max() else {
            return panelFrame(top: top, title: title, yTicks: []) + emptyNote(top: top, "no acknowledged writes")
        }
        var lo = max(Double(LatencyBins.lowestDecade), log10(low).rounded(.down))
        var hi = log10(high).rounded(.up)
        if hi - lo < 2 { lo = max(Double(LatencyBins.lowestDecade), hi - 2); hi = lo + 2 }
        let bottom = plotTop(top) + Self.plotHeight
        let y = { (v: Double) in bottom - (min(max(log10(v), lo), hi) - lo) / (hi - lo) * Self.plotHeight }
        let ticks = stride(from: lo, through: hi, by: 1).map { (y(pow(10, $0)), TimelineAxis.latency(pow(10, $0))) }
        var out = panelFrame(top: top, title: title, yTicks: ticks)
        for (e, q) in quantiles.enumerated() {
            out += "<path d=\"\(stepPath(q.p99, y: y))\" fill=\"none\" stroke=\"\(color(e))\" stroke-width=\"1.2\" stroke-dasharray=\"4 2\" opacity=\"0.9\"/>\n"
            out += "<path d=\"\(stepPath(q.p50, y: y))\" fill=\"none\" stroke=\"\(color(e))\" stroke-width=\"1.6\"/>\n"
        }
        return out
    }

    /// A step line over the buckets (each value held across its bucket) as path data.
    func stepPath(_ values: [Double?], y: (Double) -> Double) -> String {
        stepSegments(values, y: y).map(\.d).joined()
    }

    /// The step line's pieces between nil values, each with the x it starts at (to close an area).
    func stepSegments(_ values: [Double?], y: (Double) -> Double) -> [(d: String, startX: Double)] {
        var segments: [(d: String, startX: Double)] = []
        var lastY: String?
        for (i, value) in values.enumerated() {
            guard let value else { lastY = nil; continue }
            let yy = n(y(value))
            if lastY == nil {
                let x0 = x(bins.start(ofBucket: i))
                segments.append(("M\(n(x0)) \(yy)", x0))
            } else if yy != lastY {
                segments[segments.count - 1].d += "V\(yy)"
            }
            segments[segments.count - 1].d += "H\(n(x(bins.start(ofBucket: i + 1))))"
            lastY = yy
        }
        return segments
    }

    /// Shades the fault window on every panel.
    func faultWindow(panelTops: [Double]) -> String {
        guard let window = TimelineMarker.faultWindow(of: drill) else { return "" }
        let x0 = x(window.lowerBound)
        let w = max(1, x(window.upperBound) - x0)
        return panelTops.map { top in
            "<rect x=\"\(n(x0))\" y=\"\(n(plotTop(top)))\" width=\"\(n(w))\" height=\"\(n(Self.plotHeight))\" fill=\"#f9d9d4\"/>\n"
        }.joined()
    }
}
