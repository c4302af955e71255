import Foundation
import Logging
import PGDrillProbeRecord

/// The instrument: `writers` libpq connections to one endpoint, each on its own thread, each looping an
/// autocommit INSERT into `pgdrill.probe` as fast as acknowledgements come (or at `ratePerSecond` in total).
///
/// Every attempt is bounded by `deadline` (connect and statement together); on the deadline the connection
/// is closed and the attempt is indeterminate — never cancelled (DESIGN §6). Every attempt, whatever its
/// outcome, is handed to `sink` from the writer's thread.
///
/// Outcome rules (see `AttemptClassification`): ok = the INSERT returned its row; fail = refused before
/// the commit could have happened (connect failure, read-only, disk full, any statement error); indeterminate
/// = the connection was lost or the deadline passed after the statement was sent, or the server died
/// around it (SQLSTATE class 08, 57P01–03, XX, 58). A connect failure consumes the seq it was going to write.
public final class WriteProbe: Sendable {
    let runID: String
    let endpoint: String
    let conninfo: String
    let writers: Int
    let ratePerSecond: Int
    let deadline: Duration
    let clock: RunClock
    let sink: @Sendable (ProbeAttempt) -> Void
    let logger: Logger
    private let threads: ProbeThreads
    var stopSignal: StopSignal { threads.stopSignal }

    public init(runID: String, endpoint: String, conninfo: String, writers: Int, ratePerSecond: Int = 0,
                deadline: Duration = .seconds(2), clock: RunClock, sink: @escaping @Sendable (ProbeAttempt) -> Void, logger: Logger) {
        self.runID = runID
        self.endpoint = endpoint
        self.conninfo = conninfo
        self.writers = max(1, writers)
        self.ratePerSecond = ratePerSecond
        self.deadline = deadline
        self.clock = clock
        self.sink = sink
        self.logger = logger
        threads = ProbeThreads(label: "write-\(endpoint)", logger: logger)
    }

    /// Starts one thread per writer.
    public func start() {
        threads.start(writers) { [self] w in
            var loop = WriterLoop(probe: self, writer: w)
            loop.run()
        }
    }

    /// Stops every writer: an attempt in flight gets 0.5 s to finish, then its connection is closed.
    /// Returns once all writers have ended (about a second at most).
    public func stop() { threads.stop() }

    /// Per-writer pacing interval in ns (0: unpaced).
    var intervalNanos: UInt64 {
        ratePerSecond > 0 ? UInt64(1_000_000_000 * Double(writers) / Double(ratePerSecond)) : 0
    }
}

/// One writer thread's loop and connection.
private struct WriterLoop {
    let probe: WriteProbe
    let writer: Int
    var connection: PGConnection?
    var seq: Int64 = 0
    var backoff = ReconnectBackoff()
    /// Named prepared statement on the current connection (saves a parse per write). Turned off for good
    /// when the endpoint loses it between statements — PgBouncer in transaction pooling mode hands each
    /// statement to any server connection.
    var usePrepared = true
    var prepared = false
    var servers = ServerIdentityCache()

    init(probe: WriteProbe, writer: Int) {
        self.probe = probe
        self.writer = writer
    }

    mutating func run() {
        var next = RunClock.monotonicNanos()
        let interval = probe.intervalNanos
        let runID = probe.runID
        let endpoint = probe.endpoint
        // The statement's parameters: run, endpoint and writer stay; seq and start are set per attempt
        // (the array is reused, so binding them allocates nothing).
        var params: [String?] = [runID, endpoint, String(writer), nil, nil]
        while !probe.stopSignal.isStopping {
            if interval > 0 {
                let now = RunClock.monotonicNanos()
                if next > now, !probe.stopSignal.sleep(.nanoseconds(Int64(next - now))) { break }
                next = max(next, now) &+ interval
            }
            seq += 1
            let start = probe.clock.now()
            let deadline = Deadline(after: probe.deadline, stop: probe.stopSignal)
            var attempt = ProbeAttempt(endpoint: endpoint, writer: writer, seq: seq, start: start, end: start, outcome: .fail)
            do {
                if connection == nil || connection?.isOpen == false {
                    connection = try PGConnection(conninfo: probe.conninfo, timeout: probe.deadline, until: deadline)
                    prepared = false
                }
                let warnings = connection!.warningCount
                params[3] = String(seq)
                params[4] = String(start)
                let ack = try insert(params, until: deadline)
                attempt.end = probe.clock.now()
                attempt.outcome = .ok
                if let ack {
                    attempt.server = ack.server
                    attempt.serverTime = ack.serverTime
                    attempt.timeline = ack.timeline
                }
                if connection!.warningCount > warnings, let w = connection!.lastWarning {
                    // Acknowledged, but the server says so only with a warning (e.g. the sync wait was abandoned).
                    attempt.error = "WARNING: " + w.message
                }
                backoff.reset()
            } catch let error as PGError {
                attempt.end = probe.clock.now()
                attempt.outcome = AttemptClassification.outcome(of: error)
                attempt.sqlstate = error.sqlstate
                attempt.error = error.message
                if AttemptClassification.shouldReconnect(after: error) {
                    connection?.close()
                    connection = nil
                }
                if error.commitState == .notSent || error.code == .connectionFailed {
                    // Connection refused or unreachable: back off 10–50 ms (see ReconnectBackoff) instead of spinning.
                    probe.sink(attempt)
                    if !probe.stopSignal.sleep(backoff.next()) { break }
                    continue
                }
            } catch {
                attempt.end = probe.clock.now()
                attempt.outcome = .fail
                attempt.error = "\(error)"
            }
            probe.sink(attempt)
        }
        connection?.close()
    }

    /// What the INSERT's RETURNING row says of an acknowledged write.
    struct Ack {
        var server: String?
        var serverTime: Int64?
        var timeline: Int?
    }

    /// Reads the RETURNING row in place: address, port, server time, timeline, postmaster start.
    mutating func ack(from row: PGResultRow) -> Ack {
        Ack(server: servers.identity(address: row.text(0), port: row.text(1), startMicros: { row.text(4) }),
            serverTime: row.int64(2), timeline: row.int64(3).flatMap { Int(exactly: $0) })
    }

    /// Runs the probe INSERT, prepared when the endpoint keeps prepared statements; `nil` when the answer
    /// had no row. A statement that is gone (SQLSTATE 26000) was never executed, so the same attempt is
    /// retried unprepared: nothing of it can have been committed, and the switch never shows up as a
    /// failed write.
    mutating func insert(_ params: [String?], until deadline: Deadline) throws -> Ack? {
        guard let connection else { throw PGError(code: .connectionLost, message: "no connection", commitState: .notSent) }
        if usePrepared {
            do {
                if !prepared {
                    try connection.prepare(name: "pgdrill_probe_insert", sql: ProbeTable.insert, until: deadline)
                    prepared = true
                }
                return try connection.executePrepared(name: "pgdrill_probe_insert", params, until: deadline) { ack(from: $0) }
            } catch let error as PGError where error.sqlstate == "26000" || error.sqlstate == "42P05" {
                usePrepared = false
                probe.logger.info("endpoint \(probe.endpoint) does not keep prepared statements (\(error.message)); using unnamed statements")
            }
        }
        return try connection.query(ProbeTable.insert, params, until: deadline) { ack(from: $0) }
    }
}
