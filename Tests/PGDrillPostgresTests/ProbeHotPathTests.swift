import CLibPQ
#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import PGDrillPostgres

/// The probe's per-attempt path reads and binds values without the general-purpose copies; these pin that it
/// gives exactly what the general path gave (`Int64(_:)`, `split(separator: "/")`, `String(cString:)`).
@Suite struct ProbeHotPathTests {
    @Test(arguments: ["0", "7", "-7", "+7", "1764715200123456", "9223372036854775807", "-9223372036854775808",
                      "9223372036854775808", "-9223372036854775809", "", "-", "+", "1.5", " 1", "1 ", "12a", "00042"])
    func decimalReadsWhatInt64Reads(text: String) {
        let parsed = Array(text.utf8).withUnsafeBufferPointer { PGResultRow.decimal($0) }
        #expect(parsed == Int64(text))
    }

    @Test(arguments: ["10.77.0.11/32", "fd00::11/128", "10.77.0.11", "/32", "//x/y", "", "/", "a//b"])
    func hostPartIsTheFirstPartBetweenSlashes(address: String) {
        let old = address.split(separator: "/").first.map(String.init) ?? address
        #expect(ServerIdentity.hostPart(of: address) == old)
    }

    /// The cache answers as `ServerIdentity.from` over a run that moves between servers, through loopback
    /// (start time decides every time) and a socket (no address).
    @Test func identityCacheAnswersAsFromDoes() {
        let answers: [(String?, String?, String?)] = [
            ("10.77.0.11/32", "5432", "1"), ("10.77.0.11/32", "5432", "2"), ("10.77.0.12/32", "5432", "1"),
            ("10.77.0.12/32", "6432", "1"), ("127.0.0.1/32", "5432", "100"), ("127.0.0.1/32", "5432", "200"),
            (nil, nil, "300"), (nil, "5432", nil), ("10.77.0.11/32", nil, nil), ("10.77.0.11/32", "5432", nil),
            ("/", "5432", "9"), ("", "5432", "9"), ("::1/128", "5432", "9"), ("10.77.0.11/32", "5432", "1"),
        ]
        var cache = ServerIdentityCache()
        for (address, port, start) in answers {
            let cached = cache.identity(address: address, port: port, startMicros: { start })
            #expect(cached == ServerIdentity.from(address: address, port: port, startMicros: start), "\(address ?? "nil") \(port ?? "nil")")
        }
    }

    @Test(arguments: [[String?](), [nil], [""], ["run-1", nil, "", "é€", String(repeating: "x", count: 5000), "42"]])
    func cStringArrayHandsEveryStringOver(strings: [String?]) {
        let back: [String?] = CStringArray.with(strings) { pointers in
            (0..<strings.count).map { pointers[$0].map { String(cString: $0) } }
        }
        #expect(back == strings)
    }

    /// A result built in memory (no server): the row view reads what `PGResult(copying:)` copies.
    @Test func firstRowReadsWhatTheCopyHolds() throws {
        let result = try #require(PQmakeEmptyPGresult(nil, PGRES_TUPLES_OK))
        defer { PQclear(result) }
        let names = ["inet_server_addr", "inet_server_port", "floor", "timeline", "floor"]
        var attributes = names.map { name in
            PGresAttDesc(name: strdup(name), tableid: 0, columnid: 0, format: 0, typid: 25, typlen: -1, atttypmod: -1)
        }
        defer { for a in attributes { free(a.name) } }
        #expect(PQsetResultAttrs(result, Int32(names.count), &attributes) == 1)
        for (column, value) in ["10.77.0.11/32", "5432", "1764715200123456", "2", nil].enumerated() {
            if let value {
                // PQsetvalue copies the value into the result.
                let set = value.withCString { PQsetvalue(result, 0, Int32(column), UnsafeMutablePointer(mutating: $0), Int32(value.utf8.count)) }
                #expect(set == 1)
            } else {
                #expect(PQsetvalue(result, 0, Int32(column), nil, -1) == 1)
            }
        }
        let copy = PGResult(copying: result)
        let row = try #require(PGResultRow(first: result))
        #expect(row.count == 5)
        for column in 0..<6 {
            #expect(row.text(column) == (column < 5 ? copy.rows[0][column] : nil))
            #expect(row.int64(column) == (column < 5 ? copy.rows[0][column].flatMap { Int64($0) } : nil))
        }
        let empty = try #require(PQmakeEmptyPGresult(nil, PGRES_TUPLES_OK))
        defer { PQclear(empty) }
        #expect(PGResultRow(first: empty) == nil)
    }
}
