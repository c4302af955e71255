import Foundation

extension DrillRunner {
    /// Every HTTP API the drill will use, tried with the cluster file's TLS settings and credentials before
    /// the health wait: each Patroni REST API (`GET /patroni`), HAProxy's stats page, and — when a step calls
    /// Patroni's unsafe endpoints (switchover, failover, a standby cluster's promotion) — the credentials for
    /// those too. A certificate or login the API refuses does not heal by waiting, and read as "no Patroni API
    /// answered" after the wait, so it is refused at once with the setting that fixes it. An API that simply
    /// does not answer is left to the health check (a node may be down, and the drill may not need it).
    func httpAccessRefusal(_ plan: DrillPlan) -> String? {
        var failures: [(what: String, error: HTTPError)] = []
        let patroniHosts = cluster.manager == "patroni" ? cluster.nodes + (cluster.standbyCluster?.nodes ?? []) : []
        var answering: [PatroniClient] = []
        for host in patroniHosts {
            guard let url = host.patroni else { continue }
            let client = PatroniClient(baseURL: url, timeout: 3, access: cluster.patroniHTTP)
            do {
                _ = try client.status()
                answering.append(client)
            } catch let error as HTTPError where error.isAccessProblem {
                failures.append(("\(host.name)'s Patroni REST API", error))
            } catch {
                continue
            }
        }
        // One API is enough: every member of a cluster is configured with the same restapi.authentication.
        if failures.isEmpty, Self.callsUnsafeEndpoints(plan), let client = answering.first {
            do {
                try client.checkUnsafeAccess()
            } catch let error as HTTPError where error.isAccessProblem {
                failures.append(("Patroni's unsafe endpoints (the drill switches over or fails over)", error))
            } catch {}
        }
        // The region failover's in-region demotion calls Patroni's API from a node of the cut-off region, which
        // can carry the CA's text and the basic-auth header but not the runner's client key.
        if cluster.patroniHTTP.certFile != nil, plan.hasRegionFailover,
           let url = cluster.nodes.first?.patroni {
            failures.append(("region_failover", HTTPError(url: url.absoluteString,
                message: "the in-region demotion runs on a node and cannot present patroni_api.certfile (a client key stays on the runner)",
                hint: "drill region_failover against APIs that do not require client certificates (restapi.verify_client none: optional asks one of the unsafe endpoints too)")))
        }
        if let url = cluster.haproxyStats {
            do {
                _ = try HAProxyStats.fetch(url, timeout: 3, access: cluster.haproxyHTTP)
            } catch let error as HTTPError where error.isAccessProblem {
                failures.append(("HAProxy's stats page", error))
            } catch {}
        }
        guard !failures.isEmpty else { return nil }
        // Every node of a cluster is usually set up alike: one fix said once, after the hosts it applies to.
        var hints: [String] = []
        for hint in failures.compactMap(\.error.hint) where !hints.contains(hint) { hints.append(hint) }
        return "an HTTP API refused this runner — "
            + failures.map { "\($0.what) (\($0.error.url)): \($0.error.message)" }.joined(separator: "; ")
            + (hints.isEmpty ? "" : ". Fix: " + hints.joined(separator: "; "))
    }

    /// Steps that call Patroni's unsafe endpoints, which `restapi.authentication` protects.
    static func callsUnsafeEndpoints(_ plan: DrillPlan) -> Bool {
        plan.steps.contains { step in
            switch step.action {
            case .switchover, .failover, .regionFailover: true
            default: false
            }
        }
    }
}
