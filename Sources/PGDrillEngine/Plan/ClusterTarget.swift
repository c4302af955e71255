import Foundation
import PGDrillModel

/// The cluster as the engine drives it: hosts, how to reach them, endpoints with their passfile applied.
/// Built from the cluster file (`ClusterTarget(spec:)`); the engine never reads YAML itself.
public struct ClusterTarget: Sendable {
    public struct Host: Sendable, Equatable {
        public var name: String
        public var address: String
        /// Patroni REST base URL (nodes of a Patroni cluster only).
        public var patroni: URL?
        public init(name: String, address: String, patroni: URL? = nil) {
            self.name = name
            self.address = address
            self.patroni = patroni
        }
    }

    public struct SSH: Sendable {
        public var user: String
        /// The remote shell runs as root through `sudo -n` (the cluster file's `ssh.sudo`).
        public var sudo: Bool = false
        public var port: Int
        public var identityFile: String
        /// An encrypted identity's passphrase source (read when connecting), and the ssh-agent instead of a file.
        public var passphrase: PassphraseSource? = nil
        public var agent: Bool = false
        public var knownHostsFile: String
        public var connectTimeout: Duration
        /// Every host is reached through this bastion (the cluster file's `ssh.jump`); nil: directly.
        public var jump: SSHJumpSettings? = nil
    }

    public var name: String
    public var manager: String
    public var protected: Bool
    public var ssh: SSH
    public var nodes: [Host]
    public var proxies: [Host]
    public var dataDir: String
    public var binDir: String
    public var pgPort: Int
    /// Endpoint name → full libpq conninfo (passfile added; never a password).
    public var endpoints: [String: String]
    /// Node name → conninfo for direct SQL to that node.
    public var nodeConninfo: [String: String]
    public var haproxyStats: URL?
    /// TLS and basic auth of the stats page, and of every Patroni REST API (passwords read at load).
    public var haproxyHTTP: HTTPCredentials = .none
    public var patroniHTTP: HTTPCredentials = .none
    /// Prometheus and Alertmanager (`monitoring:`), with their credentials read at load; nil: not watched.
    public var monitoring: (settings: MonitoringSettings, access: HTTPCredentials)?
    /// `haproxy.write_backend`; nil: discovered at pre-flight.
    public var haproxyWriteBackend: String?
    /// Where HAProxy's configuration is read over ssh (its check settings bound the routing phase): the proxy
    /// named by `haproxy.host`, else the proxy at the stats page's address; nil when neither is known.
    public var haproxyConfig: (host: String, path: String)?
    /// Endpoints the probe reads through (`kind: read`); every other endpoint is written and verified.
    public var readEndpoints: Set<String> = []
    public var services: [String: ServiceCommands]
    /// repmgr clusters: how to run repmgr on a node.
    public var repmgr: RepmgrManager.Settings?
    /// The backup repository and WAL archive, when the cluster file names one.
    public var backup: BackupSettings?
    /// How to provision and remove a host for `restore` steps.
    public var scratch: ScratchSettings?
    /// Conninfo for direct SQL on the scratch host once restored (built like a node's).
    public var scratchConninfo: String?
    /// A Patroni standby cluster in another region: its label and members (with their REST APIs).
    public var standbyCluster: (name: String, nodes: [Host])?

    /// The database nodes and proxies (and a standby cluster's nodes): every host pre-flight connects to and
    /// `check` inspects.
    public var allHosts: [Host] { nodes + proxies + (standbyCluster?.nodes ?? []) }

    /// What the journal stamps on its entries: every host a rollback can run on, by name, with its address.
    public var journalAddresses: [String: String] {
        let names = allHosts.map(\.name) + [Self.repositoryHostName, Self.scratchHostName]
        return Dictionary(names.compactMap { name in host(named: name).map { (name, $0.address) } }, uniquingKeysWith: { a, _ in a })
    }

    /// Names of the standby cluster's members (empty without one): health wants them streaming.
    public var standbyNodeNames: [String] { standbyCluster?.nodes.map(\.name) ?? [] }

    /// Host names of the repository and the scratch node: not in `allHosts` (the scratch node exists only
    /// during a restore), but reachable over SSH by these names. A `:` keeps them apart from file names.
    public static let repositoryHostName = "backup:repository"
    public static let scratchHostName = "backup:scratch"
    /// Host name for commands run on the runner's own machine (the scratch host's `create`/`destroy`). The `:`
    /// keeps it apart from every name a cluster file (or a Patroni member) can give a host: a node named
    /// `local` is a remote node like any other.
    public static let localHostName = "pgdrill:local"
    /// Journal host of rollbacks the runner carries out itself through the managers' APIs (a region
    /// failback): their `rollback` text is a plan, not a shell script.
    public static let internalHostName = "pgdrill:internal"

    public func host(named name: String) -> Host? {
        if let host = allHosts.first(where: { $0.name == name }) { return host }
        if name == Self.repositoryHostName, let backup { return Host(name: name, address: backup.host) }
        if name == Self.scratchHostName, let scratch { return Host(name: name, address: scratch.host) }
        return nil
    }

