import Foundation

/// A share written with a percent sign (`5%`, `0.5%`): error-rate limits and packet-loss rates.
///
/// The sign is required (a bare `5` could mean 5 % or 0.05) except for `0`. Input is limited to three
/// decimals, which is also what `description` prints, so a value read from a file prints back exactly.
/// Measured rates keep full precision: comparisons use the stored `Double`, not the printed text.
public struct Percentage: DrillValue, Hashable, Comparable {
    /// The value in percent, 0...100.
    public let percent: Double

    public static let zero = Percentage(percent: 0)

    /// A percentage from a value in percent, clamped to 0...100 (a measured rate can not exceed that).
    public init(percent: Double) {
        self.percent = percent.isNaN ? 0 : min(max(percent, 0), 100)
    }

    /// A percentage from a ratio such as failed / total attempts.
    public init(fraction: Double) {
        self.init(percent: fraction * 100)
    }

    /// The value as a ratio, 0...1.
    public var fraction: Double { percent / 100 }

    public static func < (lhs: Percentage, rhs: Percentage) -> Bool {
        lhs.percent < rhs.percent
    }
}

extension Percentage {
    public init(parsing text: String) throws(ValueParseError) {
        let shown = ValueParseError.quoted(text)
        switch DecimalText.quantity(text, factor: { $0 == "%" ? 1000 : nil }) {
        case .value(let thousandths) where thousandths <= 100_000:
            self.init(percent: Double(thousandths) / 1000)
        case .value, .overflow:
            throw ValueParseError("must be at most 100%, got \(shown)")
        case .negative:
            throw ValueParseError("must not be negative, got \(shown)")
        case .missingUnit(let number):
            throw ValueParseError("needs a percent sign, got \(shown)", hint: "write \(number)%")
        case .tooPrecise:
            throw ValueParseError("has more than three decimals, got \(shown)")
        case .unknownUnit, .notANumber:
            throw ValueParseError("must be a percentage like 5% or 0.5%, got \(shown)")
        }
    }

    /// `5%`, `0.5%`, `3.142%`: rounded to three decimals, trailing zeros dropped.
    public var description: String {
        let thousandths = Int64((percent * 1000).rounded())
        return DecimalText.format(thousandths, per: 1000) + "%"
    }
}
