import Dispatch
import Logging
import Synchronization

/// The session slot of one target: serialises connecting so two callers never open two sessions.
final class HostSlot: Sendable {
    private let target: SSHTarget
    private let logger: Logger
    /// The pool's shared connection to `target.jump`, or nil for a direct target.
    private let jumpHost: JumpHost?
    private let current = Mutex<SSHSession?>(nil)
    /// Where the async API runs this host's blocking calls: a serial queue gets a thread of its
    /// own from libdispatch, so a command that blocks for seconds starves nobody.
    let queue: DispatchQueue

    init(target: SSHTarget, logger: Logger, jumpHost: JumpHost?) {
        self.target = target
        self.logger = logger
        self.jumpHost = jumpHost
        queue = DispatchQueue(label: "pgdrill.ssh.\(target)")
    }

    /// The live session, or a new one when there is none, it is dead, or it is `dead`.
    func session(replacingDead dead: SSHSession?) throws -> SSHSession {
        try current.withLock { current in
            if let session = current, session !== dead, session.isConnected { return session }
            current?.close()
            current = nil
            let session = try SSHSession(target: target, logger: logger, jumpHost: jumpHost)
            current = session
            return session
        }
    }

    func close() {
        current.withLock { current in
            current?.close()
            current = nil
        }
    }
}
