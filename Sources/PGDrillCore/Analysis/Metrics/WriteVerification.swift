/// Every acknowledged write checked against what the nodes hold afterwards (DESIGN §6). Lost keys
/// are kept in full, never summarised: a post-mortem needs to know exactly which rows are gone.
public struct WriteVerification: Codable, Sendable, Equatable {
    /// The new primary's read-back: the figure that decides "lost writes" and RPO.
    public var primary: NodeVerification
    /// Every other node that was read back, by name.
    public var replicas: [NodeVerification]
    /// Acknowledged attempts that were checked (ok attempts of write endpoints).
    public var acknowledged: Int

    /// The primary's lost writes by the server and timeline that acknowledged them, in order of the first
    /// ack: "acknowledged by pg2 on timeline 3 from +25 s to +40 s" names writes of an abandoned timeline.
    public var lostBySource: [LostWriteSource]?

    public init(primary: NodeVerification, replicas: [NodeVerification], acknowledged: Int, lostBySource: [LostWriteSource]? = nil) {
        self.primary = primary
        self.replicas = replicas
        self.acknowledged = acknowledged
        self.lostBySource = lostBySource
    }

    /// Acknowledged writes missing on the new primary.
    public var lostWrites: Int { primary.lost.count }
    /// The most acknowledged writes missing on any verified node (the primary, or a replica that had
    /// caught up with it): what `lost_writes` judges.
    public var lostWritesOnAnyVerifiedNode: Int {
        ([primary] + replicas.filter(\.verified)).map(\.lost.count).max() ?? 0
    }
    /// Verified replicas missing more acknowledged writes than the primary.
    public var replicasMissingMore: [NodeVerification] {
        replicas.filter { $0.verified && $0.lost.count > primary.lost.count }
    }
    /// Writes present on the new primary whose attempt failed (an anomaly).
    public var phantomWrites: Int { primary.phantoms.count }
}

/// What one node holds, compared with what the probe was told.
public struct NodeVerification: Codable, Sendable, Equatable {
    /// An acknowledged write the node does not hold.
    public struct LostWrite: Codable, Sendable, Equatable, Comparable {
        public var key: WriteKey
        /// When the client got the acknowledgement, µs on the run clock.
        public var ackedAt: Int64

        public init(key: WriteKey, ackedAt: Int64) {
            self.key = key
            self.ackedAt = ackedAt
        }

        public static func < (a: LostWrite, b: LostWrite) -> Bool {
            (a.ackedAt, a.key) < (b.ackedAt, b.key)
        }
    }

    public var node: String
    /// Probe rows of this run the node holds.
    public var rowsPresent: Int
    /// Acknowledged writes missing, by ack time.
    public var lost: [LostWrite]
    /// Rows present whose attempt was a certain failure, in key order.
    public var phantoms: [WriteKey]
    /// Indeterminate attempts whose row is present (the commit happened).
    public var indeterminateCommitted: Int
    /// Indeterminate attempts whose row is absent (the commit did not happen, or was lost).
    public var indeterminateNotCommitted: Int
    /// Rows present that no recorded attempt wrote (a gap in the probe log, or a foreign writer).
    public var unmatchedRows: Int
    /// The node's timeline when it was read back, where it said.
    public var timeline: Int?
    /// Why this read-back does not count, when it does not: a replica that had not caught up with the
    /// primary, or was not streaming, whose missing rows may simply not have arrived yet. Nil: verified.
    public var notVerified: String?

    /// Whether this read-back counts towards `lost_writes`.
    public var verified: Bool { notVerified == nil }

    public init(
        node: String, rowsPresent: Int, lost: [LostWrite], phantoms: [WriteKey],
        indeterminateCommitted: Int, indeterminateNotCommitted: Int, unmatchedRows: Int, timeline: Int? = nil, notVerified: String? = nil
    ) {
        self.timeline = timeline
        self.notVerified = notVerified
        self.node = node
        self.rowsPresent = rowsPresent
        self.lost = lost
        self.phantoms = phantoms
        self.indeterminateCommitted = indeterminateCommitted
        self.indeterminateNotCommitted = indeterminateNotCommitted
        self.unmatchedRows = unmatchedRows
    }
}

/// Lost writes that one server acknowledged on one timeline.
public struct LostWriteSource: Codable, Sendable, Equatable {
    /// The server's identity as the probe recorded it, and its node name when known.
    public var server: String?
    public var node: String?
    /// The timeline the acknowledging server was on (from the row's own WAL position), when recorded.
    public var timeline: Int?
    public var count: Int
    /// First and last acknowledgement, µs on the run clock.
    public var firstAck: Int64
    public var lastAck: Int64

    public init(server: String?, node: String?, timeline: Int?, count: Int, firstAck: Int64, lastAck: Int64) {
        self.server = server
        self.node = node
        self.timeline = timeline
        self.count = count
        self.firstAck = firstAck
        self.lastAck = lastAck
    }
}
