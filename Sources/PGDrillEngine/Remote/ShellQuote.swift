/// POSIX shell quoting for the parameters of remote command templates.
///
/// Every value that reaches a remote shell goes through `shellQuoted`, whatever validation it already
/// passed: a node name or path from a file is data, never shell syntax.
public enum ShellQuote {
    /// `'…'` with embedded single quotes as `'\''`; the empty string becomes `''`.
    public static func quote(_ value: String) -> String {
        if !value.isEmpty, value.allSatisfy({ safe.contains($0) }) { return value }
        return "'" + value.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    private static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@%_+=:,./-")
}

extension String {
    /// The string quoted for a POSIX shell (see `ShellQuote`).
    public var shellQuoted: String { ShellQuote.quote(self) }
}
