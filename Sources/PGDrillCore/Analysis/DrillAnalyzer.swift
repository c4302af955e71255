/// Computes a drill's `DrillMetrics` from its recorded events: a pure function, testable with a
/// hand-built event log and repeatable from a report's JSON and probe log (DESIGN §6).
///
/// The attempts are read twice (`ProbeLogReader` and arrays both allow it) and never held in
/// memory: what is kept is bounded by the number of outages, lost and phantom writes, and servers,
/// plus fixed-size latency histograms.
public struct DrillAnalyzer: Sendable {
    public var input: DrillAnalysisInput

    public init(_ input: DrillAnalysisInput) {
        self.input = input
    }

    /// Analyses a probe log on disk, counting the timeline chart's buckets in `timeline` during the first
    /// pass. The same figures as `analyze(_:)`, compiled for the reader's concrete type: called from another
    /// module, the generic `analyze(_:)` runs unspecialised and copies every attempt through witness tables,
    /// which was a third of a 10-minute drill's report time.
    public func analyze(log: ProbeLogReader, timeline: TimelineSVG.Gathered? = nil) -> DrillMetrics {
        guard let timeline else { return analyze(log) }
        return analyze(timeline.tapping(log))
    }

    /// Analyses the attempts. `attempts` must be multi-pass: it is iterated twice.
    public func analyze<Attempts: Sequence>(_ attempts: Attempts) -> DrillMetrics where Attempts.Element == ProbeAttempt {
        let input = input
        // What the per-attempt work reads, as plain values: over millions of attempts a String-keyed
        // dictionary lookup or a copy of the input per attempt is a measurable share of the report's time.
        let t0 = input.t0, runEnd = input.runEnd, mainEndpoint = input.endpoint
        var endpoints = EndpointTrackers(t0: t0, observeEnd: input.observeEnd, readEndpoints: input.readEndpoints)
        let mainIndex = endpoints.index(of: mainEndpoint)  // present even with no attempts
        var verifier = input.readBack.map(WriteVerifier.init)
        var ackRanges = AckRangeTracker(t0: t0)
        var timelines = TimelineTracker(t0: t0)
        var lastBeforeFault: (end: Int64, server: String)?

        // Pass 1: outage pieces, error windows, write verification, ack ranges, timelines.
        for a in attempts where a.end <= runEnd {
            let e = endpoints.index(of: a.endpoint)
            endpoints.trackers[e].firstPass(a)
            let isMain = a.endpoint == mainEndpoint
            if isMain, a.outcome == .ok, a.end < t0, let server = a.server, lastBeforeFault.map({ a.end > $0.end }) ?? true {
                lastBeforeFault = (a.end, server)
            }
            guard !endpoints.isRead[e] else { continue }
            verifier?.firstPass(a)
            ackRanges.firstPass(a)
            timelines.add(a, isMainEndpoint: isMain)
        }

        for i in endpoints.trackers.indices { endpoints.trackers[i].finishFirstPass() }
        let duringEnd = min(max(endpoints.trackers[mainIndex].lastFaultOutageEnd ?? input.observeEnd, input.t0), max(input.runEnd, input.t0))
        let bounds: [(PeriodStatistics.Period, Int64, Int64)] = [
            (.baseline, input.steadyStart, input.t0), (.during, input.t0, duringEnd), (.after, duringEnd, input.runEnd),
        ]
        for i in endpoints.trackers.indices { endpoints.trackers[i].prepareSecondPass(periods: bounds) }
        ackRanges.prepareSecondPass(serverNodes: input.serverNodes)
        let oldServer = lastBeforeFault?.server
        var client: (end: Int64, server: String)?
        let events = ClusterEventAnalysis(input)
        var writable = events.writableOverlaps
        let serverNodes = input.serverNodes

        // Pass 2: gaps with acks, stable-period candidates, latency, RPO, acks inside overlaps.
        for a in attempts where a.end <= runEnd {
            let e = endpoints.knownIndex(of: a.endpoint)
            if let e { endpoints.trackers[e].secondPass(a) }
            if a.endpoint == mainEndpoint, a.outcome == .ok, a.end >= t0, let server = a.server, server != oldServer,
               client.map({ a.end < $0.end }) ?? true {
                client = (a.end, server)
            }
            guard !(e.map { endpoints.isRead[$0] } ?? input.readEndpoints.contains(a.endpoint)) else { continue }
            verifier?.secondPass(a)
            ackRanges.secondPass(a)
            if !writable.isEmpty, a.outcome == .ok, let server = a.server, let node = serverNodes[server] {
                for i in writable.indices where a.end >= writable[i].from && a.end <= writable[i].to {
                    if node == writable[i].nodeA { writable[i].acksA! += 1 }
                    if node == writable[i].nodeB { writable[i].acksB! += 1 }
                }
            }
        }
        let trackers = endpoints.byName

        let main = trackers[input.endpoint]!
        var clientMark = client.map {
            PhaseMark(offset: $0.end - input.t0, node: input.serverNodes[$0.server] ?? $0.server, detail: "first ack from a new server")
        }
        if clientMark == nil, let firstRun = main.outageRuns().first(where: { $0.period.end > input.t0 }),
           let ack = main.firstAck(after: firstRun) {
            clientMark = PhaseMark(offset: ack - input.t0, node: oldServer.map { input.serverNodes[$0] ?? $0 }, detail: "first ack after the outage")
        }

        let alsoNames = input.also.filter { $0 != input.endpoint && trackers[$0] != nil }
            + trackers.keys.filter { $0 != input.endpoint && !input.also.contains($0) }.sorted()
        func endpointMetrics(_ name: String) -> EndpointMetrics {
            let lost = input.readEndpoints.contains(name) ? nil : verifier?.lostWrites(endpoint: name)
            return trackers[name]!.metrics(stableFor: input.stableFor, lostWrites: lost)
        }

        return DrillMetrics(
            t0: input.t0, steadyStart: input.steadyStart, observeEnd: input.observeEnd, runEnd: input.runEnd,
            stableFor: input.stableFor,
            main: endpointMetrics(input.endpoint), also: alsoNames.map(endpointMetrics),
            writes: verifier?.verification(serverNodes: input.serverNodes), rpo: verifier?.recoveryPoint(),
            splitBrain: SplitBrainReport(ackOverlaps: ackRanges.overlaps, writableOverlaps: writable),
            phases: FailoverPhases(detection: events.detection, promotion: events.promotion, routing: events.routing, client: clientMark),
            timelineEvidence: timelines.evidence,
            oldPrimary: input.oldPrimary, newPrimary: events.newPrimary, oldServer: oldServer, newServer: client?.server,
            recordProblems: Self.recordProblems(input, trackers: trackers, mainIndex: endpoints.trackers[mainIndex])
        )
    }

