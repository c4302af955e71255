import PGDrillCore
import Synchronization

/// A running summary of the probe for decisions during the drill ("are writes OK again?"), updated by the
/// probe's writer threads as attempts finish. The full record goes to the probe log; this keeps O(1) state.
public final class LiveProbeView: Sendable {
    private struct State {
        var ok = 0
        var failed = 0
        var indeterminate = 0
        var lastOkEnd: Int64 = -1
        var lastBadEnd: Int64 = -1
        var firstBadAfterMark: Int64 = -1
        var mark: Int64 = .max
        var lastError: String?
        /// Start of the current run of attempts that never reached the endpoint (connect timed out); -1: none.
        var unansweredSince: Int64 = -1
    }
    private let state = Mutex(State())

    public init() {}

    /// Records one finished attempt (called from writer threads).
    public func observe(_ a: ProbeAttempt) {
        state.withLock { s in
            switch a.outcome {
            case .ok:
                s.ok += 1
                s.lastOkEnd = max(s.lastOkEnd, a.end)
                s.unansweredSince = -1
            case .fail, .indeterminate:
                if Self.neverAnswered(a.error) {
                    if s.unansweredSince < 0 { s.unansweredSince = a.start }
                } else {
                    s.unansweredSince = -1
                }
                if a.outcome == .fail { s.failed += 1 } else { s.indeterminate += 1 }
                s.lastBadEnd = max(s.lastBadEnd, a.end)
                if a.end >= s.mark, s.firstBadAfterMark < 0 { s.firstBadAfterMark = a.end }
                s.lastError = a.error ?? a.sqlstate
            }
        }
    }

    /// From now on, remember the first failed attempt (used at t0).
    public func markFault(at t: Int64) { state.withLock { $0.mark = t; $0.firstBadAfterMark = -1 } }

    /// True when every attempt that ended in the last `window` µs (up to `now`) was ok, and there were some.
    public func writesOK(now: Int64, window: Int64) -> Bool {
        state.withLock { s in s.lastOkEnd >= now - window && s.lastBadEnd < now - window }
    }

    /// True when attempts are failing now (a failed attempt in the last second and none ok since).
    public func writesFailing(now: Int64) -> Bool {
        state.withLock { s in s.lastBadEnd >= now - 1_000_000 && s.lastBadEnd > s.lastOkEnd }
    }

    /// How long (µs) every attempt has failed without the endpoint even accepting a connection; nil when the
    /// latest attempt got an answer of any kind (ok, refused, a server error).
    public func unansweredFor(now: Int64) -> Int64? {
        state.withLock { $0.unansweredSince < 0 ? nil : now - $0.unansweredSince }
    }

    /// A connection attempt that timed out before the server (or proxy) answered at all.
    static func neverAnswered(_ error: String?) -> Bool {
        guard let error else { return false }
        return error.contains("connection not established before the deadline") || error.contains("timeout expired")
    }

    /// Counts so far, for the live status line.
    public var counts: (ok: Int, failed: Int, indeterminate: Int, lastError: String?) {
        state.withLock { ($0.ok, $0.failed, $0.indeterminate, $0.lastError) }
    }
}
