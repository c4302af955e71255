import Foundation
import Logging
import Synchronization

/// The shared connection to one jump host: every node session behind it is tunnelled through ONE
/// SSH session to the jump host, opened on first use and re-opened when it has died.
///
/// Owned by whoever owns the node sessions (`SSHPool`, or one `SSHSession` alone): closing a node
/// session closes only its tunnel; `close()` ends the jump host's session and every tunnel in it.
public final class JumpHost: Sendable {
    /// Where and as whom to reach the jump host.
    public let jump: SSHJump
    private let connectTimeout: Duration
    private let logger: Logger
    private let link = Mutex<JumpHostLink?>(nil)

    /// A jump host, not connected yet; `connectTimeout` bounds its own connect, handshake and authentication.
    public init(jump: SSHJump, connectTimeout: Duration, logger: Logger) {
        self.jump = jump
        self.connectTimeout = connectTimeout
        self.logger = logger
    }

    /// A socket that reaches `node` through the jump host, connecting to the jump host first if needed.
    /// Each hop is bounded by its own timeout: the jump host's session, then the tunnel's opening.
    func tunnel(to node: SSHTarget) throws -> StreamSocket {
        let live = try link.withLock { link throws(SSHError) -> JumpHostLink in
            if let current = link, current.isAlive { return current }
            link?.stop()
            link = nil
            do {
                let fresh = try JumpHostLink(jump: jump, connectTimeout: connectTimeout, logger: logger)
                link = fresh
                return fresh
            } catch let error as SSHError {
                throw atJumpHost(error, node: node)
            } catch {
                throw SSHError(code: .protocolError, host: node.description, message: "at the jump host: \(error)")
            }
        }
        return try live.openTunnel(to: node, deadline: Deadline(after: node.connectTimeout))
    }

    /// Ends the jump host's session and with it every tunnel; the next `tunnel` reconnects.
    public func close() {
        link.withLock { link in
            link?.stop()
            link = nil
        }
    }

    deinit { close() }

    /// A failure of the jump host's own session, reported against the node it was for.
    private func atJumpHost(_ error: SSHError, node: SSHTarget) -> SSHError {
        var result = error
        result.host = node.description
        result.jumpHost = jump.description
        result.message = "at the jump host: \(error.message)"
        switch error.code {
        case .connectFailed where error.message.hasPrefix("cannot connect"):
            result.hint = "check ssh.jump's host and port in the cluster file, and that this machine reaches the jump host"
        case .timeout:
            result.hint = "the jump host does not answer: is it up and reachable from here (ssh.jump.host, ssh.jump.port)?"
        default:
            result.hint = error.hint.replacingOccurrences(of: "on the host", with: "on the jump host")
        }
        return result
    }
}
