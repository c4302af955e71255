/// A problem in a drill or cluster file, located at `file:line:column`.
///
/// Every way a file can be wrong — unreadable, not YAML, wrong shape, a value out of range, a name the
/// cluster does not have — ends up as this one type, so `pgdrill validate` and `pgdrill run` print the
/// same compiler-style line an editor can jump to, followed by a hint that says what to write instead.
/// Messages never echo conninfo strings, so they are safe to print and to store in reports.
public struct DrillFileError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What kind of problem this is; stable for tests and tooling while the wording of messages evolves.
    public var code: Code
    /// The file as the user named it (not made absolute), so the message matches their command line.
    public var file: String
    /// 1-based line; 0 when the problem concerns the file as a whole (missing, too large, empty).
    public var line: Int
    /// 1-based column in Unicode scalars (as libyaml counts); 0 when `line` is 0.
    public var column: Int
    /// What is wrong, in one sentence.
    public var message: String
    /// What to do about it: the specific advice of the place that found the problem, or else the
    /// general advice for its `code`, so every error tells the operator where to look next.
    public var hint: String?

    public init(_ code: Code, file: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint ?? code.defaultHint
    }

    public init(_ code: Code, file: String, at mark: SourceMark?, message: String, hint: String? = nil) {
        self.init(code, file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message, hint: hint)
    }

    /// `drills/x.yaml:12:5: error: unknown fault action 'kil' (did you mean 'kill'?)` and an indented hint.
    /// Control characters (terminal escapes, carriage returns, NULs) from a hostile file are shown
    /// escaped, so an error message can neither rewrite the operator's terminal nor forge a line.
    public var description: String {
        let location = line > 0 ? "\(file):\(line):\(column)" : file
        var text = "\(Self.printable(location)): error: \(Self.printable(message))"
        if let hint {
            // Hints are pgdrill's own text, but may quote the file (and span lines, for examples).
            text += "\n  hint: " + hint.split(separator: "\n", omittingEmptySubsequences: false)
                .map { Self.printable(String($0)) }.joined(separator: "\n        ")
        }
        return text
    }

    /// `text` with newlines, tabs and every other control or line-separator character escaped
    /// (`\n`, `\t`, `\u{1B}`), so it prints as one inert line.
    public static func printable(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where needsEscape(scalar): out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
            || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// Where the error points, if anywhere.
    public var mark: SourceMark? {
        line > 0 ? SourceMark(line: line, column: column) : nil
    }
}
