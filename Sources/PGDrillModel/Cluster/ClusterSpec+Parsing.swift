import Foundation

extension ClusterSpec {
    static let keys = ["name", "manager", "protected", "ssh", "nodes", "proxies", "postgres", "endpoints", "haproxy", "patroni_api", "services", "repmgr", "backup", "scratch", "standby_cluster", "monitoring"]

    /// Reads and validates a composed cluster file. Relative paths are resolved against `directory`.
    init(document: YAMLDocument, directory: URL) throws(DrillFileError) {
        let file = document.file
        let root = try MappingReader(document.root, file: file, context: "cluster file", allowed: Self.keys,
                                     example: "name: lab\nmanager: patroni\nnodes: [...]")
        let name = try root.required("name", example: "name: staging").drillName()
        let manager: ClusterManager = try root.required("manager", example: "manager: patroni").choice()
        let paths = PathResolver(directory: directory)
        let nodes = try Self.parseNodes(root.required("nodes", example: "nodes: [{ name: pg1, host: 10.0.0.11 }]"), manager: manager)
        let proxies = try root["proxies"].map(Self.parseProxies) ?? []
        let haproxy = try root["haproxy"]?.mapping(allowed: ["stats", "write_backend", "config", "host"] + HTTPAccess.keys,
                                                   example: "haproxy: { stats: \"http://10.0.0.5:7000/;csv\", write_backend: write }")
        let patroniAPI = try root["patroni_api"]?.mapping(allowed: HTTPAccess.keys,
                                                          example: "patroni_api: { cafile: tls/ca.crt, username: pgdrill, password_file: secrets/patroni-api }")
        let standby = try root["standby_cluster"].map { field throws(DrillFileError) in try Self.parseStandbyCluster(field, manager: manager) }
        try Self.checkUniqueNames(nodes.map { ($0.name, $0.mark) } + proxies.map { ($0.name, $0.mark) }
                                  + (standby?.nodes ?? []).map { ($0.name, $0.mark) }, file: file)

        self.init(
            name: name,
            manager: manager,
            isProtected: try root["protected"]?.bool() ?? false,
            ssh: try SSHSettings(root.required("ssh", example: "ssh: { identity: ssh/id_ed25519, known_hosts: ssh/known_hosts }"), paths: paths),
            nodes: nodes,
            proxies: proxies,
            postgres: try PostgresSettings(root.required("postgres", example: "postgres: { data_dir: /var/lib/postgresql/15/main }"), paths: paths),
            endpoints: try Self.parseEndpoints(root.required("endpoints", example: "endpoints: { write: \"host=10.0.0.2 port=5000 dbname=app user=drill\" }")),
            haproxyStats: try haproxy?.required("stats").httpURL(),
            haproxyWriteBackend: try haproxy?["write_backend"]?.text(),
            haproxyAccess: try haproxy.map { m throws(DrillFileError) in try HTTPAccess(m, setting: "haproxy", paths: paths) } ?? HTTPAccess(setting: "haproxy"),
            patroniAccess: try patroniAPI.map { m throws(DrillFileError) in try HTTPAccess(m, setting: "patroni_api", paths: paths) } ?? HTTPAccess(setting: "patroni_api"),
            services: try root["services"].map(Self.parseServices) ?? [:],
            repmgr: try Self.parseRepmgr(root["repmgr"], manager: manager),
            backup: try root["backup"].map(BackupSettings.init),
            scratch: try root["scratch"].map(ScratchSettings.init),
            standbyCluster: standby,
            file: file
        )
        monitoring = try root["monitoring"].map { field throws(DrillFileError) in try MonitoringSettings(field, paths: paths) }
        haproxyConfig = try haproxy?["config"]?.remotePath()
        if let host = haproxy?["host"] {
            let proxy = try host.text()
            guard proxies.contains(where: { $0.name == proxy }) else {
                throw host.error(.invalidValue, "names '\(proxy)', which is not one of the cluster file's proxies",
                                 hint: proxies.isEmpty ? "list HAProxy's host under proxies: [{ name: px, host: 10.0.0.2 }]"
                                                       : "use one of: \(proxies.map(\.name).joined(separator: ", "))")
            }
            haproxyHost = proxy
        }
    }

