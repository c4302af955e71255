import Foundation
import Testing
@testable import PGDrillEngine

@Suite struct ShellQuoteTests {
    @Test(arguments: [
        ("pg1", "pg1"),
        ("", "''"),
        ("a b", "'a b'"),
        ("; rm -rf /", "'; rm -rf /'"),
        ("$(reboot)", "'$(reboot)'"),
        ("`id`", "'`id`'"),
        ("it's", "'it'\\''s'"),
        ("line\nbreak", "'line\nbreak'"),
    ])
    func quotes(input: String, expected: String) {
        #expect(input.shellQuoted == expected)
    }

    /// The quoted value must come back from a real shell byte for byte, whatever it holds.
    @Test(arguments: ["; rm -rf /tmp/x", "$(touch /tmp/pgdrill-pwned)", "`touch /tmp/pgdrill-pwned`", "a'b\"c\\d", "new\nline", "*", "-n"])
    func roundTripsThroughSh(hostile: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "printf %s \(hostile.shellQuoted)"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(text == hostile)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/pgdrill-pwned"))
    }
}

@Suite struct FaultTemplateTests {
    @Test func killSignalsPatroniBeforeThePostmaster() throws {
        let s = FaultTemplates.kill(processes: ["postgres", "patroni"], signal: "kill", dataDir: "/var/lib/pgdrill/data")
        let patroni = try #require(s.range(of: "pgd_scan patroni"))
        let postgres = try #require(s.range(of: "/var/lib/pgdrill/data/postmaster.pid"))
        #expect(patroni.lowerBound < postgres.lowerBound)
        #expect(s.contains("kill -s KILL"))
        // The signals and the stamp on the line the long-lived shell runs itself, before the rest is read.
        let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first == "#pgdrill-unforked")
        #expect(lines.count > 2 && lines[1].contains("postmaster.pid") && lines[1].contains(EffectStamp.prefix) && !lines[1].contains("exit"))
        #expect(!s.contains("pkill -f"))
    }

    /// The kill template run for real against a process of this machine's, by exact name, and nothing else.
    @Test func killTemplateSignalsExactlyTheNamedProcess() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-kill-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A fake postmaster.pid naming a process of ours (SIGKILL: a test runner may block other signals
        // in the children it spawns).
        let name = "pgdt\(getpid() % 100000)"
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: "/bin/sleep")
        victim.arguments = ["30"]
        try victim.run()
        try "\(victim.processIdentifier)\n/data\n".write(toFile: "\(dir)/postmaster.pid", atomically: true, encoding: .utf8)
        let (status, out) = try sh(FaultTemplates.kill(processes: ["postgres"], signal: "KILL", dataDir: dir))
        #expect(status == 0, "\(out)")
        #expect(out.contains("postgres:postmaster=\(victim.processIdentifier)"))
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal && victim.terminationStatus == SIGKILL)
        // A name nobody has: exit 3 with a clear line, nothing signalled.
        let (missing, text) = try sh(FaultTemplates.kill(processes: [name], signal: "KILL", dataDir: dir))
        #expect(missing == 3)
        #expect(text.contains("\(name): no running process of that name"))
    }

    @Test func partitionUsesOnlyItsOwnChainsAndKeepsSSH() {
        let s = FaultTemplates.partition(tag: "ab12cd34", scope: .all, peers: ["10.77.0.12"], pgPort: 5432)
        #expect(s.contains("iptables -w 5 -N PGDRILL-ab12cd34-IN"))
        #expect(s.contains("--dport 22 -j RETURN"))
        #expect(s.contains("-I INPUT 1 -j PGDRILL-ab12cd34-IN"))
        #expect(!s.contains(" -F INPUT") && !s.contains("-F\n") && !s.contains("iptables -F"))
        let undo = FaultTemplates.removeChains(tag: "ab12cd34")
        #expect(undo.contains("-D INPUT -j PGDRILL-ab12cd34-IN"))
        #expect(undo.contains("-X PGDRILL-ab12cd34-OUT"))
        #expect(!undo.contains("iptables -w 5 -F INPUT") && !undo.contains("iptables -w 5 -F\n"))
    }

    @Test func fillerStaysInsideItsDirectory() {
        let s = FaultTemplates.fillDisk(directory: "/data/pg_wal", tag: "t1", bytes: 10 << 20, leave: nil)
        #expect(s.contains("of=/data/pg_wal/.pgdrill-filler-t1"))
        #expect(s.contains("fallocate -l $(( (want - 1) * 1048576 )) /data/pg_wal/.pgdrill-filler-t1"))
        #expect(s.contains("seek=\"$done\" count=$((want - done)) conv=notrunc"))
        #expect(FaultTemplates.removeFiller(directory: "/data/pg_wal", tag: "t1") == "rm -f -- /data/pg_wal/.pgdrill-filler-t1 && echo 'filler removed'")
    }

    /// Runs the fill template for real in a small tmpfs-like temp dir, with a cap, then removes the filler.
    @Test func fillDiskWritesAtMostItsCap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-fill-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (status, out) = try sh(FaultTemplates.fillDisk(directory: dir, tag: "cap", bytes: 3 << 20, leave: nil))
        #expect(status == 0, "\(out)")
        let size = try FileManager.default.attributesOfItem(atPath: dir + "/.pgdrill-filler-cap")[.size] as? Int
        #expect(size == 3 << 20)
        #expect(try sh(FaultTemplates.removeFiller(directory: dir, tag: "cap")).0 == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    private func sh(_ script: String) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}

