import Foundation

/// A length of time in a drill file (`500ms`, `10s`, `1.5s`, `5m`, `1h`, `30d`), stored exactly in microseconds.
///
/// Microseconds match `RunClock` and the recorded events, so a timeout from a drill file can be compared
/// with measured intervals without conversion error. Negative values are refused, and so is anything over
/// 24 hours (`maximum`) where a drill phase or a measured figure is meant: no drill phase legitimately lasts
/// that long, and `24h` written as `24` would otherwise be a 24 µs timeout. Only keys that state a calendar
/// span (`expect.availability.period`) read up to `longest`, a leap year, by asking for it with
/// `init(parsing:upTo:)`.
public struct DrillDuration: DrillValue, Hashable, Comparable {
    /// The exact length in microseconds; never negative, never over `longest`.
    public let microseconds: Int64

    /// The longest duration a drill phase, a timeout or a threshold may state.
    public static let maximum = DrillDuration(unchecked: 24 * 3_600_000_000)
    /// The longest calendar span any key may state (an availability period): 366 days.
    public static let longest = DrillDuration(unchecked: 366 * 86_400_000_000)
    public static let zero = DrillDuration(unchecked: 0)

    private init(unchecked microseconds: Int64) {
        self.microseconds = microseconds
    }

    /// A duration from microseconds; `nil` when negative or over `maximum`.
    public init?(microseconds: Int64) {
        guard (0...Self.maximum.microseconds).contains(microseconds) else { return nil }
        self.microseconds = microseconds
    }

    public static func milliseconds(_ value: Int64) -> DrillDuration {
        DrillDuration(unchecked: min(max(value, 0), maximum.microseconds / 1000) * 1000)
    }

    public static func seconds(_ value: Int64) -> DrillDuration {
        DrillDuration(unchecked: min(max(value, 0), maximum.microseconds / 1_000_000) * 1_000_000)
    }

    /// Whole days, clamped to 0...`longest` (unlike the other constructors, which stop at `maximum`).
    public static func days(_ value: Int64) -> DrillDuration {
        DrillDuration(unchecked: min(max(value, 0), longest.microseconds / 86_400_000_000) * 86_400_000_000)
    }

    /// The length in seconds, for display and for APIs that take `Double` seconds.
    public var seconds: Double { Double(microseconds) / 1_000_000 }

    /// The same length as a Swift `Duration`, for `Task.sleep` and clocks.
    public var duration: Duration { .microseconds(microseconds) }

    public static func < (lhs: DrillDuration, rhs: DrillDuration) -> Bool {
        lhs.microseconds < rhs.microseconds
    }
}

extension DrillDuration {
    /// Units accepted after the number, with their length in microseconds.
    static let units: [(name: String, microseconds: Int64)] = [
        ("us", 1), ("µs", 1), ("ms", 1_000), ("s", 1_000_000), ("m", 60_000_000), ("min", 60_000_000),
        ("h", 3_600_000_000), ("d", 86_400_000_000),
    ]

    /// Reads a duration of at most `maximum` (24h): every drill phase, timeout and threshold.
    public init(parsing text: String) throws(ValueParseError) {
        try self.init(parsing: text, upTo: .maximum)
    }

    /// Reads a duration of at most `limit` (itself at most `longest`), naming the limit when it is over.
    public init(parsing text: String, upTo limit: DrillDuration) throws(ValueParseError) {
        let shown = ValueParseError.quoted(text)
        switch DecimalText.quantity(text, factor: { unit in Self.units.first { $0.name == unit }?.microseconds }) {
        case .value(let microseconds) where microseconds <= min(limit, .longest).microseconds:
            self.init(unchecked: microseconds)
        case .value, .overflow:
            throw ValueParseError("is over the \(min(limit, .longest)) limit, got \(shown)")
        case .negative:
            throw ValueParseError("must not be negative, got \(shown)")
        case .missingUnit(let number):
            throw ValueParseError("needs a unit, got \(shown)", hint: "write \(number)s for seconds (or ms, m, h)")
        case .unknownUnit(let unit):
            throw ValueParseError("has an unknown unit '\(unit)' in \(shown)", hint: "units are us, ms, s, m (minutes), h and d (days)")
        case .tooPrecise:
            throw ValueParseError("is finer than a microsecond, got \(shown)")
        case .notANumber:
            throw ValueParseError("must be a duration like 500ms, 10s, 1.5s, 5m or 1h, got \(shown)")
        }
    }

    /// The shortest exact spelling the parser reads back: `30d`, `1h`, `5m`, `10s`, `1.5s`, `500ms`, `250us`.
    /// Days only beyond 24 hours, so the phase limit still reads `24h` in messages.
    public var description: String {
        let us = microseconds
        switch us {
        case 0: return "0s"
        case _ where us > 86_400_000_000 && us % 86_400_000_000 == 0: return "\(us / 86_400_000_000)d"
        case _ where us % 3_600_000_000 == 0: return "\(us / 3_600_000_000)h"
        case _ where us % 60_000_000 == 0: return "\(us / 60_000_000)m"
        case 1_000_000...: return DecimalText.format(us, per: 1_000_000) + "s"
        case _ where us % 1_000 == 0: return "\(us / 1_000)ms"
        default: return "\(us)us"
        }
    }
}
