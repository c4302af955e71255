/// The rules for names that pgdrill puts into remote commands, file names and report keys.
///
/// Names are checked when files are loaded, so later layers can use them in a shell command or a path
/// without quoting surprises: lower-case letters, digits and `_.-`, starting with a letter or digit.
public enum ResourceName {
    /// Node, proxy and endpoint names: `^[a-z0-9][a-z0-9_.-]{0,62}$`.
    public static func isValid(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, (1...63).contains(name.unicodeScalars.count) else { return false }
        return isLowerAlphanumeric(first) && name.unicodeScalars.allSatisfy { isLowerAlphanumeric($0) || "_.-".unicodeScalars.contains($0) }
    }

    /// Drill and cluster names, which also name report folders: `^[a-z0-9][a-z0-9-]{0,62}$`.
    public static func isValidDrillName(_ name: String) -> Bool {
        isValid(name) && !name.contains(where: { $0 == "_" || $0 == "." })
    }

    private static func isLowerAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
