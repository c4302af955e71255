#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Synchronization

/// One node's byte stream through the jump host: a direct-tcpip channel on the jump host's session,
/// and the pump's end of the socketpair whose other end the node's own libssh2 session runs on.
///
/// Only the jump host's pump thread touches it (under the link's lock).
final class JumpTunnel {
    let channel: LibSSH2Channel
    private let pump: StreamSocket
    /// Read from the node session's socket, not yet taken by the channel.
    private var toNode: [UInt8] = []
    /// Read from the channel, not yet taken by the node session's socket.
    private var toSession: [UInt8] = []
    private var sessionClosed = false

    init(channel: LibSSH2Channel, pump: consuming StreamSocket) {
        self.channel = channel
        self.pump = pump
    }

    /// Moves what can move now, never waiting. `moved`: some bytes went either way; `over`: the node
    /// session closed its end or the node closed the channel, so the tunnel is to be released.
    func step(buffer: inout [UInt8]) throws -> (moved: Bool, over: Bool) {
        var moved = false
        if toNode.isEmpty && !sessionClosed {
            let count = read(pump.fd, &buffer, buffer.count)
            if count > 0 {
                toNode = Array(buffer[..<count])
                moved = true
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                sessionClosed = true
            }
        }
        if !toNode.isEmpty {
            let written = try channel.writeNow(toNode[...])
            if written > 0 {
                toNode.removeFirst(written)
                moved = true
            }
        }
        if sessionClosed && toNode.isEmpty { return (moved, true) }

        if toSession.isEmpty {
            let count = try channel.readNow(into: &buffer)
            if count > 0 {
                toSession = Array(buffer[..<count])
                moved = true
            }
        }
        if !toSession.isEmpty {
            // MSG_NOSIGNAL: a node session that closed its end must not SIGPIPE the whole process.
            let sent = send(pump.fd, toSession, toSession.count, Int32(MSG_NOSIGNAL))
            if sent > 0 {
                toSession.removeFirst(sent)
                moved = true
            } else if sent < 0 && errno != EAGAIN && errno != EINTR {
                return (moved, true)
            }
        }
        return (moved, toSession.isEmpty && channel.isAtEOF)
    }

    /// True while the channel's data would be read (nothing waits for the node session yet).
    var readsChannel: Bool { toSession.isEmpty }

    /// The pump end's `poll` entry: readable while there is room to read, writable while bytes wait.
    var pollRequest: pollfd {
        var events: Int16 = 0
        if toNode.isEmpty && !sessionClosed { events |= Int16(POLLIN) }
        if !toSession.isEmpty { events |= Int16(POLLOUT) }
        return pollfd(fd: pump.fd, events: events, revents: 0)
    }
}

/// A node session's request for a tunnel, answered by the pump thread.
///
/// The pump owns `pumpDescriptor` from the moment the request is queued: it becomes the tunnel's
/// end, or is closed with the failure. Sendable: the answer is behind a `Mutex`.
final class TunnelRequest: Sendable {
    let node: SSHTarget
    let pumpDescriptor: Int32
    private let outcome = Mutex<SSHError??>(nil)
    private let answered = DispatchSemaphore(value: 0)

    init(node: SSHTarget, pumpDescriptor: Int32) {
        self.node = node
        self.pumpDescriptor = pumpDescriptor
    }

    /// Records the answer (nil: the tunnel is up) and wakes the requester.
    func answer(_ error: SSHError?) {
        outcome.withLock { $0 = .some(error) }
        answered.signal()
    }

    /// The answer, or nil if none came by the deadline: `.some(nil)` means the tunnel is up.
    func wait(until deadline: Deadline) -> SSHError?? {
        let millis = Int(deadline.pollMillis(cap: .seconds(3_600)))
        _ = answered.wait(timeout: .now() + .milliseconds(millis))
        return outcome.withLock { $0 }
    }
}
