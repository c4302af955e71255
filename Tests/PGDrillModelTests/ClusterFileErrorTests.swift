import Testing
@testable import PGDrillModel

private func cluster(_ lines: String...) -> String {
    lines.joined(separator: "\n") + "\n"
}

private let name = "name: c"
private let manager = "manager: patroni"
private let ssh = "ssh: { identity: k, known_hosts: kh }"
private let nodes = "nodes:"
private let pg1 = "  - { name: pg1, host: 10.0.0.1, patroni: \"http://10.0.0.1:8008\" }"
private let postgres = "postgres: { data_dir: /d }"
private let endpoints = "endpoints:"
private let write = "  write: \"host=10.0.0.9 port=5000 dbname=app user=drill\""

let badClusters: [BadInput] = [
    // The probe's kind is never guessed from the name: these were once read (or not verified) by name.
    BadInput("endpoint whose name says read, without a kind", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "  direct-read-write: \"host=x\""),
             at: 9, 3, .invalidValue, "endpoint 'direct-read-write' does not say whether the probe writes or reads through it"),
    BadInput("write endpoint of kind read", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, "  write: { conninfo: \"host=x\", kind: read }"),
             at: 8, 3, .invalidValue, "endpoint 'write' has kind: read"),
    BadInput("unknown endpoint kind", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "  replica: { conninfo: \"host=x\", kind: standby }"),
             at: 9, 40, .invalidValue, "'kind' must be one of"),
    BadInput("no nodes", cluster(name, manager, ssh, "nodes: []", postgres, endpoints, write),
             at: 4, 8, .invalidValue, "'nodes' must list at least one database node"),
    BadInput("duplicate node names", cluster(name, manager, ssh, nodes, pg1, "  - { name: pg1, host: 10.0.0.2, patroni: \"http://10.0.0.2:8008\" }", postgres, endpoints, write),
             at: 6, 5, .duplicateName, "host name 'pg1' is used twice (first at 5:5)"),
    BadInput("proxy named like a node", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "proxies: [{ name: pg1, host: 10.0.0.3 }]"),
             at: 9, 11, .duplicateName, "host name 'pg1' is used twice"),
    BadInput("upper-case node name", cluster(name, manager, ssh, nodes, "  - { name: PG1, host: 10.0.0.1, patroni: \"http://10.0.0.1:8008\" }", postgres, endpoints, write),
             at: 5, 13, .invalidValue, "'name' must be lower-case letters, digits and '_.-'"),
    BadInput("host with shell characters", cluster(name, manager, ssh, nodes, "  - { name: pg1, host: \"h; rm -rf /\", patroni: \"http://10.0.0.1:8008\" }", postgres, endpoints, write),
             at: 5, 24, .invalidValue, "'host' is not a valid host name"),
    BadInput("bad IPv4 address", cluster(name, manager, ssh, nodes, "  - { name: pg1, host: 10.0.0.256, patroni: \"http://10.0.0.1:8008\" }", postgres, endpoints, write),
             at: 5, 24, .invalidValue, "'host' is not a valid IPv4 address, got '10.0.0.256'"),
    BadInput("bad IPv6 address", cluster(name, manager, ssh, nodes, "  - { name: pg1, host: \"fd00::g\", patroni: \"http://10.0.0.1:8008\" }", postgres, endpoints, write),
             at: 5, 24, .invalidValue, "'host' is not a valid IPv6 address"),
    BadInput("misspelt manager", cluster(name, "manager: patrony", ssh, nodes, pg1, postgres, endpoints, write),
             at: 2, 10, .invalidValue, "'manager' must be one of patroni, repmgr and streaming, got 'patrony' (did you mean 'patroni'?)"),
    BadInput("patroni URL missing", cluster(name, manager, ssh, nodes, "  - { name: pg1, host: 10.0.0.1 }", postgres, endpoints, write),
             at: 5, 5, .missingKey, "missing required key 'patroni' in node"),
    BadInput("patroni URL is not http", cluster(name, manager, ssh, nodes, "  - { name: pg1, host: 10.0.0.1, patroni: \"ftp://10.0.0.1\" }", postgres, endpoints, write),
             at: 5, 43, .invalidValue, "'patroni' must be an http:// or https:// URL"),
    BadInput("password in key=value conninfo", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, "  write: \"host=x password=hunter2\""),
             at: 8, 10, .secret, "put the password in a passfile/.pgpass, not the cluster file"),
    BadInput("password in URI conninfo", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, "  write: \"postgresql://u:hunter2@h/db\""),
             at: 8, 10, .secret, "put the password in a passfile/.pgpass, not the cluster file"),
    BadInput("no write endpoint", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, "  read: { conninfo: \"host=x\", kind: read }"),
             at: 8, 3, .missingKey, "missing required endpoint 'write' in 'endpoints'"),
    BadInput("unterminated quote in conninfo", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, "  write: \"host='x\""),
             at: 8, 10, .invalidValue, "'write' is not a valid libpq conninfo: it has an unterminated quoted value for 'host'"),
    BadInput("invalid endpoint name", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, "  Write: \"host=x\""),
             at: 8, 3, .invalidValue, "endpoint name 'Write' must be lower-case"),
    BadInput("node_conninfo sets host", cluster(name, manager, ssh, nodes, pg1, "postgres: { data_dir: /d, node_conninfo: \"host=a dbname=x\" }", endpoints, write),
             at: 6, 42, .conflict, "'node_conninfo' must not set 'host'"),
    BadInput("relative data_dir", cluster(name, manager, ssh, nodes, pg1, "postgres: { data_dir: data }", endpoints, write),
             at: 6, 23, .invalidValue, "'data_dir' must be an absolute path (starting with '/'), got 'data'"),
    BadInput("ssh port out of range", cluster(name, manager, "ssh: { identity: k, known_hosts: kh, port: 70000 }", nodes, pg1, postgres, endpoints, write),
             at: 3, 44, .invalidValue, "'port' must be a whole number from 1 to 65535, got '70000'"),
    BadInput("ssh connect_timeout zero", cluster(name, manager, "ssh: { identity: k, known_hosts: kh, connect_timeout: 0s }", nodes, pg1, postgres, endpoints, write),
             at: 3, 55, .invalidValue, "'connect_timeout' must be from 100ms to 2m, got 0s"),
    BadInput("ssh without known_hosts", cluster(name, manager, "ssh: { identity: k }", nodes, pg1, postgres, endpoints, write),
             at: 3, 6, .missingKey, "missing required key 'known_hosts' in 'ssh'"),
    BadInput("missing ssh", cluster(name, manager, nodes, pg1, postgres, endpoints, write),
             at: 1, 1, .missingKey, "missing required key 'ssh' in cluster file"),
    BadInput("misspelt node key", cluster(name, manager, ssh, nodes, "  - { name: pg1, hots: 10.0.0.1, patroni: \"http://10.0.0.1:8008\" }", postgres, endpoints, write),
             at: 5, 18, .unknownKey, "unknown key 'hots' in node; did you mean 'host'?"),
    BadInput("misspelt top-level key", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "node: x"),
             at: 9, 1, .unknownKey, "unknown key 'node' in cluster file; did you mean 'nodes'?"),
    BadInput("misspelt service", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "services: { patron: { start: a, stop: b, status: c } }"),
             at: 9, 13, .unknownKey, "unknown key 'patron' in 'services'; did you mean 'patroni'?"),
    BadInput("service without status", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "services: { etcd: { start: a, stop: b } }"),
             at: 9, 19, .missingKey, "missing required key 'status' in 'etcd'"),
    BadInput("haproxy stats is not a URL", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "haproxy: { stats: localhost:7000 }"),
             at: 9, 19, .invalidValue, "'stats' must be an http:// or https:// URL"),
    BadInput("cluster name with underscore", cluster("name: my_lab", manager, ssh, nodes, pg1, postgres, endpoints, write),
             at: 1, 7, .invalidValue, "'name' must be lower-case letters, digits and '-'"),
    BadInput("protected is not a boolean", cluster(name, manager, "protected: maybe", ssh, nodes, pg1, postgres, endpoints, write),
             at: 3, 12, .invalidValue, "'protected' must be true or false, got 'maybe'"),
    BadInput("ssh user with shell characters", cluster(name, manager, "ssh: { identity: k, known_hosts: kh, user: \"root;id\" }", nodes, pg1, postgres, endpoints, write),
             at: 3, 44, .invalidValue, "'user' must be a user name like root or postgres"),
    BadInput("repmgr settings on a Patroni cluster", cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write, "repmgr: { config: /etc/repmgr.conf }"),
             at: 9, 9, .conflict, "'repmgr' is only for clusters with 'manager: repmgr'"),
    BadInput("repmgr config not absolute", cluster(name, "manager: repmgr", ssh, nodes, pg1, postgres, endpoints, write, "repmgr: { config: repmgr.conf }"),
             at: 9, 19, .invalidValue, "'config' must be an absolute path"),
    BadInput("repmgr config with a quote", cluster(name, "manager: repmgr", ssh, nodes, pg1, postgres, endpoints, write, "repmgr: { config: \"/etc/re'pmgr.conf\" }"),
             at: 9, 19, .invalidValue, "'config' contains '''"),
    BadInput("repmgr misspelt key", cluster(name, "manager: repmgr", ssh, nodes, pg1, postgres, endpoints, write, "repmgr: { conf: /etc/repmgr.conf }"),
             at: 9, 11, .unknownKey, "unknown key 'conf' in 'repmgr'"),
    BadInput("repmgr user with shell characters", cluster(name, "manager: repmgr", ssh, nodes, pg1, postgres, endpoints, write, "repmgr: { user: \"pg;id\" }"),
             at: 9, 17, .invalidValue, "'user' must be a user name like postgres"),
]

