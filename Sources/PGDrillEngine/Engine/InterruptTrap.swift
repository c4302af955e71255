import Dispatch
#if canImport(Glibc)
import Glibc
#endif
import PGDrillCore
import Synchronization

/// Turns SIGINT, SIGTERM and SIGHUP into a flag the run loop polls, so an interrupt leads to an orderly
/// rollback instead of a dead process with faults still in place.
///
/// SIGHUP is what an on-call engineer's dropped ssh session (or closed terminal) sends: the run rolls back
/// exactly as for Ctrl-C, and since its terminal is gone by then, nothing it prints can stop it
/// (`ProcessSignals.prepare()`, `StandardError`).
///
/// The first signal asks the run to abort. Further signals during rollback do not abandon it: the trap
/// says what is still being restored; a third signal within 3 s forces an exit with code 4, leaving the
/// pending rollbacks in the journal for `pgdrill recover`.
public final class InterruptTrap: @unchecked Sendable {
    // @unchecked Sendable: mutable state lives in the Mutex; `sources` is written once in init and only kept alive.
    private let state = Mutex(State())
    private struct State {
        var count = 0
        var lastAt: UInt64 = 0
        var signal: Int32 = 0
        var restoring: String?
        /// A stop condition of the current drill (`abort_if: { alert: … }`): the same orderly abort as a
        /// signal, for that drill only.
        var drillAbort: String?
    }
    private let sources: [any DispatchSourceSignal]
    private let onForce: @Sendable () -> Void
    private let progress: Progress

    public init(progress: Progress, onForce: @escaping @Sendable () -> Void) {
        self.progress = progress
        self.onForce = onForce
        ProcessSignals.ignoreBrokenPipes()
        let queue = DispatchQueue(label: "pgdrill.signals")
        var made: [any DispatchSourceSignal] = []
        for sig in Self.trapped {
            signal(sig, SIG_IGN)
            made.append(DispatchSource.makeSignalSource(signal: sig, queue: queue))
        }
        sources = made
        for (source, sig) in zip(sources, Self.trapped) {
            source.setEventHandler { [weak self] in self?.received(sig) }
            source.resume()
        }
    }

    /// The signals that ask for an orderly abort.
    static let trapped = [SIGINT, SIGTERM, SIGHUP]

    /// True once any interrupt arrived.
    public var interrupted: Bool { state.withLock { $0.count > 0 || $0.drillAbort != nil } }

    /// True once a signal arrived (a drill's stop condition does not count: its recovery is still awaited).
    public var signalled: Bool { state.withLock { $0.count > 0 } }

    /// The name of the first signal received, or the drill's stop condition (for the verdict).
    public var signalName: String? {
        state.withLock { s in
            s.count == 0 ? s.drillAbort : (s.signal == SIGTERM ? "SIGTERM" : s.signal == SIGHUP ? "SIGHUP (terminal closed)" : "SIGINT")
        }
    }

    /// Aborts the current drill as an interrupt would (rollback at once), without stopping the run: `endDrill()`
    /// clears it. Called from a watcher's thread.
    func abortDrill(_ reason: String) {
        let first = state.withLock { s -> Bool in
            guard s.drillAbort == nil else { return false }
            s.drillAbort = reason
            return true
        }
        if first { progress.warn("\(reason): rolling back now") }
    }

    /// The drill is over: a stop condition it raised no longer applies (a signal still does).
    func endDrill() { state.withLock { $0.drillAbort = nil } }

    /// What rollback is doing now; shown if the operator interrupts again.
    public func restoring(_ what: String?) { state.withLock { $0.restoring = what } }

    private func received(_ sig: Int32) {
        let now = RunClock.monotonicNanos()
        let (count, restoring, recent) = state.withLock { s -> (Int, String?, Bool) in
            let recent = s.count >= 2 && now - s.lastAt < 3_000_000_000
            s.count += 1
            if s.count == 1 { s.signal = sig }
            s.lastAt = now
            return (s.count, s.restoring, recent)
        }
        switch count {
        case 1:
            progress.warn("interrupted: stopping the probe and rolling back (interrupt again to see what is being restored)")
        default:
            if recent {
                progress.warn("forced exit: pending rollbacks stay in the journal; run `pgdrill recover --cluster …` now")
                onForce()
            } else {
                progress.warn("still restoring\(restoring.map { ": \($0)" } ?? ""); the cluster may be degraded if you leave now. Interrupt twice more within 3 s to force an exit (rollbacks left in the journal for `pgdrill recover`).")
            }
        }
    }
}
