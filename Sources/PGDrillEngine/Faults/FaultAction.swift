import PGDrillModel

/// A fault step as the engine runs it: what to do, on which role (resolved when the step runs).
public enum FaultAction: Sendable, Equatable {
    case kill(processes: [String], signal: String, on: RoleReference)
    case stopService(String, on: RoleReference)
    case startService(String, on: RoleReference)
    case partition(FaultTemplates.PartitionScope, on: RoleReference)
    case fillDisk(DiskPath, bytes: Int64?, leave: Int64?, on: RoleReference)
    case walBurst(bytes: Int64, on: RoleReference)
    case pause(processes: [String], on: RoleReference)
    case loss(probability: Double, on: RoleReference)
    case latency(millis: Int, on: RoleReference)
    case switchover(to: RoleReference?)
    case failover(to: RoleReference)
    case shell(command: String, rollback: String?, on: RoleReference)
    case wait(micros: Int64)
    /// Holds the drill until every condition holds (ends the wait), bounded by `timeoutMicros`.
    case waitUntil([DrillPlan.Condition], timeoutMicros: Int64)
    /// Restore the latest backup onto a scratch host: to the end of the archive (`beforeDisasterMicros`
    /// nil) or to that long before the disaster moment.
    case restore(beforeDisasterMicros: Int64?, timeoutMicros: Int64)
    /// Cut every node of the cluster off (its own region's peers and the runner's ssh excepted), then after
    /// `promoteAfterMicros` promote the cluster file's standby cluster; rolled back by a failback.
    case regionFailover(promoteAfterMicros: Int64, replicationCutBeforeMicros: Int64, timeoutMicros: Int64)

    /// Where `fill_disk` writes its filler.
    public enum DiskPath: Sendable, Equatable {
        case pgWal, data
        case absolute(String)
    }

    /// The role the step acts on, if it acts on hosts.
    public var target: RoleReference? {
        switch self {
        case .kill(_, _, let on), .stopService(_, let on), .startService(_, let on), .partition(_, let on),
             .fillDisk(_, _, _, let on), .walBurst(_, let on), .pause(_, let on), .loss(_, let on),
             .latency(_, let on), .shell(_, _, let on):
            return on
        case .switchover, .failover, .wait, .waitUntil, .restore, .regionFailover:
            return nil
        }
    }

    /// True for steps whose effect is undone by rollback (and so is journalled).
    public var name: String {
        switch self {
        case .kill: "kill"
        case .stopService: "stop"
        case .startService: "start"
        case .partition: "partition"
        case .fillDisk: "fill_disk"
        case .walBurst: "wal_burst"
        case .pause: "pause"
        case .loss: "loss"
        case .latency: "latency"
        case .switchover: "switchover"
        case .failover: "failover"
        case .shell: "shell"
        case .wait, .waitUntil: "wait"
        case .restore: "restore"
        case .regionFailover: "region_failover"
        }
    }
}

/// One step of a drill's fault list, with the optional hold time after which it is rolled back.
public struct FaultStepPlan: Sendable, Equatable {
    public var action: FaultAction
    /// Roll this step back this long after it was applied (during observation); nil: at rollback.
    public var holdMicros: Int64?
    /// Where the step is in the drill file, for messages.
    public var line: Int?

    public init(action: FaultAction, holdMicros: Int64? = nil, line: Int? = nil) {
        self.action = action
        self.holdMicros = holdMicros
        self.line = line
    }
}

/// What running a step on one host means: the command that applies it and the one that undoes it.
public struct HostFault: Sendable, Equatable {
    public var host: String
    public var apply: RemoteScript
    /// nil: nothing to undo (e.g. a `start`, or a kill of PostgreSQL that Patroni restarts itself).
    public var rollback: RemoteScript?
    /// The rollback starts PostgreSQL by hand (`pg_ctl start`, no manager deciding its role): it must not
    /// run while another node is primary, or the cluster gets a second read-write primary.
    public var rollbackStartsPostgres = false

    public init(host: String, apply: RemoteScript, rollback: RemoteScript?, rollbackStartsPostgres: Bool = false) {
        self.host = host
        self.apply = apply
        self.rollback = rollback
        self.rollbackStartsPostgres = rollbackStartsPostgres
    }
}

