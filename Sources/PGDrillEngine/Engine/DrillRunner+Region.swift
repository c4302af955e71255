import Foundation
import PGDrillCore
import PGDrillModel

extension DrillRunner {
    /// The `region_failover` step. Journalled in the order that makes its rollback safe, newest first:
    /// (3) the cut-off region is made a standby cluster of the promoted one (over ssh inside the region,
    /// its APIs being cut off from the runner) so that healing can never expose two primaries;
    /// (2) each node's partition is healed; (1) the failback through both regions' APIs.
    func applyRegionFailover(_ index: Int, promoteAfter: Int64, replicationCutBefore: Int64, timeout: Int64, _ s: Session) -> DrillLifecycle.Event {
        let clock = s.record.clock
        let name = s.record.plan.name
        let tag = String(runID.prefix(8)) + String(format: "%02d", index)
        guard cluster.manager == "patroni", let standby = cluster.standbyCluster else {
            return .faultFailed(index, "a region failover needs a Patroni cluster with `standby_cluster:` (the other region) in the cluster file")
        }
        do {
            let view = try s.monitor?.latestCluster ?? connection.clusterView()
            guard let leader = view.leader, leader.region == nil else {
                throw EngineError(.unhealthy, "the primary region has no leader (or the standby cluster already leads)",
                                  hint: "run `pgdrill check`; fail back before drilling again")
            }
            guard let standbyLeader = view.otherRegion.first(where: { $0.role == "standby_leader" }),
                  let standbyHost = standby.nodes.first(where: { $0.name == standbyLeader.name }), let standbyAPI = standbyHost.patroni
            else {
                throw EngineError(.unhealthy, "the standby cluster '\(standby.name)' has no standby leader to promote")
            }
            let standbyClient = PatroniClient(baseURL: standbyAPI, timeout: 3, access: cluster.patroniHTTP)
            guard let section = try standbyClient.config()["standby_cluster"], !(section is NSNull),
                  let sectionData = try? JSONSerialization.data(withJSONObject: section, options: [.sortedKeys, .withoutEscapingSlashes])
            else {
                throw EngineError(.unhealthy, "'\(standby.name)' has no standby_cluster section in its configuration: it is not a standby cluster")
            }
            func nodes(_ hosts: [ClusterTarget.Host]) -> [RegionFailback.Node] {
                hosts.compactMap { h in h.patroni.map { RegionFailback.Node(name: h.name, api: $0, host: h.address) } }
            }
            let failback = RegionFailback(primaryRegion: nodes(cluster.nodes), standbyRegion: nodes(standby.nodes), standbyName: standby.name,
                                          standbyConfig: String(decoding: sectionData, as: UTF8.self), pgPort: cluster.pgPort)
            s.journalIDs.append(try journal.record(runID: runID, drill: name, host: ClusterTarget.internalHostName,
                                                   fault: "region failover to '\(standby.name)' (failback)", rollback: failback.journalText))

            var region = RegionFailoverReport(standbyCluster: standby.name, regionCutAt: 0)
            defer { s.record.region = region }
            if replicationCutBefore > 0 {
                // The DR link fails first: the standby region's own nodes drop the primary region and their
                // connections to the write endpoint. Before the disaster moment (t0 stays unset).
                let write = cluster.endpoints["write"] ?? ""
                let script = FaultTemplates.cutReplication(
                    tag: tag, from: cluster.nodes.map(\.address), endpointHost: Conninfo.value("host", in: write),
                    endpointPort: Conninfo.value("port", in: write).flatMap(Int.init) ?? 5432, sshPort: cluster.ssh.port)
                for node in standby.nodes {
                    let summary = "stop replication from the primary region to \(node.name) (iptables chains PGDRILL-\(tag)-IN/OUT)"
                    s.journalIDs.append(try journal.record(runID: runID, drill: name, host: node.name, fault: summary,
                                                           rollback: FaultTemplates.removeChains(tag: tag)))
                    let sent = clock.now()
                    s.monitor?.record(ClusterEvent(at: sent, kind: .faultSent, node: node.name, detail: summary))
                    let result = try connection.run(RemoteScript(host: node.name, script: script, summary: summary), timeout: .seconds(60))
                    let returned = clock.now()
                    s.monitor?.record(ClusterEvent(at: returned, kind: .faultApplied, node: node.name, detail: summary))
                    s.record.applied.append(.init(summary: summary, host: node.name, sent: sent, returned: returned,
                                                  output: result.stdout.trimmingCharacters(in: .whitespacesAndNewlines), step: index))
                }
                region.replicationCutAt = s.record.applied.last?.sent
                progress.say("[\(name)] replication to '\(standby.name)' stopped; the region is lost in \(Self.seconds(replicationCutBefore))")
                let lossAt = clock.now() + replicationCutBefore
                while clock.now() < lossAt {
                    if trap.interrupted { return .faultFailed(index, "interrupted before the region was cut off") }
                    showLive(s, "replication to '\(standby.name)' stopped; region lost in \(Self.seconds(max(0, lossAt - clock.now())))")
                    Thread.sleep(forTimeInterval: 0.05)
                }
            }

            // The cut: every node of the region at once, each keeping only its region's peers and the runner's ssh.
            // Built and journalled before the decision, so the journal's fsyncs are not injection latency.
            let cuts = try cluster.nodes.map { try FaultAction.partition(.region, on: .node($0.name)).hostFault(on: cluster.context(for: $0.name), tag: tag) }
            s.journalIDs += try journalRollbacks(cuts, s)
            let decided = clock.now()
            let decidedWall = clock.wallNowMicros()
            let results = Mutexed<[String: Result<(sent: Int64, returned: Int64, stdout: String), any Error>]>([:])
            let firstSent = clock.now()
            s.record.t0 = s.record.t0 ?? firstSent
            region.regionCutAt = firstSent
            s.live.markFault(at: firstSent)
            for cut in cuts { s.monitor?.record(ClusterEvent(at: firstSent, kind: .faultSent, node: cut.host, detail: cut.apply.summary)) }
            let connection = self.connection
            DispatchQueue.concurrentPerform(iterations: cuts.count) { i in
                let sent = clock.now()
                let r = Result { try connection.run(cuts[i].apply, timeout: .seconds(60)) }
                results.mutate { $0[cuts[i].host] = r.map { (sent: sent, returned: clock.now(), stdout: $0.stdout) } }
            }
            for cut in cuts {
                let (sent, returned, stdout) = try results.value[cut.host]!.get()
                _ = recordApplied(cut, stdout: stdout, sent: sent, returned: returned, decided: decided, decidedWall: decidedWall, step: index, s)
            }
            progress.say("[\(name)] region cut off: \(cluster.nodes.map(\.name).joined(separator: ", ")) reach only each other (and the runner's ssh); "
                         + "promoting '\(standby.name)' in \(Self.seconds(promoteAfter))")

            let promoteAt = firstSent + promoteAfter
            while clock.now() < promoteAt {
                if trap.interrupted { return .faultFailed(index, "interrupted before the promotion") }
                showLive(s, "region lost; promotion of '\(standby.name)' in \(Self.seconds(max(0, promoteAt - clock.now())))")
                Thread.sleep(forTimeInterval: 0.05)
            }

            // Journalled before the promotion: once promoted, healing must first turn the old region into a standby.
            let demote = RegionTemplates.demoteRegion(apis: cluster.nodes.compactMap(\.patroni), leaderHost: standbyHost.address, port: cluster.pgPort,
                                                      caPEM: cluster.patroniHTTP.caFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) })
            let demoteHost = cluster.nodes[0].name
            s.journalIDs.append(try journal.record(runID: runID, drill: name, host: demoteHost,
                                                   fault: "the cut-off region made a standby cluster of \(standbyLeader.name)", rollback: demote))