    private static func parseNodes(_ field: Field, manager: ClusterManager) throws(DrillFileError) -> [ClusterNode] {
        let items = try field.list(example: "nodes: [{ name: pg1, host: 10.0.0.11, patroni: \"http://10.0.0.11:8008\" }]")
        guard !items.isEmpty else {
            throw field.error(.invalidValue, "must list at least one database node")
        }
        var nodes: [ClusterNode] = []
        for item in items {
            let node = try MappingReader(item.node, file: field.file, context: "node", allowed: ["name", "host", "patroni"],
                                         example: "{ name: pg1, host: 10.0.0.11, patroni: \"http://10.0.0.11:8008\" }")
            let patroni: URL?
            if let patroniField = node["patroni"] {
                patroni = try patroniField.httpURL()
            } else if manager == .patroni {
                _ = try node.required("patroni", example: "patroni: \"http://10.0.0.11:8008\" (the manager is patroni)")
                patroni = nil
            } else {
                patroni = nil
            }
            nodes.append(ClusterNode(name: try node.required("name").resourceName(),
                                     host: try node.required("host").host(),
                                     patroniURL: patroni, mark: node.mark))
        }
        return nodes
    }

    /// `standby_cluster: { name: dr, nodes: [...] }`: Patroni clusters only; every node with its REST API.
    private static func parseStandbyCluster(_ field: Field, manager: ClusterManager) throws(DrillFileError) -> StandbyClusterSettings {
        guard manager == .patroni else {
            throw field.error(.conflict, "is a Patroni standby cluster; this cluster's manager is '\(manager)'",
                              hint: "remove standby_cluster, or describe a Patroni cluster")
        }
        let map = try field.mapping(allowed: ["name", "nodes"],
                                    example: "standby_cluster: { name: dr, nodes: [{ name: dr1, host: 10.1.0.11, patroni: \"http://10.1.0.11:8008\" }] }")
        let name = try map["name"]?.resourceName() ?? "standby"
        let nodes = try parseNodes(map.required("nodes", example: "nodes: [{ name: dr1, host: 10.1.0.11, patroni: \"http://10.1.0.11:8008\" }]"),
                                   manager: .patroni)
        return StandbyClusterSettings(name: name, nodes: nodes, mark: map.mark)
    }

    private static func parseProxies(_ field: Field) throws(DrillFileError) -> [ProxyHost] {
        var proxies: [ProxyHost] = []
        for item in try field.list(example: "proxies: [{ name: px, host: 10.0.0.2 }]") {
            let proxy = try MappingReader(item.node, file: field.file, context: "proxy", allowed: ["name", "host"],
                                          example: "{ name: px, host: 10.0.0.2 }")
            proxies.append(ProxyHost(name: try proxy.required("name").resourceName(),
                                     host: try proxy.required("host").host(), mark: proxy.mark))
        }
        return proxies
    }

    /// Node and proxy names share one namespace: a drill's target must mean exactly one host.
    private static func checkUniqueNames(_ names: [(String, SourceMark?)], file: String) throws(DrillFileError) {
        var seen: [String: SourceMark?] = [:]
        for (name, mark) in names {
            if let first = seen[name] {
                throw DrillFileError(.duplicateName, file: file, at: mark,
                                     message: "host name '\(name)' is used twice (first at \(first.map(\.description) ?? "?"))",
                                     hint: "node and proxy names must be unique: drills refer to hosts by name")
            }
            seen[name] = mark
        }
    }