@Suite struct ClusterFileErrorTests {
    @Test(arguments: badClusters)
    func badClusterFilesGivePreciseErrors(_ input: BadInput) {
        input.check(thrownError { () throws(DrillFileError) in try ClusterLoader.load(yaml: input.yaml, file: "clusters/bad.yaml") },
                    file: "clusters/bad.yaml")
    }

    @Test func theSkeletonItselfIsValid() throws {
        _ = try ClusterLoader.load(yaml: cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, write), file: "ok.yaml")
    }

    @Test func repmgrSettingsAreReadWithDefaults() throws {
        let spec = try ClusterLoader.load(yaml: cluster(name, "manager: repmgr", ssh, nodes, pg1, postgres, endpoints, write,
                                                        "repmgr: { config: \"/srv/{node}/repmgr.conf\", database: meta }"), file: "ok.yaml")
        #expect(spec.repmgr.config(for: "pg2") == "/srv/pg2/repmgr.conf")
        #expect(spec.repmgr.user == "postgres")
        #expect(spec.repmgr.database == "meta")
        let plain = try ClusterLoader.load(yaml: cluster(name, "manager: repmgr", ssh, nodes, pg1, postgres, endpoints, write), file: "ok.yaml")
        #expect(plain.repmgr == RepmgrSettings())
    }

    @Test func passwordsNeverAppearInTheError() {
        let yaml = cluster(name, manager, ssh, nodes, pg1, postgres, endpoints, "  write: \"host=x password=hunter2\"")
        let error = thrownError { () throws(DrillFileError) in try ClusterLoader.load(yaml: yaml, file: "c.yaml") }
        #expect(error != nil)
        #expect(error?.description.contains("hunter2") == false)
    }
}
