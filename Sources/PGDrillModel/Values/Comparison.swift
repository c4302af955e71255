/// The operator of a `Threshold`: how a measured value must relate to the stated one.
public enum Comparison: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
    case equal = "=="

    public var description: String { rawValue }

    /// Whether `measured <op> stated` holds.
    public func holds<Value: Comparable>(_ measured: Value, _ stated: Value) -> Bool {
        switch self {
        case .less: measured < stated
        case .lessOrEqual: measured <= stated
        case .greater: measured > stated
        case .greaterOrEqual: measured >= stated
        case .equal: measured == stated
        }
    }

    /// Splits a leading operator off `text`; two-character operators are tried first so `<=` is not `<`.
    static func split(_ text: Substring) -> (Comparison?, Substring) {
        for comparison in [Comparison.lessOrEqual, .greaterOrEqual, .equal, .less, .greater]
        where text.hasPrefix(comparison.rawValue) {
            return (comparison, text.dropFirst(comparison.rawValue.count))
        }
        return (nil, text)
    }
}
