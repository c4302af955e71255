import Logging
import Synchronization

/// One `SSHSession` per target, opened on first use and reused for every later command.
///
/// A session found dead (sshd restarted, connection reset) is replaced once per call, and
/// only when the failed command certainly never reached the host: a fault is never injected twice.
/// Targets behind a jump host share one session to it (`JumpHost`), closed by `closeAll`.
public final class SSHPool: Sendable {
    private let logger: Logger
    private let slots = Mutex<[SSHTarget: HostSlot]>([:])
    private let jumpHosts = Mutex<[SSHJump: JumpHost]>([:])

    /// An empty pool; sessions are opened on first use of each target.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// The target's session, connecting now if there is none or the one there is dead.
    public func session(for target: SSHTarget) throws -> SSHSession {
        try slot(for: target).session(replacingDead: nil)
    }

    /// `SSHSession.run` on the target's session. Bounded by `timeout`, plus
    /// `target.connectTimeout` when a session has to be (re)opened first.
    public func run(_ command: String, on target: SSHTarget, timeout: Duration) throws -> CommandResult {
        try withSession(for: target, timeout: timeout) { session, budget in try session.run(command, timeout: budget) }
    }

    /// `SSHSession.exec` (fresh channel) on the target's session, with the same reconnect rule.
    public func exec(_ command: String, on target: SSHTarget, timeout: Duration) throws -> CommandResult {
        try withSession(for: target, timeout: timeout) { session, budget in try session.exec(command, timeout: budget) }
    }

    /// Closes every session; the pool may be used again afterwards (it reconnects).
    public func closeAll() {
        let all = slots.withLock { slots in
            defer { slots = [:] }
            return Array(slots.values)
        }
        all.forEach { $0.close() }
        jumpHosts.withLock { $0.values.forEach { $0.close() } }
    }

    /// The shared connection to `target`'s jump host, made on first need (it connects on first use).
    func jumpHost(for target: SSHTarget) -> JumpHost? {
        guard let jump = target.jump else { return nil }
        return jumpHosts.withLock { jumpHosts in
            if let existing = jumpHosts[jump] { return existing }
            let created = JumpHost(jump: jump, connectTimeout: target.connectTimeout, logger: logger)
            jumpHosts[jump] = created
            return created
        }
    }

    func slot(for target: SSHTarget) -> HostSlot {
        slots.withLock { slots in
            if let slot = slots[target] { return slot }
            let slot = HostSlot(target: target, logger: logger, jumpHost: jumpHost(for: target))
            slots[target] = slot
            return slot
        }
    }

    private func withSession(
        for target: SSHTarget, timeout: Duration,
        _ body: (SSHSession, Duration) throws -> CommandResult
    ) throws -> CommandResult {
        let slot = slot(for: target)
        let session = try slot.session(replacingDead: nil)
        let deadline = Deadline(after: timeout)
        do {
            return try body(session, timeout)
        } catch let error as SSHError where !error.commandMayHaveRun && !session.isConnected {
            logger.info("ssh session lost; reconnecting once", metadata: ["host": "\(target)", "error": "\(error)"])
            let fresh = try slot.session(replacingDead: session)
            return try body(fresh, deadline.remaining)
        }
    }
}
