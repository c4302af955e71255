import Foundation

/// Masks secrets in free text before it reaches any report (DESIGN §7: secrets never appear).
///
/// Masks the value of every `password` parameter (any case, so `PGPASSWORD=`, `sslpassword=` too) in libpq
/// conninfo form (`password=s3cret`, `password = 'a b\'c'`), URI query form (`?password=x&…`), JSON, YAML
/// and SQL (`PASSWORD 'x'`); the password of any URI's user info (`postgresql://user:s3cret@host`); the
/// password field of `.pgpass` lines; and every explicit secret it was given. Masking too much only hides a few characters of text; masking too little
/// leaks a password, so a conninfo value runs to the next whitespace whatever it contains.
public struct Redactor: Sendable {
    /// What replaces a secret.
    public static let mask = "***"

    /// Exact strings to mask wherever they appear (passwords read from a .pgpass, tokens).
    public var secrets: [String]

    public init(secrets: [String] = []) {
        // Longest first, so a secret that contains another is masked whole.
        self.secrets = secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
    }

    /// `text` with every secret masked.
    public func redact(_ text: String) -> String {
        var out = text
        for secret in secrets { out = out.replacingOccurrences(of: secret, with: Self.mask) }
        out = Self.maskPasswordParameters(out)
        out = Self.maskURIPasswords(out)
        out = Self.maskPgpassLines(out)
        return out
    }

    /// Applies `redact` to each element.
    public func redact(_ texts: [String]) -> [String] { texts.map(redact) }

    /// Masks the value after every `password` keyword (any case) in the forms secrets take in pgdrill's inputs
    /// and in the output of remote commands: libpq conninfo and shell assignments (`password=x`,
    /// `PGPASSWORD=x`), URI queries (`?password=x&…`), JSON (`"password": "x"`), YAML (`password: x`, to the
    /// end of the line) and SQL (`PASSWORD 'x'`, `''` escapes). "password" followed by anything else
    /// ("password authentication failed") is text, not a secret.
    private static func maskPasswordParameters(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let keyword = rest.range(of: "password", options: .caseInsensitive) {
            var i = keyword.upperBound
            // The closing quote of a JSON or YAML key: "password": …
            if i < rest.endIndex, rest[i] == "\"" || rest[i] == "'" { i = rest.index(after: i) }
            func skipBlanks() { while i < rest.endIndex, rest[i] == " " || rest[i] == "\t" { i = rest.index(after: i) } }
            skipBlanks()
            let separator: Character? = i < rest.endIndex && (rest[i] == "=" || rest[i] == ":") ? rest[i] : nil
            if separator != nil {
                i = rest.index(after: i)
                skipBlanks()
            } else if !(i > keyword.upperBound && i < rest.endIndex && (rest[i] == "'" || rest[i] == "\"")) {
                // Neither `password=`/`password:` nor SQL's `PASSWORD '…'`.
                out += rest[..<keyword.upperBound]
                rest = rest[keyword.upperBound...]
                continue
            }
            out += rest[..<i]
            let before = keyword.lowerBound > rest.startIndex ? rest[rest.index(before: keyword.lowerBound)] : " "
            let inQuery = separator == "=" && (before == "?" || before == "&")
            let end = valueEnd(in: rest, from: i, inQuery: inQuery, toLineEnd: separator == ":")
            out += mask
            rest = rest[end...]
        }
        out += rest
        return out
    }

    /// End of a parameter value starting at `start`: a quoted value (`'` or `"`) runs to its closing quote
    /// (backslash escapes and SQL's doubled quote honoured), an unquoted one to whitespace — to the end of the
    /// line for YAML's `key: value` — and a URI query value also to `&` or `#`.
    private static func valueEnd(in s: Substring, from start: String.Index, inQuery: Bool, toLineEnd: Bool) -> String.Index {
        var i = start
        if i < s.endIndex, s[i] == "'" || s[i] == "\"" {
            let quote = s[i]
            i = s.index(after: i)
            while i < s.endIndex {
                if s[i] == "\\" {
                    i = s.index(after: i)
                    if i < s.endIndex { i = s.index(after: i) }
                    continue
                }
                if s[i] == quote {
                    let next = s.index(after: i)
                    if next < s.endIndex, s[next] == quote {  // '' inside an SQL literal
                        i = s.index(after: next)
                        continue
                    }
                    return next
                }
                i = s.index(after: i)
            }
            return i
        }
        if toLineEnd { return s[i...].firstIndex { $0 == "\n" || $0 == "\r" } ?? s.endIndex }
        while i < s.endIndex, !s[i].isWhitespace, !(inQuery && (s[i] == "&" || s[i] == "#")) {
            i = s.index(after: i)
        }
        return i
    }

    /// A `.pgpass` line (`host:port:database:user:password`, port a number or `*`) anywhere in the text: the
    /// fifth field is the password, to the end of that token.
    private static let pgpassLine = try! NSRegularExpression(
        pattern: #"(?<![\w:.\-])([^\s:]+:(?:[0-9]{1,5}|\*):[^\s:]+:[^\s:]+:)(?:\\.|[^\s\\])+"#)

    private static func maskPgpassLines(_ text: String) -> String {
        guard text.contains(":") else { return text }
        let range = NSRange(text.startIndex..., in: text)
        return pgpassLine.stringByReplacingMatches(in: text, range: range, withTemplate: "$1" + NSRegularExpression.escapedTemplate(for: mask))
    }

    private static func maskURIPasswords(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" || $0.isWhitespace } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { continue }
            out += rest[...colon]
            out += mask
            rest = rest[at...]
        }
        out += rest
        return out
    }
}
