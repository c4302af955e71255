#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The probe log's fast path: one row exactly as `ProbeLogFormat` writes it in the common case — no
/// quotes, no CR — parsed in place from the file's buffer, with no copy and no per-row String for the
/// values that repeat (endpoint, server, SQLSTATE).
///
/// Reading the log is most of a report's cost (a 10-minute drill logs ~3.3 M attempts and the analysis
/// reads them twice, the timeline once): the per-byte CSV reader spent ~8,900 instructions a row. Any
/// row this does not recognise (quoted text, a wrong field count, a bad number) goes to the general
/// reader, which also names the problem, so both paths accept and reject exactly the same rows.
struct ProbeLogRow {
    private var endpoints = InternCache()
    private var servers = InternCache()
    private var sqlstates = InternCache()

    mutating func parse(_ line: UnsafeBufferPointer<UInt8>) -> ProbeAttempt? {
        guard let base = line.baseAddress else { return nil }
        // Quoted fields and CRs are the general reader's.
        if memchr(base, Int32(ProbeLogFormat.quote), line.count) != nil || memchr(base, Int32(ProbeLogFormat.carriageReturn), line.count) != nil {
            return nil
        }
        var cursor = Fields(base: base, end: base + line.count)
        guard let endpoint = endpoints.text(cursor.next()),
              let writer = Self.integer(cursor.next()), let writerIndex = Int(exactly: writer),
              let seq = Self.integer(cursor.next()), let start = Self.integer(cursor.next()), let end = Self.integer(cursor.next())
        else { return nil }
        let outcomeBytes = cursor.next()
        let outcome: ProbeAttempt.Outcome
        if Self.equals(outcomeBytes, "ok") {
            outcome = .ok
        } else if Self.equals(outcomeBytes, "fail") {
            outcome = .fail
        } else if Self.equals(outcomeBytes, "indeterminate") {
            outcome = .indeterminate
        } else {
            return nil
        }
        let sqlstate = sqlstates.text(cursor.next())
        let server = servers.text(cursor.next())
        let serverTimeBytes = cursor.next()
        let serverTime = Self.integer(serverTimeBytes)
        if serverTime == nil && !serverTimeBytes.isEmpty { return nil }
        let timelineBytes = cursor.next()
        let timeline = Self.integer(timelineBytes).flatMap { Int(exactly: $0) }
        if timeline == nil && !timelineBytes.isEmpty { return nil }
        let errorBytes = cursor.next()
        // Exactly 11 fields: the last one must have ended the line.
        guard !cursor.overrun, cursor.atEnd else { return nil }
        return ProbeAttempt(
            endpoint: endpoint, writer: writerIndex, seq: seq, start: start, end: end, outcome: outcome,
            sqlstate: sqlstate, error: errorBytes.isEmpty ? nil : String(decoding: errorBytes, as: UTF8.self),
            server: server, serverTime: serverTime, timeline: timeline
        )
    }

    /// Walks the comma-separated fields of one unquoted line.
    private struct Fields {
        var position: UnsafePointer<UInt8>
        let end: UnsafePointer<UInt8>
        /// Whether the last field read ended at the end of the line (no comma after it).
        var atEnd = false
        /// Whether a field was asked for after the line ended: too few fields.
        var overrun = false

        init(base: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
            position = base
            self.end = end
        }

        /// The next field's bytes (empty once past the end of the line).
        mutating func next() -> UnsafeBufferPointer<UInt8> {
            guard !atEnd else {
                overrun = true
                return UnsafeBufferPointer(start: nil, count: 0)
            }
            let remaining = position.distance(to: end)
            let start = position
            if let comma = memchr(position, Int32(ProbeLogFormat.comma), remaining) {
                let stop = UnsafePointer(comma.assumingMemoryBound(to: UInt8.self))
                position = stop + 1
                return UnsafeBufferPointer(start: start, count: start.distance(to: stop))
            }
            position = end
            atEnd = true
            return UnsafeBufferPointer(start: start, count: remaining)
        }
    }

    /// A decimal Int64 (optional leading `-`); nil when empty, not digits, or out of range. The general
    /// reader uses it too, so both paths read numbers by one rule.
    static func integer(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        let negative = base[0] == UInt8(ascii: "-")
        let first = negative ? 1 : 0
        let digits = bytes.count - first
        guard digits > 0 else { return nil }
        // Up to 18 digits cannot overflow an Int64: no checks in the loop (timestamps have 10-16).
        if digits <= 18 {
            var value: Int64 = 0
            for i in first..<bytes.count {
                let digit = base[i] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value &* 10 &+ Int64(digit)
            }
            return negative ? -value : value
        }
        var value: Int64 = 0
        for i in first..<bytes.count {
            let digit = base[i] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = negative ? times10.subtractingReportingOverflow(Int64(digit)) : times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
        }
        return value
    }

    static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ literal: StaticString) -> Bool {
        bytes.count == literal.utf8CodeUnitCount && literal.withUTF8Buffer { bytes.elementsEqual($0) }
    }

    /// The last four distinct short values of one column: a column like `server` takes a handful of
    /// values over millions of rows. Values of up to 16 bytes are compared as two machine words in
    /// stored properties (no array, so no reference counting per lookup); longer ones are decoded
    /// each time.
    struct InternCache {
        private struct Key: Equatable {
            var low: UInt64 = 0
            var high: UInt64 = 0
            var count = 0
        }
        private var k0 = Key(), k1 = Key(), k2 = Key(), k3 = Key()
        private var t0 = "", t1 = "", t2 = "", t3 = ""
        private var next = 0

        /// The field's text (nil when empty: a missing value), decoded once per distinct short value.
        mutating func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
            guard !bytes.isEmpty else { return nil }
            guard bytes.count <= 16 else { return String(decoding: bytes, as: UTF8.self) }
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(bytes)) }
            let key = Key(low: words.0, high: words.1, count: bytes.count)
            if key == k0 { return t0 }
            if key == k1 { return t1 }
            if key == k2 { return t2 }
            if key == k3 { return t3 }
            let text = String(decoding: bytes, as: UTF8.self)
            switch next {
            case 0: (k0, t0) = (key, text)
            case 1: (k1, t1) = (key, text)
            case 2: (k2, t2) = (key, text)
            default: (k3, t3) = (key, text)
            }
            next = (next + 1) % 4
            return text
        }
    }
}
