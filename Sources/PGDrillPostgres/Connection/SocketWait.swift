#if canImport(Glibc)
import Glibc
#endif

/// Waits for a libpq socket to become readable or writable, bounded by a `Deadline`. This is how every
/// libpq call stays non-blocking: libpq is driven only when `poll` says it can make progress.
enum SocketWait {
    enum Interest { case read, write, readOrWrite }
    enum Outcome { case ready, timedOut }

    /// Polls in slices of at most 50 ms so a `StopSignal` that moves the deadline forward is noticed
    /// promptly; data arriving ends the wait at once, so slicing costs nothing on the hot path.
    static func wait(socket: Int32, for interest: Interest, until deadline: Deadline) -> Outcome {
        let events: Int16
        switch interest {
        case .read: events = Int16(POLLIN)
        case .write: events = Int16(POLLOUT)
        case .readOrWrite: events = Int16(POLLIN | POLLOUT)
        }
        while true {
            guard let remaining = deadline.remainingNanos() else { return .timedOut }
            let sliceMillis = Int32(min((remaining + 999_999) / 1_000_000, 50))
            var descriptor = pollfd(fd: socket, events: events, revents: 0)
            let rc = poll(&descriptor, 1, sliceMillis)
            if rc > 0 { return .ready }  // includes POLLERR/POLLHUP: libpq then reports the failure
            if rc < 0 && errno != EINTR { return .ready }  // let libpq surface the socket error
        }
    }
}
