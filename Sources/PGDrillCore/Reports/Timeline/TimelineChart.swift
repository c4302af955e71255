/// The layout of one timeline: a title, a strip of marker labels, three panels sharing the time
/// axis (acked/s, errors/s, latency), the time axis and a legend. Built from bucketed counts, so
/// drawing never touches the probe log.
struct TimelineChart {
    let drill: DrillReport
    let bins: TimelineBins
    let redactor: Redactor

    // Geometry, in SVG user units (px at 100 %).
    static let width = 1000.0
    static let plotLeft = 76.0
    static let plotRight = 976.0
    static let markerRowHeight = 15.0
    static let panelTitleHeight = 20.0
    static let plotHeight = 118.0
    static let panelGap = 14.0
    /// Okabe–Ito colours: distinguishable with the common colour-vision deficiencies.
    static let palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]

    /// Time range shown, µs on the run clock: the buckets and the drill's own span together.
    let start: Int64
    let end: Int64
    /// Zero of the axis: the fault (t0), else the start.
    let zero: Int64
    let markers: [TimelineMarker]
    /// Endpoints drawn, main endpoint first.
    let endpoints: [String]

    init(drill: DrillReport, bins: TimelineBins, redactor: Redactor) {
        self.drill = drill
        self.bins = bins
        self.redactor = redactor
        markers = TimelineMarker.markers(of: drill)
        var lower = [drill.metrics?.steadyStart, markers.first?.at].compactMap { $0 }
        var upper = [drill.metrics?.runEnd, markers.last?.at].compactMap { $0 }
        if bins.count > 0 {
            lower.append(bins.start(ofBucket: 0))
            upper.append(bins.start(ofBucket: bins.count))
        }
        let start = lower.min() ?? 0
        self.start = start
        end = max(upper.max() ?? start, start + 1_000_000)
        zero = markers.first { $0.style == .fault }?.at ?? start
        let named = drill.metrics?.endpoints.map(\.endpoint) ?? []
        endpoints = named.filter { bins.series($0) != nil } + bins.endpoints.filter { !named.contains($0) }
    }

    /// x of a run-clock time.
    func x(_ t: Int64) -> Double {
        Self.plotLeft + Double(t - start) / Double(end - start) * (Self.plotRight - Self.plotLeft)
    }

    func color(_ endpointIndex: Int) -> String { Self.palette[endpointIndex % Self.palette.count] }

    /// Redacted text, escaped for XML.
    func text(_ s: String) -> String { MarkupEscaping.xml(redactor.redact(s)) }

    /// An SVG number: at most one decimal.
    func n(_ v: Double) -> String { TimelineAxis.trimmed(v) }

    /// Rough width of `s` in sans-serif (DejaVu Sans, the widest common one, averages ~0.6 em).
    static func textWidth(_ s: String, size: Double = 11) -> Double { Double(s.count) * size * 0.62 }

    func document() -> String {
        var body = ""
        var y = 24.0
        body += "<text x=\"\(n(Self.plotLeft))\" y=\"\(n(y))\" font-size=\"17\" font-weight=\"bold\">\(text(title))</text>\n"
        y += 19
        body += "<text x=\"\(n(Self.plotLeft))\" y=\"\(n(y))\" font-size=\"12\" fill=\"#444\">\(text(subtitle))</text>\n"
        y += 12

        let (labels, rows) = markerLabels(top: y)
        let panelsTop = y + Double(rows) * Self.markerRowHeight + 6
        var panelTops: [Double] = []
        var top = panelsTop
        for _ in 0..<3 {
            panelTops.append(top)
            top += Self.panelTitleHeight + Self.plotHeight + Self.panelGap
        }
        let plotsBottom = panelTops[2] + Self.panelTitleHeight + Self.plotHeight

        body += faultWindow(panelTops: panelTops)
        body += throughputPanel(top: panelTops[0])
        body += errorPanel(top: panelTops[1])
        body += latencyPanel(top: panelTops[2])
        body += markerLines(labels: labels, panelTops: panelTops)
        let (axis, axisBottom) = timeAxis(top: plotsBottom)
        body += axis
        let (legendText, height) = legend(top: axisBottom + 10)
        body += legendText

        let h = n(height + 10)
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(Int(Self.width))\" height=\"\(h)\" "
        out += "viewBox=\"0 0 \(Int(Self.width)) \(h)\" font-family=\"sans-serif\" font-size=\"11\">\n"
        out += "<title>\(text(title))</title>\n"
        out += "<desc>\(text("Probe timeline of drill \(drill.name): acknowledged writes/s, share of requests failing and latency per endpoint; x axis in seconds after the fault was sent."))</desc>\n"
        out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
        out += body
        out += "</svg>\n"
        return out
    }

    var title: String { "\(drill.name) — \(drill.verdict.rawValue)" }

    var subtitle: String {
        var parts: [String] = []
        if !drill.scenario.isEmpty { parts.append(drill.scenario) }
        if let m = drill.metrics {
            parts.append("RTO \(ReportFormat.rto(m.main.recovery))")
            parts.append("app errors \(ReportFormat.errorRate(m.main.errorRate))")
        }
        parts.append(bins.count > 0 ? "buckets of \(ReportFormat.duration(bins.width))" : "no probe attempts recorded")
        return parts.joined(separator: " · ")
    }
}