/// What the engine knows about a host when it builds commands for it.
public struct HostContext: Sendable {
    public var name: String
    public var address: String
    public var dataDir: String
    public var pgPort: Int
    public var binDir: String
    /// The port the runner's ssh reaches the host on: partition and loss chains leave it open.
    public var sshPort: Int = 22
    public var peers: [String]
    public var services: [String: ServiceCommands]
    /// True when an HA manager (Patroni, repmgrd) restarts PostgreSQL itself.
    public var managerRestartsPostgres: Bool
    /// How to bring a killed PostgreSQL back when the manager does not (repmgr: rejoin as a standby);
    /// nil: `pg_ctl start`.
    public var postgresRestart: String?

    public init(name: String, address: String, dataDir: String, pgPort: Int, binDir: String, peers: [String],
                services: [String: ServiceCommands], managerRestartsPostgres: Bool, postgresRestart: String? = nil) {
        self.name = name
        self.address = address
        self.dataDir = dataDir
        self.pgPort = pgPort
        self.binDir = binDir
        self.peers = peers
        self.services = services
        self.managerRestartsPostgres = managerRestartsPostgres
        self.postgresRestart = postgresRestart
    }

    func service(_ name: String) throws -> ServiceCommands {
        if let s = services[name] { return s }
        let unit = name.shellQuoted
        return ServiceCommands(start: "systemctl start \(unit)", stop: "systemctl stop \(unit)", status: "systemctl is-active --quiet \(unit)")
    }
}

extension FaultAction {
    /// The processes a `kill` finds by name (the postmaster comes from its pid file): worth looking up before
    /// the decision (`FaultTemplates.processIDs`). Empty for every other action.
    public var processNamesToFind: [String] {
        guard case .kill(let processes, _, _) = self else { return [] }
        return processes.filter { $0 != "postgres" }
    }

    /// The apply and rollback commands for one host. `tag` makes names (chains, filler files) unique to
    /// this run and step, so a rollback touches only what this step created. The apply command ends by
    /// printing the node's clock (`EffectStamp`), for the decision → effect latency. `processHints`: the PIDs
    /// of a `kill`'s processes on this host found just before the decision (`FaultTemplates.processIDs`).
    public func hostFault(on host: HostContext, tag: String, processHints: [String: [Int]] = [:]) throws -> HostFault {
        var fault = try unstampedHostFault(on: host, tag: tag, processHints: processHints)
        // A `shell` step runs exactly what the drill file says (its latency is then the round trip).
        if case .shell = self { return fault }
        fault.apply.script = EffectStamp.appended(to: fault.apply.script)
        return fault
    }

