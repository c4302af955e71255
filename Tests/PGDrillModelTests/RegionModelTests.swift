import Foundation
import Testing
@testable import PGDrillModel

/// The second-region parts of drill and cluster files: `region_failover` steps and `standby_cluster:`,
/// with their errors at file:line.
@Suite struct RegionModelTests {
    static let drillHead = """
        name: r
        description: region
        probe: { endpoint: write }
        observe: { until: writes_ok }
        fault:

        """

    @Test func regionFailoverStepParsesWithDefaults() throws {
        let plain = try DrillLoader.load(yaml: Self.drillHead + "  - region_failover: {}\n", file: "r.yaml")
        guard case .regionFailover(let step)? = plain.fault.first else { Issue.record("not a region_failover step"); return }
        #expect(step.promoteAfter == .seconds(5))
        #expect(step.replicationCutBefore == .zero)
        #expect(step.timeout == .seconds(60))
        #expect(plain.fault.first?.target == nil)
        let full = try DrillLoader.load(yaml: Self.drillHead + "  - region_failover: { replication_cut_before: 5s, promote_after: 10s, timeout: 90s }\n", file: "r.yaml")
        guard case .regionFailover(let f)? = full.fault.first else { Issue.record("not a region_failover step"); return }
        #expect(f.promoteAfter == .seconds(10) && f.replicationCutBefore == .seconds(5) && f.timeout == .seconds(90))
        #expect(full.fault.first?.description == "stop replication to the standby region, 5s later cut the primary region off and promote the standby cluster 10s later")
    }

    @Test(arguments: [
        ("  - region_failover: { promote_after: -1s }\n", "promote_after"),
        ("  - region_failover: { timeout: 0s }\n", "timeout"),
        ("  - region_failover: { promote_after: 10s, for: 30s }\n", "no 'for:'"),
        ("  - region_failover: { promote_afer: 10s }\n", "promote_afer"),
        ("  - region_failovr: {}\n", "did you mean 'region_failover'"),
    ])
    func badRegionStepsAreRefusedAtTheirLine(step: String, mentions: String) {
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: Self.drillHead + step, file: "r.yaml") }
        #expect(error.map { "\($0)".contains("r.yaml:6") && "\($0)".contains(mentions) } == true, "\(String(describing: error))")
    }

    /// The smallest valid Patroni cluster file (one node), which the sections under test are added to.
    static let cluster = BackupModelTests.cluster

    @Test func standbyClusterParses() throws {
        let spec = try ClusterLoader.load(yaml: Self.cluster + """
            standby_cluster:
              name: dr
              nodes:
                - { name: dr1, host: 10.1.0.11, patroni: "http://10.1.0.11:8008" }
                - { name: dr2, host: 10.1.0.12, patroni: "http://10.1.0.12:8008" }
            """, file: "c.yaml")
        let standby = try #require(spec.standbyCluster)
        #expect(standby.name == "dr")
        #expect(standby.nodes.map(\.name) == ["dr1", "dr2"])
        #expect(standby.nodes.first?.patroniURL?.absoluteString == "http://10.1.0.11:8008")
        #expect(try ClusterLoader.load(yaml: Self.cluster, file: "c.yaml").standbyCluster == nil)
    }

    @Test(arguments: [
        ("standby_cluster: { nodes: [{ name: dr1, host: 10.1.0.11 }] }\n", "c.yaml:7", "patroni"),
        ("standby_cluster: { name: dr, nodes: [{ name: pg1, host: 10.1.0.11, patroni: \"http://10.1.0.11:8008\" }] }\n", "c.yaml:7", "used twice"),
        ("standby_cluster: { name: dr }\n", "c.yaml:7", "nodes"),
        ("standby_cluster: { name: dr, nodes: [], extra: 1 }\n", "c.yaml:7", "extra"),
    ])
    func badStandbyClustersAreRefusedAtTheirLine(section: String, at: String, mentions: String) {
        let error = thrownError { () throws(DrillFileError) in try ClusterLoader.load(yaml: Self.cluster + section, file: "c.yaml") }
        #expect(error.map { "\($0)".contains(at) && "\($0)".contains(mentions) } == true, "\(String(describing: error))")
    }

    @Test func standbyClusterNeedsPatroni() {
        let repmgr = Self.cluster.replacingOccurrences(of: "manager: patroni", with: "manager: repmgr")
        let section = "standby_cluster: { name: dr, nodes: [{ name: dr1, host: 10.1.0.11, patroni: \"http://10.1.0.11:8008\" }] }\n"
        let error = thrownError { () throws(DrillFileError) in try ClusterLoader.load(yaml: repmgr + section, file: "c.yaml") }
        #expect(error.map { "\($0)".contains("c.yaml:7") && "\($0)".contains("Patroni standby cluster") } == true, "\(String(describing: error))")
    }

    @Test func conninfoValueReadsTheLastOccurrence() {
        #expect(Conninfo.value("host", in: "host=a port=5000 host='b c'") == "b c")
        #expect(Conninfo.value("port", in: "host=a port=5000") == "5000")
        #expect(Conninfo.value("port", in: "host=a") == nil)
        #expect(Conninfo.value("host", in: "postgresql://a:5000/db") == nil)
    }
}
