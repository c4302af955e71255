import CLibPQ

/// Collects the server's notices for one connection. PostgreSQL reports some outcomes only as a
/// WARNING: "canceling the wait for synchronous replication …" means a commit was acknowledged while
/// it exists on the primary alone, so the probe must see it next to the attempt that caused it.
///
/// Owned by its `PGConnection` and touched only on that connection's thread (libpq calls the receiver
/// synchronously from inside `PQconsumeInput`/`PQgetResult`).
public final class NoticeLog {
    /// A WARNING the server sent.
    public struct Warning: Equatable, Sendable {
        public var sqlstate: String?
        public var message: String
    }

    /// The most recent WARNING (or more severe notice) received.
    private(set) var lastWarning: Warning?
    /// Counts warnings, so a caller can tell whether one arrived during a given request.
    private(set) var warningCount = 0

    func record(_ result: OpaquePointer) {
        guard let severity = PQresultErrorField(result, clibpq_diag_severity()).map({ String(cString: $0) }),
            severity == "WARNING"
        else { return }
        let sqlstate = PQresultErrorField(result, clibpq_diag_sqlstate()).map { String(cString: $0) }
        let message = PQresultErrorField(result, clibpq_diag_message_primary()).map { String(cString: $0) }
        lastWarning = Warning(sqlstate: sqlstate, message: message ?? "warning without text")
        warningCount += 1
    }

    /// The C callback handed to `PQsetNoticeReceiver`; `context` is an unretained `NoticeLog`.
    static let receiver: PQnoticeReceiver = { context, result in
        guard let context, let result else { return }
        Unmanaged<NoticeLog>.fromOpaque(context).takeUnretainedValue().record(result)
    }
}