    private func unstampedHostFault(on host: HostContext, tag: String, processHints: [String: [Int]]) throws -> HostFault {
        func script(_ s: String, _ summary: String) -> RemoteScript { RemoteScript(host: host.name, script: s, summary: summary) }
        switch self {
        case .kill(let processes, let signal, _):
            let apply = script(FaultTemplates.kill(processes: processes, signal: signal, dataDir: host.dataDir, hints: processHints),
                               "kill -\(FaultTemplates.signalName(signal)) \(processes.joined(separator: "+")) on \(host.name)")
            var undo: [String] = []
            var startsPostgres = false
            let sig = FaultTemplates.signalName(signal)
            for p in processes where FaultTemplates.stopsProcess(signal) {
                undo.append(FaultTemplates.resume(process: p))
            }
            if !FaultTemplates.stopsProcess(signal) && sig != "CONT" {
                // PostgreSQL first: a manager daemon (repmgrd) started before it would find no local node.
                for p in processes.sorted(by: { ($0 == "postgres" ? 0 : 1) < ($1 == "postgres" ? 0 : 1) }) {
                    if p == "postgres" {
                        // Patroni restarts PostgreSQL itself; repmgr needs a rejoin; under manual management, pg_ctl.
                        if let restart = host.postgresRestart {
                            // In a subshell: its `exit`s must not skip the restarts after it.
                            undo.append("(\n\(restart)\n) || exit $?")
                        } else if !host.managerRestartsPostgres {
                            startsPostgres = true
                            undo.append("runuser -u postgres -- \(host.binDir.shellQuoted)/pg_ctl status -D \(host.dataDir.shellQuoted) >/dev/null 2>&1 || runuser -u postgres -- \(host.binDir.shellQuoted)/pg_ctl start -w -t 60 -D \(host.dataDir.shellQuoted) -l /dev/null")
                        }
                    } else {
                        undo.append(try host.service(p).ensureRunning)
                    }
                }
            }
            return HostFault(host: host.name, apply: apply,
                             rollback: undo.isEmpty ? nil : script(undo.joined(separator: "\n"), "restart \(processes.joined(separator: "+")) on \(host.name) if down"),
                             rollbackStartsPostgres: startsPostgres)
        case .stopService(let name, _):
            let s = try host.service(name)
            return HostFault(host: host.name, apply: script(s.stop, "stop \(name) on \(host.name)"),
                             rollback: script(s.ensureRunning, "start \(name) on \(host.name)"))
        case .startService(let name, _):
            let s = try host.service(name)
            return HostFault(host: host.name, apply: script(s.ensureRunning, "start \(name) on \(host.name)"), rollback: nil)
        case .partition(let scope, _):
            return HostFault(host: host.name,
                             apply: script(FaultTemplates.partition(tag: tag, scope: scope, peers: host.peers, pgPort: host.pgPort, sshPort: host.sshPort),
                                           "partition \(host.name) from \(scope.rawValue) (iptables chains PGDRILL-\(tag)-IN/OUT)"),
                             rollback: script(FaultTemplates.removeChains(tag: tag), "heal partition of \(host.name)"))
        case .loss(let p, _):
            return HostFault(host: host.name,
                             apply: script(FaultTemplates.loss(tag: tag, probability: p, sshPort: host.sshPort), "drop \(Int(p * 100))% of packets on \(host.name)"),
                             rollback: script(FaultTemplates.removeChains(tag: tag), "stop packet loss on \(host.name)"))
        case .fillDisk(let path, let bytes, let leave, _):
            let dir: String
            switch path {
            case .pgWal: dir = host.dataDir + "/pg_wal"
            case .data: dir = host.dataDir
            case .absolute(let p): dir = p
            }
            let what = bytes.map { "\($0 >> 20) MiB" } ?? "until full"
            return HostFault(host: host.name,
                             apply: script(FaultTemplates.fillDisk(directory: dir, tag: tag, bytes: bytes, leave: leave),
                                           "fill \(dir) on \(host.name) (\(what)\(leave.map { ", leave \($0 >> 20) MiB" } ?? ""))"),
                             rollback: script(FaultTemplates.removeFiller(directory: dir, tag: tag), "remove filler in \(dir) on \(host.name)"))
        case .walBurst(let bytes, _):
            let mib = max(1, bytes >> 20)
            let sql = "SELECT count(pg_logical_emit_message(false, 'pgdrill', repeat('x', 1048576))) FROM generate_series(1, \(mib))"
            let psql = "cd / && runuser -u postgres -- \(host.binDir.shellQuoted)/psql -X -q -At -p \(host.pgPort) -d postgres -c \(sql.shellQuoted)"
            return HostFault(host: host.name, apply: script("\(psql) 2>&1; true", "generate \(mib) MiB of WAL on \(host.name)"), rollback: nil)
        case .pause(let processes, _):
            let names = processes.joined(separator: "+")
            return HostFault(host: host.name,
                             apply: script(processes.map(FaultTemplates.pause(process:)).joined(separator: "\n"), "SIGSTOP \(names) on \(host.name)"),
                             rollback: script(processes.map(FaultTemplates.resume(process:)).joined(separator: "\n"), "SIGCONT \(names) on \(host.name)"))
        case .latency(let ms, _):
            return HostFault(host: host.name, apply: script(FaultTemplates.latency(delayMillis: ms, sshPort: host.sshPort), "add \(ms) ms latency on \(host.name)"),
                             rollback: script(FaultTemplates.removeLatency, "remove latency on \(host.name)"))
        case .shell(let command, let rollback, _):
            return HostFault(host: host.name, apply: script(command, "shell on \(host.name): \(command.prefix(60))"),
                             rollback: rollback.flatMap { $0.isEmpty ? nil : script($0, "shell rollback on \(host.name)") })
        case .switchover, .failover, .wait, .waitUntil, .restore, .regionFailover:
            preconditionFailure("\(name) does not run on a host")
        }
    }
}
