import Foundation
import Testing
@testable import PGDrillCore

/// The in-place fast path must accept exactly the rows the general CSV reader accepts, with the same values,
/// or hand the row over (nil) — never accept a row the general reader rejects.
@Suite struct ProbeLogRowTests {
    @Test(arguments: [
        "write,0,1,100,900,ok,,10.77.0.11:5432,1700000000000000,1,",
        "pooled,3,42,100,900,fail,08006,,,,connection lost",
        "write,1,7,-5,-1,indeterminate,,,,,",
        "write,0,9223372036854775807,0,1,ok,,,,,",  // 19 digits: the checked path
        "write,0,9223372036854775808,0,1,ok,,,,,",  // overflow: rejected by both
        "write,0,-9223372036854775808,0,1,ok,,,,,",
        "write,0,1,0,1,OK,,,,,",  // outcome is case-sensitive
        "write,0,1,0,1,ok,,,,",  // 10 fields
        "write,0,1,0,1,ok,,,,,,",  // 12 fields
        ",0,1,0,1,ok,,,,,",  // empty endpoint
        "write,-,1,0,1,ok,,,,,",
        "write,0,1,0,1,ok,,,12x,,",
        "write,0,1,0,1,ok,,,,99999999999999999999,",
        "write,0,1,0,1,ok,,an-address-longer-than-sixteen-bytes:5432,,,",
        "write,0,1,0,1,ok,,,,,\"quoted, error\"",  // quotes: the general reader's
        "wr\u{e9}te,0,1,0,1,ok,,,,,",
    ])
    func fastPathAgreesWithTheGeneralReader(row: String) throws {
        let path = NSTemporaryDirectory() + "pgdrill-row-\(UUID().uuidString).csv"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try (row + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        var general = CSVRecordReader(file: try ChunkedFile(path: path))
        let gotRecord = general.next()
        #expect(gotRecord)
        let slow = try? ProbeAttempt.parse(general).get()
        var fast = ProbeLogRow()
        let bytes = Array(row.utf8)
        let quick = bytes.withUnsafeBufferPointer { fast.parse($0) }
        if let quick {
            #expect(quick == slow, "fast path accepted what the general reader read differently")
        }
        // And through the reader (fast path first): the same outcome as the general reader alone.
        let header = ProbeLogFormat.header + "\n"
        try (header + row + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let reader = try ProbeLogReader(path: path)
        #expect(Array(reader) == (slow.map { [$0] } ?? []))
    }

    @Test func internedValuesStayCorrectWhenManyDistinctValuesRotate() {
        var cache = ProbeLogRow.InternCache()
        for round in 0..<3 {
            for i in 0..<10 {
                let text = "10.77.0.\(i):5432"
                let bytes = Array(text.utf8)
                #expect(bytes.withUnsafeBufferPointer { cache.text($0) } == text, "round \(round)")
            }
        }
    }
}
