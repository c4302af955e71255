import Foundation

/// Tick positions and labels for the timeline's axes: round steps a reader can add up in their
/// head (1, 2, 5 × 10ⁿ), and short labels (`8k`, `0.1 ms`).
enum TimelineAxis {
    /// Linear axis from 0 to a round value at or above `maximum`, with 3–5 gridlines.
    static func linear(maximum: Double) -> (top: Double, ticks: [Double]) {
        guard maximum > 0 else { return (1, [0, 0.5, 1]) }
        let magnitude = pow(10, (log10(maximum / 4)).rounded(.down))
        let step = [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { maximum / $0 <= 4 } ?? 10 * magnitude
        let top = (maximum / step).rounded(.up) * step
        return (top, stride(from: 0, through: top + step / 2, by: step).map { $0 })
    }

    /// Step in seconds for a time axis spanning `seconds`, for at most ~12 ticks.
    static func timeStep(span seconds: Double) -> Double {
        let steps: [Double] = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600]
        return steps.first { seconds / $0 <= 12 } ?? (seconds / 12).rounded(.up)
    }

    /// A count per second: `0`, `0.5`, `40`, `2k`, `7.5k`, `1.2M`.
    static func rate(_ v: Double) -> String {
        switch abs(v) {
        case 1_000_000...: trimmed(v / 1_000_000) + "M"
        case 1_000...: trimmed(v / 1_000) + "k"
        default: trimmed(v)
        }
    }

    /// A latency in µs at a power of ten: `10 µs`, `0.1 ms`, `1 ms`, `100 ms`, `1 s`, `10 s`.
    static func latency(_ micros: Double) -> String {
        switch micros {
        case 1_000_000...: trimmed(micros / 1_000_000) + " s"
        case 100...: trimmed(micros / 1_000) + " ms"
        default: trimmed(micros) + " µs"
        }
    }

    /// Seconds relative to t0: `0`, `10`, `-5`, `2.5`.
    static func seconds(_ s: Double) -> String { trimmed(s) }

    /// At most one decimal, no trailing `.0`; also used for SVG coordinates, so long paths stay
    /// small (integer arithmetic: thousands of calls per chart).
    static func trimmed(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let tenths = Int64((v * 10).rounded())
        let whole = tenths / 10
        let fraction = (tenths % 10).magnitude
        if fraction == 0 { return String(whole) }
        return (tenths < 0 && whole == 0 ? "-" : "") + "\(whole).\(fraction)"
    }
}
