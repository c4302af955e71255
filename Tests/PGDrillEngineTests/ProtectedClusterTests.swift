import Foundation
import Testing
@testable import PGDrillEngine
import PGDrillModel

/// A cluster marked `protected: true` refuses every destructive shipped drill unless the operator passes
/// `--allow-protected`, and accepts it with the flag (checked with `plan`: nothing runs).
@Suite struct ProtectedClusterTests {
    @Test func everyDestructiveShippedDrillNeedsTheOverride() throws {
        let binary = try #require(CLITool.pgdrill, "pgdrill is not built (swift build --build-tests)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-protected-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        FileManager.default.createFile(atPath: directory + "/id", contents: Data("not a key".utf8))
        FileManager.default.createFile(atPath: directory + "/known_hosts", contents: nil)
        let patroni = CLITool.freePort()
        try """
        name: production
        manager: patroni
        protected: true
        ssh: { identity: id, known_hosts: known_hosts }
        nodes:
          - { name: pg1, host: 127.0.0.1, patroni: "http://127.0.0.1:\(patroni)" }
          - { name: pg2, host: 127.0.0.2, patroni: "http://127.0.0.2:\(patroni)" }
        proxies: [{ name: px, host: 127.0.0.3 }]
        postgres: { data_dir: /var/lib/postgresql/15/main }
        endpoints:
          write: "host=127.0.0.1 port=5000 dbname=app user=drill"
          read: { conninfo: "host=127.0.0.1 port=5001 dbname=app user=drill", kind: read }
          pooled: "host=127.0.0.1 port=6432 dbname=app user=drill"

        """.write(toFile: directory + "/production.yaml", atomically: true, encoding: .utf8)
        let drills = CLITool.package.appendingPathComponent("drills").path
        let files = try FileManager.default.contentsOfDirectory(atPath: drills).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 7)
        var destructive = 0
        for file in files {
            let path = drills + "/" + file
            let spec = try DrillLoader.load(path: path)
            let refused = try CLITool.run(binary, ["plan", path, "--cluster", directory + "/production.yaml"], environment: [:])
            let allowed = try CLITool.run(binary, ["plan", path, "--cluster", directory + "/production.yaml", "--allow-protected"], environment: [:])
            #expect(allowed.status == 0, "\(file) with --allow-protected: \(allowed.output)")
            #expect(allowed.output.contains("## \(spec.name)"))
            if spec.isDestructive {
                destructive += 1
                #expect(refused.status == 2, "\(file) was not refused on a protected cluster: \(refused.output)")
                #expect(refused.output.contains("is destructive and cluster 'production' is protected"), "\(refused.output)")
                #expect(!refused.output.contains("apply on"), "a refused plan still printed commands")
            } else {
                #expect(refused.status == 0)
            }
            // `run` refuses too, before connecting to anything (the identity is not even a key).
            if spec.isDestructive {
                let run = try CLITool.run(binary, ["run", path, "--cluster", directory + "/production.yaml", "--yes", "--report-dir", directory + "/reports"],
                                          environment: ["PGDRILL_STATE_DIR": directory + "/state"])
                #expect(run.status == 2 && run.output.contains("is protected"), "\(run.output)")
                #expect(!FileManager.default.fileExists(atPath: directory + "/reports"))
            }
        }
        #expect(destructive >= 6, "the shipped fault drills are destructive")
    }
}
