import Foundation
import PGDrillCore
import PGDrillModel

extension Commands {
    /// `pgdrill recover`: replays the rollbacks a killed or interrupted run left in the journal, removes any
    /// pgdrill iptables chain or filler file still on the hosts, then waits until the cluster is healthy.
    /// Exit 0 when healthy afterwards, 4 when something could not be restored.
    ///
    /// It refuses (exit 2, removing nothing) while another run holds a live lease on the cluster: its chains and
    /// filler files are that run's faults in progress, not leftovers. `breakLease` overrides that for a run
    /// known to be dead on a machine that is gone (its lease would otherwise bind until it expires).
    public static func recover(clusterPath: String, breakLease: Bool = false) -> Int32 {
        let progress = Progress()
        let cluster: ClusterTarget
        do { cluster = try loadCluster(clusterPath) } catch { return fail(error) }
        let journal: Journal
        do { journal = try Journal(directory: Journal.defaultDirectory, cluster: cluster.name, addresses: cluster.journalAddresses) } catch { return fail(error) }
        let connection = ClusterConnection(cluster: cluster, logger: logger)
        defer { connection.closeAll() }
        let trap = InterruptTrap(progress: progress) { exit(Exit.degraded) }
        let runner = DrillRunner(connection: connection, journal: journal, progress: progress, trap: trap, logger: logger,
                                 runID: "recover", runDirectory: NSTemporaryDirectory())
        let recoverID = "recover-\(getpid())"
        let live = connection.liveLeases(except: recoverID)
        if let (host, lease) = live.first {
            if !breakLease {
                return fail(EngineError(.busy, "\(lease.holder) holds the cluster's lease (on \(host)): its faults are in progress, not leftovers; nothing removed",
                                        hint: "let that run finish or interrupt it (it rolls back); if it is dead on a machine that is gone, `pgdrill recover --break-lease`"))
            }
            progress.warn("breaking the lease of \(lease.holder) (--break-lease)")
            for (host, _) in live {
                _ = try? connection.runAllowingFailure(RemoteScript(host: host, script: "rm -f /run/pgdrill/lease", summary: "break the lease on \(host)"), timeout: .seconds(15))
            }
        }
        do { try connection.takeLease(runID: recoverID) } catch { return fail(error) }
        defer { connection.releaseLease(runID: recoverID) }
        var complete = true
        let pending = journal.pending
        progress.say(pending.isEmpty ? "journal \(journal.path): nothing pending" : "journal \(journal.path): \(pending.count) pending rollback(s)")
        for entry in pending {
            progress.say("undo (run \(entry.runID), drill \(entry.drill)): \(entry.fault) on \(entry.host)")
            if !runner.runRollback(entry, nil) { complete = false }
        }
        // Safety net: chains and filler files are pgdrill's by name, whatever journal they came from.
        for host in cluster.allHosts {
            let sweep = RemoteScript(host: host.name, script: sweepScript(cluster), summary: "remove pgdrill leftovers on \(host.name)")
            do {
                let r = try connection.run(sweep, timeout: .seconds(30))
                for line in r.stdout.split(separator: "\n") { progress.say("\(host.name): \(line)") }
            } catch {
                progress.warn("\(error)")
                complete = false
            }
        }
        progress.say("waiting for the cluster to be healthy (up to 180 s)")
        let (_, h) = connection.waitUntilHealthy(.init(members: cluster.nodes.map(\.name), standbyMembers: cluster.standbyNodeNames), timeout: 180, every: 0.5) { elapsed, problems in
            progress.status("recovering +\(Int(elapsed)) s: \(problems.joined(separator: "; "))")
        }
        if h.isHealthy {
            progress.endStatus()
            progress.say("healthy: leader \(h.leader ?? "?"), sync standby \(h.syncStandby ?? "none")")
            return complete ? Exit.passed : Exit.degraded
        }
        let problems = h.problems
        progress.endStatus()
        progress.warn("cluster still not healthy: \(problems.joined(separator: "; "))")
        return Exit.degraded
    }

    /// Removes every pgdrill leftover on a host, whatever journal it came from. The listing is grouped before
    /// the `sed`: it ends in `|| true`, and `a | b || true | sed` runs the sed on `true`'s output — the sweep
    /// then removed `PGDRILL-<tag>-IN-IN` and said so while the real chains stayed. Each removal runs on its
    /// own, so one that fails does not stop the others; the script fails if any did.
    static func sweepScript(_ cluster: ClusterTarget) -> String {
        """
        pgd_failed=0
        for c in $( { \(FaultTemplates.leftoverChains); } | sed -E 's/-(IN|OUT)$//' | sort -u); do
          tag=${c#PGDRILL-}
          (
          \(FaultTemplates.removeChains(tag: "$tag").replacingOccurrences(of: "\n", with: "\n  "))
          ) || pgd_failed=1
        done
        for f in \(FaultTemplates.fillerGlobs(dataDir: cluster.dataDir)); do
          [ -e "$f" ] && rm -f -- "$f" && echo "removed $f"
        done
        \(FaultTemplates.resumePaused)
        (
        \(FaultTemplates.removeLatency)
        ) >/dev/null 2>&1 || { echo 'a netem qdisc could not be removed' >&2; pgd_failed=1; }
        exit $pgd_failed
        """
    }
}
