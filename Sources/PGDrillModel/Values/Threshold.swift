import Foundation

/// An expectation on a measured figure: `< 60s`, `0s`, `<= 10`, `< 5%`.
///
/// A bare value means `==` (`rpo: 0s`, `lost_writes: 0`), which is what people mean when they write the
/// number they expect. `description` prints the operator back as written (`< 60s`) and `==` as the bare
/// value, so report tables show the target in the same words as the drill file.
public struct Threshold<Value: DrillValue & Comparable>: DrillValue {
    public var comparison: Comparison
    public var value: Value

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
        do {
            self.init(comparison ?? .equal, try Value(parsing: String(rest)))
        } catch {
            // The operand's reason already names the whole text it was given; keep its hint.
            throw ValueParseError(error.reason, hint: error.hint ?? "write a comparison and a value, like '< 60s'")
        }
    }

    /// `< 60s`, `<= 10`, or the bare value for `==`.
    public var description: String {
        comparison == .equal ? value.description : "\(comparison) \(value)"
    }
}

extension Threshold: Hashable where Value: Hashable {}
