import Logging
import PGDrillCore
import PGDrillPostgres
import Synchronization

/// One endpoint's probe: writes (or, on a read endpoint, reads) as fast as acknowledgements come.
final class ProbeRunner: @unchecked Sendable {
    // @unchecked Sendable: holds only the probe objects, which are themselves thread-safe; start/stop are
    // called from the runner's thread only.
    private let write: WriteProbe?
    private let read: ReadProbe?

    init(runID: String, endpoint: String, conninfo: String, read isRead: Bool, writers: Int, rate: Int,
         deadlineMicros: Int64, clock: RunClock, sink: @escaping @Sendable (ProbeAttempt) -> Void, logger: Logger) {
        let deadline = Duration.microseconds(deadlineMicros)
        if isRead {
            read = ReadProbe(endpoint: endpoint, conninfo: conninfo, readers: writers, ratePerSecond: rate,
                             deadline: deadline, clock: clock, sink: sink, logger: logger)
            write = nil
        } else {
            write = WriteProbe(runID: runID, endpoint: endpoint, conninfo: conninfo, writers: writers, ratePerSecond: rate,
                               deadline: deadline, clock: clock, sink: sink, logger: logger)
            read = nil
        }
    }

    func start() {
        write?.start()
        read?.start()
    }

    func stop() {
        write?.stop()
        read?.stop()
    }
}

/// Asks one node directly whether it accepts writes and on which timeline, for the cluster monitor.
/// Keeps its connection between polls; a failed poll drops it and reports the node unreachable.
final class NodeSQLPoller: @unchecked Sendable {
    // @unchecked Sendable: polled from exactly one monitor thread; `connection` is never shared, and the
    // counters the runner reads afterwards live in a Mutex.
    private let conninfo: String
    private var connection: PGConnection?
    let node: String
    private let counts = Mutex((polls: 0, failures: 0, lastError: String?.none))

    init(node: String, conninfo: String) {
        self.node = node
        self.conninfo = conninfo
    }

    /// How this node's SQL answered so far.
    var stats: MonitorSourceStats {
        counts.withLock { MonitorSourceStats(source: "\(node) SQL", polls: $0.polls, failures: $0.failures, lastError: $0.lastError) }
    }

    static let sql: String = """
        SELECT pg_is_in_recovery(),
               CASE WHEN pg_is_in_recovery() THEN (SELECT received_tli FROM pg_stat_wal_receiver)
                    ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
               \(ServerIdentity.startMicrosSQL)
        """

    func poll() -> ClusterMonitor.NodeSQL? {
        do {
            if connection == nil || connection?.isOpen == false {
                connection = try PGConnection(conninfo: conninfo, timeout: .milliseconds(500))
            }
            let result = try connection!.query(Self.sql, [], timeout: .milliseconds(500))
            guard let row = result.rows.first else {
                counts.withLock { $0.polls += 1; $0.failures += 1; $0.lastError = "no row" }
                return nil
            }
            counts.withLock { $0.polls += 1 }
            return .init(writable: row[0] == "f", timeline: row[1].flatMap { Int($0) }, startedAt: row[2].flatMap { Int64($0) })
        } catch {
            connection?.close()
            connection = nil
            let text = "\(error)".trimmingCharacters(in: .whitespacesAndNewlines)
            counts.withLock { $0.polls += 1; $0.failures += 1; $0.lastError = text }
            return nil
        }
    }
}
