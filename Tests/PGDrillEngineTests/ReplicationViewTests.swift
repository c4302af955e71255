import Foundation
import Testing
@testable import PGDrillEngine

private let nodes = [(name: "pg1", host: "10.0.0.11"), (name: "pg2", host: "10.0.0.12"), (name: "pg3", host: "10.0.0.13")]
private let streaming: [ReplicationView.Replica] = [
    .init(name: "pg2", state: "streaming", syncState: "sync", lagBytes: 0),
    .init(name: "pg3", state: "streaming", syncState: "async", lagBytes: 2048),
]

@Suite struct ReplicationViewTests {
    @Test func aHealthyPairReadsLikePatroni() {
        let view = ReplicationView.build(nodes: nodes, observations: [
            "pg1": .init(inRecovery: false, timeline: 3, replication: streaming),
            "pg2": .init(inRecovery: true, timeline: 3),
            "pg3": .init(inRecovery: true, timeline: 3),
        ])
        #expect(view.leader?.name == "pg1")
        #expect(view.members.map(\.role) == ["leader", "sync_standby", "replica"])
        #expect(view.members.map(\.state) == ["running", "streaming", "streaming"])
        #expect(view.members[2].lag == 2048)
        let health = ClusterHealth.evaluate(view, criteria: .init(members: ["pg1", "pg2", "pg3"]))
        #expect(health.isHealthy, "\(health.problems)")
        #expect(health.syncStandby == "pg2")
    }

    /// repmgr still names the dead primary until a standby is promoted: the leader stays, `stopped`,
    /// as Patroni's does until its key expires — and health says so.
    @Test func theManagersLeaderIsKeptWhileItIsDown() {
        let view = ReplicationView.build(nodes: nodes, observations: [
            "pg1": .unreachable, "pg2": .init(inRecovery: true, timeline: 3), "pg3": .init(inRecovery: true, timeline: 3),
        ], managerLeader: "pg1")
        #expect(view.leader?.name == "pg1")
        #expect(view.leader?.state == "stopped")
        #expect(view.members[1].state == "running")
        let health = ClusterHealth.evaluate(view, criteria: .init(members: ["pg1", "pg2", "pg3"]))
        #expect(health.problems.contains("leader pg1 is stopped, not running"))
    }

    /// Without a manager (plain streaming) a lost primary is a lost leader.
    @Test func streamingHasNoLeaderWhenNothingIsWritable() {
        let view = ReplicationView.build(nodes: nodes, observations: [
            "pg1": .unreachable, "pg2": .init(inRecovery: true, timeline: 3), "pg3": .init(inRecovery: true, timeline: 3),
        ])
        #expect(view.leader == nil)
        #expect(ClusterHealth.evaluate(view, criteria: .init(members: ["pg1", "pg2", "pg3"])).problems.contains("no leader"))
    }

    /// Two nodes accepting writes is split-brain, whatever the manager's metadata says.
    @Test func twoWritableNodesAreTwoLeaders() {
        let view = ReplicationView.build(nodes: nodes, observations: [
            "pg1": .init(inRecovery: false, timeline: 3), "pg2": .init(inRecovery: false, timeline: 4, replication: [streaming[1]]),
            "pg3": .init(inRecovery: true, timeline: 4),
        ], managerLeader: "pg2")
        #expect(view.members.filter(\.isLeader).map(\.name) == ["pg1", "pg2"])
        let health = ClusterHealth.evaluate(view, criteria: .init(members: ["pg1", "pg2", "pg3"]))
        #expect(health.problems.contains { $0.hasPrefix("more than one leader") })
    }

    @Test func aStandbyNotInTheListIsNotStreaming() {
        let view = ReplicationView.build(nodes: nodes, observations: [
            "pg1": .init(inRecovery: false, timeline: 3, replication: [streaming[0]]),
            "pg2": .init(inRecovery: true, timeline: 3), "pg3": .init(inRecovery: true, timeline: 2),
        ])
        #expect(view.members[2].state == "running")
        let health = ClusterHealth.evaluate(view, criteria: .init(members: ["pg1", "pg2", "pg3"]))
        #expect(health.problems.contains("pg3 is running, not streaming"))
    }
}

