import CLibPQ

extension PGConnection {
    /// Runs one statement with parameters (`PQsendQueryParams`: never SQL built from strings), waiting at
    /// most `timeout`. On the deadline the connection is closed (`PQfinish`), never cancelled.
    public func query(_ sql: String, _ params: [String?], timeout: Duration) throws -> PGResult {
        try query(sql, params, until: Deadline(after: timeout))
    }

    /// As `query(_:_:timeout:)`, bounded by an absolute deadline (which a stop signal may bring forward).
    func query(_ sql: String, _ params: [String?], until deadline: Deadline) throws -> PGResult {
        try query(sql, params, until: deadline, taking: PGResult.init(copying:)) ?? .empty
    }

    /// As `query(_:_:until:)`, reading only the first row of the answer in place (`nil`: no row).
    func query<T>(_ sql: String, _ params: [String?], until deadline: Deadline, firstRow: (PGResultRow) -> T) throws -> T? {
        try query(sql, params, until: deadline, taking: { PGResultRow(first: $0).map(firstRow) }) ?? nil
    }

    private func query<T>(_ sql: String, _ params: [String?], until deadline: Deadline, taking take: (OpaquePointer) -> T) throws -> T? {
        try withConnection { conn in
            let sent = CStringArray.with(params) { values in
                PQsendQueryParams(conn, sql, Int32(params.count), nil, values, nil, nil, 0)
            }
            guard sent == 1 else {
                // Nothing reached the server: the request could not even be queued.
                throw failure(conn, code: .connectionLost, commitState: .notSent)
            }
            try flush(conn, until: deadline)
            return try collect(conn, until: deadline, taking: take)
        }
    }

    /// Prepares a named statement on this connection (`PQsendPrepare`), bounded by `deadline`.
    func prepare(name: String, sql: String, until deadline: Deadline) throws {
        try withConnection { conn in
            guard PQsendPrepare(conn, name, sql, 0, nil) == 1 else {
                throw failure(conn, code: .connectionLost, commitState: .notSent)
            }
            try flush(conn, until: deadline)
            _ = try collect(conn, until: deadline, taking: { _ in () })
        }
    }

    /// Executes a statement prepared with `prepare(name:sql:until:)` (`PQsendQueryPrepared`).
    func executePrepared(name: String, _ params: [String?], until deadline: Deadline) throws -> PGResult {
        try executePrepared(name: name, params, until: deadline, taking: PGResult.init(copying:)) ?? .empty
    }

    /// As `executePrepared(name:_:until:)`, reading only the first row of the answer in place (`nil`: no row).
    func executePrepared<T>(name: String, _ params: [String?], until deadline: Deadline, firstRow: (PGResultRow) -> T) throws -> T? {
        try executePrepared(name: name, params, until: deadline, taking: { PGResultRow(first: $0).map(firstRow) }) ?? nil
    }

    private func executePrepared<T>(name: String, _ params: [String?], until deadline: Deadline, taking take: (OpaquePointer) -> T) throws -> T? {
        try withConnection { conn in
            // withCString hands over a native string's own bytes: no C copy of the name per request.
            let sent = name.withCString { cName in
                CStringArray.with(params) { values in
                    PQsendQueryPrepared(conn, cName, Int32(params.count), values, nil, nil, 0)
                }
            }
            guard sent == 1 else { throw failure(conn, code: .connectionLost, commitState: .notSent) }
            try flush(conn, until: deadline)
            return try collect(conn, until: deadline, taking: take)
        }
    }

    /// Pushes the queued request to the server (non-blocking mode queues it in libpq's buffer).
    private func flush(_ conn: OpaquePointer, until deadline: Deadline) throws {
        while true {
            let rc = PQflush(conn)
            if rc == 0 { return }
            if rc < 0 { throw failure(conn, code: .connectionLost, commitState: .sentUnknown) }
            if SocketWait.wait(socket: PQsocket(conn), for: .readOrWrite, until: deadline) == .timedOut {
                throw deadlinePassed()
            }
            if PQconsumeInput(conn) == 0 { throw failure(conn, code: .connectionLost, commitState: .sentUnknown) }
        }
    }

    /// Reads every result of the request and returns what `take` made of the last successful one (`nil`:
    /// none), while libpq still holds it. A server error becomes a `PGError` with its SQLSTATE and severity;
    /// a broken connection after the request was sent is `connectionLost` with `sentUnknown`.
    private func collect<T>(_ conn: OpaquePointer, until deadline: Deadline, taking take: (OpaquePointer) -> T) throws -> T? {
        var result: T?
        var serverError: PGError?
        while true {
            while PQisBusy(conn) != 0 {
                if SocketWait.wait(socket: PQsocket(conn), for: .read, until: deadline) == .timedOut {
                    throw deadlinePassed()
                }
                if PQconsumeInput(conn) == 0 {
                    if var error = serverError {
                        error.code = .connectionLost
                        close()
                        throw error
                    }
                    throw failure(conn, code: .connectionLost, commitState: .sentUnknown)
                }
            }
            guard let r = PQgetResult(conn) else { break }
            defer { PQclear(r) }
            switch PQresultStatus(r) {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                result = take(r)
            default:
                let sqlstate = PQresultErrorField(r, clibpq_diag_sqlstate()).map { String(cString: $0) }
                let severity = PQresultErrorField(r, clibpq_diag_severity()).map { String(cString: $0) }
                let text = PQresultErrorMessage(r).map { String(cString: $0) } ?? ""
                serverError = PGError(code: .queryFailed, libpqText: text.isEmpty ? lastErrorText(conn) : text,
                                      commitState: .sentUnknown, sqlstate: sqlstate, severity: severity, secrets: secrets)
            }
            if PQstatus(conn) == CONNECTION_BAD, var error = serverError {
                // The session is gone (server FATAL/PANIC or a broken socket); libpq may never deliver
                // the end of the request. The SQLSTATE, if the server sent one, is kept.
                error.code = .connectionLost
                close()
                throw error
            }
        }
        if let serverError { throw serverError }
        if PQstatus(conn) == CONNECTION_BAD { throw failure(conn, code: .connectionLost, commitState: .sentUnknown) }
        return result
    }

    private func deadlinePassed() -> PGError {
        close()
        return PGError(code: .timeout, message: "no answer before the deadline; connection closed (not cancelled)",
                       commitState: .sentUnknown)
    }

    private func failure(_ conn: OpaquePointer, code: PGError.Code, commitState: PGError.CommitState) -> PGError {
        let text = lastErrorText(conn)
        close()
        return PGError(code: code, libpqText: text.isEmpty ? "connection lost" : text, commitState: commitState, secrets: secrets)
    }
}
