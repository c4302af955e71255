import PGDrillCore

extension DrillRunner {
    /// What the drill's steps need that a host may lack — today `latency`, which needs the kernel's
    /// `sch_netem` — checked at pre-flight without changing anything, so a drill that cannot run is refused
    /// (exit 2, nothing injected) instead of aborting halfway with a fault applied. A role such as `primary`
    /// may land on any node by the time the step runs, so every node is checked.
    func missingCapabilities(_ plan: DrillPlan) -> [String] {
        var problems: [String] = []
        var checked: [String: String?] = [:]  // host → problem (nil: fine)
        for (i, step) in plan.steps.enumerated() {
            guard case .latency(_, let on) = step.action else { continue }
            var hostsByProblem: [(problem: String, hosts: [String])] = []
            for host in Self.candidateHosts(on, nodes: cluster.nodes.map(\.name), proxies: cluster.proxies.map(\.name)) {
                if checked[host] == nil {
                    let script = RemoteScript(host: host, script: FaultTemplates.netemAvailable, summary: "check for sch_netem on \(host)")
                    do {
                        let r = try connection.runAllowingFailure(script, timeout: .seconds(15))
                        let why = [r.stderr, r.stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty } ?? "exit \(r.exitStatus)"
                        checked[host] = .some(r.succeeded ? nil : why)
                    } catch {
                        checked[host] = .some("cannot check over ssh: \(error)")
                    }
                }
                if let problem = checked[host] ?? nil {
                    if let k = hostsByProblem.firstIndex(where: { $0.problem == problem }) {
                        hostsByProblem[k].hosts.append(host)
                    } else {
                        hostsByProblem.append((problem, [host]))
                    }
                }
            }
            for (problem, hosts) in hostsByProblem {
                problems.append("step \(i + 1) (latency\(step.line.map { ", line \($0)" } ?? "")) cannot run on \(hosts.joined(separator: ", ")): \(problem)")
            }
        }
        return problems
    }

    /// Every host a role may resolve to when the step runs.
    static func candidateHosts(_ ref: RoleReference, nodes: [String], proxies: [String]) -> [String] {
        switch ref {
        case .node(let name): [name]
        case .proxy(let name?): [name]
        case .proxy(nil): Array(proxies.prefix(1))
        case .primary, .syncStandby, .asyncStandby, .replica, .allNodes: nodes
        }
    }
}
