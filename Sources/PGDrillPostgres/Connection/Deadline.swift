import PGDrillProbeRecord
import Synchronization

/// A point on the monotonic clock after which a libpq wait gives up, optionally brought forward by a
/// `StopSignal` so a stopping probe does not wait out a full attempt deadline.
struct Deadline {
    /// `CLOCK_MONOTONIC` ns.
    var nanos: UInt64
    var stop: StopSignal?

    init(nanos: UInt64, stop: StopSignal? = nil) {
        self.nanos = nanos
        self.stop = stop
    }

    init(after duration: Duration, stop: StopSignal? = nil) {
        self.init(nanos: RunClock.monotonicNanos() &+ duration.nanoseconds, stop: stop)
    }

    /// The earlier of the deadline itself and the stop signal's cut-off.
    var effectiveNanos: UInt64 {
        guard let cutoff = stop?.cutoffNanos else { return nanos }
        return min(nanos, cutoff)
    }

    /// Nanoseconds left, or `nil` once the deadline has passed.
    func remainingNanos() -> UInt64? {
        let now = RunClock.monotonicNanos()
        let end = effectiveNanos
        return now < end ? end - now : nil
    }
}

/// Tells probe threads to finish: after `request()`, an attempt in flight gets `grace` to complete,
/// then its connection is closed (the attempt becomes indeterminate) so `stop()` returns promptly.
/// Shared between the stopping thread and the writer threads; an atomic is all it holds.
final class StopSignal: Sendable {
    private let requestedAt = Atomic<UInt64>(0)
    let grace: Duration

    init(grace: Duration) { self.grace = grace }

    /// Whether stop was requested.
    var isStopping: Bool { requestedAt.load(ordering: .acquiring) != 0 }

    /// The monotonic time after which in-flight work is abandoned, once stop was requested.
    var cutoffNanos: UInt64? {
        let at = requestedAt.load(ordering: .acquiring)
        return at == 0 ? nil : at &+ grace.nanoseconds
    }

    func request() {
        _ = requestedAt.compareExchange(
            expected: 0, desired: max(1, RunClock.monotonicNanos()), ordering: .acquiringAndReleasing)
    }

    /// Sleeps up to `duration`, waking early (within ~10 ms) when stop is requested. Returns `false`
    /// when stopping.
    func sleep(_ duration: Duration) -> Bool {
        let end = RunClock.monotonicNanos() &+ duration.nanoseconds
        while !isStopping {
            let now = RunClock.monotonicNanos()
            if now >= end { return true }
            let slice = min(end - now, 10_000_000)
            usleepNanos(slice)
        }
        return false
    }
}

extension Duration {
    /// Whole nanoseconds, clamped at zero.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        let wholeSeconds = UInt64(seconds) * 1_000_000_000
        let fraction = UInt64(attoseconds / 1_000_000_000)
        return wholeSeconds + fraction
    }
}

#if canImport(Glibc)
import Glibc
#endif

func usleepNanos(_ nanos: UInt64) {
    var request = timespec(tv_sec: Int(nanos / 1_000_000_000), tv_nsec: Int(nanos % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) == -1 && errno == EINTR { request = remaining }
}
