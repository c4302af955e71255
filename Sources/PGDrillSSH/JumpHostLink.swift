#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Foundation
import Logging
import Synchronization

/// One live SSH session to the jump host and the pump thread that owns it: it opens a direct-tcpip
/// channel per node session and copies bytes between each channel and that session's socketpair.
///
/// libssh2 sessions are not thread-safe and every tunnel shares this one, so all libssh2 calls on it
/// are made by the pump thread (or by `init`, before the thread starts), under `state`'s lock; the
/// lock is free while the thread sleeps in `poll`. Sendable because all mutable state is in the `Mutex`.
final class JumpHostLink: Sendable {
    let jump: SSHJump
    private let logger: Logger
    private let state: Mutex<State>
    private let wake: WakePipe
    private let stopped = DispatchSemaphore(value: 0)

    private struct State {
        var session: LibSSH2Session?
        /// Tunnel requests, head first: libssh2 opens one channel at a time.
        var opening: [TunnelRequest] = []
        var tunnels: [JumpTunnel] = []
        /// Channels of ended tunnels, freed once the jump host confirms their close.
        var closing: [LibSSH2Channel] = []
        var stopping = false
    }

    /// Connects to the jump host, checks its key and authenticates (within `connectTimeout`), then
    /// starts the pump thread.
    init(jump: SSHJump, connectTimeout: Duration, logger: Logger) throws {
        self.jump = jump
        self.logger = logger
        let session = try LibSSH2Session(target: jump.target(connectTimeout: connectTimeout), logger: logger)
        do { wake = try WakePipe() } catch {
            throw SSHError(code: .protocolError, host: jump.description, message: "cannot create the pump's wake-up pipe (\(error.message))")
        }
        state = Mutex(State(session: session))
        Thread.detachNewThread { [self] in pumpLoop() }
        logger.debug("jump host session up", metadata: ["jump": "\(jump)"])
    }

    /// False once the jump host's session failed or `stop()` was called: open a new link.
    var isAlive: Bool { state.withLock { !$0.stopping && $0.session?.isOpen == true } }

    /// A socket whose bytes reach `node` through a new direct-tcpip channel; waits for the jump host's
    /// answer until `deadline`.
    func openTunnel(to node: SSHTarget, deadline: Deadline) throws -> StreamSocket {
        var pumpDescriptor: Int32 = -1
        let sessionEnd: StreamSocket
        do { sessionEnd = try StreamSocket.pair(otherEnd: &pumpDescriptor) } catch {
            throw SSHError(code: .protocolError, host: node.description, message: "cannot create a socketpair (\(error.message))")
        }
        let request = TunnelRequest(node: node, pumpDescriptor: pumpDescriptor)
        let queued = state.withLock { state in
            guard !state.stopping else { return false }
            state.opening.append(request)
            return true
        }
        guard queued else {
            close(request.pumpDescriptor)
            throw at(node, .connectFailed, "the session to the jump host is closed", hint: "it is re-established on next use")
        }
        wake.signal()
        // On a timeout the session end is dropped here: if the channel opens later, the pump reads
        // EOF on its end and releases the tunnel at once.
        switch request.wait(until: deadline) {
        case .none:
            throw at(node, .timeout, "the jump host did not answer the request to forward to \(node) within \(deadline.budget)",
                     hint: "the node may be down or filtered: the jump host's TCP connect to it has not finished")
        case .some(.some(let error)):
            throw error
        case .some(.none):
            return sessionEnd
        }
    }

