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

    /// Analyses the attempts. `attempts` must be multi-pass: it is iterated twice.
    public func analyze<Attempts: Sequence>(_ attempts: Attempts) -> DrillMetrics where Attempts.Element == ProbeAttempt {
        let input = input
        var trackers: [String: EndpointTracker] = [:]
        var verifier = input.readBack.map(WriteVerifier.init)
        var ackRanges = AckRangeTracker(t0: input.t0)
        var timelines = TimelineTracker(t0: input.t0)
        var lastBeforeFault: (end: Int64, server: String)?

        // Pass 1: outage pieces, error windows, write verification, ack ranges, timelines.
        for a in attempts where a.end <= input.runEnd {
            trackers[a.endpoint, default: EndpointTracker(name: a.endpoint, t0: input.t0, observeEnd: input.observeEnd)].firstPass(a)
            let isMain = a.endpoint == input.endpoint
            if isMain, a.outcome == .ok, a.end < input.t0, let server = a.server, lastBeforeFault.map({ a.end > $0.end }) ?? true {
                lastBeforeFault = (a.end, server)
            }
            guard !input.readEndpoints.contains(a.endpoint) else { continue }
            verifier?.firstPass(a)
            ackRanges.firstPass(a)
            timelines.add(a, isMainEndpoint: isMain)
        }

        if trackers[input.endpoint] == nil {
            trackers[input.endpoint] = EndpointTracker(name: input.endpoint, t0: input.t0, observeEnd: input.observeEnd)
        }
        let duringEnd = min(max(trackers[input.endpoint]!.lastFaultOutageEnd ?? input.observeEnd, input.t0), max(input.runEnd, input.t0))
        let bounds: [(PeriodStatistics.Period, Int64, Int64)] = [
            (.baseline, input.steadyStart, input.t0), (.during, input.t0, duringEnd), (.after, duringEnd, input.runEnd),
        ]
        for name in trackers.keys { trackers[name]!.prepareSecondPass(periods: bounds) }
        ackRanges.prepareSecondPass(serverNodes: input.serverNodes)
        let oldServer = lastBeforeFault?.server
        var client: (end: Int64, server: String)?

        // Pass 2: gaps with acks, stable-period candidates, latency, RPO, acks inside overlaps.
        for a in attempts where a.end <= input.runEnd {
            trackers[a.endpoint]?.secondPass(a)
            if a.endpoint == input.endpoint, a.outcome == .ok, a.end >= input.t0, let server = a.server, server != oldServer,
               client.map({ a.end < $0.end }) ?? true {
                client = (a.end, server)
            }
            guard !input.readEndpoints.contains(a.endpoint) else { continue }
            verifier?.secondPass(a)
            ackRanges.secondPass(a)
        }

        let events = ClusterEventAnalysis(input)
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
            writes: verifier?.verification(), rpo: verifier?.recoveryPoint(),
            splitBrain: SplitBrainReport(ackOverlaps: ackRanges.overlaps, writableOverlaps: events.writableOverlaps),
            phases: FailoverPhases(detection: events.detection, promotion: events.promotion, routing: events.routing, client: clientMark),
            timelineEvidence: timelines.evidence,
            oldPrimary: input.oldPrimary, newPrimary: events.newPrimary, oldServer: oldServer, newServer: client?.server
        )
    }
}