    private static func parseEndpoints(_ field: Field) throws(DrillFileError) -> [Endpoint] {
        let map = try field.mapping(allowed: nil, example: "{ write: \"host=10.0.0.2 port=5000 dbname=app user=drill\" }")
        var endpoints: [Endpoint] = []
        for key in map.keys {
            let value = map[key]!
            guard ResourceName.isValid(key) else {
                throw DrillFileError(.invalidValue, file: field.file, at: value.keyMark,
                                     message: "endpoint name '\(key)' must be lower-case letters, digits and '_.-'")
            }
            if case .mapping = value.node {
                let m = try value.mapping(allowed: ["conninfo", "kind"], example: "\(key): { conninfo: \"host=… port=…\", kind: read }")
                let kind: Endpoint.Kind = try m.required("kind", example: "kind: write").choice()
                endpoints.append(Endpoint(name: key, conninfo: try m.required("conninfo", example: "conninfo: \"host=… port=…\"").conninfo(),
                                          kind: kind, mark: value.keyMark))
            } else {
                // The probe's kind is never guessed: a name that reads like a read endpoint ("read",
                // "direct-read-write") must say which it is, or its reads would be verified as lost writes
                // (or its writes never verified).
                if key.contains("read") {
                    throw DrillFileError(.invalidValue, file: field.file, at: value.keyMark,
                                         message: "endpoint '\(key)' does not say whether the probe writes or reads through it",
                                         hint: "write it as \(key): { conninfo: \"…\", kind: read } (or kind: write)")
                }
                endpoints.append(Endpoint(name: key, conninfo: try value.conninfo(), mark: value.keyMark))
            }
        }
        if let write = endpoints.first(where: { $0.name == "write" }), write.kind != .write {
            throw DrillFileError(.invalidValue, file: field.file, at: write.mark,
                                 message: "endpoint 'write' has kind: read, but the write probe needs it to take writes",
                                 hint: "give the read endpoint another name, and 'write' a conninfo that reaches the primary")
        }
        guard endpoints.contains(where: { $0.name == "write" }) else {
            throw DrillFileError(.missingKey, file: field.file, at: map.mark,
                                 message: "missing required endpoint 'write' in 'endpoints'",
                                 hint: "the write probe needs it: write: \"host=... port=... dbname=... user=...\"")
        }
        return endpoints
    }

    /// `repmgr: { config: /etc/repmgr.conf, user: postgres, database: repmgr }`, only where repmgr manages.
    private static func parseRepmgr(_ field: Field?, manager: ClusterManager) throws(DrillFileError) -> RepmgrSettings {
        guard let field else { return RepmgrSettings() }
        guard manager == .repmgr else {
            throw field.error(.conflict, "is only for clusters with 'manager: repmgr' (this one says '\(manager)')")
        }
        let map = try field.mapping(allowed: ["config", "user", "database"],
                                    example: "repmgr: { config: /etc/repmgr.conf, user: postgres, database: repmgr }")
        let defaults = RepmgrSettings()
        let config = try map["config"]?.remotePath(allowing: "{node}") ?? defaults.config
        if let configField = map["config"], config.contains(where: { "'\"$`\\".contains($0) }) {
            throw configField.error(.invalidValue, "must not contain quotes, '$', '`' or '\\' (it is used in remote commands)")
        }
        var user = defaults.user
        if let userField = map["user"] {
            user = try userField.scalar()
            guard user.first.map({ $0 == "_" || ("a"..."z").contains($0) }) == true, user.count <= 32,
                  user.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
            else { throw userField.error(.invalidValue, "must be a user name like postgres, got \(ValueParseError.quoted(user))") }
        }
        var database = defaults.database
        if let dbField = map["database"] {
            database = try dbField.text()
            guard database.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
                throw dbField.error(.invalidValue, "must be a plain database name, got \(ValueParseError.quoted(database))")
            }
        }
        return RepmgrSettings(config: config, user: user, database: database)
    }

    private static func parseServices(_ field: Field) throws(DrillFileError) -> [ClusterComponent: ServiceCommands] {
        let map = try field.mapping(allowed: ClusterComponent.allCases.map(\.rawValue))
        var services: [ClusterComponent: ServiceCommands] = [:]
        for key in map.keys {
            let commands = try map[key]!.mapping(allowed: ["start", "stop", "status"],
                                                 example: "{ start: \"...\", stop: \"...\", status: \"...\" }")
            services[ClusterComponent(rawValue: key)!] = ServiceCommands(
                start: try commands.required("start").text(),
                stop: try commands.required("stop").text(),
                status: try commands.required("status").text())
        }
        return services
    }
}

