#if canImport(Glibc)
import Glibc
#endif

/// A self-pipe that interrupts a thread's `poll`: the jump host's pump sleeps on its sockets and
/// this, so a new tunnel request or a stop is seen at once rather than at the next poll slice.
final class WakePipe: Sendable {
    private let readEnd: Int32
    private let writeEnd: Int32

    init() throws(TCPSocketError) {
        var fds: [Int32] = [-1, -1]
        // A socketpair rather than pipe2, which Glibc's Swift overlay does not export; same use.
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, flags, 0, &fds) == 0 else { throw .errno("socketpair", errno) }
        readEnd = fds[0]
        writeEnd = fds[1]
    }

    /// The entry to add to a `poll` set.
    var pollRequest: pollfd { pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0) }

    func signal() {
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Empties the pipe after a wake-up.
    func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &bytes, bytes.count) > 0 {}
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }
}
