/// The application's view of one endpoint, reconstructed from its closed-loop writers (DESIGN §6,
/// "Error rate").
///
/// A writer's timeline is cut at the start of each of its attempts: the stretch from one attempt's
/// start to the next one's start belongs to that attempt — its own duration plus any back-off after
/// it. A request an application issued inside that stretch would have met the same server state, so it
/// fails when the attempt was not ok (fail or indeterminate) and succeeds, however slowly, when it was
/// acknowledged. The last attempt of a writer owns [start, end]. Time, not attempts, is what is counted:
/// the probe makes thousands of attempts a second while writes succeed and tens while they fail, so a
/// per-attempt share measures the probe's back-off, not what the application saw.
struct RequestTimeline {
    private var last: [(start: Int64, end: Int64, failing: Bool)?] = []

    /// A stretch of one writer's timeline and whether requests in it failed.
    struct Segment: Equatable {
        var from: Int64
        var to: Int64
        var failing: Bool
    }

    /// Takes `a` and returns the stretch its writer's previous attempt owned, if any.
    mutating func add(_ a: ProbeAttempt) -> Segment? {
        let w = a.writer
        guard w >= 0 else { return nil }
        if w >= last.count { last.append(contentsOf: repeatElement(nil, count: w - last.count + 1)) }
        var segment: Segment?
        if let p = last[w] {
            // A writer's attempts are sequential; one out of order (a hand-edited log) never moves time back.
            guard a.start >= p.start else { return nil }
            if a.start > p.start { segment = Segment(from: p.start, to: a.start, failing: p.failing) }
        }
        last[w] = (a.start, a.end, a.outcome != .ok)
        return segment
    }

    /// Each writer's last attempt as its stretch, [start, end]; the timeline is empty afterwards.
    mutating func finish() -> [Segment] {
        defer { last = [] }
        return last.compactMap { $0 }.filter { $0.end > $0.start }.map { Segment(from: $0.start, to: $0.end, failing: $0.failing) }
    }

    /// Each writer's last attempt end, by writer: a writer whose record stops early died or was stuck.
    var lastEnds: [(writer: Int, end: Int64)] {
        last.enumerated().compactMap { w, p in p.map { (w, $0.end) } }
    }

    /// The length of [from, to) inside [lower, upper].
    static func overlap(_ from: Int64, _ to: Int64, _ lower: Int64, _ upper: Int64) -> Int64 {
        max(0, min(to, upper) - max(from, lower))
    }
}
