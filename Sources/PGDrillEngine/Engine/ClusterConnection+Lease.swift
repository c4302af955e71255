import Foundation
import PGDrillCore
import PGDrillSSH

extension ClusterConnection {
    /// Takes the run's lease on every host of the cluster, or extends it. Refused — nothing injected, exit 2 —
    /// when another run holds a live lease on any host; the error names that run, its host and pid. A stale
    /// lease (expired, or its runner on this machine dead) is taken over.
    public func takeLease(runID: String) throws {
        let mine = ClusterLease.mine(runID: runID)
        var taken: [String] = []
        do {
            for host in cluster.allHosts {
                var attempts = 0
                while true {
                    attempts += 1
                    let current = try run(RemoteScript(host: host.name, script: ClusterLease.read(), summary: "read the lease on \(host.name)"),
                                          timeout: .seconds(15)).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                    if let held = ClusterLease(line: current), held.runID != runID, held.isLive() {
                        throw EngineError(.busy, "cluster \(cluster.name) is being drilled by \(held.holder), lease on \(host.name); nothing injected",
                                          hint: "wait for that run to end; if it is dead, run `pgdrill recover --cluster …` on \(held.runnerHost), or after the lease expires")
                    }
                    let r = try runAllowingFailure(RemoteScript(host: host.name, script: ClusterLease.write(mine, ifCurrentIs: current),
                                                                summary: "take the lease on \(host.name)"), timeout: .seconds(20))
                    if r.exitStatus == 0 { break }
                    guard r.exitStatus == 4, attempts < 3 else {
                        throw EngineError(.remote, "cannot take the run lease on \(host.name): exit \(r.exitStatus): \((r.stderr + r.stdout).trimmingCharacters(in: .whitespacesAndNewlines))")
                    }
                }
                taken.append(host.name)
            }
        } catch {
            releaseLease(runID: runID, hosts: taken)
            throw error
        }
    }

    /// Gives the lease back on `hosts` (every host by default); a host that does not answer keeps it until it
    /// expires, which only delays the next run.
    public func releaseLease(runID: String, hosts: [String]? = nil) {
        for host in hosts ?? cluster.allHosts.map(\.name) {
            _ = try? runAllowingFailure(RemoteScript(host: host, script: ClusterLease.release(runID: runID), summary: "release the lease on \(host)"),
                                        timeout: .seconds(5))
        }
    }

    /// Live leases of other runs, by host (`check` shows them; `recover` refuses to undo a live run's faults).
    public func liveLeases(except runID: String? = nil) -> [(host: String, lease: ClusterLease)] {
        cluster.allHosts.compactMap { host in
            guard let out = try? runAllowingFailure(RemoteScript(host: host.name, script: ClusterLease.read(), summary: "read the lease on \(host.name)"),
                                                    timeout: .seconds(15)),
                  let lease = ClusterLease(line: out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
                  lease.runID != runID, lease.isLive() else { return nil }
            return (host.name, lease)
        }
    }
}
