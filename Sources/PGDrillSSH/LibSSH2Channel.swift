import CLibSSH2

/// One SSH channel (a "session" channel: a shell or an exec) on a `LibSSH2Session`.
///
/// Owns the raw `LIBSSH2_CHANNEL *`; libssh2 frees it with its session, so a channel keeps its
/// session alive and must be released (`release`) before the session is closed.
final class LibSSH2Channel {
    let session: LibSSH2Session
    private var raw: OpaquePointer?

    /// Opens a new session channel (sshd sets up a session for it: the ~95 ms part).
    init(session: LibSSH2Session, deadline: Deadline) throws {
        self.session = session
        raw = try session.driveOpen("opening a channel", deadline: deadline) {
            cssh2_channel_open_session(session.pointer)
        }
    }

    private init(session: LibSSH2Session, raw: OpaquePointer) {
        self.session = session
        self.raw = raw
    }

    /// One non-blocking attempt to open a direct-tcpip channel from the jump host to `host:port`;
    /// nil while the server has not answered yet (call again with the same arguments).
    static func tryOpenDirectTCPIP(on session: LibSSH2Session, host: String, port: Int) throws -> LibSSH2Channel? {
        if let raw = libssh2_channel_direct_tcpip_ex(session.pointer, host, Int32(port), "127.0.0.1", 22) {
            return LibSSH2Channel(session: session, raw: raw)
        }
        let rc = libssh2_session_last_errno(session.pointer)
        if rc == LIBSSH2_ERROR_EAGAIN { return nil }
        throw session.failure(rc, while: "opening a tunnel to \(host):\(port)")
    }

    private var pointer: OpaquePointer {
        guard let raw else { preconditionFailure("libssh2 channel used after release") }
        return raw
    }

    /// Starts `command` on this channel (an SSH "exec" request).
    func exec(_ command: String, deadline: Deadline) throws {
        try session.drive("starting the remote command", deadline: deadline) { cssh2_channel_exec(pointer, command) }
    }

    /// Writes all of `bytes`, waiting for window space as needed.
    func write(_ bytes: [UInt8], deadline: Deadline, onFirstWrite: () -> Void) throws {
        var offset = 0
        while offset < bytes.count {
            let written = try session.drive("sending the command", deadline: deadline) {
                bytes.withUnsafeBufferPointer { buffer in
                    buffer.withMemoryRebound(to: CChar.self) { chars in
                        Int(cssh2_channel_write(pointer, chars.baseAddress! + offset, chars.count - offset))
                    }
                }
            }
            if offset == 0 && written > 0 { onFirstWrite() }
            offset += written
        }
    }

    /// Reads what is available now on stdout (`stderr: false`) or stderr into `buffer`.
    /// Returns the byte count, 0 when nothing is available; never waits.
    func readAvailable(stderr: Bool, into buffer: inout [UInt8], action: String) throws -> Int {
        let rc = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                stderr
                    ? cssh2_channel_read_stderr(pointer, chars.baseAddress!, chars.count)
                    : cssh2_channel_read(pointer, chars.baseAddress!, chars.count)
            }
        }
        if rc >= 0 { return rc }
        if rc == LIBSSH2_ERROR_EAGAIN { return 0 }
        throw session.failure(Int32(rc), while: action)
    }

    /// For a tunnel's pump, which shares its session with other tunnels: what the window takes now, 0 when
    /// libssh2 would block or is still sending another channel's packet (`BAD_USE`; nothing was sent).
    func writeNow(_ bytes: ArraySlice<UInt8>) throws -> Int {
        let rc = bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { cssh2_channel_write(pointer, $0.baseAddress!, $0.count) }
        }
        if rc >= 0 { return rc }
        if rc == LIBSSH2_ERROR_EAGAIN || rc == LIBSSH2_ERROR_BAD_USE { return 0 }
        throw session.failure(Int32(rc), while: "forwarding to the node")
    }

    /// `readAvailable` for a tunnel's pump: 0 also when another channel's packet is still being sent.
    func readNow(into buffer: inout [UInt8]) throws -> Int {
        let rc = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { cssh2_channel_read(pointer, $0.baseAddress!, $0.count) }
        }
        if rc >= 0 { return rc }
        if rc == LIBSSH2_ERROR_EAGAIN || rc == LIBSSH2_ERROR_BAD_USE { return 0 }
        throw session.failure(Int32(rc), while: "forwarding from the node")
    }

    /// True once the remote side sent EOF and every byte before it has been read.
    var isAtEOF: Bool { libssh2_channel_eof(pointer) == 1 }

    /// Tells the remote command its stdin is over.
    func sendEOF(deadline: Deadline) throws {
        try session.drive("sending EOF", deadline: deadline) { libssh2_channel_send_eof(pointer) }
    }

    /// Waits for the remote side to close, then returns the command's exit status, as a shell
    /// would report it: 128 + N when the command died of signal N (sshd then sends no status).
    func waitForExitStatus(deadline: Deadline) throws -> Int32 {
        try session.drive("closing the channel", deadline: deadline) { libssh2_channel_close(pointer) }
        try session.drive("waiting for the exit status", deadline: deadline) { libssh2_channel_wait_closed(pointer) }
        if let signal = exitSignal() { return 128 + (Self.signalNumbers[signal] ?? 0) }
        return libssh2_channel_get_exit_status(pointer)
    }

    private func exitSignal() -> String? {
        var name: UnsafeMutablePointer<CChar>?
        var length = 0
        guard libssh2_channel_get_exit_signal(pointer, &name, &length, nil, nil, nil, nil) == 0,
            let name
        else { return nil }
        defer { libssh2_free(session.pointer, name) }
        return String(cString: name)
    }

    /// Signal names as SSH sends them (RFC 4254 §6.10), with their Linux numbers.
    private static let signalNumbers: [String: Int32] = [
        "HUP": 1, "INT": 2, "QUIT": 3, "ILL": 4, "ABRT": 6, "FPE": 8, "KILL": 9, "USR1": 10,
        "SEGV": 11, "USR2": 12, "PIPE": 13, "ALRM": 14, "TERM": 15,
    ]

    /// One non-blocking attempt to close and free the channel; true when it is gone.
    ///
    /// Our CHANNEL_CLOSE also ends the remote command's stdin, so a remote shell exits after
    /// its current command. Freeing waits for the peer's CHANNEL_CLOSE, which a stopped host
    /// never sends (and sshd sends only once the command has ended): callers keep channels that
    /// are not gone yet and try again later, or close the whole session.
    func tryRelease() -> Bool {
        guard let raw else { return true }
        guard session.isOpen else {
            self.raw = nil  // freed with the session
            return true
        }
        let rc = libssh2_channel_free(raw)
        if rc == LIBSSH2_ERROR_EAGAIN { return false }
        self.raw = nil
        return true
    }

    /// Forgets the pointer without touching libssh2, for when the session is about to be freed
    /// (which frees its channels).
    func abandonToSessionClose() { raw = nil }
}
