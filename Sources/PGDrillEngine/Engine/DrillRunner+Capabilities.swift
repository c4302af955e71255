import PGDrillCore

extension DrillRunner {
    /// What the drill's steps need that a host may lack — today `latency`, which needs the kernel's
    /// `sch_netem` — checked at pre-flight without changing anything, so a drill that cannot run is refused
    /// (exit 2, nothing injected) instead of aborting halfway with a fault applied. A role such as `primary`
    /// may land on any node by the time the step runs, so every node is checked.
    func missingCapabilities(_ plan: DrillPlan) -> [String] {
        var problems: [String] = []
        var checked: [String: String?] = [:]  // host + check script → problem (nil: fine)
        // A peer given by an IPv6 address: the chains must go into ip6tables too.
        let ipv6Peers = cluster.nodes.contains { $0.address.contains(":") }
        for (i, step) in plan.steps.enumerated() {
            let on: RoleReference
            let check: String
            switch step.action {
            case .latency(_, let target):
                (on, check) = (target, FaultTemplates.netemAvailable)
            case .partition(_, let target), .loss(_, let target):
                (on, check) = (target, FaultTemplates.firewallAvailable(ipv6Peers: ipv6Peers))
            default:
                continue
            }
            var hostsByProblem: [(problem: String, hosts: [String])] = []
            for host in Self.candidateHosts(on, nodes: cluster.nodes.map(\.name), proxies: cluster.proxies.map(\.name)) {
                let key = host + "\u{0}" + check
                if checked[key] == nil {
                    let script = RemoteScript(host: host, script: check, summary: "check what \(step.action.name) needs on \(host)")
                    do {
                        let r = try connection.runAllowingFailure(script, timeout: .seconds(15))
                        let why = [r.stderr, r.stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty } ?? "exit \(r.exitStatus)"
                        checked[key] = .some(r.succeeded ? nil : why)
                    } catch {
                        checked[key] = .some("cannot check over ssh: \(error)")
                    }
                }
                if let problem = checked[key] ?? nil {
                    if let k = hostsByProblem.firstIndex(where: { $0.problem == problem }) {
                        hostsByProblem[k].hosts.append(host)
                    } else {
                        hostsByProblem.append((problem, [host]))
                    }
                }
            }
            for (problem, hosts) in hostsByProblem {
                problems.append("step \(i + 1) (\(step.action.name)\(step.line.map { ", line \($0)" } ?? "")) cannot run on \(hosts.joined(separator: ", ")): \(problem)")
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
