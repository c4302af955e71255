/// The RTO broken down (DESIGN §6): detection → promotion → routing → client, each as an offset
/// from t0, so a slow failover can be blamed on the right component (DCS ttl, promotion, HAProxy
/// checks, client reconnects). Nil where the phase was not observed.
public struct FailoverPhases: Codable, Sendable, Equatable {
    /// First `leader_lost`, or `leader_elected` of a node other than the old primary, at or after t0.
    public var detection: PhaseMark?
    /// First `node_writable` or `timeline_changed` of a node other than the old primary.
    public var promotion: PhaseMark?
    /// First `backend_up` of the new primary in the write backend.
    public var routing: PhaseMark?
    /// First ok attempt on the main endpoint acknowledged by a server other than the pre-fault one;
    /// when no other server ever acknowledged (no failover), the first ack after the first outage.
    public var client: PhaseMark?

    public init(detection: PhaseMark? = nil, promotion: PhaseMark? = nil, routing: PhaseMark? = nil, client: PhaseMark? = nil) {
        self.detection = detection
        self.promotion = promotion
        self.routing = routing
        self.client = client
    }
}

/// When a phase was reached, relative to t0, and where.
public struct PhaseMark: Codable, Sendable, Equatable {
    /// µs after t0.
    public var offset: Int64
    /// Node (or server) it happened on.
    public var node: String?
    public var detail: String?

    public init(offset: Int64, node: String? = nil, detail: String? = nil) {
        self.offset = offset
        self.node = node
        self.detail = detail
    }
}
