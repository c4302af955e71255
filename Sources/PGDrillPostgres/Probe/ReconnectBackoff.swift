/// How long a probe writer waits after a connection was refused or the endpoint was unreachable, before it
/// tries again.
///
/// Bounded and short, because the wait is the resolution of RTO after a connection-refused outage (a
/// postmaster kill, a proxy restart): the first acknowledgement after the server is back can come no sooner
/// than the writer's next try. A ceiling that doubles from `floor` to `cap` on each consecutive failure, and
/// a wait drawn uniformly from [max(floor, ceiling/2), ceiling]: every wait lies in [floor, cap] (10–50 ms by
/// default, so recovery is seen within 50 ms), consecutive failures spread out towards `cap` (at most
/// 1/floor connects per second per writer, ~27/s once at the cap — never a reconnect storm), and the writers'
/// jitter keeps them from retrying in lockstep. Reset on success.
public struct ReconnectBackoff: Sendable {
    public let floor: Duration
    public let cap: Duration
    private var ceiling: Duration

    public init(floor: Duration = .milliseconds(10), cap: Duration = .milliseconds(50)) {
        precondition(floor > .zero && cap >= floor)
        self.floor = floor
        self.cap = cap
        ceiling = floor
    }

    /// The wait before the next try after one more consecutive failure.
    public mutating func next<R: RandomNumberGenerator>(using rng: inout R) -> Duration {
        let high = ceiling
        let low = max(floor, high / 2)
        ceiling = min(cap, ceiling * 2)
        let lowNanos = Self.nanos(low), highNanos = Self.nanos(high)
        return .nanoseconds(highNanos > lowNanos ? Int64.random(in: lowNanos...highNanos, using: &rng) : lowNanos)
    }

    public mutating func next() -> Duration {
        var rng = SystemRandomNumberGenerator()
        return next(using: &rng)
    }

    /// After a success: the next failure waits from `floor` again.
    public mutating func reset() { ceiling = floor }

    static func nanos(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }
}
