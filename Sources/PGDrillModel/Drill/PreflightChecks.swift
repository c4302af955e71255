/// What must hold before any fault is injected; a cluster that fails them is left untouched (exit 2).
public struct PreflightChecks: Sendable, Hashable {
    /// Require a leader, every member streaming and no leftovers of an earlier run.
    public var requireHealthy: Bool
    /// Largest replication lag of any standby.
    public var maxLag: ByteSize
    /// Fewest streaming standbys.
    public var minReplicas: Int
    /// Require a synchronous standby.
    public var requireSync: Bool
    /// The drill needs a backup no older than this (restore drills): refused without one, and while WAL
    /// archiving is failing.
    public var backupMaxAge: DrillDuration?

    public init(requireHealthy: Bool = true, maxLag: ByteSize = .mebibytes(1), minReplicas: Int = 2, requireSync: Bool = true,
                backupMaxAge: DrillDuration? = nil) {
        self.backupMaxAge = backupMaxAge
        self.requireHealthy = requireHealthy
        self.maxLag = maxLag
        self.minReplicas = minReplicas
        self.requireSync = requireSync
    }
}