extension SSHSettings {
    init(_ field: Field, paths: PathResolver) throws(DrillFileError) {
        let ssh = try field.mapping(allowed: ["user", "sudo", "port", "identity", "passphrase_file", "passphrase_env", "agent",
                                               "known_hosts", "connect_timeout", "jump"])
        let user = try ssh["user"].map(Self.userName) ?? "root"
        let agent = try ssh["agent"]?.bool() ?? false
        if agent, let identity = ssh["identity"] {
            throw identity.error(.conflict, "and 'agent: true' both say how to authenticate",
                                 hint: "keep one: the key file, or the keys of your ssh-agent")
        }
        if agent, let f = ssh["passphrase_file"] ?? ssh["passphrase_env"] {
            throw f.error(.conflict, "is for an encrypted key file; with 'agent: true' the agent holds the decrypted key",
                          hint: "remove it, or use identity: with it instead of agent")
        }
        let passphrase = try SecretSource(ssh, key: "passphrase", of: "the key's passphrase", paths: paths)
        self.init(
            user: user,
            sudo: try ssh["sudo"]?.bool() ?? false,
            port: try ssh["port"]?.int(in: 1...65535) ?? 22,
            identity: agent ? "" : try paths.resolve(ssh.required("identity", example: "identity: ssh/id_ed25519 (or agent: true)")),
            passphrase: passphrase,
            agent: agent,
            knownHosts: try paths.resolve(ssh.required("known_hosts", example: "known_hosts: ssh/known_hosts")),
            connectTimeout: try ssh["connect_timeout"]?.duration(in: .milliseconds(100)...(.seconds(120))) ?? .seconds(5)
        )
        jump = try ssh["jump"].map { field throws(DrillFileError) in try SSHJumpSettings(field, defaults: self, paths: paths) }
    }

    /// A login name as `useradd` accepts it.
    static func userName(_ field: Field) throws(DrillFileError) -> String {
        let user = try field.scalar()
        guard user.first.map({ $0 == "_" || ("a"..."z").contains($0) }) == true,
              user.count <= 32, user.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
        else {
            throw field.error(.invalidValue, "must be a user name like root or postgres, got \(ValueParseError.quoted(user))")
        }
        return user
    }
}

extension SSHJumpSettings {
    /// `ssh.jump`; what it omits comes from the top-level `defaults`. A key named here (identity or agent)
    /// replaces the top-level way of authenticating, passphrase included: it belongs to that key.
    init(_ field: Field, defaults: SSHSettings, paths: PathResolver) throws(DrillFileError) {
        let jump = try field.mapping(allowed: ["host", "user", "port", "identity", "passphrase_file", "passphrase_env", "agent", "known_hosts"],
                                     example: "jump: { host: bastion.example, user: dba }")
        let host = try jump.required("host", example: "host: bastion.example").scalar(expecting: "a host name or address")
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace || $0 == "/" || $0 == "@" }) else {
            throw jump["host"]!.error(.invalidValue, "must be a host name or address, got \(ValueParseError.quoted(host))",
                                      hint: "put the user in jump.user and the port in jump.port")
        }
        let identityField = jump["identity"]
        let agentField = jump["agent"]
        let passphraseField = jump["passphrase_file"] ?? jump["passphrase_env"]
        let agent = try agentField?.bool() ?? (identityField == nil && defaults.agent)
        if agent, let identityField {
            throw identityField.error(.conflict, "and 'agent: true' both say how to authenticate to the jump host",
                                      hint: "keep one: the key file, or the keys of your ssh-agent")
        }
        if let passphraseField, identityField == nil {
            throw passphraseField.error(.conflict, "belongs to an encrypted jump.identity, and this jump host names none",
                                        hint: agent ? "remove it: the agent holds the decrypted key"
                                                    : "add jump.identity beside it, or remove it to use ssh.identity and its passphrase")
        }
        let identity: String
        let passphrase: PassphraseSource?
        if agent {
            (identity, passphrase) = ("", nil)
        } else if let identityField {
            (identity, passphrase) = (try paths.resolve(identityField), try SecretSource(jump, key: "passphrase", of: "the jump host key's passphrase", paths: paths))
        } else if !defaults.identity.isEmpty {
            (identity, passphrase) = (defaults.identity, defaults.passphrase)
        } else {
            throw (agentField ?? field).error(.missingKey, "leaves the jump host without a key: ssh uses the agent, and this says agent: false",
                                              hint: "add jump.identity: the key file the jump host accepts")
        }
        self.init(
            host: host,
            port: try jump["port"]?.int(in: 1...65535) ?? 22,
            user: try jump["user"].map(SSHSettings.userName) ?? defaults.user,
            identity: identity, passphrase: passphrase, agent: agent,
            knownHosts: try jump["known_hosts"].map(paths.resolve) ?? defaults.knownHosts)
    }
}

