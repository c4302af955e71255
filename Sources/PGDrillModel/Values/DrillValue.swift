import Foundation

/// A typed value written as one YAML scalar in a drill or cluster file (`10s`, `64MB`, `5%`, `< 60s`).
///
/// Parsing is separate from YAML so that the same rules serve the files, the command line and the
/// reports (which print values back with `description` in the form the parser accepts).
public protocol DrillValue: Sendable, Equatable, CustomStringConvertible {
    /// Parses the text of one scalar, or explains what is wrong with it.
    init(parsing text: String) throws(ValueParseError)
}

/// Why a scalar is not a valid value, phrased to follow the name of the key it came from:
/// `'writers'` + ` must be a whole number from 1 to 256, got 'four'`.
public struct ValueParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The predicate that failed, starting with a verb ("must be …", "is over …").
    public var reason: String
    /// What to write instead, if there is something specific to say.
    public var hint: String?

    public init(_ reason: String, hint: String? = nil) {
        self.reason = reason
        self.hint = hint
    }

    public var description: String { reason }
}

extension ValueParseError {
    /// Shortens what the user wrote for quoting it back in a message (a pasted log line, a whole script).
    static func quoted(_ text: String) -> String {
        let flat = DrillFileError.printable(text)
        return flat.count > 40 ? "'\(flat.prefix(37))...'" : "'\(flat)'"
    }
}
