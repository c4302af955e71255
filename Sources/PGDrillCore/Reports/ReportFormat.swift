import Foundation

/// How figures are written in reports, in one place so Markdown, JUnit and the engine's
/// expectation results say "21.4 s" the same way. Never rounds a non-zero error rate or loss
/// to zero: "0.004%", not "0.0%".
public enum ReportFormat {
    /// A duration in µs: `420 µs`, `3.42 ms`, `84.2 ms`, `842 ms`, `21.4 s`.
    public static func duration(_ micros: Int64) -> String {
        let sign = micros < 0 ? "-" : ""
        let m = micros.magnitude
        let value: String
        switch m {
        case 0: return "0 s"
        case ..<1_000: value = "\(m) µs"
        case ..<10_000: value = String(format: "%.2f ms", Double(m) / 1_000)
        case ..<100_000: value = String(format: "%.1f ms", Double(m) / 1_000)
        case ..<1_000_000: value = String(format: "%.0f ms", Double(m) / 1_000)
        default: value = String(format: "%.1f s", Double(m) / 1_000_000)
        }
        return sign + value
    }

    /// A span that may run to minutes, hours or days (an error budget, an availability period), largest
    /// unit first, to a tenth of a second: `4 min 19.2 s`, `43 min 12.0 s`, `30 d`, `8 h 45 min 36.0 s`.
    /// Under a minute it is `duration`'s `25.9 s`.
    public static func span(_ micros: Int64) -> String {
        guard micros.magnitude >= 60_000_000 else { return duration(micros) }
        let tenths = (micros.magnitude + 50_000) / 100_000
        let (days, hours, minutes, rest) = (tenths / 864_000, tenths / 36_000 % 24, tenths / 600 % 60, tenths % 600)
        var parts: [String] = []
        if days > 0 { parts.append("\(days) d") }
        if hours > 0 { parts.append("\(hours) h") }
        if minutes > 0 { parts.append("\(minutes) min") }
        if rest > 0 { parts.append("\(rest / 10).\(rest % 10) s") }
        return (micros < 0 ? "-" : "") + parts.joined(separator: " ")
    }

    /// An offset from t0: `+21.4 s`, `-0.5 s`, `+0 s`.
    public static func offset(_ micros: Int64) -> String {
        micros < 0 ? duration(micros) : "+" + duration(micros)
    }

    /// A ratio 0…1 as a percentage: `3.1%`, `0.012%`, `0%`; small non-zero values keep two
    /// significant digits.
    public static func percent(_ ratio: Double) -> String {
        let p = ratio * 100
        if p == 0 { return "0%" }
        if p >= 0.1 { return String(format: "%.1f%%", p) }
        let decimals = min(12, Int((-log10(p)).rounded(.down)) + 2)
        return String(format: "%.\(decimals)f%%", p)
    }

    /// An integer with thousands separators: `123,456`.
    public static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Acknowledgements per second: `8,412/s`, `0.5/s`.
    public static func rate(_ perSecond: Double) -> String {
        perSecond >= 10 ? "\(count(Int(perSecond.rounded())))/s" : String(format: "%.1f/s", perSecond)
    }

    /// Bytes: `0 B`, `512 B`, `1.2 kB`, `16.0 MB` (decimal units, as drill files write `1MB`).
    public static func bytes(_ n: Int64) -> String {
        // Binary units, as drill files and PostgreSQL's settings read them (1 MB = 1 MiB): a size
        // reported back must read like the size that was asked for.
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        if unit == 0 { return "\(n) B" }
        return value == value.rounded() ? String(format: "%.0f %@", value, units[unit]) : String(format: "%.1f %@", value, units[unit])
    }

    /// The application's error figure, `N% × T`: the share of the application's requests that failed over
    /// the T observed (t0 → end of observation), so N% × T is the seconds of total outage it amounts to,
    /// then how long errors lasted: `33.1% × 60.2 s (errors for 19.9 s)`; `none` when nothing failed.
    public static func errorRate(_ e: ErrorRate) -> String {
        guard e.anyFailed else { return "none" }
        let window = e.window.map { " (errors for \(duration($0)))" } ?? ""
        guard e.requestTime > 0 else { return percent(e.rate) + " of attempts" + window }
        return percent(e.rate) + " × " + duration(e.observed) + window
    }

    /// The per-attempt figure, named for what it is: `1.2% of attempts (100 of 8,123)`.
    public static func attemptErrorRate(_ e: ErrorRate) -> String {
        guard e.failed + e.indeterminate > 0 else { return "none" }
        return "\(percent(e.attemptRate)) of attempts (\(count(e.failed + e.indeterminate)) of \(count(e.attempts)))"
    }

    /// RTO with its remark: `21.4 s`, `0 s (no outage observed)`, `not recovered within observation`.
    public static func rto(_ r: Recovery) -> String {
        switch r.status {
        case .recovered: duration(r.rto ?? 0)
        case .noOutage: "0 s (no outage observed)"
        case .notRecovered: "not recovered within observation"
        }
    }

    /// Wall-clock label in ISO 8601 (UTC).
    public static func timestamp(_ date: Date) -> String {
        ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withInternetDateTime])
    }
}
