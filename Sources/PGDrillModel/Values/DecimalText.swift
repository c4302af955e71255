import Foundation

/// Exact decimal arithmetic for unit-suffixed values (`1.5s`, `0.5%`, `1.5GB`): turning text into an
/// integer count of the smallest unit without going through `Double`, so `0.1s` is exactly 100,000 µs.
enum DecimalText {
    /// Outcome of scaling a decimal literal by an integer factor.
    enum Scaled: Equatable {
        case value(Int64)
        /// Not digits with at most one decimal point.
        case notANumber
        /// Has more fractional digits than the smallest unit can hold (e.g. `0.0000001s`).
        case tooPrecise
        /// Does not fit in 64 bits.
        case overflow
    }

    /// Outcome of reading `<number><unit>` text such as `1.5s`, `64MB` or `5%`.
    enum Quantity: Equatable {
        /// The number in the unit's smallest part (µs, bytes, thousandths of a percent).
        case value(Int64)
        case negative
        /// No number, or not digits with at most one decimal point.
        case notANumber
        /// A number other than zero without a unit (zero needs none).
        case missingUnit(number: Substring)
        case unknownUnit(Substring)
        case tooPrecise
        case overflow
    }

    /// Reads `<number><unit>` where `factor(unit)` is the unit's size in the smallest part, or `nil`
    /// for an unknown unit. The rules every typed value shares: no sign, exact decimals, and a bare
    /// number only for zero (`0` is unambiguous in any unit; `10` is not).
    static func quantity(_ text: String, factor: (Substring) -> Int64?) -> Quantity {
        let trimmed = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !trimmed.hasPrefix("-") else { return .negative }
        let (number, unit) = splitNumberAndUnit(trimmed)
        guard !number.isEmpty else { return .notANumber }
        guard !unit.isEmpty else {
            switch scaled(number, by: 1) {
            case .value(0): return .value(0)
            case .notANumber: return .notANumber
            default: return .missingUnit(number: number)
            }
        }
        guard let factor = factor(unit) else { return .unknownUnit(unit) }
        switch scaled(number, by: factor) {
        case .value(let value): return .value(value)
        case .notANumber: return .notANumber
        case .tooPrecise: return .tooPrecise
        case .overflow: return .overflow
        }
    }

    /// Splits `"1.5 ms"` into the number `"1.5"` and the unit `"ms"` (whitespace between is allowed).
    static func splitNumberAndUnit(_ text: Substring) -> (number: Substring, unit: Substring) {
        let numberEnd = text.firstIndex { !($0.isASCII && ($0.isNumber || $0 == ".")) } ?? text.endIndex
        let unit = text[numberEnd...].drop { $0 == " " }
        return (text[..<numberEnd], unit)
    }

    /// `number × factor` as an exact integer, e.g. `scaled("1.5", by: 1_000_000)` = 1,500,000.
    static func scaled(_ number: Substring, by factor: Int64) -> Scaled {
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              !(parts[0].isEmpty && (parts.count == 1 || parts[1].isEmpty))
        else { return .notANumber }
        let integerDigits = parts[0].drop { $0 == "0" }
        var fractionDigits = parts.count == 2 ? parts[1] : ""
        while fractionDigits.last == "0" { fractionDigits = fractionDigits.dropLast() }
        guard integerDigits.count <= 18, fractionDigits.count <= 18 else {
            return integerDigits.count > 18 ? .overflow : .tooPrecise
        }
        let integer = Int64(integerDigits) ?? 0
        let fraction = Int64(fractionDigits) ?? 0
        var divisor: Int64 = 1
        for _ in 0..<fractionDigits.count { divisor *= 10 }

        let (whole, wholeOverflow) = integer.multipliedReportingOverflow(by: factor)
        let (partsOfFraction, fractionOverflow) = fraction.multipliedReportingOverflow(by: factor)
        guard !wholeOverflow, !fractionOverflow else { return .overflow }
        guard partsOfFraction % divisor == 0 else { return .tooPrecise }
        let (total, totalOverflow) = whole.addingReportingOverflow(partsOfFraction / divisor)
        return totalOverflow ? .overflow : .value(total)
    }

    /// Formats `value / factor` with as few fractional digits as needed: (1_500_000, 1_000_000) → "1.5".
    static func format(_ value: Int64, per factor: Int64) -> String {
        let integer = value / factor
        var remainder = value % factor
        guard remainder != 0 else { return String(integer) }
        var digits = ""
        var scale = factor
        while remainder != 0 && scale > 1 {
            scale /= 10
            digits.append(Character(String(remainder / scale)))
            remainder %= scale
        }
        return "\(integer).\(digits)"
    }
}
