/// `region_failover: { promote_after: 10s, timeout: 60s }` — the whole primary region is lost: every node
/// of the cluster is cut off (iptables; each node keeps only its own region's peers and the runner's ssh),
/// and after `promote_after` (the time it takes to declare the region lost) the cluster file's
/// `standby_cluster` is promoted the way Patroni documents it (its `standby_cluster` section removed from
/// the DCS configuration). The write endpoint follows the new primary through its health checks.
///
/// With `replication_cut_before: 5s`, the standby region first stops receiving WAL by streaming (its
/// traffic with the primary region and its connections to the write endpoint dropped; the WAL archive stays
/// reachable) that long before the region is lost: the DR link failing first, so that the writes the
/// promotion loses are measured rather than near zero. The disaster moment (t0) is the region's loss.
///
/// Rollback fails back: the old region becomes a standby cluster of the new one (Patroni rewinds it),
/// catches up, and the regions switch back, so the cluster ends as it began.
public struct RegionFailoverStep: Sendable, Hashable {
    /// From the cut to the promotion request.
    public var promoteAfter: DrillDuration
    /// How long before the region's loss its replication to the standby region stops (zero: not before).
    public var replicationCutBefore: DrillDuration
    /// Bound on the standby cluster's leader becoming a primary after the request.
    public var timeout: DrillDuration
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(promoteAfter: DrillDuration = .seconds(5), replicationCutBefore: DrillDuration = .zero, timeout: DrillDuration = .seconds(60),
                rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.promoteAfter = promoteAfter
        self.replicationCutBefore = replicationCutBefore
        self.timeout = timeout
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
