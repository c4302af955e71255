import Foundation
import Testing
@testable import PGDrillModel

@Suite struct ClusterLoaderTests {
    @Test func loadsTheLabClusterFile() throws {
        let path = fixture("cluster/lab.yaml")
        let cluster = try ClusterLoader.load(path: path)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(cluster.name == "lab")
        #expect(cluster.manager == .patroni)
        #expect(!cluster.isProtected)
        #expect(cluster.ssh == SSHSettings(user: "root", port: 22, identity: directory + "/ssh/id_ed25519",
                                           knownHosts: directory + "/ssh/known_hosts", connectTimeout: .seconds(5)))
        #expect(cluster.nodes.map(\.name) == ["pg1", "pg2", "pg3"])
        #expect(cluster.nodes.map(\.host) == ["10.77.0.11", "10.77.0.12", "10.77.0.13"])
        #expect(cluster.nodes[1].patroniURL == URL(string: "http://10.77.0.12:8008"))
        #expect(cluster.nodes[2].mark == SourceMark(line: 13, column: 5))
        #expect(cluster.proxies == [ProxyHost(name: "px", host: "10.77.0.2", mark: SourceMark(line: 15, column: 5))])
        #expect(cluster.postgres.port == 5432)
        #expect(cluster.postgres.dataDirectory == "/var/lib/pgdrill/data")
        #expect(cluster.postgres.binDirectory == "/usr/lib/postgresql/15/bin")
        #expect(cluster.postgres.passfile == directory + "/pgpass")
        #expect(cluster.endpoints.map(\.name) == ["write", "read", "pooled"])
        #expect(cluster.haproxyStats?.absoluteString == "http://10.77.0.2:7000/;csv")
        #expect(cluster.commands(for: .etcd).stop == "/lab/bin/svc stop etcd")
        #expect(cluster.commands(for: .postgres) == ServiceCommands(start: "systemctl start postgres", stop: "systemctl stop postgres",
                                                                   status: "systemctl is-active postgres"))
    }

    @Test func conninfoAddsThePassfileAndNodeAddresses() throws {
        let cluster = try ClusterLoader.load(path: fixture("cluster/lab.yaml"))
        let passfile = cluster.postgres.passfile!
        #expect(cluster.conninfo(endpoint: "write") == "host=10.77.0.2 port=5000 dbname=drill user=drill passfile=\(passfile)")
        #expect(cluster.conninfo(endpoint: "nope") == nil)
        #expect(cluster.nodeConninfo(node: cluster.nodes[0]) == "dbname=drill user=drill host=10.77.0.11 port=5432 passfile=\(passfile)")
    }

    @Test func passfileIsNotAddedTwice() throws {
        let yaml = """
            name: c
            manager: streaming
            ssh: { identity: k, known_hosts: kh }
            nodes: [{ name: a, host: 10.0.0.1 }]
            postgres: { data_dir: /d, passfile: /etc/pgpass }
            endpoints: { write: "host=a passfile=/other" }
            """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "/tmp/c.yaml")
        #expect(cluster.conninfo(endpoint: "write") == "host=a passfile=/other")
        #expect(cluster.nodeConninfo(node: cluster.nodes[0]) == "host=10.0.0.1 port=5432 passfile=/etc/pgpass")
    }

    @Test func defaultsAndOtherForms() throws {
        let cluster = try ClusterLoader.load(path: fixture("cluster/minimal.yaml"))
        #expect(cluster.manager == .repmgr)
        #expect(!cluster.isProtected)
        #expect(cluster.ssh.user == "root" && !cluster.ssh.sudo && cluster.ssh.port == 22 && cluster.ssh.connectTimeout == .seconds(5))
        #expect(cluster.ssh.identity == "/etc/pgdrill/id_ed25519")
        #expect(cluster.ssh.knownHosts == FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".ssh/known_hosts").path)
        #expect(cluster.nodes.map(\.host) == ["db1.staging.example.com", "fd00::12"])
        #expect(cluster.nodes.allSatisfy { $0.patroniURL == nil })
        #expect(cluster.proxies.isEmpty && cluster.haproxyStats == nil)
        #expect(cluster.postgres.port == 5432 && cluster.postgres.passfile == nil && cluster.postgres.nodeConninfo == "")
        #expect(cluster.commands(for: .patroni) == .systemd(.patroni))
        #expect(cluster.conninfo(endpoint: "write")?.hasPrefix("postgresql://drill@") == true)
        #expect(cluster.nodeConninfo(node: cluster.nodes[1]) == "host=fd00::12 port=5432")
    }

    @Test func anOperatorWithSudo() throws {
        let yaml = """
            name: c
            manager: streaming
            ssh: { user: dba, sudo: true, identity: k, known_hosts: kh }
            nodes: [{ name: a, host: 10.0.0.1 }]
            postgres: { data_dir: /d }
            endpoints: { write: "host=a" }
            """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "/tmp/c.yaml")
        #expect(cluster.ssh.user == "dba" && cluster.ssh.sudo)
        #expect(throws: DrillFileError.self) {
            try ClusterLoader.load(yaml: yaml.replacingOccurrences(of: "sudo: true", with: "sudo: maybe"), file: "/tmp/c.yaml")
        }
    }

    /// A minimal cluster file with `ssh: <ssh>` on its line 3, loaded from /etc/pgdrill (relative paths resolve there).
    private func load(_ ssh: String) throws -> ClusterSpec {
        try ClusterLoader.load(yaml: """
            name: c
            manager: streaming
            ssh: \(ssh)
            nodes: [{ name: a, host: 10.0.0.1 }]
            postgres: { data_dir: /d }
            endpoints: { write: "host=a" }
            """, file: "/etc/pgdrill/c.yaml")
    }

    /// Keys as operators hold them: the agent instead of a file, or an encrypted file with the source of its
    /// passphrase (never the passphrase); contradictions are refused with the key's line.
    @Test func agentAndPassphraseSources() throws {
        let agent = try load("{ agent: true, known_hosts: kh }").ssh
        #expect(agent.agent && agent.identity.isEmpty && agent.passphrase == nil)
        #expect(try load("{ identity: k, passphrase_file: k.pass, known_hosts: kh }").ssh.passphrase == .file("/etc/pgdrill/k.pass"))
        #expect(try load("{ identity: k, passphrase_env: PGDRILL_KEY_PASS, known_hosts: kh }").ssh.passphrase == .environment("PGDRILL_KEY_PASS"))
        for (bad, message) in [("{ agent: true, identity: k, known_hosts: kh }", "'identity' and 'agent: true' both say how to authenticate"),
                               ("{ identity: k, passphrase_file: f, passphrase_env: V, known_hosts: kh }", "'passphrase_file' and 'passphrase_env' are both set"),
                               ("{ agent: true, passphrase_env: V, known_hosts: kh }", "'passphrase_env' is for an encrypted key file"),
                               ("{ identity: k, passphrase_env: \"a b\", known_hosts: kh }", "'passphrase_env' must be an environment variable name"),
                               ("{ known_hosts: kh }", "missing required key 'identity'")] {
            do {
                _ = try load(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect("\(error)".contains(message) && "\(error)".contains(":3:"), "\(bad): \(error)")
            }
        }
    }

    /// `ssh.jump`: a bastion every node is reached through; what it omits is the top-level ssh setting,
    /// except the port (22, the jump host's own). Bad input is refused with the key's line and a fix.
    @Test func jumpHost() throws {
        #expect(try load("{ identity: k, known_hosts: kh }").ssh.jump == nil)
        let inherited = try #require(try load("{ user: ops, port: 2222, identity: k, passphrase_env: P, known_hosts: kh, jump: { host: bastion.example } }").ssh.jump)
        #expect(inherited == SSHJumpSettings(host: "bastion.example", port: 22, user: "ops", identity: "/etc/pgdrill/k",
                                             passphrase: .environment("P"), agent: false, knownHosts: "/etc/pgdrill/kh"))
        let own = try #require(try load("""
            { identity: k, known_hosts: kh, jump: { host: 192.0.2.7, user: dba, port: 2200, identity: bk, passphrase_file: bk.pass, known_hosts: bkh } }
            """).ssh.jump)
        #expect(own == SSHJumpSettings(host: "192.0.2.7", port: 2200, user: "dba", identity: "/etc/pgdrill/bk",
                                       passphrase: .file("/etc/pgdrill/bk.pass"), agent: false, knownHosts: "/etc/pgdrill/bkh"))
        let viaAgent = try #require(try load("{ agent: true, known_hosts: kh, jump: { host: b } }").ssh.jump)
        #expect(viaAgent.agent && viaAgent.identity.isEmpty && viaAgent.passphrase == nil)
        let agentForJumpOnly = try #require(try load("{ identity: k, passphrase_env: P, known_hosts: kh, jump: { host: b, agent: true } }").ssh.jump)
        #expect(agentForJumpOnly.agent && agentForJumpOnly.identity.isEmpty && agentForJumpOnly.passphrase == nil)
        let fileForJumpOnly = try #require(try load("{ agent: true, known_hosts: kh, jump: { host: b, identity: bk } }").ssh.jump)
        #expect(!fileForJumpOnly.agent && fileForJumpOnly.identity == "/etc/pgdrill/bk")

        for (bad, message) in [("{ identity: k, known_hosts: kh, jump: { user: dba } }", "missing required key 'host'"),
                               ("{ identity: k, known_hosts: kh, jump: { host: b, hostname: c } }", "'hostname'"),
                               ("{ identity: k, known_hosts: kh, jump: { host: dba@b } }", "'host' must be a host name or address"),
                               ("{ identity: k, known_hosts: kh, jump: { host: b, port: 0 } }", "'port'"),
                               ("{ identity: k, known_hosts: kh, jump: { host: b, user: Root! } }", "'user' must be a user name"),
                               ("{ identity: k, known_hosts: kh, jump: { host: b, agent: true, identity: bk } }", "'identity' and 'agent: true' both say how to authenticate to the jump host"),
                               ("{ identity: k, known_hosts: kh, jump: { host: b, passphrase_env: P } }", "'passphrase_env' belongs to an encrypted jump.identity"),
                               ("{ agent: true, known_hosts: kh, jump: { host: b, agent: false } }", "leaves the jump host without a key"),
                               ("{ identity: k, known_hosts: kh, jump: bastion.example }", "'jump' must be")] {
            do {
                _ = try load(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect("\(error)".contains(message) && "\(error)".contains(":3:"), "\(bad): \(error)")
            }
        }
    }

    @Test func uriEndpointsGetThePassfileAsAQueryParameter() throws {
        let yaml = """
            name: c
            manager: streaming
            ssh: { identity: k, known_hosts: kh }
            nodes: [{ name: a, host: "[::1]" }]
            postgres: { data_dir: /d, passfile: "my pgpass" }
            endpoints: { write: "postgresql://u@h/db?sslmode=disable" }
            """
        let cluster = try ClusterLoader.load(yaml: yaml, file: "/srv/pgdrill/c.yaml")
        #expect(cluster.conninfo(endpoint: "write") == "postgresql://u@h/db?sslmode=disable&passfile=/srv/pgdrill/my%20pgpass")
        #expect(cluster.nodes[0].host == "::1")
    }
}
