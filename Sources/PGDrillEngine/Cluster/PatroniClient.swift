import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Talks to one Patroni REST API (`/cluster`, `/patroni`, `/switchover`, `/failover`).
///
/// Calls are synchronous and bounded by `timeout`: the engine and the monitor call them from their own
/// threads, and a hung API must never hang a drill.
public struct PatroniClient: Sendable {
    public let baseURL: URL
    public let timeout: TimeInterval

    public init(baseURL: URL, timeout: TimeInterval = 1.5) {
        self.baseURL = baseURL
        self.timeout = timeout
    }

    /// The cluster as this member sees it (`GET /cluster`).
    public func cluster() throws -> PatroniCluster {
        let (status, data) = try HTTP.request(baseURL.appendingPathComponent("cluster"), timeout: timeout)
        guard status == 200 else {
            throw HTTPError(url: baseURL.appendingPathComponent("cluster").absoluteString, message: "HTTP \(status)")
        }
        do {
            return try JSONDecoder().decode(PatroniCluster.self, from: data)
        } catch {
            throw HTTPError(url: baseURL.absoluteString + "/cluster", message: "unexpected JSON: \(error)")
        }
    }

    /// `POST /switchover` (planned; the leader hands over to `candidate` or any sync standby).
    public func switchover(leader: String, candidate: String?) throws -> String {
        var body: [String: String] = ["leader": leader]
        if let candidate { body["candidate"] = candidate }
        return try post("switchover", body: body)
    }

    /// `POST /failover` (unplanned; promote `candidate`).
    public func failover(candidate: String) throws -> String {
        try post("failover", body: ["candidate": candidate])
    }

    private func post(_ path: String, body: [String: String]) throws -> String {
        let url = baseURL.appendingPathComponent(path)
        let payload = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let (status, data) = try HTTP.request(url, method: "POST", body: payload, timeout: max(timeout, 30))
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (200..<300).contains(status) else {
            throw HTTPError(url: url.absoluteString, message: "HTTP \(status): \(text)")
        }
        return text
    }
}

/// `GET /cluster` as Patroni 3/4 returns it; fields this tool does not use are ignored.
public struct PatroniCluster: Decodable, Sendable {
    public struct Member: Decodable, Sendable {
        public var name: String
        public var role: String
        public var state: String
        public var host: String?
        public var port: Int?
        public var timeline: Int?
        /// Replication lag in bytes; nil when Patroni says "unknown" or omits it (the leader).
        public var lag: Int64?

        enum CodingKeys: String, CodingKey { case name, role, state, host, port, timeline, lag }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            role = try c.decode(String.self, forKey: .role)
            state = try c.decodeIfPresent(String.self, forKey: .state) ?? "unknown"
            host = try c.decodeIfPresent(String.self, forKey: .host)
            port = try c.decodeIfPresent(Int.self, forKey: .port)
            timeline = try c.decodeIfPresent(Int.self, forKey: .timeline)
            lag = try? c.decodeIfPresent(Int64.self, forKey: .lag)
        }

        public init(name: String, role: String, state: String, host: String? = nil, timeline: Int? = nil, lag: Int64? = nil) {
            self.name = name
            self.role = role
            self.state = state
            self.host = host
            self.timeline = timeline
            self.lag = lag
        }

        public var isLeader: Bool { role == "leader" || role == "standby_leader" }
    }

    public var members: [Member]

    public init(members: [Member]) { self.members = members }

    public var leader: Member? { members.first(where: \.isLeader) }
}
