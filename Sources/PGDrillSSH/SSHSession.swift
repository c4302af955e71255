import Logging
import Synchronization

/// A connection to one cluster host that runs commands as root with about a millisecond of
/// overhead, for fault injection whose t0 must be exact.
///
/// Commands go to one long-lived remote shell (`run`); a fresh exec channel per command (`exec`)
/// is there as a fallback and for comparison. Every call blocks its thread until the command
/// ends or its timeout passes: call it from a thread of your own (or `SSHPool`'s async API),
/// never from the Swift concurrency pool.
///
/// Sendable because all mutable state, including the libssh2 handles, lives in a `Mutex`:
/// libssh2 sessions are not thread-safe, and one host's commands must not interleave on its
/// shell anyway, so a second caller waits for the first command to finish.
public final class SSHSession: Sendable {
    /// The host this session talks to.
    public let target: SSHTarget
    private let logger: Logger
    /// The jump host this session made for itself (`target.jump` with no shared one given); closed with it.
    private let ownJumpHost: JumpHost?
    let state: Mutex<State>

    /// The libssh2 objects: a connection, its shell, and channels waiting to be freed.
    struct State {
        var connection: LibSSH2Session?
        var shell: ShellChannel?
        /// Channels given up after a timeout; freed once the peer confirms the close.
        var parked: [LibSSH2Channel] = []
    }

    /// Connects, verifies the host key, authenticates (within `target.connectTimeout`) and opens
    /// the shell, so the first `run` is as fast as the rest.
    ///
    /// With `target.jump`, the session is tunnelled through `jumpHost`, the connection shared by every
    /// node behind that jump host; nil: the session opens (and closes) a jump host connection of its own.
    public init(target: SSHTarget, logger: Logger, jumpHost: JumpHost? = nil) throws {
        self.target = target
        self.logger = logger
        let own = jumpHost == nil ? target.jump.map { JumpHost(jump: $0, connectTimeout: target.connectTimeout, logger: logger) } : nil
        ownJumpHost = own
        do {
            let connection = try LibSSH2Session(target: target, logger: logger, jumpHost: target.jump == nil ? nil : jumpHost ?? own)
            let shell = try ShellChannel(session: connection, deadline: Deadline(after: target.connectTimeout))
            state = Mutex(State(connection: connection, shell: shell))
        } catch {
            own?.close()
            throw error
        }
    }

    /// First line of a command whose second line the long-lived shell runs itself, without a subshell
    /// (see `ShellFrame`): a fault's signals, sent the moment the line arrives.
    public static let unforkedMarker = ShellFrame.unforkedMarker

    /// Runs `command` on the host's long-lived shell (bash, else sh), stdin from /dev/null.
    ///
    /// On `.timeout` the shell is given up (its state is unknown) and a new one is opened by the
    /// next call; the command itself keeps running on the host until it ends.
    public func run(_ command: String, timeout: Duration) throws -> CommandResult {
        let deadline = Deadline(after: timeout)
        return try state.withLock { state in
            let connection = try liveConnection(&state)
            let shell = try readyShell(&state, connection: connection, deadline: deadline)
            do {
                return try shell.run(command, deadline: deadline)
            } catch {
                logger.debug("shell given up", metadata: ["host": "\(target)", "error": "\(error)"])
                state.shell = nil
                park(shell.channel, in: &state)
                throw error
            }
        }
    }

    /// True while the transport is usable; false once it failed or `close()` was called.
    public var isConnected: Bool {
        state.withLock { $0.connection?.isOpen ?? false }
    }

    /// Ends the session; later calls fail with `.protocolError`. Never waits on the peer.
    public func close() {
        state.withLock { state in
            state.shell?.channel.abandonToSessionClose()
            state.parked.forEach { $0.abandonToSessionClose() }
            state.shell = nil
            state.parked = []
            state.connection?.close()
            state.connection = nil
        }
        ownJumpHost?.close()
    }

    deinit { close() }

    // MARK: Helpers, called with the lock held

    func liveConnection(_ state: inout State) throws -> LibSSH2Session {
        guard let connection = state.connection, connection.isOpen else {
            throw SSHError(
                code: .protocolError, host: target.description, message: "the session is closed or broken",
                hint: "open a new session (SSHPool does this by itself)")
        }
        state.parked.removeAll { $0.tryRelease() }
        return connection
    }

    private func readyShell(_ state: inout State, connection: LibSSH2Session, deadline: Deadline) throws -> ShellChannel {
        if let shell = state.shell {
            if try shell.isReady() { return shell }
            logger.debug("remote shell exited; reopening", metadata: ["host": "\(target)"])
            state.shell = nil
            park(shell.channel, in: &state)
        }
        let shell = try ShellChannel(session: connection, deadline: deadline)
        state.shell = shell
        return shell
    }

    func park(_ channel: LibSSH2Channel, in state: inout State) {
        if !channel.tryRelease() { state.parked.append(channel) }
    }
}
