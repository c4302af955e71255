import CLibPQ

/// One libpq connection, driven in non-blocking mode so every wait is bounded by a deadline.
///
/// Not `Sendable`: libpq connections must be used by one thread at a time, and the probe gives each
/// writer its own thread and connection. Once a deadline passes the connection is closed with
/// `PQfinish`, never cancelled: cancelling a commit that waits for the synchronous standby makes
/// PostgreSQL report success for a commit that exists only on the primary (DESIGN §6).
public final class PGConnection {
    private var conn: OpaquePointer?
    private let notices = NoticeLog()
    /// Passwords from the conninfo, scrubbed from every error text.
    let secrets: [String]

    /// Connects with `conninfo` as libpq takes it (key/value or URI, multi-host, service, passfile,
    /// `PG*` variables), adding keepalive and timeout defaults the string does not set. The whole
    /// connection (every host tried) is bounded by `timeout`.
    public convenience init(conninfo: String, timeout: Duration) throws {
        try self.init(conninfo: conninfo, timeout: timeout, until: Deadline(after: timeout))
    }

    init(conninfo: String, timeout: Duration, until deadline: Deadline) throws {
        var parameters = try ConnectionParameters(conninfo: conninfo)
        parameters.addFailureDetectionDefaults(timeout: timeout)
        secrets = parameters.secrets
        conn = parameters.withCArrays { keywords, values in
            PQconnectStartParams(keywords, values, 0)
        }
        try connect(until: deadline)
    }

    deinit { close() }

    /// Whether the connection is usable (it was not closed and libpq has not seen it break).
    public var isOpen: Bool {
        guard let conn else { return false }
        return PQstatus(conn) == CONNECTION_OK
    }

    /// The last WARNING the server sent on this connection (e.g. about an abandoned synchronous
    /// replication wait).
    public var lastWarning: NoticeLog.Warning? { notices.lastWarning }

    /// Number of warnings received so far; compare before and after a request to attribute one.
    public var warningCount: Int { notices.warningCount }

    /// The server's `server_version_num`-style integer (e.g. 150020), 0 when closed.
    public var serverVersion: Int { conn.map { Int(PQserverVersion($0)) } ?? 0 }

    /// Closes the connection at once (`PQfinish` sends Terminate without waiting). Idempotent.
    public func close() {
        if let conn {
            PQfinish(conn)
            self.conn = nil
        }
    }

    private func connect(until deadline: Deadline) throws {
        guard let conn else {
            throw PGError(code: .connectionFailed, message: "libpq could not allocate a connection", commitState: .notSent)
        }
        PQsetNoticeReceiver(conn, NoticeLog.receiver, Unmanaged.passUnretained(notices).toOpaque())
        guard PQstatus(conn) != CONNECTION_BAD else { throw connectionFailure() }
        // libpq's contract: behave as if the last poll returned PGRES_POLLING_WRITING.
        var state = PGRES_POLLING_WRITING
        while state != PGRES_POLLING_OK {
            let interest: SocketWait.Interest
            if state == PGRES_POLLING_READING {
                interest = .read
            } else if state == PGRES_POLLING_WRITING {
                interest = .write
            } else {
                throw connectionFailure()
            }
            // The socket can change between calls (next address or host): ask every time.
            if SocketWait.wait(socket: PQsocket(conn), for: interest, until: deadline) == .timedOut {
                close()
                throw PGError(
                    code: .timeout, message: "connection not established before the deadline; closed",
                    commitState: .notSent)
            }
            state = PQconnectPoll(conn)
        }
        guard PQsetnonblocking(conn, 1) == 0 else { throw connectionFailure() }
    }

    private func connectionFailure() -> PGError {
        let text = conn.flatMap { PQerrorMessage($0) }.map { String(cString: $0) } ?? ""
        close()
        return PGError(
            code: .connectionFailed, libpqText: text.isEmpty ? "connection failed" : text,
            commitState: .notSent, secrets: secrets)
    }

    /// Runs `body` with the live `PGconn`, or throws if the connection was already closed.
    func withConnection<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        guard let conn, PQstatus(conn) == CONNECTION_OK else {
            throw PGError(code: .connectionLost, message: "connection is closed", commitState: .notSent)
        }
        return try body(conn)
    }

    /// libpq's current error text, scrubbed.
    func lastErrorText(_ conn: OpaquePointer) -> String {
        String(cString: PQerrorMessage(conn))
    }
}
