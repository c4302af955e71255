import Foundation
import PGDrillCore
import PGDrillModel
import PGDrillSSH

extension Commands {
    /// `pgdrill plan --sudoers`: the sudoers rule for the cluster file's ssh user. Every remote command goes to
    /// one long-lived shell per host (a fault's t0 is a line written to it, about a millisecond), so the rule
    /// is for that shell, started with `sudo -n` (never a prompt). It is a root shell: the fault scripts are
    /// composed shell (iptables, kill, tc, fallocate, the cluster file's service commands), not one binary.
    public static func sudoers(clusterPath: String) -> Int32 {
        let spec: ClusterSpec
        do { spec = try ClusterLoader.load(path: clusterPath) } catch { return fail(error) }
        let user = spec.ssh.user
        var out = """
        # pgdrill: the root shell the runner starts over ssh as \(user) (cluster \(spec.name); install with visudo -f /etc/sudoers.d/pgdrill).
        # Every fault, rollback, service command and `pgdrill recover` runs in this one shell per host; `sudo -n` never
        # prompts, and without this rule pre-flight refuses (exit 2) before anything is injected.
        \(SSHTarget.sudoersRule(user: user))

        """
        if !spec.ssh.sudo {
            out += "# note: \(clusterPath) does not set `ssh: { sudo: true }`" + (user == "root" ? " (it logs in as root, which needs no rule)" : "") + ".\n"
        }
        print(out, terminator: "")
        return Exit.passed
    }

