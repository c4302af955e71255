#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The run's clock: a monotonic epoch taken once, so every recorded time is µs since that moment,
/// plus the wall-clock instant of the epoch for labels. Intervals never use the wall clock.
public struct RunClock: Sendable {
    /// `CLOCK_MONOTONIC` at the epoch, in ns.
    public let epochMonotonicNanos: UInt64
    /// Wall-clock time at the epoch, µs since the Unix epoch (labels only).
    public let epochWallMicros: Int64

    public init() {
        epochMonotonicNanos = RunClock.monotonicNanos()
        epochWallMicros = Int64(Date().timeIntervalSince1970 * 1_000_000)
    }

    public init(epochMonotonicNanos: UInt64, epochWallMicros: Int64) {
        self.epochMonotonicNanos = epochMonotonicNanos
        self.epochWallMicros = epochWallMicros
    }

    /// µs since the epoch on the monotonic clock.
    public func now() -> Int64 {
        Int64(bitPattern: RunClock.monotonicNanos() &- epochMonotonicNanos) / 1_000
    }

    /// Wall-clock estimate (µs since the Unix epoch) of a recorded monotonic time, for labels.
    public func wallMicros(at t: Int64) -> Int64 { epochWallMicros + t }

    /// The wall clock now, µs since the Unix epoch (`CLOCK_REALTIME`), for comparing with another host's
    /// clock — never for intervals on this host.
    public func wallNowMicros() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1_000
    }

    /// Raw `CLOCK_MONOTONIC` in ns.
    public static func monotonicNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}
