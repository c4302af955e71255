import Foundation

/// libpq connection strings, in both forms libpq accepts: `key=value` pairs and `postgresql://` URIs.
///
/// pgdrill never connects with a string it cannot read: it must know whether a password is in it (cluster
/// files must not hold one), add `passfile=` and per-node `host=`/`port=`, and print it redacted in every
/// report and log line. The rules follow libpq's `conninfo_parse` and `conninfo_uri_parse`.
public enum Conninfo {
    /// Keys whose values are secrets and are masked by `redacted(_:)`.
    static let secretKeys: Set<String> = ["password", "sslpassword"]

    /// Whether `key` names a secret. libpq's keys are lower-case, but a mistyped `PASSWORD=` still holds
    /// a password that must not be printed.
    static func isSecret(_ key: String) -> Bool {
        secretKeys.contains(key.lowercased())
    }
    /// What a secret is replaced with.
    static let mask = "********"

    /// Whether the string is in URI form rather than `key=value` form.
    public static func isURI(_ conninfo: String) -> Bool {
        conninfo.hasPrefix("postgresql://") || conninfo.hasPrefix("postgres://")
    }

    /// The string with every password (key=value, URI user info or URI query) replaced by `********`.
    ///
    /// Never fails: a string it cannot parse that mentions a password is masked whole, because printing a
    /// secret is worse than printing too little.
    public static func redacted(_ conninfo: String) -> String {
        if isURI(conninfo) {
            return ConninfoURI(conninfo).redacted()
        }
        guard let pairs = try? KeyValueConninfo.parse(conninfo) else {
            return conninfo.lowercased().contains("password") ? "<conninfo redacted>" : conninfo
        }
        var result = conninfo
        for pair in pairs.reversed() where isSecret(pair.key) {
            result.replaceSubrange(pair.rawValueRange, with: mask)
        }
        return result
    }

    /// Whether the string carries a password in any form libpq would use.
    public static func containsPassword(_ conninfo: String) throws(ConninfoSyntaxError) -> Bool {
        if isURI(conninfo) {
            return ConninfoURI(conninfo).containsPassword
        }
        return try KeyValueConninfo.parse(conninfo).contains { isSecret($0.key) }
    }

    /// The keys present (for URIs only those given as query parameters, plus `user`/`host`/`dbname`
    /// when the URI's user info, authority or path sets them).
    /// The last value of `key` in a `key=value` conninfo (libpq takes the last one); nil for URIs or when absent.
    public static func value(_ key: String, in conninfo: String) -> String? {
        guard !isURI(conninfo), let pairs = try? KeyValueConninfo.parse(conninfo) else { return nil }
        return pairs.last { $0.key == key }?.value
    }

    public static func keys(_ conninfo: String) throws(ConninfoSyntaxError) -> Set<String> {
        if isURI(conninfo) {
            return ConninfoURI(conninfo).keys
        }
        return Set(try KeyValueConninfo.parse(conninfo).map(\.key))
    }

    /// The hosts a conninfo names, in either form: each `host`/`hostaddr` value (comma lists split, quotes
    /// and escapes undone as libpq reads them), or a URI's authority hosts. Empty when it names none (a Unix
    /// socket default) or cannot be parsed.
    public static func hosts(_ conninfo: String) -> [String] {
        if isURI(conninfo) { return ConninfoURI(conninfo).hosts }
        guard let pairs = try? KeyValueConninfo.parse(conninfo) else { return [] }
        return ["host", "hostaddr"].flatMap { key in
            pairs.last { $0.key == key }.map { $0.value.split(separator: ",").map(String.init) } ?? []
        }
    }

    /// The string with `key=value` added in its own form (quoted pair, or URI query parameter).
    public static func appending(_ key: String, _ value: String, to conninfo: String) -> String {
        if isURI(conninfo) {
            return ConninfoURI(conninfo).appending(key, value)
        }
        let pair = "\(key)=\(KeyValueConninfo.quote(value))"
        let trimmed = conninfo.trimmingTrailingSpaces()
        return trimmed.isEmpty ? pair : "\(trimmed) \(pair)"
    }
}

/// A `key=value` conninfo that libpq would refuse: the reason, without echoing the string (it may hold a secret).
public struct ConninfoSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var copy = self
        while let last = copy.last, last.isWhitespace { copy.removeLast() }
        return copy
    }
}
