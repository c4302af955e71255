#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking stream socket that one libssh2 session runs on: a TCP connection to the host, or
/// one end of the socketpair a jump host's tunnel feeds.
///
/// Non-blocking because libssh2 runs in non-blocking mode on it: every wait is our own `poll`
/// with a deadline. Owns the descriptor and closes it when dropped.
struct StreamSocket: ~Copyable {
    let fd: Int32

    /// Takes ownership of an open, non-blocking descriptor.
    init(adopting fd: Int32) { self.fd = fd }

    /// One end of a connected pair of non-blocking Unix stream sockets; `otherEnd` receives the other's
    /// descriptor, which the caller then owns. A tunnelled session handshakes on this end; the jump
    /// host's pump copies the other to and from the direct-tcpip channel.
    static func pair(otherEnd: inout Int32) throws(TCPSocketError) -> StreamSocket {
        var fds: [Int32] = [-1, -1]
        let flags = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, flags, 0, &fds) == 0 else { throw .errno("socketpair", errno) }
        otherEnd = fds[1]
        return StreamSocket(adopting: fds[0])
    }

    /// Waits until the socket is ready for `events` (POLLIN/POLLOUT) or the deadline's poll slice ends.
    /// Returns false only once the deadline itself has passed.
    func wait(for events: Int16, deadline: Deadline) -> Bool {
        var pfd = pollfd(fd: fd, events: events, revents: 0)
        let ready = poll(&pfd, 1, deadline.pollMillis())
        return ready != 0 || !deadline.hasPassed
    }

    /// Makes every further read and write fail at once, so libssh2 cannot wait on a dead peer.
    func shutdown() { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }

    deinit { Glibc.close(fd) }
}

/// Why the connection could not be made; turned into an `SSHError` by the session.
struct TCPSocketError: Error {
    var message: String
    var timedOut: Bool

    static func errno(_ call: String, _ code: Int32) -> TCPSocketError {
        TCPSocketError(message: "\(call): \(String(cString: strerror(code)))", timedOut: false)
    }
}
