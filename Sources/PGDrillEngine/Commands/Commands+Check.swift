import Foundation
import PGDrillCore
import PGDrillModel

extension Commands {
    /// `pgdrill check`: topology and health like `patronictl list`, HAProxy routing, leftovers of earlier
    /// runs. Exit 0 when healthy, 2 otherwise.
    public static func check(clusterPath: String) -> Int32 {
        let cluster: ClusterTarget
        do { cluster = try loadCluster(clusterPath) } catch { return fail(error) }
        let connection = ClusterConnection(cluster: cluster, logger: logger)
        defer { connection.closeAll() }
        var problems: [String] = []
        var out = "Cluster \(cluster.name) (\(cluster.manager))\n"
        var leader: String?
        do {
            // Synchronous replication is judged against what the cluster is configured to do: an asynchronous
            // cluster is healthy without a synchronous standby.
            let criteria = ClusterHealth.Criteria(members: cluster.nodes.map(\.name), requireSync: false, standbyMembers: cluster.standbyNodeNames)
            var view = try connection.clusterView()
            var health = ClusterHealth.evaluate(view, criteria: criteria)
            // A replica a few MB behind right after a burst (autovacuum after a drill's purge, a forced WAL switch)
            // catches up within a second: lag is a problem only when it stays for 5 s.
            let lagDeadline = Date().addingTimeInterval(5)
            while !health.problems.isEmpty, health.problems.allSatisfy({ $0.contains(" lags ") }), Date() < lagDeadline {
                Thread.sleep(forTimeInterval: 0.25)
                view = try connection.clusterView()
                health = ClusterHealth.evaluate(view, criteria: criteria)
            }
            leader = view.leader?.name
            var rows = [["Member", "Host", "Role", "State", "TL", "Lag"]]
            // The leading region first, then a standby cluster's members (named with their region).
            for m in view.members.sorted(by: { $0.name < $1.name }) + view.otherRegion.sorted(by: { $0.name < $1.name }) {
                rows.append([m.name + (m.region.map { " (\($0))" } ?? ""), cluster.host(named: m.name)?.address ?? m.host ?? "", m.role, m.state,
                             m.timeline.map(String.init) ?? "", m.isLeader ? "" : (m.lag.map { ReportFormat.bytes($0) } ?? "unknown")])
            }
            out += table(rows)
            let replication = view.synchronousMode.map { $0 ? "synchronous (synchronous_mode on)" : "asynchronous (synchronous_mode off)" }
            let facts = [replication.map { "Replication: \($0)" }, view.managerVersion.map { "Patroni \($0) on the leader" },
                         view.replication == nil ? "leader's pg_stat_replication: not read (node SQL did not answer)" : nil].compactMap { $0 }
            if !facts.isEmpty { out += facts.joined(separator: " · ") + "\n" }
            problems += health.problems
        } catch {
            problems.append("\(error)")
        }
        var writeBackend = cluster.haproxyWriteBackend
        if let url = cluster.haproxyStats {
            do {
                let stats = try HAProxyStats.fetch(url, access: cluster.haproxyHTTP)
                if writeBackend == nil, let leader, case .success(let backend) = stats.writeBackend(nodes: Set(cluster.nodes.map(\.name)), leader: leader) {
                    writeBackend = backend
                }
                let backends = Dictionary(grouping: stats.servers, by: \.backend)
                for (name, servers) in backends.sorted(by: { $0.key < $1.key }) {
                    out += "HAProxy \(name): " + servers.map { "\($0.server) \($0.status)" }.joined(separator: ", ") + "\n"
                }
            } catch let error as HTTPError where error.isAccessProblem {
                problems.append("HAProxy stats refused this runner: \(error)")
            } catch {
                problems.append("HAProxy stats at \(url.absoluteString) did not answer: \(error)")
            }
        }
        do {
            try connection.connectAll()
            var found: [String] = []
            for host in cluster.allHosts {
                let r = try connection.runAllowingFailure(RemoteScript(host: host.name, script: FaultTemplates.leftovers(dataDir: cluster.dataDir), summary: "leftovers"), timeout: .seconds(10))
                found += r.stdout.split(separator: "\n").map { "\(host.name): \($0)" }
            }
            if found.isEmpty { out += "No leftovers of earlier runs (iptables chains, filler files, paused processes).\n" } else {
                problems.append("leftovers of an earlier run: " + found.joined(separator: "; ") + " — run `pgdrill recover`")
            }
        } catch {
            problems.append("\(error)")
        }
        out += expectedFailover(FailoverSettingsReader(connection: connection).read(leader: leader, writeBackend: writeBackend))
        if cluster.backup != nil {
            let (lines, found) = backupHealth(connection, leader: leader)
            out += lines.map { $0 + "\n" }.joined()
            problems += found
        }
        let leases = connection.liveLeases()
        for (host, lease) in leases {
            problems.append("a drill is in progress: \(lease.holder) holds the lease on \(host)")
        }
        let (monitoringLines, monitoringProblems) = monitoringHealth(cluster, drillInProgress: !leases.isEmpty)
        out += monitoringLines.map { $0 + "\n" }.joined()
        problems += monitoringProblems
        do {
            let journal = try Journal(directory: Journal.defaultDirectory, cluster: cluster.name, addresses: cluster.journalAddresses)
            if !journal.pending.isEmpty {
                problems.append("\(journal.pending.count) pending rollback(s) in \(journal.path) — run `pgdrill recover`")
            }
        } catch {
            // Busy (a run on this machine holds it) or unreadable: either way not a clean bill of health.
            problems.append("journal: \(error)")
        }
        print(out, terminator: "")
        if problems.isEmpty {
            print("healthy")
            return Exit.passed
        }
        print("NOT HEALTHY:\n" + problems.map { "  - \($0)" }.joined(separator: "\n"))
        return Exit.usage
    }

