/// What a drill's fault does to the primary, as far as the cluster's failover settings are concerned: which
/// chain of timeouts stands between the fault and the first acknowledged write.
public enum FailureScenario: String, Codable, Sendable, Equatable, CaseIterable {
    /// The primary's node, or its HA manager, is gone or frozen: nothing renews its leadership, so the
    /// standbys wait out the lease (Patroni's leader key ttl, repmgrd's reconnect attempts) and promote.
    case primaryLost = "primary_lost"
    /// The primary is cut off the network: the same lease runs out on the standbys' side.
    case primaryPartitioned = "primary_partitioned"
    /// The primary's PostgreSQL crashed but its manager lives: it restarts PostgreSQL in place.
    case primaryRestartInPlace = "primary_restart_in_place"
    /// A switchover through the manager: no lease to wait for.
    case plannedSwitchover = "planned_switchover"

    /// How the report names it.
    public var words: String {
        switch self {
        case .primaryLost: "primary lost"
        case .primaryPartitioned: "primary partitioned"
        case .primaryRestartInPlace: "primary restarted in place"
        case .plannedSwitchover: "planned switchover"
        }
    }
}
