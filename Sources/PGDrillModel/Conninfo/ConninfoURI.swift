import Foundation

/// The URI form of a libpq conninfo: `postgresql://[user[:password]@][host][:port][,...][/dbname][?key=value&...]`.
///
/// Only what pgdrill needs is taken apart: the user info (for a password), the query (for keys and for
/// adding `passfile`), and enough of the rest to say which keys the URI sets.
struct ConninfoURI {
    let text: String
    /// Between `://` and the first `/` or `?` after it.
    let authority: Range<String.Index>
    /// After `?`, if there is one.
    let query: Range<String.Index>?
    /// The path (database name) between the authority and the query, without the leading `/`.
    let path: Substring

    init(_ text: String) {
        self.text = text
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        let authorityEnd = text[start...].firstIndex { $0 == "/" || $0 == "?" } ?? text.endIndex
        authority = start..<authorityEnd
        let questionMark = text[authorityEnd...].firstIndex(of: "?")
        query = questionMark.map { text.index(after: $0)..<text.endIndex }
        let pathStart = authorityEnd < text.endIndex && text[authorityEnd] == "/" ? text.index(after: authorityEnd) : authorityEnd
        path = text[pathStart..<(questionMark ?? text.endIndex)]
    }

    /// `user:password` before the last `@` of the authority, if any.
    private var userInfo: Range<String.Index>? {
        text[authority].lastIndex(of: "@").map { authority.lowerBound..<$0 }
    }

    /// Where the password in the user info is (after the first `:`), if there is one.
    private var userInfoPassword: Range<String.Index>? {
        guard let userInfo, let colon = text[userInfo].firstIndex(of: ":") else { return nil }
        return text.index(after: colon)..<userInfo.upperBound
    }

    /// Each `key=value` of the query with the range of its value.
    private var queryParameters: [(key: String, value: Range<String.Index>)] {
        guard let query else { return [] }
        var result: [(String, Range<String.Index>)] = []
        var start = query.lowerBound
        while start <= query.upperBound {
            let end = text[start..<query.upperBound].firstIndex(of: "&") ?? query.upperBound
            let parameter = text[start..<end]
            if let equals = parameter.firstIndex(of: "=") {
                let key = String(parameter[..<equals]).removingPercentEncoding ?? String(parameter[..<equals])
                result.append((key, text.index(after: equals)..<end))
            } else if !parameter.isEmpty {
                result.append((String(parameter), end..<end))
            }
            guard end < query.upperBound else { break }
            start = text.index(after: end)
        }
        return result
    }

    var containsPassword: Bool {
        userInfoPassword != nil || queryParameters.contains { Conninfo.isSecret($0.key) }
    }

    var keys: Set<String> {
        var keys = Set(queryParameters.map(\.key))
        if let userInfo, !text[userInfo].isEmpty { keys.insert("user") }
        if userInfoPassword != nil { keys.insert("password") }
        let hostPart = userInfo.map { text[text.index(after: $0.upperBound)..<authority.upperBound] } ?? text[authority]
        if !hostPart.isEmpty { keys.insert("host") }
        if !path.isEmpty { keys.insert("dbname") }
        return keys
    }

    /// The hosts the URI names: those of the authority (ports and `[ ]` of IPv6 literals stripped, percent-
    /// decoded), then any `host=`/`hostaddr=` of the query (which libpq takes over the authority's).
    var hosts: [String] {
        let fromQuery = queryParameters.filter { $0.key == "host" || $0.key == "hostaddr" }
            .flatMap { p in (String(text[p.value]).removingPercentEncoding ?? String(text[p.value])).split(separator: ",").map(String.init) }
        if !fromQuery.isEmpty { return fromQuery }
        let hostPart = userInfo.map { text[text.index(after: $0.upperBound)..<authority.upperBound] } ?? text[authority]
        return hostPart.split(separator: ",").compactMap { item -> String? in
            var host = Substring(item)
            if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
                host = host[host.index(after: host.startIndex)..<close]
            } else if let colon = host.lastIndex(of: ":") {
                host = host[..<colon]
            }
            let decoded = String(host).removingPercentEncoding ?? String(host)
            return decoded.isEmpty ? nil : decoded
        }
    }

    func redacted() -> String {
        var ranges = queryParameters.filter { Conninfo.isSecret($0.key) }.map(\.value)
        if let userInfoPassword { ranges.append(userInfoPassword) }
        var result = text
        for range in ranges.sorted(by: { $0.lowerBound > $1.lowerBound }) {
            result.replaceSubrange(range, with: Conninfo.mask)
        }
        return result
    }

    func appending(_ key: String, _ value: String) -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        let encoded = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
        let separator = query == nil ? "?" : (text.hasSuffix("?") || text.hasSuffix("&") ? "" : "&")
        return "\(text)\(separator)\(key)=\(encoded)"
    }
}
