import Foundation
import Logging
import PGDrillProbeRecord

/// The read-side probe for a read endpoint (HAProxy's replica port): each reader loops a small query and
/// records which server answered and whether it was in recovery. Nothing is written, so an error is a
/// `fail`, never indeterminate.
public final class ReadProbe: Sendable {
    let endpoint: String
    let conninfo: String
    let readers: Int
    let ratePerSecond: Int
    let deadline: Duration
    let clock: RunClock
    let sink: @Sendable (ProbeAttempt) -> Void
    let logger: Logger
    private let threads: ProbeThreads
    var stopSignal: StopSignal { threads.stopSignal }

    static let sql = "SELECT inet_server_addr()::text, inet_server_port(), pg_is_in_recovery(), \(ServerIdentity.startMicrosSQL)"

    public init(endpoint: String, conninfo: String, readers: Int, ratePerSecond: Int = 0, deadline: Duration = .seconds(2),
                clock: RunClock, sink: @escaping @Sendable (ProbeAttempt) -> Void, logger: Logger) {
        self.endpoint = endpoint
        self.conninfo = conninfo
        self.readers = max(1, readers)
        self.ratePerSecond = ratePerSecond
        self.deadline = deadline
        self.clock = clock
        self.sink = sink
        self.logger = logger
        threads = ProbeThreads(label: "read-\(endpoint)", logger: logger)
    }

    public func start() {
        threads.start(readers) { [self] r in loop(reader: r) }
    }

    public func stop() { threads.stop() }

    private func loop(reader: Int) {
        var connection: PGConnection?
        var seq: Int64 = 0
        var backoff = ReconnectBackoff()
        let interval: Duration = ratePerSecond > 0 ? .nanoseconds(Int64(1e9 * Double(readers) / Double(ratePerSecond))) : .zero
        while !stopSignal.isStopping {
            seq += 1
            let start = clock.now()
            let deadline = Deadline(after: self.deadline, stop: stopSignal)
            var attempt = ProbeAttempt(endpoint: endpoint, writer: reader, seq: seq, start: start, end: start, outcome: .fail)
            do {
                if connection == nil || connection?.isOpen == false {
                    connection = try PGConnection(conninfo: conninfo, timeout: self.deadline, until: deadline)
                }
                let r = try connection!.query(Self.sql, [], until: deadline)
                attempt.end = clock.now()
                attempt.outcome = .ok
                if let row = r.rows.first {
                    attempt.server = ServerIdentity.from(address: row[0], port: row[1], startMicros: row[3])
                    if row[2] == "f" { attempt.error = "answered by a primary (not in recovery)" }
                }
                backoff.reset()
            } catch let error as PGError {
                attempt.end = clock.now()
                attempt.sqlstate = error.sqlstate
                attempt.error = error.message
                connection?.close()
                connection = nil
                sink(attempt)
                if !stopSignal.sleep(backoff.next()) { break }
                continue
            } catch {
                attempt.end = clock.now()
                attempt.error = "\(error)"
            }
            sink(attempt)
            if interval > .zero, !stopSignal.sleep(interval) { break }
        }
        connection?.close()
    }
}