    /// Ways the record is not whole: the main endpoint silent after t0, a writer that stopped recording
    /// well before observation ended, a writer that never recorded anything.
    static func recordProblems(_ input: DrillAnalysisInput, trackers: [String: EndpointTracker], mainIndex main: EndpointTracker) -> [String] {
        var problems: [String] = []
        if main.attemptsAfterT0 == 0 {
            problems.append("the probe recorded no attempt on endpoint '\(input.endpoint)' after the fault was sent: nothing was measured")
        }
        for name in input.also where trackers[name] == nil {
            problems.append("the probe recorded no attempt at all on endpoint '\(name)'")
        }
        for name in [input.endpoint] + trackers.keys.filter({ $0 != input.endpoint }).sorted() {
            guard let tracker = trackers[name] else { continue }
            let seen = Dictionary(uniqueKeysWithValues: tracker.writerLastEnds.map { ($0.writer, $0.end) })
            for w in 0..<max(input.writers ?? 0, (seen.keys.max() ?? -1) + 1) {
                guard let end = seen[w] else {
                    problems.append("writer \(w) of endpoint '\(name)' recorded no attempt at all")
                    continue
                }
                if end < input.observeEnd - input.writerSilenceLimit {
                    let at = end - input.t0
                    problems.append("writer \(w) of endpoint '\(name)' recorded nothing after \(at < 0 ? "-" : "+")\(ReportFormat.duration(abs(at))) (its thread died or hung): the record is incomplete")
                }
            }
        }
        return problems
    }
}

/// The endpoints' trackers in the order their first attempt was seen, found by comparing names (a
/// handful of endpoints; the last one found is tried first).
private struct EndpointTrackers {
    private let t0: Int64
    private let observeEnd: Int64
    private let readEndpoints: Set<String>
    private var names: [String] = []
    private var last = 0
    var trackers: [EndpointTracker] = []
    /// Whether endpoint i is probed with reads (left out of write verification and split-brain checks).
    private(set) var isRead: [Bool] = []

    init(t0: Int64, observeEnd: Int64, readEndpoints: Set<String>) {
        self.t0 = t0
        self.observeEnd = observeEnd
        self.readEndpoints = readEndpoints
    }

    /// The index of `name`'s tracker, added if it is new.
    mutating func index(of name: String) -> Int {
        if let i = knownIndex(of: name) { return i }
        names.append(name)
        trackers.append(EndpointTracker(name: name, t0: t0, observeEnd: observeEnd))
        isRead.append(readEndpoints.contains(name))
        last = names.count - 1
        return last
    }

    mutating func knownIndex(of name: String) -> Int? {
        if last < names.count, names[last] == name { return last }
        guard let i = names.firstIndex(of: name) else { return nil }
        last = i
        return i
    }

    var byName: [String: EndpointTracker] { Dictionary(uniqueKeysWithValues: zip(names, trackers)) }
}
