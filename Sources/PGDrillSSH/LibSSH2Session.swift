#if canImport(Glibc)
import Glibc
#endif
import CLibSSH2
import Logging

/// One authenticated libssh2 session over its own TCP socket, in non-blocking mode.
///
/// Owns the raw `LIBSSH2_SESSION *` (it never leaves this type and its extensions) and is the
/// one place where libssh2 return codes become `SSHError`s. Not thread-safe: `SSHSession`
/// serialises all use under its lock.
final class LibSSH2Session {
    let target: SSHTarget
    let logger: Logger
    private let socket: StreamSocket
    private var raw: OpaquePointer?
    /// Set once the transport failed; the session must then be replaced, not reused.
    private(set) var isBroken = false

    /// Connects (directly, or through `jumpHost`'s tunnel), checks the host key against known_hosts and
    /// authenticates, all within `target.connectTimeout` (through a jump host: after the tunnel is up).
    init(target: SSHTarget, logger: Logger, jumpHost: JumpHost? = nil) throws {
        self.target = target
        self.logger = logger
        guard LibSSH2.ensureInitialised() else {
            throw SSHError(code: .protocolError, host: target.description, message: "libssh2_init failed")
        }
        if !target.agent { try Self.requireReadable(target.identityFile, what: "identity file", target: target) }
        try Self.requireReadable(target.knownHostsFile, what: "known_hosts file", target: target)

        var deadline = Deadline(after: target.connectTimeout)
        if let jumpHost {
            socket = try jumpHost.tunnel(to: target)
            deadline = Deadline(after: target.connectTimeout)
        } else {
            socket = try Self.connect(target, deadline: deadline)
        }
        guard let session = cssh2_session_init() else {
            throw SSHError(code: .protocolError, host: target.description, message: "libssh2_session_init failed")
        }
        raw = session
        libssh2_session_set_blocking(session, 0)
        do {
            _ = try drive("SSH handshake", deadline: deadline) { libssh2_session_handshake(session, socket.fd) }
            try verifyHostKey()
            try authenticate(deadline: deadline)
        } catch var error as SSHError {
            close()
            error.jumpHost = jumpHost?.jump.description
            throw error
        } catch {
            close()
            throw error
        }
        logger.debug("ssh session up", metadata: ["host": "\(target)"])
    }

    private static func connect(_ target: SSHTarget, deadline: Deadline) throws -> StreamSocket {
        do {
            return try StreamSocket(tcpTo: target.host, port: target.port, deadline: deadline)
        } catch {
            throw SSHError(
                code: error.timedOut ? .timeout : .connectFailed, host: target.description,
                message: error.timedOut
                    ? "TCP connect timed out after \(deadline.budget)" : "cannot connect (\(error.message))",
                hint: error.timedOut
                    ? "the host does not answer: is it up and reachable from here?"
                    : "check that sshd runs on the host and that host and port in the cluster file are right")
        }
    }

    deinit { close() }

    /// The raw session, for the channel wrapper only.
    var pointer: OpaquePointer {
        guard let raw else { preconditionFailure("libssh2 session used after close") }
        return raw
    }

    var isOpen: Bool { raw != nil && !isBroken }

    // MARK: Driving non-blocking calls

    /// Repeats a non-blocking libssh2 call until it stops saying EAGAIN, waiting on the socket in
    /// the directions libssh2 asks for; throws `.timeout` at the deadline and maps errors.
    @discardableResult
    func drive(_ action: String, deadline: Deadline, _ call: () -> Int) throws -> Int {
        while true {
            let rc = call()
            if rc >= 0 { return rc }
            guard rc == Int(LIBSSH2_ERROR_EAGAIN) else { throw failure(Int32(rc), while: action) }
            try waitForSocket(action, deadline: deadline)
        }
    }

    @discardableResult
    func drive(_ action: String, deadline: Deadline, _ call: () -> Int32) throws -> Int32 {
        Int32(try drive(action, deadline: deadline) { Int(call()) })
    }