    /// What fault templates need to know about a host.
    public func context(for name: String) -> HostContext {
        let address = host(named: name)?.address ?? name
        var context = HostContext(
            name: name, address: address, dataDir: dataDir, pgPort: pgPort, binDir: binDir,
            // Peers are the other database nodes: `partition from: peers` cuts replication and the DCS
            // but leaves clients (proxies, the application) able to reach the node.
            peers: nodes.filter { $0.name != name }.map(\.address),
            services: services, managerRestartsPostgres: manager == "patroni",
            // repmgrd never restarts PostgreSQL, and a crashed primary must come back as a standby.
            postgresRestart: repmgr.map { FaultTemplates.repmgrRejoin($0, node: name, dataDir: dataDir,
                                                                      peers: nodes.filter { $0.name != name }.map(\.address)) })
        context.sshPort = ssh.port
        return context
    }

    public init(name: String, manager: String, protected: Bool, ssh: SSH, nodes: [Host], proxies: [Host], dataDir: String,
                binDir: String, pgPort: Int, endpoints: [String: String], nodeConninfo: [String: String],
                haproxyStats: URL?, services: [String: ServiceCommands], repmgr: RepmgrManager.Settings? = nil) {
        self.name = name
        self.manager = manager
        self.protected = protected
        self.ssh = ssh
        self.nodes = nodes
        self.proxies = proxies
        self.dataDir = dataDir
        self.binDir = binDir
        self.pgPort = pgPort
        self.endpoints = endpoints
        self.nodeConninfo = nodeConninfo
        self.haproxyStats = haproxyStats
        self.services = services
        self.repmgr = repmgr
    }
}

extension ClusterTarget {
    /// The engine's view of a loaded cluster file. Throws when a password source it names cannot be read.
    public init(spec: ClusterSpec) throws {
        var services: [String: ServiceCommands] = [:]
        for (component, commands) in spec.services { services["\(component)"] = commands }
        for component in ClusterComponent.allCases where services["\(component)"] == nil {
            services["\(component)"] = spec.commands(for: component)
        }
        var endpoints: [String: String] = [:]
        for e in spec.endpoints { endpoints[e.name] = spec.conninfo(endpoint: e) }
        var nodeConninfo: [String: String] = [:]
        for n in spec.nodes + (spec.standbyCluster?.nodes ?? []) { nodeConninfo[n.name] = spec.nodeConninfo(node: n) }
        self.init(
            name: spec.name, manager: "\(spec.manager)", protected: spec.isProtected,
            ssh: SSH(user: spec.ssh.user, sudo: spec.ssh.sudo, port: spec.ssh.port, identityFile: spec.ssh.identity,
                     passphrase: spec.ssh.passphrase, agent: spec.ssh.agent, knownHostsFile: spec.ssh.knownHosts,
                     connectTimeout: .microseconds(spec.ssh.connectTimeout.microseconds), jump: spec.ssh.jump),
            nodes: spec.nodes.map { Host(name: $0.name, address: $0.host, patroni: $0.patroniURL) },
            proxies: spec.proxies.map { Host(name: $0.name, address: $0.host) },
            dataDir: spec.postgres.dataDirectory, binDir: spec.postgres.binDirectory ?? "/usr/lib/postgresql/15/bin",
            pgPort: spec.postgres.port, endpoints: endpoints, nodeConninfo: nodeConninfo,
            haproxyStats: spec.haproxyStats, services: services,
            repmgr: spec.manager == .repmgr
                ? RepmgrManager.Settings(config: spec.repmgr.config, user: spec.repmgr.user, database: spec.repmgr.database,
                                         binDir: spec.postgres.binDirectory ?? "/usr/lib/postgresql/15/bin")
                : nil)
        haproxyWriteBackend = spec.haproxyWriteBackend
        let statsHost = spec.haproxyStats?.host
        if let proxy = spec.haproxyHost ?? spec.proxies.first(where: { $0.host == statsHost })?.name {
            haproxyConfig = (host: proxy, path: spec.haproxyConfig ?? "/etc/haproxy/haproxy.cfg")
        }
        haproxyHTTP = try HTTPCredentials(spec.haproxyAccess)
        patroniHTTP = try HTTPCredentials(spec.patroniAccess)
        if let m = spec.monitoring { monitoring = (m, try HTTPCredentials(m.access)) }
        readEndpoints = Set(spec.endpoints.filter { $0.kind == .read }.map(\.name))
        backup = spec.backup
        scratch = spec.scratch
        standbyCluster = spec.standbyCluster.map { sc in
            (name: sc.name, nodes: sc.nodes.map { Host(name: $0.name, address: $0.host, patroni: $0.patroniURL) })
        }
        scratchConninfo = spec.scratch.map { spec.nodeConninfo(node: ClusterNode(name: Self.scratchHostName, host: $0.host)) }
    }
}
