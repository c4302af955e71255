import Foundation

/// One cluster's inventory, as read from a cluster file: the contract between the lab, the loader and
/// the engine. The same drill runs unchanged against every cluster described this way.
///
/// Roles (primary, standbys) are not in here: they are discovered at run time.
public struct ClusterSpec: Sendable, Hashable {
    /// `[a-z0-9-]` name; interactive runs ask the operator to type it before injecting faults.
    public var name: String
    public var manager: ClusterManager
    /// Destructive drills are refused unless explicitly overridden.
    public var isProtected: Bool
    public var ssh: SSHSettings
    /// Database nodes, in file order; at least one.
    public var nodes: [ClusterNode]
    /// Other hosts (HAProxy, PgBouncer), in file order.
    public var proxies: [ProxyHost]
    public var postgres: PostgresSettings
    /// Endpoints in file order; one is named `write`.
    public var endpoints: [Endpoint]
    /// HAProxy's CSV stats page, when there is an HAProxy to watch.
    public var haproxyStats: URL?
    /// The HAProxy backend that routes writes (`haproxy.write_backend`); nil: discovered from the stats at
    /// pre-flight (the backend whose only UP server is the primary).
    public var haproxyWriteBackend: String?
    /// TLS and basic auth of the stats page (`haproxy: { cafile, username, password_file, … }`).
    public var haproxyAccess: HTTPAccess
    /// HAProxy's configuration file on its host (`haproxy.config`; nil: `/etc/haproxy/haproxy.cfg`), read at
    /// pre-flight for the write backend's check settings (inter, fall, rise), which bound the routing phase.
    public var haproxyConfig: String?
    /// The proxy (a `proxies:` name) HAProxy runs on (`haproxy.host`; nil: the proxy at the stats page's address).
    public var haproxyHost: String?
    /// TLS and basic auth of every node's Patroni REST API (`patroni_api:`).
    public var patroniAccess: HTTPAccess
    /// Service commands given in the file; `commands(for:)` fills in the systemd defaults.
    public var services: [ClusterComponent: ServiceCommands]
    /// How to reach repmgr (repmgr clusters; defaults when the file has no `repmgr:`).
    public var repmgr: RepmgrSettings
    /// The backup repository and WAL archive, when the cluster file names one.
    public var backup: BackupSettings?
    /// How to provision and remove a host for `restore` steps, when the cluster file says.
    public var scratch: ScratchSettings?
    /// A Patroni standby cluster in another region, when the cluster file names one.
    public var standbyCluster: StandbyClusterSettings?
    /// Prometheus and Alertmanager watching this cluster (`monitoring:`); nil: drills cannot judge alerts.
    public var monitoring: MonitoringSettings?
    /// The cluster file as the user named it, for messages.
    public var file: String

    public init(name: String, manager: ClusterManager, isProtected: Bool = false, ssh: SSHSettings,
                nodes: [ClusterNode], proxies: [ProxyHost] = [], postgres: PostgresSettings,
                endpoints: [Endpoint], haproxyStats: URL? = nil, haproxyWriteBackend: String? = nil,
                haproxyAccess: HTTPAccess = .init(setting: "haproxy"), patroniAccess: HTTPAccess = .init(setting: "patroni_api"),
                services: [ClusterComponent: ServiceCommands] = [:], repmgr: RepmgrSettings = .init(),
                backup: BackupSettings? = nil, scratch: ScratchSettings? = nil, standbyCluster: StandbyClusterSettings? = nil,
                file: String = "<cluster>") {
        self.name = name
        self.manager = manager
        self.isProtected = isProtected
        self.ssh = ssh
        self.nodes = nodes
        self.proxies = proxies
        self.postgres = postgres
        self.endpoints = endpoints
        self.haproxyStats = haproxyStats
        self.haproxyWriteBackend = haproxyWriteBackend
        self.haproxyAccess = haproxyAccess
        self.patroniAccess = patroniAccess
        self.services = services
        self.repmgr = repmgr
        self.backup = backup
        self.scratch = scratch
        self.standbyCluster = standbyCluster
        self.file = file
    }

    public func node(named name: String) -> ClusterNode? {
        nodes.first { $0.name == name }
    }

    public func proxy(named name: String) -> ProxyHost? {
        proxies.first { $0.name == name }
    }

    public func endpoint(named name: String) -> Endpoint? {
        endpoints.first { $0.name == name }
    }

    /// How to start, stop and query `component`: the file's commands or systemd's.
    public func commands(for component: ClusterComponent) -> ServiceCommands {
        services[component] ?? .systemd(component)
    }
}