            let summary = "promote the standby cluster '\(standby.name)' (\(standbyLeader.name)): standby_cluster removed from its DCS configuration"
            let sent = clock.now()
            region.promotionRequestedAt = sent
            s.monitor?.record(ClusterEvent(at: sent, kind: .faultSent, node: standbyLeader.name, detail: summary))
            try standbyClient.patchConfig(Data(#"{"standby_cluster": null}"#.utf8))
            let returned = clock.now()
            s.monitor?.record(ClusterEvent(at: returned, kind: .faultApplied, node: standbyLeader.name, detail: summary))
            s.record.applied.append(.init(summary: summary, host: standbyLeader.name, sent: sent, returned: returned, output: "", step: index))
            progress.say("[\(name)] \(summary) (\(Self.millis(returned - sent)))")
            while true {
                if trap.interrupted { return .faultFailed(index, "interrupted during the promotion") }
                if (try? standbyClient.status())?.isPrimary == true {
                    region.promotedAt = clock.now()
                    region.promotedNode = standbyLeader.name
                    break
                }
                if clock.now() - sent > timeout {
                    return .faultFailed(index, "'\(standby.name)' (\(standbyLeader.name)) did not become a primary within \(Self.seconds(timeout)) of the request")
                }
                showLive(s, "promoting '\(standby.name)'")
                Thread.sleep(forTimeInterval: 0.1)
            }
            progress.endStatus()
            let line = "\(standbyLeader.name) runs as a primary \(Self.seconds(clock.now() - sent)) after the request"
            progress.say("[\(name)] \(line)")
            s.record.notes.append("region failover: " + line)
            return .faultApplied(index)
        } catch {
            progress.warn("[\(name)] fault step \(index + 1) failed: \(error)")
            return .faultFailed(index, "\(error)")
        }
    }

    /// Runs a journalled failback (see `RegionFailback`); progress lines go to the run's output.
    func runInternalRollback(_ entry: Journal.Entry, _ s: Session?) throws -> String {
        if let silence = AlertSilence.parse(entry.rollback) {
            let n = try silence.expire(silence.api(cluster.monitoring))
            return n == 0 ? "no silence of this drill left in Alertmanager" : "Alertmanager silence expired"
        }
        if var pause = ManagerPause.parse(entry.rollback) {
            pause.access = cluster.patroniHTTP
            return "maintenance mode off (through \(try pause.set(paused: false)))"
        }
        guard var failback = RegionFailback.parse(entry.rollback) else {
            throw EngineError(.io, "journal entry \(entry.id) holds an internal rollback this pgdrill cannot read",
                              hint: "run `pgdrill recover` with the pgdrill version that recorded it")
        }
        failback.access = cluster.patroniHTTP
        do {
            let summary = try failback.run { line in progress.say(s.map { "[\($0.record.plan.name)] " + line } ?? line) }
            s?.record.region?.failback = summary
            return summary
        } catch {
            s?.record.region?.failback = "not completed: \(error)"
            throw error
        }
    }
}
