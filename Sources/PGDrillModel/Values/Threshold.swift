import Foundation

/// An expectation on a measured figure: `< 60s`, `0s`, `<= 10`, `< 5%`.
///
/// A bare value means `==` (`rpo: 0s`, `lost_writes: 0`), which is what people mean when they write the
/// number they expect. `description` prints the operator back as written (`< 60s`) and `==` as the bare
/// value, so report tables show the target in the same words as the drill file.
public struct Threshold<Value: DrillValue & Comparable>: DrillValue {
    public var comparison: Comparison
    public var value: Value {
        didSet { writtenValue = nil }
    }
    /// The operand as the file wrote it (`60s` rather than the canonical `1m`), for printing back.
    private var writtenValue: String?

    public init(_ comparison: Comparison, _ value: Value) {
        self.comparison = comparison
        self.value = value
    }

    /// Whether a measured value meets the expectation.
    public func isSatisfied(by measured: Value) -> Bool {
        comparison.holds(measured, value)
    }

    public init(parsing text: String) throws(ValueParseError) {
        let trimmed = Substring(text.trimmingCharacters(in: .whitespaces))
        let (comparison, rest) = Comparison.split(trimmed)
        if comparison == nil, let first = trimmed.first, "=!<>".contains(first) {
            throw ValueParseError(
                "has an unknown comparison in \(ValueParseError.quoted(text))",
                hint: "use <, <=, >, >= or ==, or a bare value for ==")
        }
        let operand = rest.trimmingCharacters(in: .whitespaces)
        do {
            self.init(comparison ?? .equal, try Value(parsing: operand))
            writtenValue = operand
        } catch {
            // The operand's reason already names the whole text it was given; keep its hint.
            throw ValueParseError(error.reason, hint: error.hint ?? "write a comparison and a value, like '< 60s'")
        }
    }

    /// `< 60s`, `<= 10`, or the bare value for `==`; the value as written when it came from a file.
    public var description: String {
        let operand = writtenValue ?? value.description
        return comparison == .equal ? operand : "\(comparison) \(operand)"
    }

    /// Equal when they accept the same values: `< 60s` equals `< 1m`.
    public static func == (lhs: Threshold, rhs: Threshold) -> Bool {
        lhs.comparison == rhs.comparison && lhs.value == rhs.value
    }
}

extension Threshold: Hashable where Value: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(comparison)
        hasher.combine(value)
    }
}
