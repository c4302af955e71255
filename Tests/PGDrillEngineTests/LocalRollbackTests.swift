import Foundation
import Logging
import PGDrillModel
import Testing
@testable import PGDrillEngine

/// A rollback on the runner's own machine (a restore's scratch host) must not be probed over ssh: the
/// bounded-rollback path once sent it to an ssh session for "local", and the scratch host was never removed.
@Suite struct LocalRollbackTests {
    @Test func checkedRollbackOnTheRunnersMachineRunsLocally() throws {
        let spec = try ClusterLoader.load(yaml: """
        name: t
        manager: patroni
        ssh: { user: root, port: 1, identity: /nonexistent/key, known_hosts: /nonexistent/known_hosts, connect_timeout: 1s }
        nodes:
          - { name: pg1, host: 127.0.0.1, patroni: "http://127.0.0.1:1" }
        postgres: { port: 5432, data_dir: /var/lib/pgdrill/data }
        endpoints:
          write: "host=127.0.0.1 port=5432 dbname=drill user=drill"

        """, file: "t.yaml")
        let connection = ClusterConnection(cluster: try ClusterTarget(spec: spec), logger: Logger(label: "test"))
        let started = Date()
        let result = try connection.runChecked(RemoteScript(host: ClusterTarget.localHostName, script: "echo undone", summary: "undo"),
                                               timeout: .seconds(10))
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "undone")
        #expect(Date().timeIntervalSince(started) < 5)
    }
}
