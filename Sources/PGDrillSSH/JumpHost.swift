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
    ///
    /// A jump host session found dead only now (it dropped while idle, so nothing noticed) is replaced
    /// once: nothing reached the node yet, so the retry is safe.
    func tunnel(to node: SSHTarget) throws -> StreamSocket {
        let current = try liveLink(for: node)
        do {
            return try current.openTunnel(to: node, deadline: Deadline(after: node.connectTimeout))
        } catch let error as SSHError where !current.isAlive && error.code != .timeout {
            logger.info("jump host session lost; reconnecting once", metadata: ["jump": "\(jump)", "error": "\(error)"])
            return try liveLink(for: node).openTunnel(to: node, deadline: Deadline(after: node.connectTimeout))
        }
    }

    /// The live link, connecting to the jump host now if there is none or the one there died.
    private func liveLink(for node: SSHTarget) throws -> JumpHostLink {
        try link.withLock { link throws(SSHError) -> JumpHostLink in
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
