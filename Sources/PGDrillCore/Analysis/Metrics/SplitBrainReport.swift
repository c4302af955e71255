/// Evidence of two primaries at once (DESIGN §6), from the two independent sources.
public struct SplitBrainReport: Codable, Sendable, Equatable {
    /// (a) Client view: two servers' ranges of acknowledgements after t0 overlap.
    public var ackOverlaps: [AckOverlap]
    /// (b) Monitor view: two nodes observed answering `pg_is_in_recovery() = false` at once.
    public var writableOverlaps: [WritableOverlap]

    public init(ackOverlaps: [AckOverlap], writableOverlaps: [WritableOverlap]) {
        self.ackOverlaps = ackOverlaps
        self.writableOverlaps = writableOverlaps
    }

    /// True when either source shows a split-brain.
    public var detected: Bool {
        ackOverlaps.contains { $0.isSplitBrain } || writableOverlaps.contains { $0.isSplitBrain }
    }
}

/// Two servers whose [first ack, last ack] ranges after t0 overlap.
///
/// Per server the range runs from its first to its last acknowledgement after t0; the overlap is
/// [later first ack, earlier last ack]. It is a split-brain only when *both* servers acknowledged a
/// write inside the overlap (inclusive): a failback (pg1, then pg2, then pg1 again) also makes the
/// ranges overlap, but pg1 acknowledged nothing while pg2 was primary.
public struct AckOverlap: Codable, Sendable, Equatable {
    /// `inet_server_addr():port` of each server, and its node name when known.
    public var serverA: String
    public var nodeA: String?
    public var serverB: String
    public var nodeB: String?
    /// Overlap, µs on the run clock.
    public var from: Int64
    public var to: Int64
    /// Acks of each server inside [from, to].
    public var acksA: Int
    public var acksB: Int

    public init(
        serverA: String, nodeA: String?, serverB: String, nodeB: String?, from: Int64, to: Int64, acksA: Int, acksB: Int
    ) {
        self.serverA = serverA
        self.nodeA = nodeA
        self.serverB = serverB
        self.nodeB = nodeB
        self.from = from
        self.to = to
        self.acksA = acksA
        self.acksB = acksB
    }

    public var isSplitBrain: Bool { acksA > 0 && acksB > 0 }
    public var duration: Int64 { to - from }
}

/// Two nodes observed writable at once by the cluster monitor.
///
/// A node is writable from its `node_writable` event to its next `node_read_only` or
/// `node_unreachable` event (or the end of the run). The monitor polls nodes one after another, every
/// `resolution` µs, so an overlap no longer than one poll interval may be an artefact of polling order
/// (a clean switchover looks like that): it is always listed, with its duration and the acks each node
/// gave inside it, but only a longer one counts as two primaries for `split_brain: none`. A resumed
/// primary without a watchdog *is* writable until its manager demotes it; whether that cost anything is
/// what `acksA`/`acksB` say, and `split_brain: no_acknowledged_writes` judges.
public struct WritableOverlap: Codable, Sendable, Equatable {
    public var nodeA: String
    public var nodeB: String
    /// Overlap, µs on the run clock.
    public var from: Int64
    public var to: Int64
    /// Longer than the monitor's poll interval.
    public var isSplitBrain: Bool
    /// The monitor's poll interval, µs: the resolution of `from` and `to`.
    public var resolution: Int64?
    /// Writes the probe saw acknowledged by each node inside [from, to] (nil: not counted).
    public var acksA: Int?
    public var acksB: Int?

    public init(nodeA: String, nodeB: String, from: Int64, to: Int64, isSplitBrain: Bool,
                resolution: Int64? = nil, acksA: Int? = nil, acksB: Int? = nil) {
        self.nodeA = nodeA
        self.nodeB = nodeB
        self.from = from
        self.to = to
        self.isSplitBrain = isSplitBrain
        self.resolution = resolution
        self.acksA = acksA
        self.acksB = acksB
    }

    /// Both nodes acknowledged writes inside the overlap.
    public var bothAcknowledged: Bool { (acksA ?? 0) > 0 && (acksB ?? 0) > 0 }

    public var duration: Int64 { to - from }
}
