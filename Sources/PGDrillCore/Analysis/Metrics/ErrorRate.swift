/// The share of the application's requests that failed from t0 to the end of observation (DESIGN §6).
///
/// **Application view** (`rate`): writer-time, not attempts. Each writer's timeline from t0 to the end
/// of observation is cut at its attempts' starts (see `RequestTimeline`); the stretches owned by failed
/// or indeterminate attempts (with the back-off after them) are the time an application issuing requests
/// at a steady rate would have seen its requests fail. `rate` = failing writer-time / observed
/// writer-time, so `rate × observed` is the seconds of total outage it amounts to: a 20 s outage in a
/// 60 s window is 33 %.
///
/// **Per attempt** (`attemptRate`): (failed + indeterminate) / attempts overlapping [t0, observeEnd]
/// (start ≤ observeEnd and end ≥ t0). Kept as a secondary figure: a closed-loop probe makes thousands
/// of attempts a second while writes succeed and tens while they fail, so it mostly measures the probe's
/// back-off.
///
/// The error window runs from the start of the first non-ok counted attempt to the end of the last one.
public struct ErrorRate: Codable, Sendable, Equatable {
    /// Attempts counted.
    public var attempts: Int
    public var failed: Int
    public var indeterminate: Int
    /// Start of the first non-ok attempt counted, µs on the run clock.
    public var windowStart: Int64?
    /// End of the last non-ok attempt counted, µs on the run clock.
    public var windowEnd: Int64?
    /// Length of [t0, observeEnd], µs: the span the application-view share is over.
    public var observed: Int64
    /// Writer-time inside [t0, observeEnd] the probe's attempts account for, µs summed over writers.
    public var requestTime: Int64
    /// Of `requestTime`, the time owned by failed or indeterminate attempts, µs.
    public var failingTime: Int64

    public init(attempts: Int, failed: Int, indeterminate: Int, windowStart: Int64?, windowEnd: Int64?,
                observed: Int64 = 0, requestTime: Int64 = 0, failingTime: Int64 = 0) {
        self.attempts = attempts
        self.failed = failed
        self.indeterminate = indeterminate
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.observed = observed
        self.requestTime = requestTime
        self.failingTime = failingTime
    }

    /// The application's share of failed requests, 0…1 (failing / request writer-time). With no request
    /// time (nothing attempted, or a report from before the application view) the per-attempt share.
    public var rate: Double {
        requestTime <= 0 ? attemptRate : Double(failingTime) / Double(requestTime)
    }

    /// (failed + indeterminate) / attempts, 0…1; 0 when nothing was attempted.
    public var attemptRate: Double {
        attempts == 0 ? 0 : Double(failed + indeterminate) / Double(attempts)
    }

    /// Whether any request of the window failed.
    public var anyFailed: Bool { failed + indeterminate > 0 || failingTime > 0 }

    /// Length of the error window, µs; nil when nothing failed.
    public var window: Int64? {
        guard let windowStart, let windowEnd else { return nil }
        return windowEnd - windowStart
    }

    enum CodingKeys: String, CodingKey {
        case attempts, failed, indeterminate, windowStart, windowEnd, observed, requestTime, failingTime, rate, attemptRate
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Reports written before the application view (schema 1 without these keys) read as per-attempt only.
        self.init(
            attempts: try c.decode(Int.self, forKey: .attempts), failed: try c.decode(Int.self, forKey: .failed),
            indeterminate: try c.decode(Int.self, forKey: .indeterminate),
            windowStart: try c.decodeIfPresent(Int64.self, forKey: .windowStart), windowEnd: try c.decodeIfPresent(Int64.self, forKey: .windowEnd),
            observed: try c.decodeIfPresent(Int64.self, forKey: .observed) ?? 0,
            requestTime: try c.decodeIfPresent(Int64.self, forKey: .requestTime) ?? 0,
            failingTime: try c.decodeIfPresent(Int64.self, forKey: .failingTime) ?? 0
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(attempts, forKey: .attempts)
        try c.encode(failed, forKey: .failed)
        try c.encode(indeterminate, forKey: .indeterminate)
        try c.encodeIfPresent(windowStart, forKey: .windowStart)
        try c.encodeIfPresent(windowEnd, forKey: .windowEnd)
        try c.encode(observed, forKey: .observed)
        try c.encode(requestTime, forKey: .requestTime)
        try c.encode(failingTime, forKey: .failingTime)
        // Derived, written for readers of the JSON; recomputed from the fields above when read back.
        try c.encode(rate, forKey: .rate)
        try c.encode(attemptRate, forKey: .attemptRate)
    }
}
