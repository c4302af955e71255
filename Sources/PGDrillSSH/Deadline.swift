#if canImport(Glibc)
import Glibc
#endif

/// A point on the monotonic clock by which an operation must be over.
///
/// Every wait in this module is a `poll(2)` bounded by one of these, which is what turns a host
/// that stops answering into `.timeout` instead of a hang.
struct Deadline: Sendable {
    private let instant: ContinuousClock.Instant
    /// The whole time allowed, for error messages ("timed out after 2s").
    let budget: Duration

    init(after duration: Duration) {
        instant = ContinuousClock.now.advanced(by: duration)
        budget = duration
    }

    /// Whichever of the two comes first.
    static func earliest(_ a: Deadline, _ b: Deadline) -> Deadline { a.instant < b.instant ? a : b }

    var hasPassed: Bool { ContinuousClock.now >= instant }

    var remaining: Duration { max(.zero, ContinuousClock.now.duration(to: instant)) }

    /// Milliseconds left for `poll(2)`, rounded up so a wait never ends before the deadline, and
    /// capped so a lost wake-up costs at most `cap` instead of the whole budget.
    func pollMillis(cap: Duration = .milliseconds(100)) -> Int32 {
        let left = min(remaining, cap)
        let (seconds, attoseconds) = left.components
        let millis = seconds * 1_000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: millis)
    }
}

/// Microseconds on the monotonic clock, for measuring command durations.
func monotonicMicros() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
}