    /// The settings that bound a failover, and the RTO and RPO they imply for losing the primary and for a
    /// partition of it: what the cluster promises before any drill measures it.
    static func expectedFailover(_ settings: FailoverSettings) -> String {
        var out = settings.summary.map { "Failover settings: \($0)\n" }.joined()
        for scenario in [FailureScenario.primaryLost, .primaryPartitioned] {
            guard let b = RTOBudget.make(scenario, settings: settings) else { continue }
            out += "Expected RTO, \(scenario.words): \(b.expectedRange)." + (b.dominant.map { " " + $0 } ?? "") + "\n"
            if scenario == .primaryLost, let rpo = b.rpo { out += "Expected RPO: \(rpo)\n" }
        }
        out += settings.unread.map { "Not read: \($0)\n" }.joined()
        return out
    }

    /// Archive and backup health: the primary's archiver, and the repository reached over SSH.
    static func backupHealth(_ connection: ClusterConnection, leader: String?) -> (lines: [String], problems: [String]) {
        var lines: [String] = []
        var problems: [String] = []
        if let leader {
            do {
                let archiver = try connection.archiverStatus(node: leader)
                lines.append(archiver.summary)
                problems += archiver.problems
            } catch {
                problems.append("cannot read pg_stat_archiver on the primary \(leader): \(error)")
            }
        }
        do {
            let inventory = try connection.backupInventory()
            lines.append(inventory.summary())
            if inventory.statusCode != 0, inventory.statusCode != 2 {
                problems.append("pgBackRest reports stanza \(inventory.stanza) as '\(inventory.statusMessage)' (code \(inventory.statusCode))")
            }
        } catch {
            problems.append("backup repository not usable: \(error)")
        }
        return (lines, problems)
    }

    /// A plain text table with aligned columns.
    static func table(_ rows: [[String]]) -> String {
        guard let first = rows.first else { return "" }
        let widths = first.indices.map { i in rows.map { $0.indices.contains(i) ? $0[i].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n") + "\n"
    }
}
