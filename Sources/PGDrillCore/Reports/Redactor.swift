import Foundation

/// Masks secrets in free text before it reaches any report (DESIGN §7: secrets never appear).
///
/// Masks the value of every `password=` (any case, so `PGPASSWORD=`, `sslpassword=` too) in libpq
/// conninfo form (`password=s3cret`, `password = 'a b\'c'`) and URI query form (`?password=x&…`),
/// the password of any URI's user info (`postgresql://user:s3cret@host`), and every explicit
/// secret it was given. Masking too much only hides a few characters of text; masking too little
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
        return out
    }

    /// Applies `redact` to each element.
    public func redact(_ texts: [String]) -> [String] { texts.map(redact) }

    private static func maskPasswordParameters(_ text: String) -> String {
        var out = ""
        var rest = text[...]
        while let keyword = rest.range(of: "password", options: .caseInsensitive) {
            var i = keyword.upperBound
            while i < rest.endIndex, rest[i] == " " || rest[i] == "\t" { i = rest.index(after: i) }
            guard i < rest.endIndex, rest[i] == "=" else {
                out += rest[..<keyword.upperBound]
                rest = rest[keyword.upperBound...]
                continue
            }
            i = rest.index(after: i)
            while i < rest.endIndex, rest[i] == " " || rest[i] == "\t" { i = rest.index(after: i) }
            out += rest[..<i]
            let before = keyword.lowerBound > rest.startIndex ? rest[rest.index(before: keyword.lowerBound)] : " "
            let inQuery = before == "?" || before == "&"
            let end = valueEnd(in: rest, from: i, inQuery: inQuery)
            out += mask
            rest = rest[end...]
        }
        out += rest
        return out
    }

    /// End of a parameter value starting at `start`: a quoted conninfo value runs to its closing
    /// quote (backslash escapes honoured), an unquoted one to whitespace, a URI query value also to
    /// `&` or `#`.
    private static func valueEnd(in s: Substring, from start: String.Index, inQuery: Bool) -> String.Index {
        var i = start
        if i < s.endIndex, s[i] == "'" {
            i = s.index(after: i)
            while i < s.endIndex {
                if s[i] == "\\" {
                    i = s.index(after: i)
                    if i < s.endIndex { i = s.index(after: i) }
                    continue
                }
                if s[i] == "'" { return s.index(after: i) }
                i = s.index(after: i)
            }
            return i
        }
        while i < s.endIndex, !s[i].isWhitespace, !(inQuery && (s[i] == "&" || s[i] == "#")) {
            i = s.index(after: i)
        }
        return i
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
