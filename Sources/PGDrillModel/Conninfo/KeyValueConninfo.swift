import Foundation

/// The `key = value` form of a libpq conninfo: pairs separated by whitespace, values optionally in single
/// quotes, backslash escaping `'` and `\` (libpq's `conninfo_parse`).
enum KeyValueConninfo {
    struct Pair {
        var key: String
        var value: String
        /// Where the value, as written (quotes included), is in the original string: what redaction replaces.
        var rawValueRange: Range<String.Index>
    }

    static func parse(_ text: String) throws(ConninfoSyntaxError) -> [Pair] {
        var pairs: [Pair] = []
        var index = text.startIndex
        func skipSpaces() {
            while index < text.endIndex, text[index].isWhitespace { index = text.index(after: index) }
        }
        while true {
            skipSpaces()
            guard index < text.endIndex else { return pairs }
            let keyStart = index
            while index < text.endIndex, text[index] != "=", !text[index].isWhitespace {
                index = text.index(after: index)
            }
            let key = String(text[keyStart..<index])
            skipSpaces()
            guard index < text.endIndex, text[index] == "=" else {
                throw ConninfoSyntaxError(reason: "is missing '=' after '\(key.prefix(30))'")
            }
            index = text.index(after: index)
            skipSpaces()
            let valueStart = index
            var value = ""
            if index < text.endIndex, text[index] == "'" {
                index = text.index(after: index)
                var closed = false
                while index < text.endIndex {
                    let character = text[index]
                    index = text.index(after: index)
                    if character == "'" {
                        closed = true
                        break
                    }
                    if character == "\\", index < text.endIndex {
                        value.append(text[index])
                        index = text.index(after: index)
                    } else {
                        value.append(character)
                    }
                }
                guard closed else {
                    throw ConninfoSyntaxError(reason: "has an unterminated quoted value for '\(key.prefix(30))'")
                }
            } else {
                while index < text.endIndex, !text[index].isWhitespace {
                    if text[index] == "\\", text.index(after: index) < text.endIndex {
                        index = text.index(after: index)
                    }
                    value.append(text[index])
                    index = text.index(after: index)
                }
            }
            pairs.append(Pair(key: key, value: value, rawValueRange: valueStart..<index))
        }
    }

    /// A value quoted so that libpq reads it back unchanged, whatever it contains.
    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0.isWhitespace || $0 == "'" || $0 == "\\" }
        guard needsQuotes else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
        return "'\(escaped)'"
    }
}