extension PostgresSettings {
    init(_ field: Field, paths: PathResolver) throws(DrillFileError) {
        let postgres = try field.mapping(allowed: ["port", "data_dir", "bin_dir", "passfile", "node_conninfo"])
        let nodeConninfo = try postgres["node_conninfo"]?.conninfo() ?? ""
        if let conninfoField = postgres["node_conninfo"] {
            guard !Conninfo.isURI(nodeConninfo) else {
                throw conninfoField.error(.invalidValue, "must be in key=value form (pgdrill adds host and port per node)")
            }
            let given = (try? Conninfo.keys(nodeConninfo)) ?? []
            if let key = ["host", "hostaddr", "port"].first(where: given.contains) {
                throw conninfoField.error(.conflict, "must not set '\(key)': pgdrill adds each node's host and the postgres port",
                                          hint: "remove '\(key)=' from node_conninfo; set the port as postgres.port")
            }
        }
        self.init(
            port: try postgres["port"]?.int(in: 1...65535) ?? 5432,
            dataDirectory: try postgres.required("data_dir", example: "data_dir: /var/lib/postgresql/15/main").remotePath(),
            binDirectory: try postgres["bin_dir"]?.remotePath(),
            passfile: try postgres["passfile"].map(paths.resolve),
            nodeConninfo: nodeConninfo
        )
    }
}

extension BackupSettings {
    init(_ field: Field) throws(DrillFileError) {
        let backup = try field.mapping(allowed: ["tool", "stanza", "host", "command"],
                                       example: "backup: { tool: pgbackrest, stanza: main, host: 10.0.0.5 }")
        self.init(
            tool: try backup["tool"]?.choice() ?? .pgbackrest,
            stanza: try backup.required("stanza", example: "stanza: main").resourceName(),
            host: try backup.required("host", example: "host: 10.0.0.5 (the repository host)").host(),
            command: try backup["command"]?.text() ?? "pgbackrest",
            mark: backup.mark
        )
    }
}

extension ScratchSettings {
    init(_ field: Field) throws(DrillFileError) {
        let scratch = try field.mapping(allowed: ["host", "create", "destroy"],
                                        example: "scratch: { host: 10.0.0.20, create: \"...\", destroy: \"...\" }")
        self.init(
            host: try scratch.required("host", example: "host: 10.0.0.20").host(),
            create: try scratch.required("create", example: "create: \"provision-restore-host\"").text(),
            destroy: try scratch.required("destroy", example: "destroy: \"remove-restore-host\"").text(),
            mark: scratch.mark
        )
    }
}

extension SecretSource {
    /// `<key>_file` or `<key>_env` of a mapping (one at most); nil when neither is set.
    init?(_ map: MappingReader, key: String, of what: String, paths: PathResolver) throws(DrillFileError) {
        let fileField = map[key + "_file"], envField = map[key + "_env"]
        if let fileField, envField != nil {
            throw fileField.error(.conflict, "and '\(key)_env' are both set", hint: "name one source of \(what)")
        }
        if let fileField {
            self = .file(try paths.resolve(fileField))
        } else if let envField {
            let name = try envField.scalar()
            guard name.first.map({ $0 == "_" || $0.isLetter }) == true, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                throw envField.error(.invalidValue, "must be an environment variable name like PGDRILL_\(key.uppercased()), got \(ValueParseError.quoted(name))")
            }
            self = .environment(name)
        } else {
            return nil
        }
    }
}

extension HTTPAccess {
    /// The TLS and credential keys of `patroni_api:` or `haproxy:` (`HTTPAccess.keys`), in a mapping that may
    /// hold others.
    init(_ map: MappingReader, setting: String, paths: PathResolver) throws(DrillFileError) {
        let certFile = try map["certfile"].map(paths.resolve), keyFile = try map["keyfile"].map(paths.resolve)
        if (certFile == nil) != (keyFile == nil), let given = map["certfile"] ?? map["keyfile"] {
            throw given.error(.missingKey, "needs its pair: a client certificate is certfile and keyfile together",
                              hint: "set both \(setting).certfile and \(setting).keyfile, or neither")
        }
        let username = try map["username"]?.scalar()
        let password = try SecretSource(map, key: "password", of: "the \(setting) password", paths: paths)
        if username == nil, let given = map["password_file"] ?? map["password_env"] {
            throw given.error(.missingKey, "needs \(setting).username: basic auth is a user and a password",
                              hint: "add username: beside it")
        }
        if username != nil, password == nil, let given = map["username"] {
            throw given.error(.missingKey, "needs a password source: \(setting).password_file or \(setting).password_env",
                              hint: "the password itself never goes into the cluster file")
        }
        self.init(setting: setting, caFile: try map["cafile"].map(paths.resolve), certFile: certFile, keyFile: keyFile,
                  username: username, password: password)
    }
}
