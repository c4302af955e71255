import Foundation

/// The rollback of a `region_failover` step, carried out by the runner through both regions' Patroni APIs
/// once the partition is healed: the old primary region follows the promoted standby cluster (Patroni
/// rewinds it), catches up, then the regions switch back — the standby cluster is made a standby again with
/// its own configuration as it was, the old region catches up with its last WAL, and is promoted.
///
/// Journalled as text (`journalText`) so that `pgdrill recover` can finish it after the runner died. Every
/// branch is idempotent: it reads where the regions are and carries on from there.
public struct RegionFailback: InternalRollback, Sendable, Equatable {
    public struct Node: Codable, Sendable, Equatable {
        public var name: String
        public var api: URL
        /// Address PostgreSQL listens on (what a standby cluster of it connects to).
        public var host: String
    }

    public var primaryRegion: [Node]
    public var standbyRegion: [Node]
    public var standbyName: String
    /// The standby cluster's `standby_cluster` section before the promotion (a JSON object), restored as is.
    public var standbyConfig: String
    public var pgPort: Int
    /// TLS and basic auth of the Patroni APIs: from the cluster file at run time, never journalled.
    public var access: HTTPCredentials = .none

    enum CodingKeys: String, CodingKey { case primaryRegion, standbyRegion, standbyName, standbyConfig, pgPort }

    static let prefix = "pgdrill-internal region-failback "

    /// Runs the failback; returns what was done. Throws, naming where the regions were left, when a stage
    /// does not complete in time.
    public func run(say: (String) -> Void) throws -> String {
        let started = Date()
        try wait("a Patroni API of each region to answer", seconds: 60) {
            statuses(primaryRegion).contains { $0.1 != nil } && statuses(standbyRegion).contains { $0.1 != nil }
        }
        guard let newPrimary = primary(in: standbyRegion) else {
            if let p = primary(in: primaryRegion) {
                return "no failback needed: \(p.name) leads and the standby cluster '\(standbyName)' was never promoted"
            }
            // Demoted, but the standby cluster was never promoted: the old region has the newest WAL.
            say("neither region has a primary: promoting the old primary region again")
            try patch(primaryRegion, #"{"standby_cluster": null}"#)
            try wait("a primary in the old primary region", seconds: 60) { primary(in: primaryRegion) != nil }
            return "the old primary region leads again (\(primary(in: primaryRegion)?.name ?? "?")); '\(standbyName)' was never promoted"
        }
        let followConfig = #"{"standby_cluster": {"create_replica_methods": ["basebackup"], "host": "\#(newPrimary.host)", "port": \#(pgPort)}}"#
        if primary(in: primaryRegion) != nil {
            say("both regions run a primary: making the old primary region a standby cluster of \(newPrimary.name)")
            try patch(primaryRegion, followConfig)
            try wait("the old primary region to stop accepting writes", seconds: 90) { primary(in: primaryRegion) == nil }
        }
        say("waiting for the old primary region to follow \(newPrimary.name) (pg_rewind, or a new copy)")
        try wait("the old primary region's standby leader to stream from \(newPrimary.name)", seconds: 300) {
            standbyLeader(in: primaryRegion)?.1.replicationState == "streaming"
        }
        say("switching back: '\(standbyName)' becomes a standby cluster again")
        let switchStart = Date()
        try patch(standbyRegion, #"{"standby_cluster": \#(standbyConfig)}"#)
        var target: Int64 = 0
        try wait("'\(standbyName)' to run as a standby again", seconds: 90) {
            guard primary(in: standbyRegion) == nil, let (_, s) = standbyLeader(in: standbyRegion), s.state == "running",
                  let pos = [s.xlog?.receivedLocation, s.xlog?.replayedLocation].compactMap({ $0 }).max()
            else { return false }
            target = pos
            return true
        }
        try wait("the old primary region to replay '\(standbyName)''s last WAL (\(Self.lsn(target)))", seconds: 90) {
            (standbyLeader(in: primaryRegion)?.1.xlog?.replayedLocation ?? 0) >= target
        }
        try patch(primaryRegion, #"{"standby_cluster": null}"#)
        try wait("a primary in the old primary region", seconds: 60) { primary(in: primaryRegion) != nil }
        let outage = Date().timeIntervalSince(switchStart)
        let leader = primary(in: primaryRegion)?.name ?? "?"
        say("\(leader) leads again (no primary for \(String(format: "%.1f", outage)) s); waiting for '\(standbyName)' to follow it")
        try wait("'\(standbyName)''s standby leader to stream from \(leader)", seconds: 120) {
            standbyLeader(in: standbyRegion)?.1.replicationState == "streaming"
        }
        return "failed back in \(String(format: "%.1f", Date().timeIntervalSince(started))) s: \(leader) leads again, '\(standbyName)' follows it"
            + " (no primary for \(String(format: "%.1f", outage)) s during the switch back)"
    }

    // MARK: - Reading the regions

    private func client(_ node: Node) -> PatroniClient { PatroniClient(baseURL: node.api, timeout: 2, access: access) }

    private func statuses(_ nodes: [Node]) -> [(Node, PatroniClient.MemberStatus?)] {
        nodes.map { ($0, try? client($0).status()) }
    }

    private func primary(in nodes: [Node]) -> Node? {
        statuses(nodes).first { $0.1?.isPrimary == true }?.0
    }

    private func standbyLeader(in nodes: [Node]) -> (Node, PatroniClient.MemberStatus)? {
        for (node, status) in statuses(nodes) {
            if let status, status.role == "standby_leader" { return (node, status) }
        }
        return nil
    }

    private func patch(_ nodes: [Node], _ json: String) throws {
        var errors: [String] = []
        for node in nodes {
            do {
                try client(node).patchConfig(Data(json.utf8))
                return
            } catch { errors.append("\(error)") }
        }
        throw EngineError(.remote, "no Patroni API accepted the configuration change \(json): \(errors.joined(separator: "; "))")
    }

    private func wait(_ what: String, seconds: Double, until condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else {
                throw EngineError(.remote, "region failback stopped: no \(what) after \(Int(seconds)) s; \(describe())",
                                  hint: "run `pgdrill recover --cluster …` to carry on from here, or finish by hand with `patronictl edit-config`")
            }
            Thread.sleep(forTimeInterval: 0.5)
        }
    }

    /// Where both regions are, for messages.
    private func describe() -> String {
        func line(_ nodes: [Node]) -> String {
            statuses(nodes).map { n, s in "\(n.name) \(s.map { "\($0.role ?? "?")/\($0.state ?? "?")" } ?? "no answer")" }.joined(separator: ", ")
        }
        return "primary region: \(line(primaryRegion)); '\(standbyName)': \(line(standbyRegion))"
    }

    static func lsn(_ position: Int64) -> String { String(format: "%X/%X", position >> 32, position & 0xFFFF_FFFF) }
}
