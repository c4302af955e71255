import Foundation

/// The node's own wall-clock time at the moment a fault took effect (the signal sent, the jump rule
/// inserted), printed by the fault's script so a report can state decision → effect, not only the
/// command's round trip.
///
/// The stamp is taken after the effect, so reading the clock never delays the fault: bash's
/// `$EPOCHREALTIME` is a builtin (µs, six digits), exact — pgdrill's long-lived shell is bash wherever the
/// host has it; a POSIX `sh` such as dash has none and forks `date +%s.%N` afterwards (nine digits), which
/// makes the figure an upper bound by that fork (~0.5 ms idle, several on a busy node).
public enum EffectStamp {
    /// The line prefix the runner looks for in a fault's stdout.
    public static let prefix = "pgdrill-effect-at="

    /// Shell command printing the stamp line.
    public static let command = #"printf '%s%s\n' 'pgdrill-effect-at=' "${EPOCHREALTIME:-$(date +%s.%N)}""#

    /// `script` followed by the stamp, keeping the script's exit status. A script that exits on its own
    /// (or prints its own stamp at the exact effect point, like `kill`) is left as it is.
    public static func appended(to script: String) -> String {
        guard !script.contains(prefix) else { return script }
        return script + "\n__pgdrill_rc=$?; " + command + "; exit $__pgdrill_rc"
    }

    /// Splits a fault's stdout into the stamp (µs since the Unix epoch) and the rest of the output.
    public static func extract(from stdout: String) -> (wallMicros: Int64?, output: String) {
        var stamp: Int64?
        var kept: [Substring] = []
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(prefix), stamp == nil, let micros = parse(line.dropFirst(prefix.count)) {
                stamp = micros
            } else {
                kept.append(line)
            }
        }
        return (stamp, kept.joined(separator: "\n"))
    }

    /// `1764186319.123456` (bash) or `1764186319.123456789` (date) → µs; nil for anything else.
    static func parse(_ text: Substring) -> Int64? {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let seconds = Int64(parts[0]), parts[1].count >= 6,
              parts[1].allSatisfy(\.isASCII), let micros = Int64(parts[1].prefix(6)) else { return nil }
        return seconds * 1_000_000 + micros
    }

    /// Decision → effect in µs, if the node's clock is consistent with the runner's: the effect must fall
    /// between the decision and the command's return (plus `tolerance` for clock steps between hosts).
    /// nil means the clocks disagree (or no stamp): only the round trip is then known.
    public static func latency(decidedWall: Int64, effectWall: Int64?, roundTripEnd: Int64, tolerance: Int64 = 1_000) -> Int64? {
        guard let effectWall else { return nil }
        let latency = effectWall - decidedWall
        guard latency >= -tolerance, latency <= roundTripEnd - decidedWall + tolerance else { return nil }
        return max(0, latency)
    }
}
