import Yams
import Foundation

/// The value of one key in a drill or cluster file, with what is needed to complain about it precisely.
struct Field {
    /// The key as written, used to start messages: `'writers' must be …`.
    let key: String
    let node: Node
    let file: String
    let keyMark: SourceMark?

    /// Where errors about the value point: the value itself, or the key when the value is missing.
    var mark: SourceMark? {
        node.isNull ? keyMark : node.sourceMark
    }

    /// `'key' <reason>` at the value.
    func error(_ code: DrillFileError.Code, _ reason: String, hint: String? = nil) -> DrillFileError {
        DrillFileError(code, file: file, at: mark, message: "'\(key)' \(reason)", hint: hint)
    }

    /// The text of a scalar value; empty values, lists and mappings are errors.
    func scalar(expecting expectation: String = "a single value") throws(DrillFileError) -> String {
        guard case .scalar(let scalar) = node else {
            throw error(.wrongType, "must be \(expectation), got \(node.kindName)")
        }
        guard !node.isNull else {
            throw error(.missingKey, "has no value", hint: "write a value after '\(key):' or remove the key")
        }
        return scalar.string
    }

    /// A non-empty string with surrounding whitespace removed (so folded `>` text loses its final newline).
    func text() throws(DrillFileError) -> String {
        let value = try scalar(expecting: "text").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { throw error(.invalidValue, "must not be empty") }
        return value
    }

    func bool() throws(DrillFileError) -> Bool {
        let value = try scalar(expecting: "true or false")
        switch value {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error(.invalidValue, "must be true or false, got \(ValueParseError.quoted(value))")
        }
    }

    /// A whole number in `range`: `'writers' must be a whole number from 1 to 256, got 'four'`.
    func int(in range: ClosedRange<Int>) throws(DrillFileError) -> Int {
        let value = try scalar(expecting: "a whole number")
        let bounds = range.upperBound == .max ? "of at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
        guard let number = try? Int(parsing: value), range.contains(number) else {
            throw error(.invalidValue, "must be a whole number \(bounds), got \(ValueParseError.quoted(value))")
        }
        return number
    }

    /// Any `DrillValue` (durations, sizes, percentages, thresholds).
    func value<Value: DrillValue>(_ type: Value.Type = Value.self) throws(DrillFileError) -> Value {
        let text = try scalar()
        do {
            return try Value(parsing: text)
        } catch {
            throw self.error(.invalidValue, error.reason, hint: error.hint)
        }
    }

    /// A duration within `range`, stating the range when it is not. Values over 24h are read only where
    /// the range goes beyond it (an availability period), so a phase still says "over the 24h limit".
    func duration(in range: ClosedRange<DrillDuration>) throws(DrillFileError) -> DrillDuration {
        let text = try scalar()
        let duration: DrillDuration
        do {
            duration = try DrillDuration(parsing: text, upTo: max(range.upperBound, .maximum))
        } catch {
            throw self.error(.invalidValue, error.reason, hint: error.hint)
        }
        guard range.contains(duration) else {
            throw error(.invalidValue, "must be from \(range.lowerBound) to \(range.upperBound), got \(duration)")
        }
        return duration
    }

    /// One of a fixed set of words: `'manager' must be one of patroni, repmgr or streaming, got 'patrony'`.
    func choice<Choice: RawRepresentable & CaseIterable>(_ type: Choice.Type = Choice.self) throws(DrillFileError) -> Choice
    where Choice.RawValue == String {
        let value = try scalar()
        if let choice = Choice(rawValue: value) {
            return choice
        }
        let names = Choice.allCases.map(\.rawValue)
        let suggestion = Suggestion.closest(to: value, among: names).map { " (did you mean '\($0)'?)" } ?? ""
        throw error(.invalidValue, "must be one of \(Suggestion.list(names)), got \(ValueParseError.quoted(value))\(suggestion)")
    }

    /// The items of a list, or this value alone when it is not a list (`process: postgres` or
    /// `process: [patroni, postgres]`). An empty list is an error.
    func oneOrMany() throws(DrillFileError) -> [Field] {
        guard case .sequence(let sequence) = node else {
            return [self]
        }
        guard !sequence.isEmpty else {
            throw error(.invalidValue, "must not be an empty list")
        }
        return sequence.map { Field(key: key, node: $0, file: file, keyMark: keyMark) }
    }

    /// The items of a list (a single value is accepted as a list of one only with `oneOrMany`).
    func list(example: String) throws(DrillFileError) -> [Field] {
        guard case .sequence(let sequence) = node else {
            throw error(.wrongType, "must be a list, got \(node.kindName)", hint: "write it like \(example)")
        }
        return sequence.map { Field(key: key, node: $0, file: file, keyMark: keyMark) }
    }

    /// This value as a mapping with the given keys.
    func mapping(allowed: [String]?, example: String? = nil) throws(DrillFileError) -> MappingReader {
        try MappingReader(node, file: file, context: "'\(key)'", allowed: allowed, example: example, keyMark: keyMark)
    }
}
