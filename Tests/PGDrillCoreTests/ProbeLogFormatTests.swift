import Testing
@testable import PGDrillCore

/// The probe log's bytes, pinned: formatting is hand-written for speed, so every edge is spelled out here.
@Suite struct ProbeLogFormatTests {
    @Test(arguments: [(Int64(0), "0"), (7, "7"), (-7, "-7"), (10, "10"), (1_764_715_200_123_456, "1764715200123456"),
                      (Int64.max, "9223372036854775807"), (Int64.min, "-9223372036854775808"), (-1_000_000, "-1000000")])
    func integers(value: Int64, text: String) {
        var out: [UInt8] = [UInt8(ascii: "x")]
        ProbeLogFormat.appendInteger(value, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x" + text)
    }

    @Test(arguments: [("write", "write"), ("", "\"\""), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
                      ("two\nlines", "\"two\nlines\""), ("cr\r", "\"cr\r\""), ("é€ ok", "é€ ok"),
                      (String(repeating: "y", count: 300), String(repeating: "y", count: 300))])
    func texts(text: String, field: String) {
        var out: [UInt8] = []
        ProbeLogFormat.appendText(text, to: &out)
        #expect(String(decoding: out, as: UTF8.self) == field)
        var missing: [UInt8] = []
        ProbeLogFormat.appendText(nil, to: &missing)
        #expect(missing.isEmpty)
    }

    @Test func oneRow() {
        var out: [UInt8] = []
        ProbeLogFormat.append(ProbeAttempt(endpoint: "write", writer: 3, seq: 12, start: 0, end: -5, outcome: .ok, sqlstate: nil,
                                           error: "WARNING: a, b", server: "10.77.0.11:5432", serverTime: 1_764_715_200_123_456,
                                           timeline: 2), to: &out)
        ProbeLogFormat.append(ProbeAttempt(endpoint: "pooled", writer: 0, seq: 1, start: 9, end: 10, outcome: .indeterminate,
                                           sqlstate: "08006", error: ""), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == """
            write,3,12,0,-5,ok,,10.77.0.11:5432,1764715200123456,2,"WARNING: a, b"
            pooled,0,1,9,10,indeterminate,08006,,,,""

            """)
    }
}
