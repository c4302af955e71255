import PGDrillProbeRecord

/// Maps a failed write attempt to `fail` or `indeterminate` (DESIGN §6). The rules, first match wins:
///
/// | condition                                                        | outcome        | why |
/// | ---------------------------------------------------------------- | -------------- | --- |
/// | `commitState == .notSent` (connect failed, send/flush failed)    | fail           | Sync never reached the server, so no commit |
/// | code `timeout` after sending                                     | indeterminate  | closed while the commit may be in progress |
/// | severity FATAL or PANIC                                          | indeterminate  | the session died around the statement |
/// | SQLSTATE class 08 (connection exception)                         | indeterminate  | |
/// | SQLSTATE 57P01, 57P02, 57P03 (admin/crash shutdown, cannot connect now) | indeterminate | the server went away around the commit |
/// | SQLSTATE class XX (internal error) or 58 (system/I-O error)      | indeterminate  | the failure may follow the commit record |
/// | any other SQLSTATE (25006 read-only, 53100 disk full, 42xxx, 23xxx, 40001, 57014 cancel, …) | fail | the server rejected the statement; autocommit rolled it back |
/// | no SQLSTATE and the connection broke (`connectionLost`)          | indeterminate  | |
/// | anything else without SQLSTATE                                  | fail           | libpq refused the request locally |
///
/// A successful attempt that came with a WARNING about an abandoned synchronous-replication wait stays
/// `ok` (the application saw success) but carries the warning in `ProbeAttempt.error`.
public enum AttemptClassification {
    /// The outcome of a write attempt that failed with `error`.
    public static func outcome(of error: PGError) -> ProbeAttempt.Outcome {
        if error.commitState == .notSent { return .fail }
        if error.code == .timeout { return .indeterminate }
        if error.severity == "FATAL" || error.severity == "PANIC" { return .indeterminate }
        if let sqlstate = error.sqlstate {
            return outcome(ofSQLState: sqlstate)
        }
        return error.code == .connectionLost ? .indeterminate : .fail
    }

    /// The outcome implied by a server error's SQLSTATE alone, for a statement that was sent.
    public static func outcome(ofSQLState sqlstate: String) -> ProbeAttempt.Outcome {
        let sqlClass = sqlstate.prefix(2)
        switch sqlClass {
        case "08", "XX", "58": return .indeterminate
        default: break
        }
        switch sqlstate {
        case "57P01", "57P02", "57P03": return .indeterminate
        default: return .fail
        }
    }

    /// Whether the writer should drop its connection after this error and connect afresh.
    ///
    /// Besides broken connections, a read-only error (25006) means the connection reached a server
    /// that is (now) a standby: through HAProxy or a multi-host `target_session_attrs=read-write`
    /// list, only a new connection can reach the new primary, as an application's pool would.
    static func shouldReconnect(after error: PGError) -> Bool {
        if error.code != .queryFailed { return true }
        if error.severity == "FATAL" || error.severity == "PANIC" { return true }
        guard let sqlstate = error.sqlstate else { return true }
        return sqlstate == "25006" || outcome(ofSQLState: sqlstate) == .indeterminate
    }
}
