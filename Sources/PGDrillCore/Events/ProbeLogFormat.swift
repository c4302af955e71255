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
    /// or when it is empty (to tell it from a missing value). Reads the string's own UTF-8 bytes (a native
    /// string's storage, no copy) and appends them in one piece when no quoting is needed.
    static func appendText(_ text: String?, to out: inout [UInt8]) {
        guard var text else { return }
        text.withUTF8 { utf8 in
            var needsQuotes = utf8.isEmpty
            for byte in utf8 where byte == comma || byte == quote || byte == newline || byte == carriageReturn {
                needsQuotes = true
                break
            }
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
    }

    /// Appends the decimal digits of `value` without going through `String`: formatted backwards into a
    /// scratch buffer on the stack (20 bytes hold Int64.min with its sign), appended in one piece.
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &scratch) { digits in
            var magnitude = value.magnitude
            var i = digits.count
            repeat {
                i -= 1
                digits[i] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                i -= 1
                digits[i] = UInt8(ascii: "-")
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: digits[i...]))
        }
    }
}
