import Testing
@testable import PGDrillModel

@Suite struct DrillValidationTests {
    let lab: ClusterSpec
    init() throws {
        lab = try ClusterLoader.load(path: fixture("cluster/lab.yaml"))
    }

    private func drill(_ steps: String, probe: String = "", destructive: Bool = true) throws(DrillFileError) -> DrillSpec {
        try DrillLoader.load(yaml: """
            name: v
            description: validation
            destructive: \(destructive)
            \(probe)
            fault:
            \(steps)
            observe: { until: writes_ok }
            """, file: "drills/v.yaml")
    }

    @Test func shippedDrillsFitTheLab() throws {
        for drill in try DrillLoader.loadAll(paths: [fixture("drills")]) {
            try drill.validate(against: lab)
        }
    }

    @Test(arguments: [
        ("  - kill: { process: postgres, on: node:pg9 }", 6, "targets node 'pg9', which cluster 'lab' does not have (did you mean 'node:pg1'?)"),
        ("  - wait: 1s\n  - start: { service: etcd, on: proxy:lb }", 7, "targets proxy 'lb', which cluster 'lab' does not have"),
        ("  - failover: { to: node:db1 }", 6, "targets node 'db1'"),
    ])
    func unknownHostsPointAtTheStep(steps: String, line: Int, phrase: String) throws {
        let error = thrownError { () throws(DrillFileError) in try drill(steps).validate(against: lab) }
        #expect(error?.code == .unknownReference)
        #expect(error?.mark == SourceMark(line: line, column: 5))
        #expect(error?.message.contains(phrase) == true, "\(String(describing: error))")
    }

    @Test func unknownEndpointsPointAtTheName() throws {
        let spec = try drill("  - stop: { service: etcd, on: replica }", probe: "probe: { endpoint: write, also: [pooled, readonly] }")
        let error = thrownError { () throws(DrillFileError) in try spec.validate(against: lab) }
        #expect(error?.code == .unknownReference)
        #expect(error?.mark == SourceMark(line: 4, column: 42))
        #expect(error?.message == "probe endpoint 'readonly' is not in cluster 'lab'")
        #expect(error?.hint == "the cluster's endpoints are write, read and pooled")
    }

    @Test func protectedClustersRefuseDestructiveDrillsUnlessOverridden() throws {
        var production = lab
        production.isProtected = true
        let destructive = try drill("  - kill: { process: postgres, on: primary }")
        let error = thrownError { () throws(DrillFileError) in try destructive.validate(against: production) }
        #expect(error?.code == .notAllowed)
        #expect(error?.mark == SourceMark(line: 1, column: 1))
        try destructive.validate(against: production, overridingProtection: true)
        try drill("  - kill: { process: postgres, on: primary }", destructive: false).validate(against: production)
    }

    @Test func stepsMustSuitTheClustersManager() throws {
        var repmgr = lab
        repmgr.manager = .repmgr
        let patroniKill = try drill("  - kill: { process: [postgres, patroni], on: primary }")
        #expect(thrownError { () throws(DrillFileError) in try patroniKill.validate(against: repmgr) }?.message
            == "step 'kill' acts on patroni, but cluster 'lab' is managed by repmgr")
        var streaming = lab
        streaming.manager = .streaming
        let switchover = try drill("  - switchover: {}")
        #expect(thrownError { () throws(DrillFileError) in try switchover.validate(against: streaming) }?.message.contains("switchover needs a cluster manager") == true)
        try switchover.validate(against: repmgr)
    }

    @Test func bareProxyNeedsExactlyOneProxy() throws {
        var twoProxies = lab
        twoProxies.proxies.append(ProxyHost(name: "px2", host: "10.77.0.3"))
        let spec = try drill("  - stop: { service: haproxy, on: proxy }")
        let error = thrownError { () throws(DrillFileError) in try spec.validate(against: twoProxies) }
        #expect(error?.message == "step 'stop' targets 'proxy', but cluster 'lab' has 2 proxies")
        #expect(error?.hint == "name one: proxy:px")
        try spec.validate(against: lab)
    }
}
