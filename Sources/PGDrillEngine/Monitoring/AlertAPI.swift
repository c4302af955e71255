import Foundation
import PGDrillModel

/// Prometheus' and Alertmanager's HTTP APIs, as much of them as a drill needs: the alerts pending or firing,
/// the alerting rules loaded, the alerts Alertmanager holds, and silences.
struct AlertAPI: Sendable {
    let settings: MonitoringSettings
    let access: HTTPCredentials
    var timeout: TimeInterval = 2

    /// One alert as Prometheus' `GET /api/v1/alerts` returns it.
    struct PrometheusAlert: Sendable, Equatable {
        var name: String
        var labels: [String: String]
        var state: String
        var activeAt: Date?

        /// `PostgreSQLReplicaNotStreaming (pg3)`: the name, and the node when the alert is about one.
        var title: String { name + (labels["node"].map { " (\($0))" } ?? "") }
    }

    /// One alert as Alertmanager's `GET /api/v2/alerts` returns it.
    struct ManagedAlert: Sendable, Equatable {
        var labels: [String: String]
        var state: String
        var silencedBy: [String]
    }

    struct Silence: Sendable, Equatable {
        var id: String
        var state: String
        var comment: String
    }

    // MARK: Prometheus

    /// Alerts pending or firing now, in the cluster's scope.
    func alerts() throws -> [PrometheusAlert] {
        let data = try get(settings.prometheus, "api/v1/alerts")
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = (root["data"] as? [String: Any])?["alerts"] as? [[String: Any]] else {
            throw shape(settings.prometheus, "api/v1/alerts")
        }
        return list.compactMap { item -> PrometheusAlert? in
            var labels = item["labels"] as? [String: String] ?? [:]
            guard let name = labels.removeValue(forKey: "alertname"), settings.inScope(labels) else { return nil }
            return PrometheusAlert(name: name, labels: labels, state: item["state"] as? String ?? "",
                                   activeAt: (item["activeAt"] as? String).flatMap(Self.date))
        }
    }

    /// Alerting rule name → `for:` in µs, every group.
    func rules() throws -> [String: Int64] {
        let data = try get(settings.prometheus, "api/v1/rules", query: [URLQueryItem(name: "type", value: "alert")])
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let groups = (root["data"] as? [String: Any])?["groups"] as? [[String: Any]] else {
            throw shape(settings.prometheus, "api/v1/rules")
        }
        var out: [String: Int64] = [:]
        for group in groups {
            for rule in group["rules"] as? [[String: Any]] ?? [] where (rule["type"] as? String ?? "alerting") == "alerting" {
                guard let name = rule["name"] as? String else { continue }
                let seconds = (rule["duration"] as? Double) ?? (rule["duration"] as? Int).map(Double.init) ?? 0
                out[name] = max(out[name] ?? 0, Int64(seconds * 1e6))
            }
        }
        return out
    }

    /// Alerts in scope that Prometheus' own history (the `ALERTS` series) shows firing between two moments,
    /// each with its labels and the first and last evaluation seen firing: what happened while pgdrill could not
    /// ask. `step` should not exceed the rule evaluation interval.
    func firingHistory(from: Date, to: Date, step: TimeInterval = 1) throws -> [(name: String, labels: [String: String], first: Date, last: Date)] {
        let selector = (["alertstate=\"firing\""] + settings.matchers.map { "\($0.name)=\"\($0.value)\"" }).joined(separator: ",")
        let data = try get(settings.prometheus, "api/v1/query_range", query: [
            URLQueryItem(name: "query", value: "ALERTS{\(selector)}"),
            URLQueryItem(name: "start", value: String(format: "%.3f", from.timeIntervalSince1970)),
            URLQueryItem(name: "end", value: String(format: "%.3f", to.timeIntervalSince1970)),
            URLQueryItem(name: "step", value: String(format: "%.3f", step)),
        ])
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let result = (root["data"] as? [String: Any])?["result"] as? [[String: Any]] else {
            throw shape(settings.prometheus, "api/v1/query_range")
        }
        return result.compactMap { series in
            var labels = series["metric"] as? [String: String] ?? [:]
            let times = (series["values"] as? [[Any]] ?? []).compactMap { ($0.first as? Double) ?? ($0.first as? Int).map(Double.init) }
            guard let name = labels.removeValue(forKey: "alertname"), let first = times.min(), let last = times.max() else { return nil }
            labels["alertstate"] = nil
            return (name, labels, Date(timeIntervalSince1970: first), Date(timeIntervalSince1970: last))
        }
    }

    // MARK: Alertmanager

