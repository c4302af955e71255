/// Something the cluster monitor or the engine observed, at a monotonic time. Analysis derives the
/// failover phases (detection → promotion → routing → client) and the split-brain check from these.
public struct ClusterEvent: Codable, Sendable, Equatable {
    /// What happened. New kinds may be added; analysis ignores kinds it does not use.
    public struct Kind: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The engine sent the fault command (t0). `detail` is the step's description.
        public static let faultSent = Kind(rawValue: "fault_sent")
        /// The fault command returned on the node.
        public static let faultApplied = Kind(rawValue: "fault_applied")
        /// A rollback ran (detail says which).
        public static let rolledBack = Kind(rawValue: "rolled_back")
        /// No node holds the leader role any more (the manager's view: Patroni `/cluster`).
        public static let leaderLost = Kind(rawValue: "leader_lost")
        /// `node` became the leader (`detail` may carry the previous leader).
        public static let leaderElected = Kind(rawValue: "leader_elected")
        /// `node` answered `pg_is_in_recovery() = false` (SQL view), `timeline` set.
        public static let nodeWritable = Kind(rawValue: "node_writable")
        /// `node` answered `pg_is_in_recovery() = true` or stopped answering as a primary.
        public static let nodeReadOnly = Kind(rawValue: "node_read_only")
        /// `node` stopped answering SQL at all.
        public static let nodeUnreachable = Kind(rawValue: "node_unreachable")
        /// `node`'s timeline changed (`timeline` is the new one).
        public static let timelineChanged = Kind(rawValue: "timeline_changed")
        /// `node`'s role or state in the manager changed (`detail` e.g. "replica/streaming").
        public static let memberChanged = Kind(rawValue: "member_changed")
        /// HAProxy marked `node`'s server UP in backend `detail` (e.g. "write").
        public static let backendUp = Kind(rawValue: "backend_up")
        /// HAProxy marked `node`'s server DOWN in backend `detail`.
        public static let backendDown = Kind(rawValue: "backend_down")
        /// The HA manager went into maintenance mode (Patroni paused): it fails nothing over by itself.
        public static let managerPaused = Kind(rawValue: "manager_paused")
        /// The HA manager left maintenance mode.
        public static let managerResumed = Kind(rawValue: "manager_resumed")
        /// An on-call operator's acknowledgement or note (`detail`), during a handover.
        public static let operatorNote = Kind(rawValue: "operator")
        /// A drill stage began (`detail`: steady, fault, observe, recover, verify).
        public static let stage = Kind(rawValue: "stage")
        /// Free-form note worth keeping on the timeline.
        public static let note = Kind(rawValue: "note")
    }

    /// Monotonic time, µs since the run epoch.
    public var at: Int64
    public var kind: Kind
    /// Node name from the cluster file, when the event is about one node.
    public var node: String?
    public var timeline: Int?
    public var detail: String?

    public init(at: Int64, kind: Kind, node: String? = nil, timeline: Int? = nil, detail: String? = nil) {
        self.at = at
        self.kind = kind
        self.node = node
        self.timeline = timeline
        self.detail = detail
    }
}