    /// Like `drive` for calls that return a pointer, with NULL plus EAGAIN meaning "again".
    func driveOpen(_ action: String, deadline: Deadline, _ call: () -> OpaquePointer?) throws -> OpaquePointer {
        while true {
            if let result = call() { return result }
            let rc = libssh2_session_last_errno(pointer)
            guard rc == LIBSSH2_ERROR_EAGAIN else { throw failure(rc, while: action) }
            try waitForSocket(action, deadline: deadline)
        }
    }

    /// What to `poll` for so that libssh2 can make progress, for a caller that waits on several descriptors.
    /// `input: false` when nothing would read what arrives (a caller that polls for it anyway would spin);
    /// `poll` still reports a hang-up or error.
    func pollRequest(input: Bool) -> pollfd {
        var events = input ? Int16(POLLIN) : 0
        if libssh2_session_block_directions(pointer) & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        return pollfd(fd: socket.fd, events: events, revents: 0)
    }

    /// Waits until libssh2 can make progress, or throws `.timeout` once the deadline has passed.
    func waitForSocket(_ action: String, deadline: Deadline) throws {
        let directions = libssh2_session_block_directions(pointer)
        var events = Int16(POLLIN)
        if directions & LIBSSH2_SESSION_BLOCK_OUTBOUND != 0 { events |= Int16(POLLOUT) }
        guard socket.wait(for: events, deadline: deadline) else { throw timedOut(action, deadline: deadline) }
    }

    func timedOut(_ action: String, deadline: Deadline) -> SSHError {
        SSHError(
            code: .timeout, host: target.description,
            message: "timed out after \(deadline.budget) while \(action)",
            hint: "the host or its sshd stopped answering, or the command ran longer than its timeout")
    }

    /// The `SSHError` for a failed libssh2 call: reads `libssh2_session_last_error` (the only
    /// place that does) and marks the session broken when the transport is gone.
    func failure(_ rc: Int32, while action: String) -> SSHError {
        var text = "error \(rc)"
        if let raw {
            var message: UnsafeMutablePointer<CChar>?
            var length: Int32 = 0
            _ = libssh2_session_last_error(raw, &message, &length, 0)
            if let message, length > 0 { text = String(cString: message) }
        }
        let code = SSHError.Code(libssh2: rc)
        if code.breaksTransport { isBroken = true }
        return SSHError(
            code: code, host: target.description, message: "\(action) failed: \(text)",
            hint: hint(for: code), underlying: "\(text) (rc \(rc))")
    }

    private func hint(for code: SSHError.Code) -> String {
        switch code {
        case .connectFailed: "the connection dropped; it is re-established on next use"
        case .authenticationFailed:
            target.agent ? "put the agent's public key (ssh-add -L) into ~\(target.user)/.ssh/authorized_keys on the host"
                : "put \(target.identityFile).pub into ~\(target.user)/.ssh/authorized_keys on the host"
        case .keyFileUnreadable: "check the path and permissions of \(target.identityFile)"
        case .channelFailed: "sshd refused or closed a channel (too many open? see MaxSessions in sshd_config)"
        default: "the session is re-established on next use"
        }
    }

    // MARK: Closing

    /// Says goodbye if the peer is listening, then frees everything without waiting on it.
    ///
    /// The socket is shut down before `libssh2_session_free` so that closing channels on a
    /// stopped host fails at once instead of waiting for replies that never come.
    func close() {
        guard let session = raw else { return }
        if !isBroken { _ = cssh2_session_disconnect(session, "pgdrill done") }
        socket.shutdown()
        var attempts = 0
        while libssh2_session_free(session) == LIBSSH2_ERROR_EAGAIN && attempts < 1_000 { attempts += 1 }
        raw = nil
        isBroken = true
    }

    private static func requireReadable(_ path: String, what: String, target: SSHTarget) throws {
        guard access(path, R_OK) != 0 else { return }
        let reason = String(cString: strerror(errno))
        throw SSHError(
            code: .keyFileUnreadable, host: target.description,
            message: "cannot read \(what) \(path) (\(reason))",
            hint: "check the ssh section of the cluster file; relative paths are relative to that file")
    }
}
