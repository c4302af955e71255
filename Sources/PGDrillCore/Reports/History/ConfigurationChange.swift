import Foundation

/// A run of a drill whose cluster was configured differently from the run before it (Patroni's ttl, HAProxy's
/// checks, repmgr's reconnects …): an RTO that moved may owe it to the settings, not to the cluster's health.
public struct ConfigurationChange: Sendable, Equatable, CustomStringConvertible {
    public var drill: String
    public var cluster: String
    public var runId: String
    public var date: Date
    /// `patroni.ttl 20 → 30`, one per setting that changed, appeared or went.
    public var changes: [String]

    /// `primary-node-down on lab, run 20261207-1200: patroni.ttl 20 → 30`.
    public var description: String { "\(drill) on \(cluster), run \(runId): " + changes.joined(separator: ", ") }

    /// The settings that differ between two fingerprints (`FailoverSettings.fingerprint`), in `after`'s order.
    public static func changes(from before: [String], to after: [String]) -> [String] {
        func split(_ lines: [String]) -> [(key: String, value: String)] {
            lines.map { line in
                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            }
        }
        let old = Dictionary(split(before), uniquingKeysWith: { a, _ in a })
        let new = split(after)
        var out: [String] = []
        for (key, value) in new where old[key] != value {
            out.append(old[key].map { "\(key) \($0) → \(value)" } ?? "\(key) \(value) (not read before)")
        }
        let newKeys = Set(new.map(\.key))
        for (key, value) in split(before) where !newKeys.contains(key) {
            out.append("\(key) \(value) (not read now)")
        }
        return out
    }

    /// Each entry whose settings differ from the previous run of the same drill on the same cluster; runs
    /// without settings on record (older reports) are skipped, never compared.
    static func find(in entries: [HistoryEntry]) -> [ConfigurationChange] {
        var last: [String: [String]] = [:]
        var found: [ConfigurationChange] = []
        for e in entries {
            guard let settings = e.settings else { continue }
            if let previous = last[e.cluster], previous != settings {
                found.append(ConfigurationChange(drill: e.drill, cluster: e.cluster, runId: e.runId, date: e.date,
                                                 changes: changes(from: previous, to: settings)))
            }
            last[e.cluster] = settings
        }
        return found
    }
}
