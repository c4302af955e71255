/// `restore: { target: latest }` or `restore: { target: time, before_disaster: 2s }` — the disaster-recovery
/// rehearsal: at the "disaster moment" the cluster is cut off from its backup repository (as if it were
/// gone), then the latest backup plus the archived WAL is restored onto a fresh scratch host, to the end
/// of the archive or to a point in time; the host is started, checked and removed afterwards.
public struct RestoreStep: Sendable, Hashable {
    /// How far the restore replays the archived WAL.
    public enum RecoveryTarget: Sendable, Hashable {
        /// To the end of the archive.
        case latest
        /// Point-in-time recovery to this long before the disaster moment.
        case time(beforeDisaster: DrillDuration)
    }

    public var target: RecoveryTarget
    /// Bound on the whole restore (fetch, replay, first connection).
    public var timeout: DrillDuration
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(target: RecoveryTarget = .latest, timeout: DrillDuration = .seconds(600), rollbackAfter: DrillDuration? = nil,
                mark: SourceMark) {
        self.target = target
        self.timeout = timeout
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
