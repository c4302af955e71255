import Foundation
import PGDrillCore
import Testing
@testable import PGDrillEngine
import PGDrillModel

/// Reading the settings that bound a failover from the files and APIs that hold them.
struct FailoverSettingsTests {
    /// The lab's haproxy.cfg as lab.sh writes it (TLS shape).
    static let labConfig = """
        global
            maxconn 4000
        defaults
            mode tcp
            timeout connect 2s
            timeout check 2s
        # OPTIONS, not GET
        listen write
            bind *:5000
            option httpchk OPTIONS /primary
            default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
            server pg1 10.77.0.11:5432 check port 8008 check-ssl verify required ca-file /x/ca.crt
            server pg2 10.77.0.12:5432 check port 8008
        listen read
            bind *:5001
            default-server inter 3s fall 5 rise 4
            server pg1 10.77.0.11:5432 check port 8008
        """

    @Test func readsTheWriteBackendsChecks() throws {
        let c = try HAProxyConfig.checks(in: Self.labConfig, backend: "write").get()
        #expect(c == HAProxyChecks(backend: "write", inter: 0.5, fall: 2, rise: 1, timeoutCheck: 2))
        let r = try HAProxyConfig.checks(in: Self.labConfig, backend: "read").get()
        #expect(r.inter == 3 && r.fall == 5 && r.rise == 4)
    }

    @Test func defaultsSectionsServerLinesAndHAProxysOwnDefaults() throws {
        let text = """
            defaults
                default-server inter 1s fastinter 250ms
            backend pg_write
                option httpchk
                server a 10.0.0.1:5432 check downinter 5000 rise 3
            """
        let c = try HAProxyConfig.checks(in: text, backend: "pg_write").get()
        #expect(c == HAProxyChecks(backend: "pg_write", inter: 1, fastinter: 0.25, downinter: 5, fall: 3, rise: 3))
        #expect(c.markUpBound == 5.5)
        // Nothing set anywhere: HAProxy's own defaults, inter 2 s, fall 3, rise 2.
        let bare = try HAProxyConfig.checks(in: "backend w\n  server a 10.0.0.1:5432 check\n", backend: "w").get()
        #expect(bare == HAProxyChecks(backend: "w"))
    }

    @Test func aMissingBackendOrABadTimeIsSaidNotGuessed() {
        guard case .failure(let missing) = HAProxyConfig.checks(in: Self.labConfig, backend: "primary") else { Issue.record("found"); return }
        #expect(missing.description == "has no backend or listen section named 'primary'")
        guard case .failure(let bad) = HAProxyConfig.checks(in: "backend w\n default-server inter 2fortnights\n", backend: "w") else {
            Issue.record("parsed"); return
        }
        #expect(bad.description.contains("'2fortnights'"))
    }

    @Test func readsRepmgrReconnectSettings() {
        let text = """
            node_id=1
            monitor_interval_secs=1
            reconnect_attempts = 4   # fewer than the default
            reconnect_interval='5'
            """
        #expect(RepmgrConfig.reconnect(in: text) == RepmgrReconnect(reconnectAttempts: 4, reconnectInterval: 5, monitorInterval: 1))
        #expect(RepmgrConfig.reconnect(in: "node_id=2\n") == RepmgrReconnect(reconnectAttempts: 6, reconnectInterval: 10, monitorInterval: 2))
    }

    @Test func patroniConfigAsTheAPIReturnsIt() throws {
        let json = #"{"ttl": 20, "loop_wait": 1, "retry_timeout": "4", "synchronous_mode": true, "master_start_timeout": 60, "postgresql": {}}"#
        let config = try #require(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let p = FailoverSettingsReader.patroniTimeouts(config, version: "3.0.2")
        #expect(p == PatroniTimeouts(ttl: 20, loopWait: 1, retryTimeout: 4, primaryStartTimeout: 60, synchronousMode: true, version: "3.0.2"))
        // Missing keys: Patroni's defaults.
        let empty = FailoverSettingsReader.patroniTimeouts([:], version: nil)
        #expect(empty.ttl == 30 && empty.loopWait == 10 && empty.retryTimeout == 10 && empty.maximumLagOnFailover == 1_048_576)
    }

    @Test(arguments: [
        ("kill: { process: [patroni, postgres], on: primary }", "patroni", FailureScenario.primaryLost),
        ("kill: { process: postgres, on: primary }", "patroni", .primaryRestartInPlace),
        ("kill: { process: postgres, on: primary }", "repmgr", .primaryLost),
        ("kill: { process: [repmgrd, postgres], on: primary }", "repmgr", .primaryLost),
        ("partition: { on: primary }", "patroni", .primaryPartitioned),
        ("switchover: {}", "patroni", .plannedSwitchover),
    ])
    func theDrillsFirstFaultNamesTheScenario(step: String, manager: String, scenario: FailureScenario) throws {
        #expect(try Self.plan(step).failureScenario(manager: manager) == scenario)
    }

    @Test func faultsNoSettingBoundsHaveNoScenario() throws {
        #expect(try Self.plan("fill_disk: { path: pg_wal, on: primary, size: 1MB }").failureScenario(manager: "patroni") == nil)
        #expect(try Self.plan("stop: { service: patroni, on: sync_standby }").failureScenario(manager: "patroni") == nil)
        // The manager alone loses the primary only if it stays down for the lease (ttl).
        #expect(try Self.plan("kill: { process: patroni, on: primary, for: 5s }").failureScenario(manager: "patroni", lease: 20) == nil)
        #expect(try Self.plan("pause: { process: patroni, on: primary, for: 30s }").failureScenario(manager: "patroni", lease: 20) == .primaryLost)
        #expect(try Self.plan("pause: { process: patroni, on: primary, for: 30s }").failureScenario(manager: "patroni") == nil)
        #expect(try Self.plan("pause: { process: postgres, on: primary, for: 30s }").failureScenario(manager: "patroni", lease: 20) == nil)
    }

    static func plan(_ step: String) throws -> DrillPlan {
        let yaml = """
            name: scenario
            description: which failover chain a fault sets off
            fault:
              - \(step)
            observe: { until: writes_ok, timeout: 60s }
            """
        return DrillPlan(spec: try DrillLoader.load(yaml: yaml, file: "scenario.yaml"))
    }
}
