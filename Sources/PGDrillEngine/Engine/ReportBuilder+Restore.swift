import PGDrillCore
import PGDrillModel

extension ReportBuilder {
    /// The restored host's probe rows against the probe's acknowledgements (streamed from the probe log).
    static func restoreVerification(_ r: DrillRecord, endpoint: String) -> RestoreVerification? {
        guard let restore = r.restore, let keys = restore.restoredKeys, let reader = try? ProbeLogReader(path: r.probeLogPath) else { return nil }
        var v = RestoreVerification.compute(attempts: reader, endpoint: endpoint, restored: keys, cutoff: restore.cutoff,
                                            disaster: restore.disaster)
        v.newestRestoredCommit = restore.newestRestoredCommit
        return v
    }

    /// Backup-based recovery in sentences: RTO by stage, what was restored and what was lost.
    static func restoreSentences(_ r: DrillRecord, _ v: RestoreVerification?) -> [String] {
        guard let restore = r.restore else { return [] }
        var lines: [String] = []
        if let rw = restore.readWriteAt {
            let stages = restore.stages.filter { $0.name != RestoreRecord.checkStage }
                .map { "\($0.name.replacingOccurrences(of: "restore: ", with: "")) \(ReportFormat.duration($0.duration))" }
            lines.append("restore RTO \(ReportFormat.duration(rw - restore.disaster)) from the disaster moment to a read-write restored host ("
                         + stages.joined(separator: ", ") + ")")
        }
        if let v {
            let target = restore.targetTime.map { "the recovery target \($0) (\(ReportFormat.duration(restore.disaster - restore.cutoff)) before the disaster)" }
                ?? "the disaster moment"
            lines.append("restored host holds \(v.rowsPresent) probe rows; of \(v.ackedBeforeCutoff) writes acknowledged before \(target), "
                         + "\(v.lostBeforeCutoff) are missing" + (v.presentAfterCutoff > 0 ? "; \(v.presentAfterCutoff) acknowledged later are present" : "")
                         + (v.phantoms > 0 ? "; \(v.phantoms) failed writes present (phantoms)" : ""))
            if let rpo = v.rpo, v.lastRestoredAck != nil {
                lines.append("RPO of backup-based recovery: \(ReportFormat.duration(rpo)) (disaster moment − newest restored acknowledgement)")
            } else if v.rpo != nil || v.rpoAtLeast != nil {
                lines.append("RPO of backup-based recovery: \(v.rpoText); the archive held none of this run's acknowledged writes at the disaster moment")
            }
        }
        lines += restore.checks.map { "restored host: \($0)" }
        lines += restore.problems.map { "restored host: \($0)" }
        return lines
    }

    /// A restore passes when the host came up intact; a point-in-time restore also must hold every write
    /// acknowledged before its target (a restore to the end of the archive loses the unarchived tail,
    /// which is reported, not failed).
    static func restoreExpectations(_ restore: RestoreRecord, _ v: RestoreVerification?, _ e: DrillPlan.Expectations) -> [ExpectationResult] {
        var out = [ExpectationResult(metric: "restore integrity", target: "read-write, amcheck and checksums clean",
                                     measured: restore.problems.isEmpty && restore.readWriteAt != nil ? "clean" : restore.problems.joined(separator: "; "),
                                     passed: restore.problems.isEmpty && restore.readWriteAt != nil)]
        if let t = e.restoreRTO {
            let rto = restore.readWriteAt.map { $0 - restore.disaster }
            out.append(ExpectationResult(metric: "restore_rto", target: t.description,
                                         measured: rto.map { "\(ReportFormat.duration($0)) to a read-write restored host" } ?? "never read-write",
                                         passed: rto.flatMap { DrillDuration(microseconds: $0) }.map { t.isSatisfied(by: $0) } ?? false))
        }
        if let t = e.restoreRPO {
            // With no RPO, only a floor: it fails the target when the floor already misses it, and is never a pass.
            let rpo = v?.rpo
            out.append(ExpectationResult(metric: "restore_rpo", target: t.description,
                                         measured: v?.rpoText ?? "not verified (restored host not read)",
                                         passed: rpo.flatMap { DrillDuration(microseconds: $0) }.map { t.isSatisfied(by: $0) } ?? false))
        }
        if let t = e.restoreLostWrites {
            out.append(ExpectationResult(metric: "restore_lost_writes", target: t.description,
                                         measured: v.map { "\($0.lostBeforeCutoff) of \(ReportFormat.count($0.ackedBeforeCutoff)) acknowledged before the cutoff not restored" }
                                             ?? "not verified (restored host not read)",
                                         passed: v.map { t.isSatisfied(by: $0.lostBeforeCutoff) } ?? false))
        }
        if restore.targetTime != nil {
            out.append(ExpectationResult(metric: "lost before recovery target", target: "0",
                                         measured: v.map { "\($0.lostBeforeCutoff) of \($0.ackedBeforeCutoff)" } ?? "not read",
                                         passed: v?.lostBeforeCutoff == 0))
        }
        return out
    }
}
