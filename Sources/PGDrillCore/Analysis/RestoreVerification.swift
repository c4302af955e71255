/// What a restored host holds compared with what the probe saw acknowledged: the data-loss figures of
/// backup-based recovery. Pure: computed from the probe attempts and the keys read back from the restored
/// host, streaming (only counters and the latest times are kept).
///
/// `cutoff` is the moment the restore may reach: the disaster moment for a restore to the end of the
/// archive, the recovery target for point-in-time recovery. Every write acknowledged before it must be
/// on the restored host, or it is lost; writes acknowledged later may or may not be there.
public struct RestoreVerification: Sendable, Equatable {
    /// Writes acknowledged before the cutoff.
    public var ackedBeforeCutoff = 0
    /// Of those, missing from the restored host.
    public var lostBeforeCutoff = 0
    /// Newest acknowledgement, before the cutoff, of a write the restored host holds (run clock, µs).
    public var lastRestoredAck: Int64?
    /// Oldest acknowledgement, before the cutoff, of a write the restored host lacks.
    public var firstLostAck: Int64?
    /// Writes acknowledged after the cutoff that the restored host holds anyway.
    public var presentAfterCutoff = 0
    /// Rows whose attempt certainly failed, present anyway (an anomaly).
    public var phantoms = 0
    /// Probe rows of this run on the restored host.
    public var rowsPresent = 0
    public var cutoff: Int64
    /// The disaster moment: the cluster was cut off from its repository (run clock, µs).
    public var disaster: Int64

    public init(cutoff: Int64, disaster: Int64, rowsPresent: Int) {
        self.cutoff = cutoff
        self.disaster = disaster
        self.rowsPresent = rowsPresent
    }

    /// Folds every attempt of `endpoint` against the restored host's keys.
    public static func compute<S: Sequence>(attempts: S, endpoint: String, restored: Set<WriteKey>, cutoff: Int64,
                                             disaster: Int64) -> RestoreVerification
    where S.Element == ProbeAttempt {
        var v = RestoreVerification(cutoff: cutoff, disaster: disaster, rowsPresent: restored.count)
        for a in attempts where a.endpoint == endpoint {
            let present = restored.contains(a.key)
            switch a.outcome {
            case .ok where a.end < cutoff:
                v.ackedBeforeCutoff += 1
                if present {
                    v.lastRestoredAck = max(v.lastRestoredAck ?? a.end, a.end)
                } else {
                    v.lostBeforeCutoff += 1
                    v.firstLostAck = min(v.firstLostAck ?? a.end, a.end)
                }
            case .ok:
                if present { v.presentAfterCutoff += 1 }
            case .fail where present:
                v.phantoms += 1
            default:
                break
            }
        }
        return v
    }

    /// Commit time of the last transaction the restored host replayed (`pg_last_xact_replay_timestamp()`,
    /// the server's clock on the run clock's scale), µs. Read once the restore is read-write; it dates what
    /// was restored when none of this run's writes were.
    public var newestRestoredCommit: Int64?

    /// RPO of backup-based recovery: from the newest restored acknowledgement to the disaster moment (what
    /// the application had been told was safe and the restore cannot give back, as time), µs.
    ///
    /// When none of the writes acknowledged before the cutoff were restored (the archive held nothing of this
    /// run), the newest restored transaction's commit time dates the restore instead; the RPO is then never
    /// less than the span of the lost acknowledgements (a server clock behind the runner's cannot shrink it).
    /// Nil when neither is known, or when nothing was acknowledged before the cutoff.
    public var rpo: Int64? {
        if let a = lastRestoredAck { return max(0, disaster - a) }
        guard let lost = firstLostAck, let commit = newestRestoredCommit else { return nil }
        return max(disaster - commit, disaster - lost, 0)
    }

    /// Where `rpo` comes from: `probe` (the newest restored acknowledgement), `server_commit_time` (nothing
    /// of this run restored), nil when there is no RPO.
    public var rpoSource: String? {
        lastRestoredAck != nil ? "probe" : rpo != nil ? "server_commit_time" : nil
    }

    /// What can be said when there is no RPO: every acknowledged write before the cutoff was lost, so the
    /// RPO is at least their span; nil when there is an RPO, or none were acknowledged.
    public var rpoAtLeast: Int64? {
        guard rpo == nil, let lost = firstLostAck else { return nil }
        return max(0, disaster - lost)
    }

    /// The RPO in words for report cells: the figure and, when no probe write was restored, what it rests on.
    public var rpoText: String {
        if let rpo {
            return lastRestoredAck != nil ? ReportFormat.duration(rpo)
                : "\(ReportFormat.duration(rpo)) (none of \(ReportFormat.count(ackedBeforeCutoff)) acknowledged writes restored; dated by the restored host's last replayed commit)"
        }
        if let floor = rpoAtLeast {
            return "≥ \(ReportFormat.duration(floor)) (none of \(ReportFormat.count(ackedBeforeCutoff)) acknowledged writes restored; no commit time on the restored host)"
        }
        return "not measurable (no write acknowledged before the \(cutoff == disaster ? "disaster moment" : "recovery target"))"
    }
}
