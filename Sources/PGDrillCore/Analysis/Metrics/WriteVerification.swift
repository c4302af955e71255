/// Every acknowledged write checked against what the nodes hold afterwards (DESIGN §6). Lost keys
/// are kept in full, never summarised: a post-mortem needs to know exactly which rows are gone.
public struct WriteVerification: Codable, Sendable, Equatable {
    /// The new primary's read-back: the figure that decides "lost writes" and RPO.
    public var primary: NodeVerification
    /// Every other node that was read back, by name.
    public var replicas: [NodeVerification]
    /// Acknowledged attempts that were checked (ok attempts of write endpoints).
    public var acknowledged: Int

    public init(primary: NodeVerification, replicas: [NodeVerification], acknowledged: Int) {
        self.primary = primary
        self.replicas = replicas
        self.acknowledged = acknowledged
    }

    /// Acknowledged writes missing on the new primary.
    public var lostWrites: Int { primary.lost.count }
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

    public init(
        node: String, rowsPresent: Int, lost: [LostWrite], phantoms: [WriteKey],
        indeterminateCommitted: Int, indeterminateNotCommitted: Int, unmatchedRows: Int
    ) {
        self.node = node
        self.rowsPresent = rowsPresent
        self.lost = lost
        self.phantoms = phantoms
        self.indeterminateCommitted = indeterminateCommitted
        self.indeterminateNotCommitted = indeterminateNotCommitted
        self.unmatchedRows = unmatchedRows
    }
}
