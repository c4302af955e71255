import CLibPQ

/// The first row of a statement's result, read in place from libpq's `PGresult`, for a caller that wants a
/// few values of a one-row answer per request — the write probe, thousands of times a second. Copying the
/// whole result into a `PGResult` (column names, every value, the command tag) cost the probe more
/// instructions than libpq's own parsing of the answer.
///
/// Handed to a closure by `PGConnection` and valid only inside it: the result is cleared when the closure
/// returns, so a row must never be stored.
struct PGResultRow {
    private let result: OpaquePointer
    private let row: Int32

    /// The result's first row, or `nil` when it has none.
    init?(first result: OpaquePointer) {
        guard PQntuples(result) > 0 else { return nil }
        self.result = result
        row = 0
    }

    /// Number of columns.
    var count: Int { Int(PQnfields(result)) }

    /// The column's text representation; `nil` for SQL NULL or a column past the end.
    func text(_ column: Int) -> String? {
        withBytes(column) { String(decoding: $0, as: UTF8.self) }
    }

    /// The column as a decimal integer, read without making a `String` first; `nil` for SQL NULL, a column
    /// past the end, or text `Int64(_:)` would not accept (the same rules: optional sign, digits, in range).
    func int64(_ column: Int) -> Int64? {
        withBytes(column) { Self.decimal($0) } ?? nil
    }

    private func withBytes<T>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T? {
        guard column < count else { return nil }
        let c = Int32(column)
        guard PQgetisnull(result, row, c) == 0, let value = PQgetvalue(result, row, c) else { return nil }
        let length = Int(PQgetlength(result, row, c))
        return value.withMemoryRebound(to: UInt8.self, capacity: length) {
            body(UnsafeBufferPointer(start: $0, count: length))
        }
    }

    /// Parses `[+-]digits` as `Int64(_: String)` does: nil when empty, not digits, or out of range.
    static func decimal(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let first = bytes.first else { return nil }
        let negative = first == UInt8(ascii: "-")
        let signed = negative || first == UInt8(ascii: "+")
        guard bytes.count > (signed ? 1 : 0) else { return nil }
        var value: Int64 = 0
        for byte in bytes[(signed ? 1 : 0)...] {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative
                ? times10.subtractingReportingOverflow(Int64(digit)) : times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }
}