    /// What a drill does with the monitoring: the alerts it watches, judges and stops on, and the silence.
    static func monitoringPlan(_ p: DrillPlan, _ cluster: ClusterTarget) -> String {
        guard let m = cluster.monitoring?.settings else {
            return p.watchesAlerts ? "monitoring: the drill judges alerts, but the cluster file has no monitoring: section — it will be refused (exit 2)\n" : ""
        }
        var lines = ["monitoring: alerts in scope \(m.scopeDescription) watched from pre-flight to the end (\(m.prometheus.absoluteString))"]
        if m.silence, let am = m.alertmanager {
            lines.append("  Alertmanager silence over \(m.scopeDescription) at \(am.absoluteString) before the fault (journalled), expired at the end")
        }
        if let a = p.expect.alerts {
            if !a.fire.isEmpty { lines.append("  must fire: " + a.fire.map { "\($0.name) within \($0.within)" }.joined(separator: ", ") + (a.resolveWithin.map { "; resolved within \($0) of recovery" } ?? "")) }
            if !a.forbid.isEmpty { lines.append("  must not fire: " + a.forbid.joined(separator: ", ")) }
        }
        if !p.abortAlerts.isEmpty { lines.append("  rolled back at once if firing: " + p.abortAlerts.joined(separator: ", ")) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `pgdrill plan`: every step of every drill with the exact remote commands, resolved against the
    /// cluster's current roles (read from Patroni: a read-only query). Nothing is injected, no ssh is opened.
    public static func plan(drillPaths: [String], clusterPath: String, allowProtected: Bool = false) -> Int32 {
        let spec: ClusterSpec
        let plans: [DrillPlan]
        do {
            spec = try ClusterLoader.load(path: clusterPath)
            plans = try loadPlans(drillPaths, cluster: spec, allowProtected: allowProtected)
        } catch { return fail(error) }
        let cluster: ClusterTarget
        do {
            cluster = try ClusterTarget(spec: spec)
            try requireSupportedManager(cluster, file: clusterPath)
        } catch { return fail(error) }
        let connection = ClusterConnection(cluster: cluster, logger: logger)
        let view = try? connection.clusterView()
        var out = ""
        if view == nil { out += "(the \(cluster.manager) view did not answer: roles shown unresolved)\n\n" }
        for p in plans {
            out += "## \(p.name)  (\(p.file))\n\(p.description)\n"
            out += "probe: \(p.probe.writers) writer(s) on \(([p.probe.endpoint] + p.probe.also).joined(separator: ", ")); steady \(ReportFormat.duration(p.steadyMicros))\n"
            for (i, step) in p.steps.enumerated() {
                let tag = "<run>" + String(format: "%02d", i)
                out += "step \(i + 1): \(step.action.name)"
                if case .restore(let before, _) = step.action {
                    out += " (\(ReportBuilder.scenario(DrillPlan.single(step, from: p))))\n" + restorePlan(cluster, tag: tag, pitr: before != nil)
                    continue
                }
                guard let target = step.action.target else {
                    out += " (\(ReportBuilder.scenario(DrillPlan.single(step, from: p))); through the manager's API, no rollback)\n"
                    continue
                }
                let hosts: [String]
                if let view, let resolved = try? RoleResolver.resolve(target, cluster: view, nodes: cluster.nodes.map(\.name), proxies: cluster.proxies.map(\.name)) {
                    hosts = resolved
                    out += " on \(target) = \(hosts.joined(separator: ", ")) now\n"
                } else {
                    hosts = []
                    out += " on \(target) (resolved when the step runs)\n"
                }
                for h in hosts.isEmpty ? ["<\(target)>"] : hosts {
                    let ctx = cluster.context(for: h)
                    guard let f = try? step.action.hostFault(on: ctx, tag: tag) else { continue }
                    out += "  apply on \(h):\n" + indent(f.apply.script)
                    out += f.rollback.map { "  rollback on \(h) (journalled before apply):\n" + indent($0.script) } ?? "  rollback: none needed\n"
                }
                if case .latency = step.action { out += "  needs sch_netem (tc netem) on the host: checked at pre-flight, the drill is refused (exit 2) where it is missing\n" }
                if let hold = step.holdMicros { out += "  rolled back \(ReportFormat.duration(hold)) after it was applied\n" }
            }
            out += monitoringPlan(p, cluster)
            out += "observe until \(p.until.map(\.rawValue).joined(separator: " and ")) (timeout \(ReportFormat.duration(p.observeTimeoutMicros)), stable for \(ReportFormat.duration(p.stableForMicros))); recover until healthy (timeout \(ReportFormat.duration(p.recoverTimeoutMicros)))\n\n"
        }
        print(Redactor().redact(out), terminator: "")
        return Exit.passed
    }

    /// The commands of a `restore` step, in order, with what is journalled.
    static func restorePlan(_ cluster: ClusterTarget, tag: String, pitr: Bool) -> String {
        guard let backup = cluster.backup, let scratch = cluster.scratch else {
            return "  refused when it runs: the cluster file needs `backup:` and `scratch:`\n"
        }
        var out = "  disaster moment, on the repository \(backup.host):\n" + indent(FaultTemplates.cutOff(tag: tag, peers: cluster.nodes.map(\.address), sshPort: cluster.ssh.port))
        out += "  rollback on the repository (journalled before apply):\n" + indent(FaultTemplates.removeChains(tag: tag))
        out += "  on this machine: \(scratch.create)   (rollback, journalled: \(scratch.destroy))\n"
        out += "  on the scratch host \(scratch.host):\n"
        out += indent(RestoreTemplates.restore(backup: backup, dataDir: cluster.dataDir, targetTime: pitr ? "<disaster moment − before_disaster>" : nil))
        out += indent(RestoreTemplates.start(dataDir: cluster.dataDir, binDir: cluster.binDir, port: cluster.pgPort))
        out += indent(RestoreTemplates.amcheck(binDir: cluster.binDir, port: cluster.pgPort))
        out += indent(RestoreTemplates.checksums(dataDir: cluster.dataDir, binDir: cluster.binDir, port: cluster.pgPort, restart: false))
        return out
    }

    static func indent(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n") + "\n" }

    /// `pgdrill validate`: schema-checks drill and cluster files. A file with a top-level key only cluster
    /// files have (`nodes:`, `manager:`, …) is a cluster file. Exit 0 when all are valid, 2 otherwise (every error printed, not only the first).
    public static func validate(paths: [String], clusterPath: String?) -> Int32 {
        var status = Exit.passed
        var cluster: ClusterSpec?
        if let clusterPath {
            do { cluster = try ClusterLoader.load(path: clusterPath) } catch { status = fail(error) }
        }
        var files: [String] = []
        for p in paths {
            // The loader's own expansion: a directory means its *.yaml / *.yml, sorted, dotfiles skipped.
            do { files += try DrillLoader.drillFiles(at: p) } catch { status = fail(error) }
        }
        for f in files {
            do {
                if ClusterLoader.looksLikeClusterFile(path: f) {
                    let c = try ClusterLoader.load(path: f)
                    print("ok: \(f) (cluster \(c.name), \(c.nodes.count) nodes, manager \(c.manager))")
                } else {
                    let d = try DrillLoader.load(path: f)
                    if let cluster { try d.validate(against: cluster) }
                    print("ok: \(f) (drill \(d.name))")
                }
            } catch {
                status = fail(error)
            }
        }
        return status
    }
}

extension DrillPlan {
    /// A copy holding one step, to describe it alone.
    static func single(_ step: FaultStepPlan, from p: DrillPlan) -> DrillPlan {
        var copy = p
        copy.steps = [step]
        return copy
    }
}
