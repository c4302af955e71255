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
    /// What to do about it, when there is something useful to say.
    public var hint: String?

    public init(_ code: Code, file: String, line: Int, column: Int, message: String, hint: String? = nil) {
        self.code = code
        self.file = file
        self.line = line
        self.column = column
        self.message = message
        self.hint = hint
    }

    public init(_ code: Code, file: String, at mark: SourceMark?, message: String, hint: String? = nil) {
        self.init(code, file: file, line: mark?.line ?? 0, column: mark?.column ?? 0, message: message, hint: hint)
    }

    /// `drills/x.yaml:12:5: error: unknown fault action 'kil' (did you mean 'kill'?)` and an indented hint.
    public var description: String {
        let location = line > 0 ? "\(file):\(line):\(column)" : file
        var text = "\(location): error: \(message)"
        if let hint {
            text += "\n  hint: \(hint)"
        }
        return text
    }

    /// Where the error points, if anywhere.
    public var mark: SourceMark? {
        line > 0 ? SourceMark(line: line, column: column) : nil
    }
}
