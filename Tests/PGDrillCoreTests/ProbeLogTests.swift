import Foundation
import Testing
@testable import PGDrillCore

@Suite struct ProbeLogTests {
    func temporaryPath(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-core-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent(name).path
    }

    @Test func roundTripWithQuoting() throws {
        let path = temporaryPath("probe.csv")
        let attempts = [
            ProbeAttempt(endpoint: "write", writer: 0, seq: 1, start: 10, end: 2_010, outcome: .ok,
                         server: "10.77.0.11:5432", serverTime: 1_700_000_000_000_123, timeline: 2),
            ProbeAttempt(endpoint: "write", writer: 3, seq: 9_223_372_036_854_775_807, start: -5, end: 0, outcome: .fail,
                         sqlstate: "25006", error: "cannot execute INSERT in a read-only transaction, \"really\"\nsecond line"),
            ProbeAttempt(endpoint: "pooled", writer: 1, seq: 2, start: 7, end: 8, outcome: .indeterminate, error: ""),
            ProbeAttempt(endpoint: "a,b", writer: 0, seq: 1, start: 1, end: 2, outcome: .fail, error: "ünïcödé\r\n✓"),
        ]
        let writer = try ProbeLogWriter(path: path)
        for a in attempts { writer.record(a) }
        try writer.close()
        #expect(writer.recordedCount == 4)

        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix("endpoint,writer,seq,start,end,outcome,sqlstate,server,server_time,timeline,error\n"))
        #expect(text.contains("\"cannot execute INSERT in a read-only transaction, \"\"really\"\"\nsecond line\""))

        let reader = try ProbeLogReader(path: path)
        #expect(Array(reader) == attempts)
        // Multi-pass: a second iteration reopens the file.
        #expect(Array(reader).count == 4)
        #expect(reader.issues.malformedRows == 0)
    }

    @Test func manyRowsAcrossChunksFromManyThreads() async throws {
        let path = temporaryPath("big.csv")
        let writer = try ProbeLogWriter(path: path)
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<4 {
                group.addTask {
                    for seq in 1...25_000 {
                        writer.record(ProbeAttempt(endpoint: "write", writer: w, seq: Int64(seq), start: Int64(seq) * 100,
                                                   end: Int64(seq) * 100 + 42, outcome: seq % 10 == 0 ? .fail : .ok,
                                                   error: seq % 10 == 0 ? "refused, \"x\"" : nil, server: "10.77.0.11:5432"))
                    }
                }
            }
        }
        try writer.close()
        var count = 0
        var perWriter = [Int64](repeating: 0, count: 4)
        for a in try ProbeLogReader(path: path) {
            count += 1
            #expect(a.seq > perWriter[a.writer], "rows of one writer stay in order")
            perWriter[a.writer] = a.seq
        }
        #expect(count == 100_000)
        #expect(perWriter == [25_000, 25_000, 25_000, 25_000])
    }

    @Test func tornLastRowAndBadRowsAreCountedNotFatal() throws {
        let path = temporaryPath("torn.csv")
        try (ProbeLogFormat.header + "\n"
            + "write,0,1,10,20,ok,,s,,,\n"
            + "write,0,x,10,20,ok,,s,,,\n"
            + "write,0,3,10,20,maybe,,s,,,\n"
            + "write,0,4,10,20,ok,,s,,,\n"
            + "write,0,5,10").write(toFile: path, atomically: true, encoding: .utf8)
        let reader = try ProbeLogReader(path: path)
        #expect(Array(reader).map(\.seq) == [1, 4])
        #expect(reader.issues.malformedRows == 3)
        #expect(reader.issues.firstProblem?.row == 3)
        #expect(reader.issues.firstProblem?.code == .malformedRow)
    }

    @Test func wrongHeaderIsRejected() throws {
        let path = temporaryPath("other.csv")
        try "a,b,c\n1,2,3\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ProbeLogError.self) { try ProbeLogReader(path: path) }
        #expect(throws: ProbeLogError.self) { try ProbeLogReader(path: path + ".missing") }
    }

    @Test func analysisStreamsFromTheLog() throws {
        let path = temporaryPath("failover.csv")
        let writer = try ProbeLogWriter(path: path)
        for a in Fixture.failover { writer.record(a) }
        try writer.close()
        let input = Fixture.input(events: Fixture.failoverEvents)
        #expect(DrillAnalyzer(input).analyze(try ProbeLogReader(path: path)) == DrillAnalyzer(input).analyze(Fixture.failover))
    }
}
