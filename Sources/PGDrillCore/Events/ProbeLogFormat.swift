/// The probe log's on-disk layout: CSV with a fixed header, one row per attempt, RFC 4180 quoting.
///
/// Formatting is done by hand into a byte buffer because `record` runs up to ~10,000 times a second
/// on the probe's threads: no `JSONEncoder`, no `String` interpolation, no allocation per row beyond
/// the growth of the shared buffer.
///
/// A missing value (`nil`) is an empty field; an empty string is written quoted (`""`), so the two
/// stay distinct when read back.
enum ProbeLogFormat {
    static let columns = [
        "endpoint", "writer", "seq", "start", "end", "outcome",
        "sqlstate", "server", "server_time", "timeline", "error",
    ]
    static let header = columns.joined(separator: ",")

    static let comma = UInt8(ascii: ",")
    static let quote = UInt8(ascii: "\"")
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")

    /// Appends one row, newline included.
    static func append(_ a: ProbeAttempt, to out: inout [UInt8]) {
        appendText(a.endpoint, to: &out)
        out.append(comma)
        appendInteger(Int64(a.writer), to: &out)
        out.append(comma)
        appendInteger(a.seq, to: &out)
        out.append(comma)
        appendInteger(a.start, to: &out)
        out.append(comma)
        appendInteger(a.end, to: &out)
        out.append(comma)
        out.append(contentsOf: a.outcome.rawValue.utf8)
        out.append(comma)
        appendText(a.sqlstate, to: &out)
        out.append(comma)
        appendText(a.server, to: &out)
        out.append(comma)
        if let t = a.serverTime { appendInteger(t, to: &out) }
        out.append(comma)
        if let t = a.timeline { appendInteger(Int64(t), to: &out) }
        out.append(comma)
        appendText(a.error, to: &out)
        out.append(newline)
    }

    /// Appends a text field, quoted only when it must be (RFC 4180: comma, quote, CR or LF inside),
    /// or when it is empty (to tell it from a missing value).
    static func appendText(_ text: String?, to out: inout [UInt8]) {
        guard let text else { return }
        let utf8 = text.utf8
        let needsQuotes = utf8.isEmpty || utf8.contains { $0 == comma || $0 == quote || $0 == newline || $0 == carriageReturn }
        guard needsQuotes else {
            out.append(contentsOf: utf8)
            return
        }
        out.append(quote)
        for byte in utf8 {
            if byte == quote { out.append(quote) }
            out.append(byte)
        }
        out.append(quote)
    }

    /// Appends the decimal digits of `value` without going through `String`.
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        var power: UInt64 = 1
        while power <= magnitude / 10 { power *= 10 }
        while power > 0 {
            out.append(UInt8(ascii: "0") + UInt8((magnitude / power) % 10))
            power /= 10
        }
    }
}
