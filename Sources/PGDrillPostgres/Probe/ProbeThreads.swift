import Dispatch
import Foundation
import Logging

/// The threads of one probe: one per connection (libpq blocks; never the Swift concurrency pool), and a
/// stop that signals them all and waits for them, bounded.
final class ProbeThreads: Sendable {
    let stopSignal = StopSignal(grace: .milliseconds(500))
    private let finished = DispatchGroup()
    private let label: String
    private let logger: Logger

    init(label: String, logger: Logger) {
        self.label = label
        self.logger = logger
    }

    /// Starts `count` threads, each running `body(index)` until it returns.
    func start(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        for i in 0..<count {
            finished.enter()
            let t = Thread { [finished] in
                defer { finished.leave() }
                body(i)
            }
            t.name = "pgdrill-\(label)-\(i)"
            t.stackSize = 512 << 10
            t.start()
        }
    }

    /// Asks every thread to finish (an attempt in flight gets 0.5 s, then its connection is closed) and
    /// waits for them, 3 s at most.
    func stop() {
        stopSignal.request()
        if finished.wait(timeout: .now() + 3) == .timedOut {
            logger.warning("probe threads \(label) did not stop within 3 s")
        }
    }
}
