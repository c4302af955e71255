import PGDrillProbeRecord

/// The probe table, `pgdrill.probe`: one row per write attempt that reached the server, keyed by
/// (run_id, endpoint, writer, seq), with server-side evidence (clock_timestamp and timeline).
public enum ProbeTable {
    static let create = """
        CREATE TABLE IF NOT EXISTS pgdrill.probe (
            run_id       text        NOT NULL,
            endpoint     text        NOT NULL,
            writer       int         NOT NULL,
            seq          bigint      NOT NULL,
            client_start bigint,
            server_time  timestamptz NOT NULL DEFAULT clock_timestamp(),
            timeline     int,
            PRIMARY KEY (run_id, endpoint, writer, seq)
        )
        """

    /// The probe's statement. The timeline is read from the current WAL file's name: the row itself says
    /// which timeline the server was on when it acknowledged it; the server's address and its postmaster's
    /// start time say which server it was (`ServerIdentity`), in the same statement — through a
    /// transaction-pooling PgBouncer consecutive statements of one client connection can reach different
    /// servers.
    static let insert = """
        INSERT INTO pgdrill.probe (run_id, endpoint, writer, seq, client_start, timeline)
        VALUES ($1, $2, $3, $4, $5, ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int)
        RETURNING inet_server_addr()::text, inet_server_port(), floor(extract(epoch FROM server_time) * 1000000)::bigint, timeline,
                  floor(extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint
        """

    /// Creates the schema and table if they are missing (through the write endpoint, before a drill).
    public static func ensure(conninfo: String, timeout: Duration = .seconds(10)) throws {
        let c = try PGConnection(conninfo: conninfo, timeout: timeout)
        defer { c.close() }
        let exists = try c.query("SELECT to_regclass('pgdrill.probe') IS NOT NULL", [], timeout: timeout)
        if exists.rows.first?.first == "t" { return }
        _ = try c.query("CREATE SCHEMA IF NOT EXISTS pgdrill", [], timeout: timeout)
        _ = try c.query(create, [], timeout: timeout)
    }

    /// Every key of `runID` present on the server behind `conninfo`, read in keyset-paged batches so a long
    /// run's hundreds of thousands of rows never sit in one result.
    public static func readBack(conninfo: String, runID: String, batch: Int = 50_000, timeout: Duration = .seconds(60)) throws -> Set<WriteKey> {
        var keys = Set<WriteKey>()
        try forEachKey(conninfo: conninfo, runID: runID, batch: batch, timeout: timeout) { keys.insert($0) }
        return keys
    }

    /// The same keys as `readBack`, held as the write verification looks them up: 8 bytes a key instead of a
    /// hashed set's ~50, built as the rows arrive in key order (nothing to sort at report time).
    public static func readBackKeys(conninfo: String, runID: String, batch: Int = 50_000, timeout: Duration = .seconds(60)) throws -> WriteKeySet {
        var keys = WriteKeySet.Builder()
        try forEachKey(conninfo: conninfo, runID: runID, batch: batch, timeout: timeout) { keys.add($0) }
        return keys.build()
    }

    private static func forEachKey(conninfo: String, runID: String, batch: Int, timeout: Duration, _ body: (WriteKey) -> Void) throws {
        let c = try PGConnection(conninfo: conninfo, timeout: .seconds(10))
        defer { c.close() }
        var after: (String, Int, Int64) = ("", -1, -1)
        while true {
            let r = try c.query("""
                SELECT endpoint, writer, seq FROM pgdrill.probe
                WHERE run_id = $1 AND (endpoint, writer, seq) > ($2, $3::int, $4::bigint)
                ORDER BY endpoint, writer, seq LIMIT \(batch)
                """, [runID, after.0, String(after.1), String(after.2)], timeout: timeout)
            for row in r.rows {
                guard let e = row[0], let w = row[1].flatMap({ Int($0) }), let s = row[2].flatMap({ Int64($0) }) else { continue }
                body(WriteKey(endpoint: e, writer: w, seq: s))
                after = (e, w, s)
            }
            if r.rows.count < batch { return }
        }
    }

    /// Count and an order-independent checksum of a run's keys on one server: two servers with the same
    /// summary hold the same rows (a mismatch is read in full), so replicas need not be read key by key.
    public static func summary(conninfo: String, runID: String, timeout: Duration = .seconds(60)) throws -> String {
        let c = try PGConnection(conninfo: conninfo, timeout: .seconds(10))
        defer { c.close() }
        let r = try c.query("""
            SELECT count(*) || '/' || coalesce(sum(hashtext(endpoint || ':' || writer || ':' || seq)::bigint), 0)
            FROM pgdrill.probe WHERE run_id = $1
            """, [runID], timeout: timeout)
        return r.rows.first?.first.flatMap { $0 } ?? "0/0"
    }

    /// Deletes a run's rows once they were verified (the report keeps every attempt). Returns the primary's
    /// WAL position after the delete, so the caller can wait for replicas to replay it.
    @discardableResult
    public static func purge(conninfo: String, runID: String, timeout: Duration = .seconds(60)) throws -> String? {
        let c = try PGConnection(conninfo: conninfo, timeout: .seconds(10))
        defer { c.close() }
        _ = try c.query("DELETE FROM pgdrill.probe WHERE run_id = $1", [runID], timeout: timeout)
        return try c.query("SELECT pg_current_wal_lsn()::text", [], timeout: timeout).rows.first?.first ?? nil
    }

    /// What a node says of itself when the probe rows are read back: whether it is in recovery, its
    /// timeline (a replica's from its WAL receiver, else from its last checkpoint) and its WAL position
    /// (a primary's current, a replica's replayed).
    public struct NodeState: Sendable, Equatable {
        public var inRecovery: Bool
        public var timeline: Int?
        public var lsn: String?
        /// The postmaster's start time, µs since the Unix epoch (`ServerIdentity`).
        public var startedAt: String?
    }

    public static func nodeState(conninfo: String, timeout: Duration = .seconds(5)) throws -> NodeState {
        let c = try PGConnection(conninfo: conninfo, timeout: timeout)
        defer { c.close() }
        let r = try c.query("""
            SELECT pg_is_in_recovery(),
                   CASE WHEN pg_is_in_recovery()
                        THEN coalesce((SELECT received_tli FROM pg_stat_wal_receiver), (SELECT timeline_id FROM pg_control_checkpoint()))
                        ELSE ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int END,
                   CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END::text,
                   \(ServerIdentity.startMicrosSQL)
            """, [], timeout: timeout)
        guard let row = r.rows.first else { throw PGError(code: .queryFailed, message: "no row from the node-state query", commitState: .sentUnknown) }
        return NodeState(inRecovery: row[0] == "t", timeline: row[1].flatMap { Int($0) }, lsn: row[2] ?? nil, startedAt: row[3] ?? nil)
    }

    /// Whether the server behind `conninfo` has replayed WAL up to `lsn` (true on a primary).
    public static func hasReplayed(conninfo: String, lsn: String, timeout: Duration = .seconds(5)) throws -> Bool {
        let c = try PGConnection(conninfo: conninfo, timeout: timeout)
        defer { c.close() }
        let r = try c.query("SELECT NOT pg_is_in_recovery() OR pg_last_wal_replay_lsn() >= $1::pg_lsn", [lsn], timeout: timeout)
        return r.rows.first?.first == "t"
    }
}
