/// The rule for directories on a node that pgdrill puts into remote commands: `data_dir`, `bin_dir` and
/// `fill_disk`'s `path`.
///
/// Templates quote every value, but these paths are checked at load as well, so a path that could mean
/// something to a shell (`$(...)`, backticks, `;`, quotes, globs, newlines) or that only looks like
/// the intended one (a Cyrillic `а` in `/vаr`) never reaches a node: an absolute path of ASCII letters,
/// digits and `/._-+@,=:`, with no `.` or `..` component, at most 1024 characters.
public enum RemotePath {
    /// Characters allowed besides ASCII letters and digits.
    static let punctuation: Set<Unicode.Scalar> = ["/", ".", "_", "-", "+", "@", ",", "=", ":"]

    /// Why `path` is not acceptable, or `nil` when it is.
    public static func problem(with path: String) -> String? {
        guard path.hasPrefix("/") else {
            return "must be an absolute path (starting with '/')"
        }
        guard path.unicodeScalars.count <= 1024 else {
            return "is longer than 1024 characters"
        }
        if let bad = path.unicodeScalars.first(where: { !isAllowed($0) }) {
            let shown = bad.isASCII && bad.value >= 0x20 && bad.value < 0x7F ? "'\(Character(bad))'" : "U+\(String(bad.value, radix: 16, uppercase: true))"
            return "contains \(shown); paths on nodes may hold only ASCII letters, digits and / . _ - + @ , = :"
        }
        if path.split(separator: "/").contains(where: { $0 == ".." || $0 == "." }) {
            return "must not contain '.' or '..' components"
        }
        return nil
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar) || punctuation.contains(scalar)
    }
}
