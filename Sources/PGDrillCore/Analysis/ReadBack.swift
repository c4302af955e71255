/// The probe rows of this run found on each node after recovery: the ground truth that
/// acknowledged writes are checked against.
public struct ReadBack: Sendable, Equatable {
    /// The new primary: lost writes and RPO are decided against it.
    public var primary: String
    /// Node name → keys of the rows it holds (the new primary included).
    public var nodes: [String: WriteKeySet]
    /// Node name → the timeline it was on when read back, where it said.
    public var timelines: [String: Int] = [:]
    /// Node name → why its read-back does not count (not caught up with the primary, not streaming): it
    /// is still compared and shown, but its missing rows do not fail `lost_writes`.
    public var unverified: [String: String] = [:]

    public init(primary: String, nodes: [String: WriteKeySet]) {
        self.primary = primary
        self.nodes = nodes
    }

    /// Node name → keys; each set is stored as a `WriteKeySet` for the verification's lookups.
    public init(primary: String, nodes: [String: Set<WriteKey>]) {
        self.init(primary: primary, nodes: nodes.mapValues { WriteKeySet($0) })
    }

    /// Node name → keys, in order; the first node is the new primary.
    public init(_ pairs: KeyValuePairs<String, Set<WriteKey>>) {
        precondition(!pairs.isEmpty, "a read-back needs at least the new primary")
        primary = pairs[pairs.startIndex].key
        nodes = Dictionary(pairs.map { ($0.key, WriteKeySet($0.value)) }, uniquingKeysWith: { first, _ in first })
    }
}
