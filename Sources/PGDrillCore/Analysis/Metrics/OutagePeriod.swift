/// One period in which an endpoint refused or lost writes (DESIGN §6: every outage is listed, not
/// only the first — a heal can cause a second one).
///
/// Definition: take the union of the intervals [start, end] of every fail and indeterminate attempt;
/// two consecutive pieces of that union belong to the same outage unless an ok attempt was
/// acknowledged (ended) strictly between them. So a writer's back-off pause between two failed
/// connects does not split an outage, but one acknowledged write does.
public struct OutagePeriod: Codable, Sendable, Equatable {
    /// Start of the first non-ok attempt, µs on the run clock.
    public var start: Int64
    /// End of the last non-ok attempt, µs on the run clock.
    public var end: Int64
    /// Attempts certainly not committed.
    public var failed: Int
    /// Attempts whose commit may or may not have happened.
    public var indeterminate: Int

    public init(start: Int64, end: Int64, failed: Int, indeterminate: Int) {
        self.start = start
        self.end = end
        self.failed = failed
        self.indeterminate = indeterminate
    }

    /// `end - start`, µs.
    public var duration: Int64 { end - start }
}
