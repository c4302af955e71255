import Foundation
import Testing
@testable import PGDrillEngine
import PGDrillSSH

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
        // A copy of sleep named postgres: the template signals only a process of that name.
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: dir + "/postgres")
        let victim = Process()
        victim.executableURL = URL(fileURLWithPath: dir + "/postgres")
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
        let s = FaultTemplates.partition(tag: "ab12cd34", scope: .all, peers: ["10.77.0.12"], pgPort: 5432, sshPort: 22)
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
        // Opened once, exclusively; every write through that descriptor, never the path again.
        #expect(s.contains("set -C; exec 3> /data/pg_wal/.pgdrill-filler-t1"))
        #expect(s.contains("fallocate -l $(( (want - 1) * 1048576 )) /dev/fd/3"))
        #expect(s.contains("of=/dev/fd/3 bs=1M seek=\"$done\" count=$((want - done)) conv=notrunc"))
        #expect(!s.contains("of=/data/pg_wal/.pgdrill-filler-t1") && !s.contains("1048576 )) /data/pg_wal"))
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
    static let healthy = ClusterView(members: [
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
        let c = ClusterView(members: [
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
        #expect(throws: EngineError.self) { try RoleResolver.resolve(.primary, cluster: ClusterView(members: []), nodes: nodes, proxies: []) }
    }

    /// A member the cluster file does not list (here one named `local`, the name that once meant the runner's
    /// own machine) is never a fault's host: roles resolve to listed nodes or are refused, and pre-flight
    /// refuses the cluster outright.
    @Test func rolesNeverResolveToAMemberTheFileDoesNotList() throws {
        let nodes = ["pg1", "pg2", "pg3"]
        let hostile = ClusterView(members: [
            .init(name: "local", role: "leader", state: "running", timeline: 3),
            .init(name: "pg2", role: "sync_standby", state: "streaming", timeline: 3, lag: 0),
            .init(name: "evil", role: "replica", state: "streaming", timeline: 3, lag: 0),
            .init(name: "pg3", role: "replica", state: "streaming", timeline: 3, lag: 0),
        ])
        #expect(throws: EngineError.self) { try RoleResolver.resolve(.primary, cluster: hostile, nodes: nodes, proxies: []) }
        #expect(try RoleResolver.resolve(.replica, cluster: hostile, nodes: nodes, proxies: []) == ["pg3"])
        #expect(try RoleResolver.resolve(.asyncStandby, cluster: hostile, nodes: nodes, proxies: []) == ["pg3"])
        let onlyUnlisted = ClusterView(members: [.init(name: "pg1", role: "leader", state: "running", timeline: 3),
                                                    .init(name: "local", role: "replica", state: "streaming", timeline: 3, lag: 0)])
        #expect(throws: EngineError.self) { try RoleResolver.resolve(.replica, cluster: onlyUnlisted, nodes: nodes, proxies: []) }
        let refusal = try #require(DrillRunner.unlistedMemberRefusal(hostile, nodes: nodes))
        #expect(refusal.contains("'local'") && refusal.contains("'evil'"), "\(refusal)")
        #expect(DrillRunner.unlistedMemberRefusal(Self.healthy, nodes: nodes) == nil)
        #expect(ClusterTarget.localHostName != "local")
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

/// `latency` keeps the runner's ssh undelayed and its rollback proves the delay is gone. netem is absent on
/// the lab's kernel, so these read the templates; the scripts are also checked to be valid shell.
@Suite struct LatencyTemplateTests {
    @Test func theRunnersSSHPortBypassesTheDelay() throws {
        let s = FaultTemplates.latency(delayMillis: 200, sshPort: 2222)
        #expect(s.contains("u32 match ip sport 2222 0xffff flowid 1:1"), "\(s)")
        #expect(s.contains("u32 match ip6 sport 2222 0xffff flowid 1:1"))
        #expect(s.contains("parent 1:3 handle 30: netem delay 200ms"))
        // Every priority band but the exempt one leads to the netem band.
        #expect(s.contains("priomap 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2"))
        #expect(!s.contains("root netem"), "a netem root would delay the runner's ssh too")
        #expect(try shell("bash -n -c " + s.shellQuoted).0 == 0)
    }

    @Test func removalFailsWhileADelayRemainsAndLeftoversNameIt() throws {
        #expect(FaultTemplates.removeLatency.contains(FaultTemplates.leftoverNetem))
        #expect(FaultTemplates.removeLatency.contains("exit 1"))
        #expect(FaultTemplates.leftovers(dataDir: "/d").contains(FaultTemplates.leftoverNetem))
        #expect(Commands.sweepScript(bareCluster(dataDir: "/d")).contains("netem"))
        // A stubbed `tc` that still shows a netem qdisc after the delete: the rollback must fail.
        let stuck = try withStubs(["tc": "[ \"$1 $2\" = 'qdisc show' ] && echo 'qdisc netem 30: parent 1:3 limit 1000 delay 200ms'\nexit 0\n"]) {
            try shell("PATH=\($0):$PATH\n" + FaultTemplates.removeLatency)
        }
        #expect(stuck.0 == 1, "removal reported success with a netem qdisc left: \(stuck)")
    }
}

/// Rollbacks that cannot report success while the fault stays (issue 20, item 10).
@Suite struct RollbackTruthTests {
    /// SIGTSTP/SIGTTIN/SIGTTOU stop a process like SIGSTOP: the rollback continues it, instead of checking that
    /// a frozen service is "active".
    @Test(arguments: ["STOP", "19", "20", "21", "22"])
    func stoppingSignalsAreRolledBackWithSIGCONT(_ signal: String) throws {
        let context = HostContext(name: "pg1", address: "10.0.0.11", dataDir: "/d", pgPort: 5432, binDir: "/b", peers: [],
                                  services: [:], managerRestartsPostgres: true)
        let fault = try FaultAction.kill(processes: ["patroni"], signal: signal, on: .primary).hostFault(on: context, tag: "t1")
        let rollback = try #require(fault.rollback?.script)
        #expect(rollback.contains("pkill --signal CONT -x patroni"), "\(rollback)")
        #expect(!rollback.contains("systemctl"), "\(rollback)")
    }

    /// A rule listing that fails is no proof the chains are gone: the removal must fail, not say "removed".
    @Test func chainRemovalFailsWhenTheRulesCannotBeListed() throws {
        let (status, out) = try withStubs(["iptables": "for a; do [ \"$a\" = -S ] && { echo 'iptables: lock held' >&2; exit 4; }; done\nexit 1\n",
                                           "ip6tables": "exit 1\n"]) {
            try shell("PATH=\($0):$PATH\n" + FaultTemplates.removeChains(tag: "t1"))
        }
        #expect(status == 1, "\(out)")
        #expect(out.contains("cannot list the IPv4 rules"), "\(out)")
    }

    /// `recover`'s sweep used to pipe `… | sort -u || true | sed …`: the sed ran on nothing, the loop got the
    /// chain names with their -IN/-OUT suffix, removed `PGDRILL-<tag>-IN-IN` and printed "removed" while the
    /// real chains stayed. A stub iptables holding two leftover chains: both must go, and nothing else.
    @Test func theLeftoverSweepRemovesTheRealChains() throws {
        let stubs = [
            // A tiny iptables over a state file: -S lists the chains, -X deletes one, -D finds no jump rule.
            "iptables": """
                st="$PGD_STUB_STATE"; echo "$*" >> "$st.calls"
                for a; do last=$a; done
                case " $* " in
                  *" -S "*) while read -r c; do echo "-N $c"; done < "$st" ;;
                  *" -X "*) grep -qx -- "$last" "$st" || exit 1; grep -vx -- "$last" "$st" > "$st.new"; mv "$st.new" "$st" ;;
                  *" -D "*) exit 1 ;;
                esac
                exit 0

                """,
            "ps": "exit 0\n", "tc": "exit 0\n", "ip6tables": "exit 1\n",
        ]
        let cluster = bareCluster(dataDir: NSTemporaryDirectory() + "pgdrill-nodata")
        try withStubs(stubs) { dir in
            let state = dir + "/chains"
            try "PGDRILL-ab12cd-IN\nPGDRILL-ab12cd-OUT\n".write(toFile: state, atomically: true, encoding: .utf8)
            let (status, out) = try shell("export PGD_STUB_STATE=\(state); PATH=\(dir):$PATH\n" + Commands.sweepScript(cluster))
            let calls = (try? String(contentsOfFile: state + ".calls", encoding: .utf8)) ?? ""
            #expect(status == 0, "\(out)\n\(calls)")
            #expect(out.contains("removed PGDRILL-ab12cd-IN/PGDRILL-ab12cd-OUT"), "\(out)")
            #expect(calls.contains("-X PGDRILL-ab12cd-IN") && calls.contains("-X PGDRILL-ab12cd-OUT"), "\(calls)")
            #expect(!calls.contains("-IN-IN") && !calls.contains("-OUT-IN"), "\(calls)")
            #expect(try String(contentsOfFile: state, encoding: .utf8).isEmpty)
        }
    }

    /// A chain that will not go is reported, and the sweep still fails after removing what it could.
    @Test func theSweepFailsWhenAChainStays() throws {
        let stubs = ["iptables": "case \" $* \" in *\" -S \"*) echo '-N PGDRILL-ee11-IN' ;; *\" -D \"*) exit 1 ;; esac\nexit 0\n", "ps": "exit 0\n", "tc": "exit 0\n", "ip6tables": "exit 1\n"]
        let cluster = bareCluster(dataDir: NSTemporaryDirectory() + "pgdrill-nodata")
        let (status, out) = try withStubs(stubs) { try shell("PATH=\($0):$PATH\n" + Commands.sweepScript(cluster)) }
        #expect(status == 1, "\(out)")
        #expect(out.contains("chains still present"), "\(out)")
        #expect(!out.contains("removed PGDRILL"), "\(out)")
    }
}

/// A cluster with nothing in it but a data directory: what the sweep script needs.
func bareCluster(dataDir: String) -> ClusterTarget {
    ClusterTarget(name: "c", manager: "patroni", protected: false,
                  ssh: .init(user: "root", port: 22, identityFile: "id", knownHostsFile: "k", connectTimeout: .seconds(1)),
                  nodes: [], proxies: [], dataDir: dataDir, binDir: "/b", pgPort: 5432, endpoints: [:],
                  nodeConninfo: [:], haproxyStats: nil, services: [:])
}

/// Issue 20, item 10: a fault command the runner gives up on is stopped on the host, with what it started.
@Suite struct BoundedApplyTests {
    @Test func aCommandPastItsDeadlineIsStoppedWithItsChildren() throws {
        let pidFile = NSTemporaryDirectory() + "pgdrill-bounded-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // A writer in the background (like a dd of the filler) and a foreground wait that outlives the deadline.
        let script = RemoteScript(host: "h", script: "sleep 300 & echo $! > \(pidFile)\nsleep 300", summary: "s").bounded(seconds: 1)
        let started = Date()
        let (status, out) = try shell("bash -c \(script.script.shellQuoted)")
        #expect(status == 124, "\(out)")
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(out.contains("still running after 1 s: stopped on the host"), "\(out)")
        let pid = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        var gone = false
        for _ in 0..<40 where !gone {
            gone = kill(pid, 0) != 0
            if !gone { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(gone, "the background child \(pid) of the timed-out command is still running")
        if !gone { kill(pid, SIGKILL) }
    }

    @Test func aCommandInTimeKeepsItsOutputAndStatus() throws {
        let script = RemoteScript(host: "h", script: "echo \"it's done\"; echo err >&2; exit 3", summary: "s").bounded(seconds: 30)
        let (status, out) = try shell(script.script)
        #expect(status == 3)
        #expect(out.contains("it's done") && out.contains("err") && !out.contains("still running"), "\(out)")
    }

    @Test func theUnforkedKillIsLeftAsItIs() {
        let kill = RemoteScript(host: "h", script: SSHSession.unforkedMarker + "\nkill -9 1234\ntrue", summary: "k")
        #expect(kill.bounded(seconds: 10) == kill)
    }
}

/// Issue 20, item 6: under plain streaming replication nobody demotes an old primary, so a rollback that
/// starts PostgreSQL by hand must not run while another node is primary.
@Suite struct SecondPrimaryGuardTests {
    let context = HostContext(name: "pg1", address: "10.0.0.11", dataDir: "/d", pgPort: 5432, binDir: "/b", peers: [],
                              services: [:], managerRestartsPostgres: false)

    func entry(startsPostgres: Bool) -> Journal.Entry {
        Journal.Entry(id: 1, runID: "r", drill: "d", host: "pg1", fault: "kill -KILL postgres on pg1", rollback: "pg_ctl start",
                      state: .pending, recordedAt: "", error: nil, hostAddress: nil, startsPostgres: startsPostgres)
    }

    @Test func aHandStartedPostgresIsMarkedAndPatroniIsNot() throws {
        let manual = try FaultAction.kill(processes: ["postgres"], signal: "KILL", on: .primary).hostFault(on: context, tag: "t1")
        #expect(manual.rollbackStartsPostgres)
        #expect(manual.rollback?.script.contains("pg_ctl start") == true)
        var patroni = context
        patroni.managerRestartsPostgres = true
        let managed = try FaultAction.kill(processes: ["postgres"], signal: "KILL", on: .primary).hostFault(on: patroni, tag: "t1")
        #expect(!managed.rollbackStartsPostgres)
    }

    @Test func itIsRefusedWhileAnotherNodeIsPrimaryOrNobodyCanTell() {
        let promoted = ClusterView(members: [.init(name: "pg1", role: "replica", state: "stopped"),
                                                .init(name: "pg2", role: "leader", state: "running")])
        let why = DrillRunner.secondPrimaryRefusal(entry(startsPostgres: true), view: promoted)
        #expect(why?.contains("pg2 is primary now") == true && why?.contains("second read-write primary") == true, "\(why ?? "nil")")
        #expect(DrillRunner.secondPrimaryRefusal(entry(startsPostgres: true), view: nil)?.contains("cannot see which node is primary") == true)
        let nobody = ClusterView(members: [.init(name: "pg1", role: "replica", state: "stopped"),
                                              .init(name: "pg2", role: "replica", state: "streaming")])
        #expect(DrillRunner.secondPrimaryRefusal(entry(startsPostgres: true), view: nobody) == nil)
    }
}

/// What a partition or loss needs, checked at pre-flight (issue 20: refuse where a fault cannot be made safe).
@Suite struct FirewallCapabilityTests {
    func check(_ stubs: [String: String], ipv6Peers: Bool = false) throws -> (Int32, String) {
        // PATH holds only the stubs and /usr/bin: the machine's own iptables (in /usr/sbin) stay out of reach.
        try withStubs(stubs) { try shell("PATH=\($0):/usr/bin\n" + FaultTemplates.firewallAvailable(ipv6Peers: ipv6Peers)) }
    }
    let lists = "[ \"$3\" = -S ] && exit 0; exit 0\n"
    let v6Address = "echo '    inet6 2001:db8::5/64 scope global'\n"

    @Test func noIptablesIsRefused() throws {
        let (status, out) = try check(["ip": "exit 0\n"])
        #expect(status == 3 && out.contains("iptables is not installed"), "\(out)")
    }

    @Test func aDualStackHostWithoutAUsableIp6tablesIsRefused() throws {
        let (status, out) = try check(["iptables": lists, "ip6tables": "echo 'ip6tables: no IPv6 support' >&2; exit 3\n", "ip": v6Address])
        #expect(status == 3 && out.contains("no usable ip6tables"), "\(out)")
        let (peers, peersOut) = try check(["iptables": lists, "ip": "exit 0\n"], ipv6Peers: true)
        #expect(peers == 3 && peersOut.contains("no usable ip6tables"), "\(peersOut)")
    }

    @Test func anIPv4OnlyHostNeedsOnlyIptables() throws {
        let (status, out) = try check(["iptables": lists, "ip": "exit 0\n"])
        #expect(status == 0, "\(out)")
        let (both, bothOut) = try check(["iptables": lists, "ip6tables": lists, "ip": v6Address])
        #expect(both == 0, "\(bothOut)")
    }
}
