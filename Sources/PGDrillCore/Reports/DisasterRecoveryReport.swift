/// A `restore` step in report.json: the restore RTO by stage and the RPO of backup-based recovery, with the
/// counts they come from. Times are µs on the run clock, like stages and events.
public struct RestoreReport: Codable, Sendable, Equatable {
    /// `latest` (the end of the archive) or `time` (point-in-time recovery).
    public var target: String
    /// The PITR target as given to the backup tool.
    public var recoveryTargetTime: String?
    /// The disaster moment: the cluster cut off from its repository (t0).
    public var disasterAt: Int64
    /// Writes acknowledged before this must be on the restored host (the disaster moment, or the PITR target).
    public var cutoffAt: Int64
    /// The restored host accepted writes.
    public var readWriteAt: Int64?
    /// Restore RTO: disaster moment → read-write restored host.
    public var rto: Int64?
    /// Provision, fetch + copy, start → first connection, WAL replay → read-write, checks.
    public var stages: [StageTiming]
    /// Probe rows of this run on the restored host (nil: never read).
    public var rowsRestored: Int?
    public var ackedBeforeCutoff: Int?
    /// Acknowledged before the cutoff and missing from the restored host.
    public var lostBeforeCutoff: Int?
    public var presentAfterCutoff: Int?
    public var phantoms: Int?
    /// Newest acknowledgement before the cutoff of a write the restored host holds.
    public var lastRestoredAck: Int64?
    /// Commit time of the last transaction the restored host replayed (its clock, on the run clock's scale).
    public var newestRestoredCommitAt: Int64?
    /// RPO of backup-based recovery: disaster moment − `lastRestoredAck`; when none of this run's writes
    /// were restored, disaster moment − `newestRestoredCommitAt` (never less than the lost span).
    public var rpo: Int64?
    /// `probe` or `server_commit_time`: which of the two `rpo` rests on.
    public var rpoSource: String?
    /// When there is no `rpo` because nothing of this run was restored: the least it can be.
    public var rpoAtLeast: Int64?
    /// Integrity checks that passed, and what went wrong, in words.
    public var checks: [String]
    public var problems: [String]

    public init(target: String, recoveryTargetTime: String?, disasterAt: Int64, cutoffAt: Int64, readWriteAt: Int64?,
                stages: [StageTiming], verification: RestoreVerification?, checks: [String], problems: [String]) {
        self.target = target
        self.recoveryTargetTime = recoveryTargetTime
        self.disasterAt = disasterAt
        self.cutoffAt = cutoffAt
        self.readWriteAt = readWriteAt
        self.rto = readWriteAt.map { $0 - disasterAt }
        self.stages = stages
        self.rowsRestored = verification?.rowsPresent
        self.ackedBeforeCutoff = verification?.ackedBeforeCutoff
        self.lostBeforeCutoff = verification?.lostBeforeCutoff
        self.presentAfterCutoff = verification?.presentAfterCutoff
        self.phantoms = verification?.phantoms
        self.lastRestoredAck = verification?.lastRestoredAck
        self.newestRestoredCommitAt = verification?.newestRestoredCommit
        self.rpo = verification?.rpo
        self.rpoSource = verification?.rpoSource
        self.rpoAtLeast = verification?.rpoAtLeast
        self.checks = checks
        self.problems = problems
    }
}

/// A `region_failover` step in report.json: when the DR link and the region were cut, when the standby
/// cluster was asked to promote and ran as a primary, and how the failback went. Lost writes, RTO and
/// error rate are the drill's metrics. Times are µs on the run clock.
public struct RegionFailoverReport: Codable, Sendable, Equatable {
    /// The cluster file's name for the standby cluster.
    public var standbyCluster: String
    /// Replication to the standby region stopped (before the region's loss), if the drill asked for it.
    public var replicationCutAt: Int64?
    /// The region cut off: the disaster moment (t0).
    public var regionCutAt: Int64
    public var promotionRequestedAt: Int64?
    /// The standby cluster's leader answered as a running primary.
    public var promotedAt: Int64?
    public var promotedNode: String?
    /// What the failback did (or why it did not complete), in words.
    public var failback: String?

    public init(standbyCluster: String, replicationCutAt: Int64? = nil, regionCutAt: Int64, promotionRequestedAt: Int64? = nil,
                promotedAt: Int64? = nil, promotedNode: String? = nil, failback: String? = nil) {
        self.standbyCluster = standbyCluster
        self.replicationCutAt = replicationCutAt
        self.regionCutAt = regionCutAt
        self.promotionRequestedAt = promotionRequestedAt
        self.promotedAt = promotedAt
        self.promotedNode = promotedNode
        self.failback = failback
    }
}
