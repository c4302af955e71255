import Foundation
import Logging
import Synchronization
import Testing
@testable import PGDrillProbeRecord
@testable import PGDrillPostgres

@Suite(.serialized, .enabled(if: LocalPostgres.available, "needs PostgreSQL 15 binaries and root"))
struct PGConnectionTests {
    @Test func parameterisedQueryRoundTrips() throws {
        let s = try LocalPostgres.server()
        let c = try PGConnection(conninfo: s.conninfo, timeout: .seconds(5))
        defer { c.close() }
        let hostile = "'; DROP TABLE x; --"
        let r = try c.query("SELECT $1::text, $2::int + 1, $3::text IS NULL", [hostile, "41", nil], timeout: .seconds(5))
        #expect(r.rows == [[hostile, "42", "t"]])
    }

    @Test func refusedPortFailsFastAsNotSent() throws {
        let started = Date()
        #expect {
            _ = try PGConnection(conninfo: "host=127.0.0.1 port=1 dbname=x user=x", timeout: .seconds(5))
        } throws: { error in
            guard let e = error as? PGError else { return false }
            return e.code == .connectionFailed && e.commitState == .notSent && AttemptClassification.outcome(of: e) == .fail
        }
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func wrongPasswordErrorNeverContainsThePassword() throws {
        let s = try LocalPostgres.server()
        let wrong = "wr0ng-\(LocalPostgres.password)"
        do {
            _ = try PGConnection(conninfo: "host=127.0.0.1 port=\(s.port) dbname=postgres user=drill password=\(wrong)", timeout: .seconds(5))
            Issue.record("a wrong password connected")
        } catch let e as PGError {
            #expect(e.message.contains("password authentication failed"))
            #expect(!e.description.contains(wrong) && !(e.detail ?? "").contains(wrong))
        }
        // The right one, through the same scram path, works.
        let ok = try PGConnection(conninfo: s.drillConninfo, timeout: .seconds(5))
        ok.close()
    }

    @Test func deadlineClosesTheConnectionAndIsIndeterminate() throws {
        let s = try LocalPostgres.server()
        let c = try PGConnection(conninfo: s.conninfo, timeout: .seconds(5))
        let started = Date()
        do {
            _ = try c.query("SELECT pg_sleep(5)", [], timeout: .milliseconds(300))
            Issue.record("no timeout")
        } catch let e as PGError {
            #expect(e.code == .timeout)
            #expect(e.commitState == .sentUnknown)
            #expect(AttemptClassification.outcome(of: e) == .indeterminate)
        }
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(!c.isOpen, "the connection is closed on the deadline, never cancelled")
    }

    @Test func readOnlyRefusalIsAFail() throws {
        let s = try LocalPostgres.server()
        let c = try PGConnection(conninfo: s.conninfo + " options='-c default_transaction_read_only=on'", timeout: .seconds(5))
        defer { c.close() }
        do {
            _ = try c.query("CREATE TEMP TABLE t (x int)", [], timeout: .seconds(5))
            Issue.record("wrote on a read-only session")
        } catch let e as PGError {
            #expect(e.sqlstate == "25006")
            #expect(AttemptClassification.outcome(of: e) == .fail)
        }
    }

    @Test(arguments: [("25006", ProbeAttempt.Outcome.fail), ("53100", .fail), ("23505", .fail), ("40001", .fail),
                      ("08006", .indeterminate), ("57P01", .indeterminate), ("57P02", .indeterminate), ("XX000", .indeterminate), ("58030", .indeterminate)])
    func sqlstateClassification(sqlstate: String, outcome: ProbeAttempt.Outcome) {
        #expect(AttemptClassification.outcome(ofSQLState: sqlstate) == outcome)
    }
}

@Suite(.serialized, .enabled(if: LocalPostgres.available, "needs PostgreSQL 15 binaries and root"))
struct WriteProbeTests {
    final class Collected: Sendable {
        let attempts = Mutex<[ProbeAttempt]>([])
        func add(_ a: ProbeAttempt) { attempts.withLock { $0.append(a) } }
        var all: [ProbeAttempt] { attempts.withLock { $0 } }
    }

