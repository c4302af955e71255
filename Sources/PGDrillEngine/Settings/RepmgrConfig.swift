import Foundation
import PGDrillCore

/// Reads repmgrd's reconnect settings from a `repmgr.conf` (`key=value` or `key = 'value'`, `#` comments),
/// with repmgr's defaults for what the file leaves out.
enum RepmgrConfig {
    static func reconnect(in text: String) -> RepmgrReconnect {
        var values: [String: String] = [:]
        for raw in text.split(separator: "\n") {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = line.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            values[key] = parts[1].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        }
        let defaults = RepmgrReconnect()
        return RepmgrReconnect(
            reconnectAttempts: values["reconnect_attempts"].flatMap { Int($0) } ?? defaults.reconnectAttempts,
            reconnectInterval: values["reconnect_interval"].flatMap { Double($0) } ?? defaults.reconnectInterval,
            monitorInterval: values["monitor_interval_secs"].flatMap { Double($0) } ?? defaults.monitorInterval)
    }
}
