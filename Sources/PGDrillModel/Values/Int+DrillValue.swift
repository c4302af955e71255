import Foundation

/// Whole numbers in drill files (`lost_writes: 0`, `writers: 4`): plain decimal digits, no unit.
extension Int: DrillValue {
    public init(parsing text: String) throws(ValueParseError) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("-") ? trimmed.dropFirst() : Substring(trimmed)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(trimmed) else {
            throw ValueParseError("must be a whole number, got \(ValueParseError.quoted(text))")
        }
        self = value
    }
}