    /// Ends every tunnel and the jump host's session; waits (briefly) for the pump thread to finish.
    func stop() {
        let first = state.withLock { state in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        wake.signal()
        _ = stopped.wait(timeout: .now() + .seconds(2))
    }

    // MARK: The pump thread

    private func pumpLoop() {
        var buffer = [UInt8](repeating: 0, count: 32 * 1_024)
        var quietTurns = 0
        while true {
            let waitSet: [pollfd]? = state.withLock { state in
                guard !state.stopping, let session = state.session, session.isOpen else { return nil }
                let moved = turn(&state, session: session, buffer: &buffer)
                // A read on one channel may pull another's packets into libssh2's buffers, where `poll`
                // cannot see them: sleep only after a second turn in a row moved nothing.
                quietTurns = moved ? 0 : quietTurns + 1
                guard quietTurns >= 2 else { return [] }
                // Ask for input only while a channel would read it: what arrives otherwise would wake us
                // at once, again and again (with no tunnel, nothing reads the jump host's socket).
                let reading = !state.opening.isEmpty || state.tunnels.contains(where: \.readsChannel)
                return [wake.pollRequest, session.pollRequest(input: reading)] + state.tunnels.map(\.pollRequest)
            }
            guard var fds = waitSet else { break }
            if fds.isEmpty { continue }
            _ = poll(&fds, nfds_t(fds.count), 100)
            wake.drain()
            if fds[1].revents & Int16(POLLHUP | POLLERR) != 0 {
                logger.debug("jump host closed the connection", metadata: ["jump": "\(jump)"])
                break
            }
        }
        shutDown()
        stopped.signal()
    }

    /// One pass over the pending open and every tunnel; true when anything moved.
    private func turn(_ state: inout State, session: LibSSH2Session, buffer: inout [UInt8]) -> Bool {
        var moved = false
        state.closing.removeAll { $0.tryRelease() }
        if let request = state.opening.first {
            do {
                if let channel = try LibSSH2Channel.tryOpenDirectTCPIP(on: session, host: request.node.host, port: request.node.port) {
                    state.opening.removeFirst()
                    state.tunnels.append(JumpTunnel(channel: channel, pump: StreamSocket(adopting: request.pumpDescriptor)))
                    request.answer(nil)
                    moved = true
                }
            } catch {
                state.opening.removeFirst()
                close(request.pumpDescriptor)
                request.answer(openFailure(error, node: request.node))
                moved = true
            }
        }
        var ended: [Int] = []
        for (index, tunnel) in state.tunnels.enumerated() {
            do {
                let step = try tunnel.step(buffer: &buffer)
                moved = moved || step.moved
                if step.over { ended.append(index) }
            } catch {
                logger.debug("tunnel failed", metadata: ["jump": "\(jump)", "error": "\(error)"])
                ended.append(index)
            }
        }
        for index in ended.reversed() {
            let tunnel = state.tunnels.remove(at: index)  // closes the pump end: the node session sees EOF
            if !tunnel.channel.tryRelease() { state.closing.append(tunnel.channel) }
            moved = true
        }
        return moved
    }

    /// Fails what is queued, drops every tunnel (their node sessions see EOF) and closes the session.
    private func shutDown() {
        state.withLock { state in
            state.stopping = true
            for request in state.opening {
                close(request.pumpDescriptor)
                request.answer(at(request.node, .connectFailed, "the session to the jump host ended",
                                  hint: "it is re-established on next use; if it keeps ending, check the jump host's sshd log"))
            }
            state.opening = []
            state.tunnels.forEach { $0.channel.abandonToSessionClose() }
            state.closing.forEach { $0.abandonToSessionClose() }
            state.tunnels = []
            state.closing = []
            state.session?.close()
            state.session = nil
        }
        logger.debug("jump host session closed", metadata: ["jump": "\(jump)"])
    }

    // MARK: Errors

    /// An error about `node` through this jump host.
    private func at(_ node: SSHTarget, _ code: SSHError.Code, _ message: String, hint: String) -> SSHError {
        var error = SSHError(code: code, host: node.description, message: message, hint: hint)
        error.jumpHost = jump.description
        return error
    }

    /// What a refused direct-tcpip open means, from libssh2's "Channel open failure (reason)".
    private func openFailure(_ error: any Error, node: SSHTarget) -> SSHError {
        guard let failure = error as? SSHError else {
            return at(node, .protocolError, "at the jump host: opening the tunnel failed (\(error))", hint: "")
        }
        let text = failure.underlying ?? failure.message
        var explained: SSHError
        if text.contains("administratively prohibited") {
            explained = at(node, .forwardingRefused,
                           "at the jump host: sshd refuses to forward TCP to \(node) (administratively prohibited)",
                           hint: "allow it for \(jump.user) in the jump host's sshd_config (AllowTcpForwarding yes or local; PermitOpen, if set, must list \(node))")
        } else if text.contains("connect failed") {
            explained = at(node, .connectFailed, "the jump host cannot connect to the node (channel open failure: connect failed)",
                           hint: "is the node's sshd up, and are host and ssh.port in the cluster file the address the jump host reaches it by? Check firewalls between them")
        } else if failure.code == .timeout || failure.code.breaksTransport {
            explained = at(node, failure.code, "at the jump host: \(failure.message)", hint: failure.hint)
        } else {
            explained = at(node, .channelFailed, "at the jump host: opening a tunnel to \(node) failed: \(failure.message)",
                           hint: "see the jump host's sshd log (MaxSessions, PermitOpen)")
        }
        explained.underlying = failure.underlying
        return explained
    }
}
