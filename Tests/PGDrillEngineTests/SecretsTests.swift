import Foundation
import Testing
@testable import PGDrillEngine

/// No password and no private-key material in anything pgdrill prints or writes: `validate`, `plan`,
/// `check` and a `run` that fails, with a cluster whose password sits in a passfile (libpq's own
/// mechanism) and whose ssh key is a real ed25519 key. Nothing listens on the addresses used, so the run
/// fails the way a wrong password or an unreachable host does — through the error paths.
@Suite struct SecretsTests {
    @Test func noSecretInAnyOutputOrArtifact() throws {
        let binary = try #require(CLITool.pgdrill, "pgdrill is not built (swift build --build-tests)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/reports", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/state", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let password = "Pw-\(UUID().uuidString.prefix(18))"
        let (keygen, keygenOutput) = try shell("ssh-keygen -q -t ed25519 -N '' -C pgdrill-secrets-test -f \(directory)/id_ed25519")
        try #require(keygen == 0, "\(keygenOutput)")
        let key = try String(contentsOfFile: directory + "/id_ed25519", encoding: .utf8)
        // The base64 body of the key, line by line, and a shorter chunk of it (a fragment is a leak too).
        let keyLines = key.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") }
        let secrets = [password, "BEGIN OPENSSH PRIVATE KEY", "PRIVATE KEY"] + keyLines + keyLines.map { String($0.prefix(24)) }
        try "*:*:*:*:\(password)\n".write(toFile: directory + "/pgpass", atomically: true, encoding: .utf8)
        _ = chmod(directory + "/pgpass", 0o600)
        FileManager.default.createFile(atPath: directory + "/known_hosts", contents: nil)
        let (ssh, patroni, pg) = (CLITool.freePort(), CLITool.freePort(), CLITool.freePort())
        let cluster = """
        name: secrets
        manager: patroni
        ssh: { user: root, port: \(ssh), identity: id_ed25519, known_hosts: known_hosts, connect_timeout: 1s }
        nodes:
          - { name: pg1, host: 127.0.0.1, patroni: "http://127.0.0.1:\(patroni)" }
        proxies:
          - { name: px, host: 127.0.0.1 }
        backup: { tool: pgbackrest, stanza: lab, host: 127.0.0.1 }
        scratch: { host: 127.0.0.1, create: "true", destroy: "true" }
        postgres: { port: \(pg), data_dir: /var/lib/pgdrill/data, passfile: pgpass, node_conninfo: "dbname=drill user=drill" }
        endpoints:
          write: "host=127.0.0.1 port=\(pg) dbname=drill user=drill connect_timeout=1"
          read: { conninfo: "host=127.0.0.1 port=\(pg) dbname=drill user=drill", kind: read }
          pooled: "host=127.0.0.1 port=\(pg) dbname=drill user=drill"

        """
        try cluster.write(toFile: directory + "/cluster.yaml", atomically: true, encoding: .utf8)
        // The same cluster with the password written into a conninfo: refused, and the error must not repeat it.
        try cluster.replacingOccurrences(of: "user=drill connect_timeout=1", with: "user=drill password=\(password)")
            .write(toFile: directory + "/leaky.yaml", atomically: true, encoding: .utf8)
        try cluster.replacingOccurrences(of: "\"host=127.0.0.1 port=\(pg) dbname=drill user=drill connect_timeout=1\"",
                                         with: "\"postgresql://drill:\(password)@127.0.0.1:\(pg)/drill\"")
            .write(toFile: directory + "/leaky-uri.yaml", atomically: true, encoding: .utf8)

        let drills = CLITool.package.appendingPathComponent("drills").path
        let c = directory + "/cluster.yaml"
        let commands: [(args: [String], expected: Set<Int32>)] = [
            (["validate", drills, c], [0]),
            (["validate", "--cluster", c, drills], [0]),
            (["validate", directory + "/leaky.yaml"], [2]),
            (["validate", directory + "/leaky-uri.yaml"], [2]),
            (["plan", drills, "--cluster", c], [0]),
            (["plan", drills, "--cluster", directory + "/leaky.yaml"], [2]),
            (["check", "--cluster", c], [2]),
            (["run", drills + "/02-primary-node-down.yaml", "--cluster", c, "--yes", "--report-dir", directory + "/reports"], [2]),
            (["run", drills, "--cluster", c, "--yes", "--dry-run", "--report-dir", directory + "/reports", "-v"], [2]),
        ]
        var outputs = ""
        for command in commands {
            let result = try CLITool.run(binary, command.args, environment: ["PGDRILL_STATE_DIR": directory + "/state", "PGPASSWORD": ""])
            #expect(command.expected.contains(result.status), "pgdrill \(command.args.joined(separator: " ")) exited \(result.status): \(result.output)")
            outputs += result.output
        }
        #expect(outputs.contains("contains a password"), "the leaky cluster files were not refused as such")
        var artifacts = [("outputs of every command", outputs)]
        let enumerator = FileManager.default.enumerator(atPath: directory + "/reports")
        while let relative = enumerator?.nextObject() as? String {
            if let text = try? String(contentsOfFile: directory + "/reports/" + relative, encoding: .utf8) { artifacts.append((relative, text)) }
        }
        let state = FileManager.default.enumerator(atPath: directory + "/state")
        while let relative = state?.nextObject() as? String {
            if let text = try? String(contentsOfFile: directory + "/state/" + relative, encoding: .utf8) { artifacts.append(("state/" + relative, text)) }
        }
        for (name, text) in artifacts {
            for secret in secrets where text.contains(secret) {
                Issue.record("\(name) contains secret material: \(secret.prefix(12))…")
            }
        }
    }
}
