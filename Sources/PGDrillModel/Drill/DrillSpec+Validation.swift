extension DrillSpec {
    /// Checks the drill against the cluster it is about to run on: endpoints, named hosts, the
    /// cluster's manager, and protection. Errors point into the drill file.
    ///
    /// - Parameter overridingProtection: the operator explicitly allowed destructive drills on a
    ///   `protected: true` cluster.
    public func validate(against cluster: ClusterSpec, overridingProtection: Bool = false) throws(DrillFileError) {
        if isDestructive, cluster.isProtected, !overridingProtection {
            throw DrillFileError(.notAllowed, file: file, at: mark,
                                 message: "drill '\(name)' is destructive and cluster '\(cluster.name)' is protected",
                                 hint: "run it against a cluster that is not protected, or override the protection explicitly")
        }
        for endpoint in probe.allEndpoints where cluster.endpoint(named: endpoint) == nil {
            let known = cluster.endpoints.map(\.name)
            let suggestion = Suggestion.closest(to: endpoint, among: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw DrillFileError(.unknownReference, file: file, at: probe.endpointMarks[endpoint] ?? mark,
                                 message: "probe endpoint '\(endpoint)' is not in cluster '\(cluster.name)'\(suggestion)",
                                 hint: "the cluster's endpoints are \(Suggestion.list(known))")
        }
        if cluster.endpoint(named: probe.endpoint)?.kind == .read {
            throw DrillFileError(.invalidValue, file: file, at: probe.endpointMarks[probe.endpoint] ?? mark,
                                 message: "probe endpoint '\(probe.endpoint)' is a read endpoint (kind: read) in cluster '\(cluster.name)'; the main endpoint is written and verified",
                                 hint: "probe a write endpoint, and list '\(probe.endpoint)' under also: to measure reads through it")
        }
        for step in fault {
            try validate(step, against: cluster)
        }
    }

    private func validate(_ step: FaultStep, against cluster: ClusterSpec) throws(DrillFileError) {
        let targets: [Target] = switch step {
        case .switchover(let change), .failover(let change): change.candidate.map { [$0] } ?? []
        default: step.target.map { [$0] } ?? []
        }
        for target in targets {
            try check(target, of: step, in: cluster)
        }
        let components: [ClusterComponent] = switch step {
        case .kill(let kill): kill.processes
        case .pause(let pause): pause.processes
        case .stop(let service), .start(let service): [service.service]
        default: []
        }
        if components.contains(.patroni), cluster.manager != .patroni {
            throw error(at: step, "step '\(step.action)' acts on patroni, but cluster '\(cluster.name)' is managed by \(cluster.manager)")
        }
        if components.contains(.repmgrd), cluster.manager != .repmgr {
            throw error(at: step, "step '\(step.action)' acts on repmgrd, but cluster '\(cluster.name)' is managed by \(cluster.manager)")
        }
        if case .switchover = step, cluster.manager == .streaming {
            throw error(at: step, "switchover needs a cluster manager, but cluster '\(cluster.name)' uses plain streaming replication",
                        hint: "use failover, or a cluster managed by patroni or repmgr")
        }
    }

    private func check(_ target: Target, of step: FaultStep, in cluster: ClusterSpec) throws(DrillFileError) {
        switch target {
        case .node(let name) where cluster.node(named: name) == nil:
            let suggestion = Suggestion.closest(to: name, among: cluster.nodes.map(\.name)).map { " (did you mean 'node:\($0)'?)" } ?? ""
            throw error(at: step, "step '\(step.action)' targets node '\(name)', which cluster '\(cluster.name)' does not have\(suggestion)",
                        hint: "the cluster's nodes are \(Suggestion.list(cluster.nodes.map(\.name)))")
        case .proxy(let name?) where cluster.proxy(named: name) == nil:
            throw error(at: step, "step '\(step.action)' targets proxy '\(name)', which cluster '\(cluster.name)' does not have",
                        hint: cluster.proxies.isEmpty ? "the cluster file lists no proxies" : "the cluster's proxies are \(Suggestion.list(cluster.proxies.map(\.name)))")
        case .proxy(nil) where cluster.proxies.count != 1:
            throw error(at: step, "step '\(step.action)' targets 'proxy', but cluster '\(cluster.name)' has \(cluster.proxies.count) proxies",
                        hint: cluster.proxies.isEmpty ? "add the proxy host to the cluster file's 'proxies'" : "name one: proxy:\(cluster.proxies[0].name)")
        default:
            break
        }
    }

    private func error(at step: FaultStep, _ message: String, hint: String? = nil) -> DrillFileError {
        DrillFileError(.unknownReference, file: file, at: step.mark, message: message, hint: hint)
    }
}
