/// The cluster's topology at one moment, as `patronictl list` would show it plus replication lag:
/// taken before the fault and after recovery, and rendered side by side in the report so a reader
/// sees what the drill did to the cluster (who leads now, who rejoined, who is still lagging).
public struct ClusterSnapshot: Codable, Sendable, Equatable {
    /// A member's role in the manager's view. Open set: managers name roles differently.
    public struct Role: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let leader = Role("leader")
        public static let syncStandby = Role("sync_standby")
        public static let replica = Role("replica")
        public static let standbyLeader = Role("standby_leader")
        public static let unknown = Role("unknown")

        public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
    }

    /// A member's state in the manager's view (`running`, `streaming`, `stopped`, …). Open set.
    public struct State: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let running = State("running")
        public static let streaming = State("streaming")
        public static let stopped = State("stopped")
        public static let starting = State("starting")
        public static let crashed = State("crashed")
        public static let unreachable = State("unreachable")

        public init(from decoder: Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
        public func encode(to encoder: Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }
    }

    /// One node as seen at `takenAt`.
    public struct Member: Codable, Sendable, Equatable {
        /// Node name from the cluster file.
        public var name: String
        /// Address the node is reached at (no credentials).
        public var host: String
        public var role: Role
        public var state: State
        /// Current timeline, when the node answered.
        public var timeline: Int?
        /// Replication lag behind the leader in bytes; nil for the leader or when unknown.
        public var lagBytes: Int64?
        /// The node needs a restart for a changed setting to take effect.
        public var pendingRestart: Bool

        public init(
            name: String, host: String, role: Role, state: State,
            timeline: Int? = nil, lagBytes: Int64? = nil, pendingRestart: Bool = false
        ) {
            self.name = name
            self.host = host
            self.role = role
            self.state = state
            self.timeline = timeline
            self.lagBytes = lagBytes
            self.pendingRestart = pendingRestart
        }
    }

    public var members: [Member]
    /// Name of the leader; nil when the cluster had none at that moment.
    public var leader: String?
    /// Monotonic time the snapshot was taken, µs since the run epoch (same clock as the events).
    public var takenAt: Int64
    /// The HA manager (`patroni`, `repmgr`, …) and the version its leader reported (Patroni's `/patroni`),
    /// when known: a figure from a drill is a figure of that version's behaviour.
    public var manager: String?
    public var managerVersion: String?
    /// Whether the cluster was configured for synchronous replication (Patroni `/config`); nil: not known.
    public var synchronousMode: Bool?

    public init(members: [Member], leader: String?, takenAt: Int64, manager: String? = nil, managerVersion: String? = nil,
                synchronousMode: Bool? = nil) {
        self.members = members
        self.leader = leader
        self.takenAt = takenAt
        self.manager = manager
        self.managerVersion = managerVersion
        self.synchronousMode = synchronousMode
    }

    /// "Patroni 4.1.5, synchronous replication" — what is known of the manager and the replication mode.
    public var managerText: String? {
        let name = manager.map { $0 == "patroni" ? "Patroni" : $0 }
        let who = [name, managerVersion].compactMap { $0 }.joined(separator: " ")
        let mode = synchronousMode.map { $0 ? "synchronous replication" : "asynchronous replication" }
        let parts = [who.isEmpty ? nil : who, mode].compactMap { $0 }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    /// The member named `name`, if present.
    public func member(_ name: String) -> Member? { members.first { $0.name == name } }
}