@Suite struct RepmgrTemplateTests {
    let settings = RepmgrManager.Settings(config: "/srv/lab state/{node}/repmgr.conf", user: "postgres", database: "repmgr",
                                          binDir: "/usr/lib/postgresql/15/bin")

    @Test func commandsRunAsTheRepmgrUserWithTheNodesConfig() {
        let s = FaultTemplates.repmgr(settings, node: "pg2", "standby switchover --siblings-follow")
        #expect(s == "cd / && runuser -u postgres -- /usr/lib/postgresql/15/bin/repmgr -f '/srv/lab state/pg2/repmgr.conf' standby switchover --siblings-follow 2>&1")
    }

    /// The rejoin script parses, and finds the primary among the peers from the node's own conninfo.
    @Test func rejoinScriptIsValidShellAndRewritesTheHost() throws {
        let script = FaultTemplates.repmgrRejoin(settings, node: "pg1", dataDir: "/var/lib/pg", peers: ["10.0.0.12", "10.0.0.13"])
        #expect(try sh(["-n", "-c", script]).status == 0)
        #expect(script.contains("for h in 10.0.0.12 10.0.0.13; do"))
        #expect(script.contains("node rejoin -d \"$primary\" --force-rewind"))
        // The conninfo extraction and host rewrite, run for real on a repmgr.conf line.
        let dir = NSTemporaryDirectory() + "pgdrill-rejoin-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "node_id=1\nconninfo='host=10.0.0.11 port=5432 user=repmgr dbname=repmgr connect_timeout=2'\n"
            .write(toFile: dir + "/repmgr.conf", atomically: true, encoding: .utf8)
        let extract = script.split(separator: "\n").first { $0.hasPrefix("ci=$(sed") }!
            .replacingOccurrences(of: "'/srv/lab state/pg1/repmgr.conf'", with: "'\(dir)/repmgr.conf'")
        let out = try sh(["-c", "\(extract)\nprintf '%s' \"$ci\" | sed \"s/host=[^ ]*/host=10.0.0.12/\""])
        #expect(out.stdout == "host=10.0.0.12 port=5432 user=repmgr dbname=repmgr connect_timeout=2")
    }

    @Test func repointScriptIsValidShell() throws {
        let script = FaultTemplates.repointStandby(binDir: "/usr/lib/postgresql/15/bin", port: 5432, primaryHost: "10.0.0.12")
        #expect(try sh(["-n", "-c", script]).status == 0)
        #expect(script.contains("ALTER SYSTEM SET primary_conninfo = :'ci';"))
        // The conninfo is never on a command line (`ps` shows it to every user of the node): no `-v ci=`, no
        // shell variable holding it.
        #expect(!script.contains("-v ci=") && !script.contains("$ci") && !script.contains("SHOW primary_conninfo"), "\(script)")
    }

    /// A killed PostgreSQL under repmgr comes back through the rejoin, before repmgrd is restarted.
    @Test func killRollbackRejoinsBeforeRestartingRepmgrd() throws {
        let host = HostContext(name: "pg1", address: "10.0.0.11", dataDir: "/d", pgPort: 5432, binDir: "/b", peers: ["10.0.0.12"],
                               services: ["repmgrd": .init(start: "svc start repmgrd", stop: "svc stop repmgrd", status: "svc status repmgrd")],
                               managerRestartsPostgres: false, postgresRestart: "echo rejoin; exit 0")
        let fault = try FaultAction.kill(processes: ["repmgrd", "postgres"], signal: "KILL", on: .primary).hostFault(on: host, tag: "t")
        let rollback = try #require(fault.rollback?.script)
        #expect(rollback.hasPrefix("(\necho rejoin; exit 0\n) || exit $?\n"))
        #expect(rollback.contains("svc start repmgrd"))
        let out = try sh(["-c", rollback.replacingOccurrences(of: "svc status repmgrd", with: "false")
            .replacingOccurrences(of: "svc start", with: "echo svc start")])
        #expect(out.stdout.contains("rejoin") && out.stdout.contains("svc start repmgrd"))
    }

    private func sh(_ args: [String]) throws -> (status: Int32, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