@Suite struct ClusterViewTests {
    static let healthy = PatroniCluster(members: [
        .init(name: "pg1", role: "leader", state: "running", timeline: 3),
        .init(name: "pg2", role: "sync_standby", state: "streaming", timeline: 3, lag: 0),
        .init(name: "pg3", role: "replica", state: "streaming", timeline: 3, lag: 120),
    ])

    @Test func healthyClusterHasNoProblems() {
        let h = ClusterHealth.evaluate(Self.healthy, criteria: .init(members: ["pg1", "pg2", "pg3"]))
        #expect(h.isHealthy)
        #expect(h.leader == "pg1")
        #expect(h.syncStandby == "pg2")
    }

    @Test func stoppedReplicaLagAndMissingSyncAreProblems() {
        let c = PatroniCluster(members: [
            .init(name: "pg1", role: "leader", state: "running", timeline: 3),
            .init(name: "pg2", role: "replica", state: "stopped", timeline: 3),
            .init(name: "pg3", role: "replica", state: "streaming", timeline: 3, lag: 5 << 20),
        ])
        let h = ClusterHealth.evaluate(c, criteria: .init(members: ["pg1", "pg2", "pg3", "pg4"]))
        #expect(h.problems.contains("pg2 is stopped, not streaming"))
        #expect(h.problems.contains("pg3 lags 5242880 bytes (limit 1048576)"))
        #expect(h.problems.contains("no synchronous standby"))
        #expect(h.problems.contains { $0.hasPrefix("member pg4 is missing") })
    }

    @Test func rolesResolveAtRunTime() throws {
        let nodes = ["pg1", "pg2", "pg3"]
        #expect(try RoleResolver.resolve(.primary, cluster: Self.healthy, nodes: nodes, proxies: []) == ["pg1"])
        #expect(try RoleResolver.resolve(.syncStandby, cluster: Self.healthy, nodes: nodes, proxies: []) == ["pg2"])
        #expect(try RoleResolver.resolve(.asyncStandby, cluster: Self.healthy, nodes: nodes, proxies: []) == ["pg3"])
        #expect(try RoleResolver.resolve(.replica, cluster: Self.healthy, nodes: nodes, proxies: []) == ["pg3"])
        #expect(throws: EngineError.self) { try RoleResolver.resolve(.node("pg9"), cluster: Self.healthy, nodes: nodes, proxies: []) }
        #expect(throws: EngineError.self) { try RoleResolver.resolve(.primary, cluster: PatroniCluster(members: []), nodes: nodes, proxies: []) }
    }

    @Test func haproxyCSVParsesServerLinesOnly() {
        let csv = """
        # pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight
        write,FRONTEND,,,0,1,2000,1,0,0,0,0,0,,,,,OPEN,
        write,pg1,0,0,0,1,,1,0,0,,0,,0,0,0,0,UP,1
        write,pg2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1
        write,BACKEND,0,0,0,1,200,1,0,0,0,0,,0,0,0,0,UP,1
        """
        let s = HAProxyStats(csv: csv)
        #expect(s.servers == [.init(backend: "write", server: "pg1", status: "UP"), .init(backend: "write", server: "pg2", status: "DOWN")])
    }
}
