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
    /// TLS and basic auth (`patroni_api:` in the cluster file).
    public let access: HTTPCredentials

    public init(baseURL: URL, timeout: TimeInterval = 1.5, access: HTTPCredentials = .none) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.access = access
    }

    /// The cluster as this member sees it (`GET /cluster`).
    public func cluster() throws -> ClusterView {
        let (status, data) = try HTTP.request(baseURL.appendingPathComponent("cluster"), timeout: timeout, access: access)
        guard status == 200 else {
            throw HTTPError(url: baseURL.appendingPathComponent("cluster").absoluteString, message: "HTTP \(status)")
        }
        do {
            return try JSONDecoder().decode(ClusterView.self, from: data)
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

    /// `GET /patroni`: this member's own status (role, state, WAL positions, replication state).
    public func status() throws -> MemberStatus {
        let url = baseURL.appendingPathComponent("patroni")
        let (code, data) = try HTTP.request(url, timeout: timeout, access: access)
        guard code == 200 || code == 503 else { throw HTTPError(url: url.absoluteString, message: "HTTP \(code)") }
        do { return try JSONDecoder().decode(MemberStatus.self, from: data) } catch {
            throw HTTPError(url: url.absoluteString, message: "unexpected JSON: \(error)")
        }
    }

    /// `GET /config`: the cluster's dynamic (DCS) configuration, as JSON.
    public func config() throws -> [String: Any] {
        let url = baseURL.appendingPathComponent("config")
        let (code, data) = try HTTP.request(url, timeout: timeout, access: access)
        guard code == 200, let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HTTPError(url: url.absoluteString, message: code == 200 ? "unexpected JSON" : "HTTP \(code)")
        }
        return object
    }

    /// `PATCH /config` with a JSON object (`null` values remove keys): how a standby cluster is promoted
    /// (`{"standby_cluster": null}`) or a cluster made a standby of another.
    public func patchConfig(_ json: Data) throws {
        let url = baseURL.appendingPathComponent("config")
        let (code, data) = try HTTP.request(url, method: "PATCH", body: json, timeout: max(timeout, 10), access: access)
        guard (200..<300).contains(code) else {
            throw HTTPError(url: url.absoluteString, message: "HTTP \(code): \(String(decoding: data, as: UTF8.self).prefix(300))")
        }
    }

    /// `GET /patroni` as Patroni 3/4 returns it (fields this tool uses).
    public struct MemberStatus: Decodable, Sendable {
        public struct WAL: Decodable, Sendable {
            public var location: Int64?
            public var receivedLocation: Int64?
            public var replayedLocation: Int64?
            enum CodingKeys: String, CodingKey {
                case location, receivedLocation = "received_location", replayedLocation = "replayed_location"
            }
        }
        public var state: String?
        public var role: String?
        public var timeline: Int?
        public var replicationState: String?
        public var xlog: WAL?
        /// `{"patroni": {"version": "3.0.2", "scope": …}}`.
        public struct PatroniInfo: Decodable, Sendable { public var version: String? }
        public var patroni: PatroniInfo?
        enum CodingKeys: String, CodingKey { case state, role, timeline, replicationState = "replication_state", xlog, patroni }

        /// A running primary ("primary" in Patroni 4, "master" before).
        public var isPrimary: Bool { (role == "primary" || role == "master") && state == "running" }
        /// The furthest WAL position this member has: written (primary) or replayed (standby).
        public var walPosition: Int64? { xlog?.location ?? xlog?.replayedLocation }
    }

    /// Proves the credentials for Patroni's unsafe endpoints without changing anything: `POST /failover`
    /// naming a leader but no candidate passes Patroni's access check (allowlist, client certificate,
    /// `restapi.authentication`: 403 or 401 otherwise, thrown by `HTTP.request`) and is then turned down with
    /// 400 "Failover could be performed only to a specific candidate" before Patroni looks at the cluster —
    /// the same order in Patroni 2.1 through 4.1. Patroni logs the request as a failover request.
    public func checkUnsafeAccess() throws {
        let url = baseURL.appendingPathComponent("failover")
        _ = try HTTP.request(url, method: "POST", body: Data(#"{"leader": "pgdrill-preflight-access-check"}"#.utf8),
                             timeout: timeout, access: access)
    }

    private func post(_ path: String, body: [String: String]) throws -> String {
        let url = baseURL.appendingPathComponent(path)
        let payload = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let (status, data) = try HTTP.request(url, method: "POST", body: payload, timeout: max(timeout, 30), access: access)
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard (200..<300).contains(status) else {
            throw HTTPError(url: url.absoluteString, message: "HTTP \(status): \(text)")
        }
        return text
    }
}

/// The cluster as its HA manager sees it, in Patroni's vocabulary whatever the manager: members with a
/// role (`leader`, `sync_standby`, `replica`) and a state (`running`, `streaming`, `stopped`, …), a
/// timeline and a replication lag. One shape, so health, role resolution and the monitor's events mean
/// the same for Patroni, repmgr and plain streaming replication, and their RTO figures compare.
///
/// It decodes Patroni's `GET /cluster` (3.x and 4.x; fields this tool does not use are ignored); the repmgr
/// and streaming managers build it from their own answers.
public struct ClusterView: Decodable, Sendable {
    public struct Member: Decodable, Sendable {
        public var name: String
        public var role: String
        public var state: String
        public var host: String?
        public var port: Int?
        public var timeline: Int?
        /// Replication lag in bytes; nil when Patroni says "unknown" or omits it (the leader).
        public var lag: Int64?
        /// The standby cluster's label for members of the cluster file's `standby_cluster` (nil: the cluster's own).
        public var region: String?

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

    /// The region that leads now: the cluster's own members, or the standby cluster's once it was promoted.
    public var members: [Member]
    /// The other region's members (a standby cluster's while the cluster leads; empty without one).
    public var otherRegion: [Member] = []
    /// The leader's own `pg_stat_replication`, as it answered over SQL (nil: not asked, or no answer): the
    /// replication truth whatever the manager's state strings say (Patroni < 3.0.4 calls a streaming
    /// replica `running`, later versions `streaming`).
    public var replication: [ReplicationView.Replica]?
    /// What the leader Patroni names said over SQL when asked (nil: not asked). A member's `/cluster` can be
    /// stale — an old primary just reconnected to the DCS still shows itself leading — so a leader that does
    /// not answer, or answers read-only, is not a healthy leader whatever the view says.
    public var leaderSQL: LeaderSQL?
    public enum LeaderSQL: String, Sendable, Equatable { case writable, readOnly = "read-only", noAnswer = "no answer" }
    /// Whether the cluster is configured for synchronous replication (Patroni `/config` `synchronous_mode`);
    /// nil: not known. An asynchronous cluster is healthy without a synchronous standby.
    public var synchronousMode: Bool?
    /// The Patroni version the leader reports (`/patroni`), when asked.
    public var managerVersion: String?
    /// Patroni is in maintenance mode (`/cluster`'s `pause`): it fails nothing over by itself.
    public var paused: Bool?

    enum CodingKeys: String, CodingKey { case members, paused = "pause" }

    public init(members: [Member], otherRegion: [Member] = []) {
        self.members = members
        self.otherRegion = otherRegion
    }

    public var leader: Member? { members.first(where: \.isLeader) }
}
