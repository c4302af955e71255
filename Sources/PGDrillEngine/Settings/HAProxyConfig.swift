import PGDrillCore

/// Reads the check settings of one backend from an `haproxy.cfg`: what HAProxy will do about a primary that
/// stops answering and a new one that starts, as the routing phase's bound needs it.
///
/// Only what bounds the routing phase is read: `default-server` in `defaults` and in the backend (a later one
/// overrides), the first `server` line's own `inter`/`fastinter`/`downinter`/`fall`/`rise`, and `timeout check`.
/// HAProxy's defaults fill the rest (inter 2 s, fall 3, rise 2).
enum HAProxyConfig {
    /// The backend's checks, or why they could not be read.
    static func checks(in text: String, backend: String) -> Result<HAProxyChecks, HAProxyConfigProblem> {
        var defaults: [String: String] = [:]
        var section: (kind: String, name: String)?
        var found = false
        var settings: [String: String] = [:]
        var serverSeen = false
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first else { continue }
            if ["global", "defaults", "frontend", "backend", "listen", "peers", "resolvers", "userlist", "program", "cache", "ring", "http-errors", "mailers"].contains(first) {
                // A named `defaults` section starts afresh; an unnamed one too (HAProxy ≥ 2.4 keeps named ones apart).
                if found, section?.name == backend { break }
                section = (first, words.count > 1 ? words[1] : "")
                if first == "defaults" { defaults = [:] }
                if (first == "backend" || first == "listen"), words.count > 1, words[1] == backend {
                    found = true
                    settings = defaults
                }
                continue
            }
            guard let current = section else { continue }
            let pairs = parameters(words)
            if current.kind == "defaults" {
                if first == "default-server" { defaults.merge(pairs) { $1 } }
                if first == "timeout", words.count > 2, words[1] == "check" { defaults["timeout-check"] = words[2] }
            } else if found, current.name == backend {
                if first == "default-server", !serverSeen { settings.merge(pairs) { $1 } }
                if first == "timeout", words.count > 2, words[1] == "check" { settings["timeout-check"] = words[2] }
                if first == "server", !serverSeen {
                    settings.merge(pairs) { $1 }
                    serverSeen = true
                }
            }
        }
        guard found else { return .failure(HAProxyConfigProblem("has no backend or listen section named '\(backend)'")) }
        do {
            let inter = try settings["inter"].map(seconds) ?? 2
            return .success(HAProxyChecks(
                backend: backend, inter: inter, fastinter: try settings["fastinter"].map(seconds),
                downinter: try settings["downinter"].map(seconds), fall: try settings["fall"].map(count) ?? 3,
                rise: try settings["rise"].map(count) ?? 2, timeoutCheck: try settings["timeout-check"].map(seconds)))
        } catch {
            return .failure(error)
        }
    }

    /// `inter 500ms fall 2` → ["inter": "500ms", "fall": "2"]: the keywords that take a value and bound checks.
    static func parameters(_ words: [String]) -> [String: String] {
        var pairs: [String: String] = [:]
        for (i, word) in words.enumerated() where ["inter", "fastinter", "downinter", "fall", "rise"].contains(word) && i + 1 < words.count {
            pairs[word] = words[i + 1]
        }
        return pairs
    }

    /// HAProxy's time format: a number of milliseconds, or with a unit (us, ms, s, m, h, d).
    static func seconds(_ text: String) throws(HAProxyConfigProblem) -> Double {
        let digits = text.prefix { $0.isNumber || $0 == "." }
        guard let value = Double(digits) else { throw HAProxyConfigProblem("has a time '\(text)' that is not a number") }
        let unit: Double? = switch text.dropFirst(digits.count) {
        case "": 0.001
        case "us": 0.000_001
        case "ms": 0.001
        case "s": 1
        case "m": 60
        case "h": 3600
        case "d": 86_400
        default: nil
        }
        guard let unit else { throw HAProxyConfigProblem("has a time '\(text)' with a unit HAProxy does not know") }
        return value * unit
    }

    static func count(_ text: String) throws(HAProxyConfigProblem) -> Int {
        guard let n = Int(text), n > 0 else { throw HAProxyConfigProblem("has a check count '\(text)' that is not a positive number") }
        return n
    }
}

/// Why an `haproxy.cfg` did not give the write backend's checks.
struct HAProxyConfigProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
