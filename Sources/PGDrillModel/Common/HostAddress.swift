#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Validation of the `host` of a node or proxy: a DNS name, an IPv4 address or an IPv6 address.
///
/// Hosts end up in SSH connections, `known_hosts` lookups and remote iptables rules; anything with
/// spaces or shell metacharacters is refused here so no later layer has to wonder.
public enum HostAddress {
    /// Why `host` is not acceptable, or `nil` when it is.
    public static func problem(with host: String) -> String? {
        if host.isEmpty {
            return "is empty"
        }
        if host.contains(":") {
            let address = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
            return isIPv6(address) ? nil : "is not a valid IPv6 address"
        }
        if host.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            return isIPv4(host) ? nil : "is not a valid IPv4 address"
        }
        return isHostname(host) ? nil : "is not a valid host name (letters, digits, '-' and '.', no spaces or shell characters)"
    }

    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        // A zone (`fe80::1%eth0`) is allowed; inet_pton does not take one, so check it apart.
        let parts = text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 2 {
            let zone = parts[1]
            guard !zone.isEmpty, zone.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) }) else {
                return false
            }
        }
        var address = in6_addr()
        return inet_pton(AF_INET6, String(parts[0]), &address) == 1
    }

    /// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens, at most 253 characters.
    static func isHostname(_ text: String) -> Bool {
        guard text.count <= 253 else { return false }
        let labels = text.split(separator: ".", omittingEmptySubsequences: false)
        return labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }
}
