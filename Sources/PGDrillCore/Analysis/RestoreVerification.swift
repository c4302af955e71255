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

    /// RPO of backup-based recovery: from the newest restored acknowledgement to the disaster moment (what
    /// the application had been told was safe and the restore cannot give back, as time), µs.
    public var rpo: Int64? { lastRestoredAck.map { max(0, disaster - $0) } }
}
