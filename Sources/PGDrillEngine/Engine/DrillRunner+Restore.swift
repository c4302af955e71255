import Foundation
import PGDrillCore
import PGDrillPostgres

extension DrillRunner {
    /// The `restore` step: the disaster moment cuts the cluster off from its backup repository (iptables on
    /// the repository host, journalled), then the scratch host is provisioned (its removal journalled), the
    /// latest backup and the archived WAL restored onto it, PostgreSQL started, and every stage timed. The
    /// probe rows found there are compared with the probe's acknowledgements when the report is built.
    func applyRestore(_ index: Int, beforeDisaster: Int64?, timeout: Int64, _ s: Session) -> DrillLifecycle.Event {
        let clock = s.record.clock
        let name = s.record.plan.name
        guard let backup = cluster.backup, let scratch = cluster.scratch, let scratchConninfo = cluster.scratchConninfo else {
            return .faultFailed(index, "a restore needs `backup:` and `scratch:` in the cluster file")
        }
        let tag = String(runID.prefix(8)) + String(format: "%02d", index)
        let repository = ClusterTarget.repositoryHostName
        let scratchHost = ClusterTarget.scratchHostName
        do {
            // 1. The disaster moment: from now on nothing reaches the archive, as if the cluster were gone.
            let cutScript = FaultTemplates.cutOff(tag: tag, peers: cluster.nodes.map(\.address), sshPort: cluster.ssh.port)
            var ids = [try journal.record(runID: runID, drill: name, host: repository, fault: "cut the cluster off from its backup repository",
                                          rollback: FaultTemplates.removeChains(tag: tag))]
            s.journalIDs += ids
            let sent = clock.now()
            let wall = Date()
            s.record.t0 = sent
            s.live.markFault(at: sent)
            s.monitor?.record(ClusterEvent(at: sent, kind: .faultSent, node: backup.host, detail: "disaster moment: cluster cut off from the repository"))
            try connection.run(RemoteScript(host: repository, script: cutScript, summary: "cut the cluster off from the repository"), timeout: .seconds(30))
            let returned = clock.now()
            s.record.t0Returned = returned
            s.record.applied.append(.init(summary: "disaster moment: cluster cut off from its backup repository \(backup.host)",
                                          host: backup.host, sent: sent, returned: returned, output: ""))
            var targetTime: String?
            var cutoff = sent
            if let beforeDisaster {
                cutoff = sent - beforeDisaster
                targetTime = Self.pgTimestamp(wall.addingTimeInterval(-Double(beforeDisaster) / 1e6))
            }
            var record = RestoreRecord(disaster: sent, cutoff: cutoff, targetTime: targetTime)
            progress.say("[\(name)] disaster moment: cluster cut off from the repository\(targetTime.map { "; recovery target \($0)" } ?? "")")
            defer { s.record.restore = record }

            // 2. A fresh host; its removal is journalled before it exists.
            ids.append(try journal.record(runID: runID, drill: name, host: ClusterTarget.localHostName, fault: "scratch host \(scratch.host)",
                                          rollback: scratch.destroy))
            s.journalIDs = s.journalIDs + [ids.last!]
            var mark = clock.now()
            try connection.run(RemoteScript(host: ClusterTarget.localHostName, script: scratch.create, summary: "provision the scratch host"),
                               timeout: .seconds(120))
            record.stages.append(StageTiming(name: RestoreRecord.provisionStage, start: mark, end: clock.now()))
            progress.say("[\(name)] scratch host \(scratch.host) provisioned (\(Self.seconds(clock.now() - mark)))")

            // 3. The backup, fetched and copied.
            mark = clock.now()
            try connection.run(RemoteScript(host: scratchHost, script: RestoreTemplates.restore(backup: backup, dataDir: cluster.dataDir, targetTime: targetTime),
                                            summary: "pgbackrest restore"), timeout: .microseconds(timeout))
            record.stages.append(StageTiming(name: RestoreRecord.fetchStage, start: mark, end: clock.now()))
            progress.say("[\(name)] backup restored (\(Self.seconds(clock.now() - mark))); starting PostgreSQL to replay the archived WAL")

            // 4. Start, then watch for the first accepted connection and the end of recovery.
            mark = clock.now()
            try connection.run(RemoteScript(host: scratchHost, script: RestoreTemplates.start(dataDir: cluster.dataDir, binDir: cluster.binDir, port: cluster.pgPort),
                                            summary: "start the restored PostgreSQL"), timeout: .seconds(60))
            var firstConnection: Int64?
            let stateProbe = RemoteScript(host: scratchHost, script: RestoreTemplates.state(binDir: cluster.binDir, port: cluster.pgPort), summary: "restored server state")
            while true {
                if trap.interrupted { return .faultFailed(index, "interrupted during the restore") }
                let answer = try connection.run(stateProbe, timeout: .seconds(30)).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                let now = clock.now()
                if !answer.isEmpty, firstConnection == nil {
                    firstConnection = now
                    record.stages.append(StageTiming(name: RestoreRecord.connectStage, start: mark, end: now))
                }
                if answer == "f" {
                    record.stages.append(StageTiming(name: RestoreRecord.replayStage, start: mark, end: now))
                    break
                }
                if now - sent > timeout {
                    let log = (try? connection.run(RemoteScript(host: scratchHost, script: RestoreTemplates.logTail, summary: "restored log")).stdout) ?? ""
                    record.problems.append("the restored server was not read-write within \(Self.seconds(timeout)) of the disaster moment")
                    return .faultFailed(index, "restored PostgreSQL not read-write within \(Self.seconds(timeout)); its log: \(log.suffix(1500))")
                }
                showLive(s, "restore: replaying WAL")
                Thread.sleep(forTimeInterval: 0.05)
            }
            progress.endStatus()
            progress.say("[\(name)] restored host read-write \(Self.seconds(clock.now() - sent)) after the disaster moment")

            // 5. What it holds, and whether it is intact.
            mark = clock.now()
            record.restoredKeys = try ProbeTable.readBack(conninfo: scratchConninfo, runID: probeRunID)
            let replayed = try connection.runAllowingFailure(RemoteScript(host: scratchHost, script: RestoreTemplates.lastReplayedCommit(
                binDir: cluster.binDir, port: cluster.pgPort), summary: "last replayed commit"), timeout: .seconds(30))
            if replayed.exitStatus == 0, let wall = Int64(replayed.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) {
                record.newestRestoredCommit = wall - clock.epochWallMicros
            }
            let amcheck = try connection.runAllowingFailure(RemoteScript(host: scratchHost, script: RestoreTemplates.amcheck(binDir: cluster.binDir, port: cluster.pgPort),
                                                                         summary: "pg_amcheck"), timeout: .seconds(300))
            if amcheck.exitStatus == 0 {
                record.checks.append("pg_amcheck --all: no corruption")
            } else {
                record.problems.append("pg_amcheck exit \(amcheck.exitStatus): \(amcheck.stdout.suffix(1000))")
            }
            let sums = try connection.runAllowingFailure(RemoteScript(host: scratchHost, script: RestoreTemplates.checksums(
                dataDir: cluster.dataDir, binDir: cluster.binDir, port: cluster.pgPort, restart: keepScratchHost), summary: "pg_checksums --check"),
                                                         timeout: .seconds(300))
            if sums.exitStatus == 0 {
                let files = sums.stdout.split(separator: "\n").first { $0.contains("Blocks scanned") }.map { " (\($0.trimmingCharacters(in: .whitespaces)))" } ?? ""
                record.checks.append("pg_checksums --check: no bad checksums\(files)")
            } else {
                record.problems.append("pg_checksums exit \(sums.exitStatus): \(sums.stdout.suffix(1000))")
            }
            record.stages.append(StageTiming(name: RestoreRecord.checkStage, start: mark, end: clock.now()))
            if keepScratchHost, let id = ids.last {
                // Left for inspection: the journal no longer owns it (the operator removes it).
                try? journal.mark(id, .done)
                s.record.notes.append("scratch host \(scratch.host) kept for inspection (--keep-scratch): remove it with `\(scratch.destroy)`")
            }
            return .faultApplied(index)
        } catch {
            progress.warn("[\(name)] restore step failed: \(error)")
            return .faultFailed(index, "\(error)")
        }
    }

    /// A wall-clock time as PostgreSQL's recovery_target_time reads it, in UTC with microseconds.
    static func pgTimestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let micros = Int((date.timeIntervalSince1970 * 1e6).truncatingRemainder(dividingBy: 1e6))
        return formatter.string(from: date) + String(format: ".%06d+00", micros)
    }
}
