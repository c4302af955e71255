/// The share of attempts the application saw fail from t0 to the end of observation.
///
/// Counted attempts are those overlapping [t0, observeEnd] (start ≤ observeEnd and end ≥ t0), so an
/// attempt in flight when the fault was sent counts. The window runs from the start of the first
/// non-ok counted attempt to the end of the last one.
public struct ErrorRate: Codable, Sendable, Equatable {
    /// Attempts counted.
    public var attempts: Int
    public var failed: Int
    public var indeterminate: Int
    /// Start of the first non-ok attempt counted, µs on the run clock.
    public var windowStart: Int64?
    /// End of the last non-ok attempt counted, µs on the run clock.
    public var windowEnd: Int64?

    public init(attempts: Int, failed: Int, indeterminate: Int, windowStart: Int64?, windowEnd: Int64?) {
        self.attempts = attempts
        self.failed = failed
        self.indeterminate = indeterminate
        self.windowStart = windowStart
        self.windowEnd = windowEnd
    }

    /// (failed + indeterminate) / attempts, 0…1; 0 when nothing was attempted.
    public var rate: Double {
        attempts == 0 ? 0 : Double(failed + indeterminate) / Double(attempts)
    }

    /// Length of the error window, µs; nil when nothing failed.
    public var window: Int64? {
        guard let windowStart, let windowEnd else { return nil }
        return windowEnd - windowStart
    }
}