    @Test func everyAcknowledgedWriteIsReadBackAndStopIsPrompt() throws {
        let s = try LocalPostgres.server()
        try ProbeTable.ensure(conninfo: s.drillConninfo)
        let sink = Collected()
        let runID = "test-\(UUID().uuidString.prefix(8))"
        let probe = WriteProbe(runID: runID, endpoint: "write", conninfo: s.drillConninfo, writers: 4, clock: RunClock(),
                               sink: { sink.add($0) }, logger: Logger(label: "test"))
        probe.start()
        Thread.sleep(forTimeInterval: 1.5)
        let stopping = Date()
        probe.stop()
        #expect(Date().timeIntervalSince(stopping) < 1.5)
        let attempts = sink.all
        let acked = Set(attempts.filter { $0.outcome == .ok }.map(\.key))
        #expect(acked.count > 200)
        #expect(attempts.allSatisfy { $0.outcome == .ok }, "\(attempts.filter { $0.outcome != .ok }.prefix(3))")
        #expect(attempts.allSatisfy { $0.end >= $0.start })
        let ok = try #require(attempts.first { $0.outcome == .ok })
        // Over loopback the socket address names no node: the server is identified by its postmaster's start
        // time, the same value the runner's own direct connections learn for the node.
        let started = try PGConnection(conninfo: s.drillConninfo, timeout: .seconds(5))
        let start = try started.query("SELECT \(ServerIdentity.startMicrosSQL)", [], timeout: .seconds(5)).rows.first?.first ?? nil
        started.close()
        #expect(ok.server == ServerIdentity.started(try #require(start)))
        #expect(ok.timeline == 1)
        #expect(ok.serverTime != nil)
        // Each writer's seqs are 1...n without gaps.
        for w in 0..<4 {
            let seqs = attempts.filter { $0.writer == w }.map(\.seq).sorted()
            #expect(seqs == Array(1...Int64(seqs.count)))
        }
        let back = try ProbeTable.readBack(conninfo: s.drillConninfo, runID: runID, batch: 97)
        #expect(back == acked, "read-back must hold exactly the acknowledged keys")
        // The summary that lets a replica share the primary's read-back changes with any missing row.
        let summary = try ProbeTable.summary(conninfo: s.drillConninfo, runID: runID)
        #expect(summary.hasPrefix("\(acked.count)/"))
        let one = try #require(acked.first)
        let c = try PGConnection(conninfo: s.drillConninfo, timeout: .seconds(5))
        _ = try c.query("DELETE FROM pgdrill.probe WHERE run_id = $1 AND writer = $2 AND seq = $3",
                        [runID, String(one.writer), String(one.seq)], timeout: .seconds(5))
        c.close()
        #expect(try ProbeTable.summary(conninfo: s.drillConninfo, runID: runID) != summary)
        try ProbeTable.purge(conninfo: s.drillConninfo, runID: runID)
        #expect(try ProbeTable.readBack(conninfo: s.drillConninfo, runID: runID).isEmpty)
    }

    @Test func unreachableEndpointRecordsFailsWithBackoff() throws {
        let sink = Collected()
        let probe = WriteProbe(runID: "x", endpoint: "write", conninfo: "host=127.0.0.1 port=1 dbname=x user=x", writers: 2,
                               clock: RunClock(), sink: { sink.add($0) }, logger: Logger(label: "test"))
        probe.start()
        Thread.sleep(forTimeInterval: 1.0)
        probe.stop()
        let attempts = sink.all
        #expect(!attempts.isEmpty)
        #expect(attempts.allSatisfy { $0.outcome == .fail })
        // Bounded back-off, 10–50 ms: a second yields tens of attempts per writer, not thousands, and never a
        // pause long enough to blur RTO after the endpoint comes back.
        #expect(attempts.count >= 2 * 15 && attempts.count <= 2 * 110, "\(attempts.count)")
        for w in 0..<2 {
            let starts = attempts.filter { $0.writer == w }.map(\.start).sorted()
            let gaps = zip(starts.dropFirst(), starts).map { $0 - $1 }
            // The waits themselves are held to 10–50 ms by ReconnectBackoffTests; here only that no try waits
            // on anything longer (a seconds-long back-off), with room for a busy 2-core machine's scheduler
            // (a 65 ms gap was seen with other suites running).
            #expect(gaps.allSatisfy { $0 <= 250_000 }, "a gap of \(gaps.max() ?? 0) µs between tries")
        }
    }
}

/// The reconnect back-off bounds RTO's resolution after a connection-refused outage: every wait 10–50 ms.
@Suite struct ReconnectBackoffTests {
    @Test func everyWaitIsBetweenTheFloorAndTheCapAndSpreadsOut() {
        var rng = SystemRandomNumberGenerator()
        var b = ReconnectBackoff()
        var waits: [Duration] = []
        for _ in 0..<1000 { waits.append(b.next(using: &rng)) }
        #expect(waits.allSatisfy { $0 >= .milliseconds(10) && $0 <= .milliseconds(50) }, "\(waits.min()!)…\(waits.max()!)")
        #expect(waits.prefix(1).allSatisfy { $0 == .milliseconds(10) }, "the first retry comes after the floor")
        // At the cap, waits are jittered over [25, 50] ms: writers do not retry in lockstep.
        let late = waits.dropFirst(10)
        #expect(late.allSatisfy { $0 >= .milliseconds(25) })
        #expect(Set(late).count > 100)
    }

    @Test func aSuccessResetsTheWait() {
        var rng = SystemRandomNumberGenerator()
        var b = ReconnectBackoff()
        for _ in 0..<10 { _ = b.next(using: &rng) }
        b.reset()
        #expect(b.next(using: &rng) == .milliseconds(10))
    }
}

/// Which server acknowledged: the socket address where it names the node, the postmaster's start time where
/// the last hop is loopback or a Unix socket (every node would otherwise be 127.0.0.1:5432).
@Suite struct ServerIdentityTests {
    @Test func aNodesOwnAddressNamesIt() {
        #expect(ServerIdentity.from(address: "10.77.0.11/32", port: "5432", startMicros: "1") == "10.77.0.11:5432")
        #expect(ServerIdentity.from(address: "fd00::11/128", port: "5432", startMicros: "1") == "fd00::11:5432")
    }

    @Test func loopbackAndSocketHopsUseThePostmastersStartTime() {
        #expect(ServerIdentity.from(address: "127.0.0.1/32", port: "5432", startMicros: "1764715200123456") == "postmaster-started-1764715200123456")
        #expect(ServerIdentity.from(address: "::1/128", port: "5432", startMicros: "7") == "postmaster-started-7")
        #expect(ServerIdentity.from(address: nil, port: nil, startMicros: "7") == "postmaster-started-7")
        #expect(ServerIdentity.from(address: nil, port: nil, startMicros: nil) == nil)
    }
}