    /// Alerts Alertmanager holds in the cluster's scope, silenced and inhibited ones included.
    func managedAlerts() throws -> [ManagedAlert] {
        guard let base = settings.alertmanager else { return [] }
        let data = try get(base, "api/v2/alerts", query: filter + [URLQueryItem(name: "silenced", value: "true"),
                                                               URLQueryItem(name: "inhibited", value: "true")])
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { throw shape(base, "api/v2/alerts") }
        return list.map { item in
            let status = item["status"] as? [String: Any] ?? [:]
            return ManagedAlert(labels: item["labels"] as? [String: String] ?? [:], state: status["state"] as? String ?? "",
                                silencedBy: status["silencedBy"] as? [String] ?? [])
        }
    }

    /// Creates a silence over the cluster's matchers until `endsAt`; its id.
    func createSilence(endsAt: Date, comment: String) throws -> String {
        guard let base = settings.alertmanager else { throw EngineError(.usage, "monitoring.alertmanager is not set") }
        let body: [String: Any] = [
            "matchers": settings.matchers.map { ["name": $0.name, "value": $0.value, "isRegex": false, "isEqual": true] },
            "startsAt": Self.format(Date()), "endsAt": Self.format(endsAt),
            "createdBy": "pgdrill", "comment": comment,
        ]
        let url = Self.endpoint(base, "api/v2/silences")
        let (status, data) = try HTTP.request(url, method: "POST", body: try JSONSerialization.data(withJSONObject: body),
                                              timeout: timeout, access: access)
        guard status == 200, let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let id = root["silenceID"] as? String else {
            throw HTTPError(url: url.absoluteString, message: "creating the silence answered HTTP \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return id
    }

    /// Silences whose comment contains `token`, not yet expired.
    func silences(containing token: String) throws -> [Silence] {
        guard let base = settings.alertmanager else { return [] }
        let data = try get(base, "api/v2/silences")
        guard let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { throw shape(base, "api/v2/silences") }
        return list.compactMap { item in
            guard let id = item["id"] as? String, let comment = item["comment"] as? String, comment.contains(token) else { return nil }
            let state = (item["status"] as? [String: Any])?["state"] as? String ?? ""
            return state == "expired" ? nil : Silence(id: id, state: state, comment: comment)
        }
    }

    func expireSilence(_ id: String) throws {
        guard let base = settings.alertmanager else { return }
        let url = Self.endpoint(base, "api/v2/silence/" + id)
        let (status, data) = try HTTP.request(url, method: "DELETE", timeout: timeout, access: access)
        guard status == 200 else {
            throw HTTPError(url: url.absoluteString, message: "expiring silence \(id) answered HTTP \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
    }

    // MARK: plumbing

    private var filter: [URLQueryItem] { settings.matchers.map { URLQueryItem(name: "filter", value: "\($0.name)=\"\($0.value)\"") } }

    private func get(_ base: URL, _ path: String, query: [URLQueryItem] = []) throws -> Data {
        var url = Self.endpoint(base, path)
        if !query.isEmpty, var c = URLComponents(url: url, resolvingAgainstBaseURL: false) {
            c.queryItems = query
            // `+` is a space to Go's query parser; URLComponents leaves it alone.
            c.percentEncodedQuery = c.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
            url = c.url ?? url
        }
        let (status, data) = try HTTP.request(url, timeout: timeout, access: access)
        guard status == 200 else {
            throw HTTPError(url: url.absoluteString, message: "HTTP \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
        return data
    }

    private func shape(_ base: URL, _ path: String) -> HTTPError {
        HTTPError(url: Self.endpoint(base, path).absoluteString, message: "the answer is not the JSON Prometheus/Alertmanager give",
                  hint: "is monitoring.prometheus (or alertmanager) the server's base URL, e.g. http://prometheus:9090?")
    }

    /// `base` + `path`, keeping a path prefix the server is mounted under (`https://host/prometheus/`).
    static func endpoint(_ base: URL, _ path: String) -> URL {
        let prefix = base.absoluteString.hasSuffix("/") ? base.absoluteString : base.absoluteString + "/"
        return URL(string: prefix + path) ?? base
    }

    /// RFC 3339 with any number of fractional digits (Go writes nanoseconds; Foundation parses milliseconds).
    static func date(_ text: String) -> Date? {
        var whole = text
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let rest = text[text.index(after: dot)...]
            let digits = rest.prefix { $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            whole = String(text[..<dot]) + String(rest.dropFirst(digits.count))
        }
        guard let date = ISO8601DateFormatter().date(from: whole) else { return nil }
        return date.addingTimeInterval(fraction)
    }

    static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }
}
