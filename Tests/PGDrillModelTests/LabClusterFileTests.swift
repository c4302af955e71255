import Foundation
import Testing
@testable import PGDrillModel

/// The lab's generated cluster file, for every flavour, through the real loader: a lab change that writes
/// a file pgdrill rejects fails here, without root or a lab (`lab.sh cluster-file DIR` writes only that file).
@Suite struct LabClusterFileTests {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// One `lab.sh up` flavour and what its cluster file must say.
    struct Flavour: Sendable, CustomTestStringConvertible {
        var options: [String]
        var manager: ClusterManager = .patroni
        var sshUser = "pgdrill-op"
        var sshPort = 22
        var jumpHost: String? = "10.77.0.4"
        var https = true
        var standbyNodes: [String] = []
        var monitoring = true

        var testDescription: String { options.isEmpty ? "default" : options.joined(separator: " ") }
    }

    static let flavours: [Flavour] = [
        Flavour(options: []),
        Flavour(options: ["--manager", "repmgr"], manager: .repmgr, sshUser: "root", jumpHost: nil, https: false),
        Flavour(options: ["--dr-region"], standbyNodes: ["dr1"]),
        Flavour(options: ["--ssh-port", "2222"], sshPort: 2222),
        Flavour(options: ["--patroni", "debian"]),
        Flavour(options: ["--replication", "async"]),
        Flavour(options: ["--no-monitoring"], monitoring: false),
        Flavour(options: ["--simple"], sshUser: "root", jumpHost: nil, https: false),
    ]

    @Test(arguments: flavours) func loads(_ flavour: Flavour) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-lab-cluster-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try renderClusterFile(into: directory, options: flavour.options)
        let path = directory.appendingPathComponent("cluster.yaml").path

        let cluster: ClusterSpec
        do {
            cluster = try ClusterLoader.load(path: path)
        } catch {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            Issue.record("the lab's cluster file for [\(flavour.testDescription)] does not load: \(error)\n\(text)")
            return
        }
        #expect(cluster.name == "lab")
        #expect(cluster.manager == flavour.manager)
        #expect(cluster.nodes.map(\.name) == ["pg1", "pg2", "pg3"])
        #expect(cluster.ssh.user == flavour.sshUser)
        #expect(cluster.ssh.sudo == (flavour.sshUser != "root"))
        #expect(cluster.ssh.port == flavour.sshPort)
        #expect(cluster.ssh.jump?.host == flavour.jumpHost)
        // Relative paths are the state directory's, wherever the file is.
        #expect(cluster.ssh.identity == directory.appendingPathComponent("ssh/id_ed25519").standardizedFileURL.path)
        #expect(cluster.postgres.passfile == directory.appendingPathComponent("pgpass").standardizedFileURL.path)
        #expect(cluster.endpoints.map(\.name) == ["write", "read", "pooled"])
        #expect(cluster.haproxyStats?.scheme == (flavour.https ? "https" : "http"))
        #expect(cluster.patroniAccess.isEmpty == !flavour.https)
        #expect((cluster.standbyCluster?.nodes.map(\.name) ?? []) == flavour.standbyNodes)
        #expect(cluster.monitoring?.prometheus.absoluteString == (flavour.monitoring ? "http://10.77.0.5:9090" : nil))
        #expect(cluster.monitoring?.silence == (flavour.monitoring ? true : nil))
        if flavour.manager == .repmgr {
            #expect(cluster.backup == nil)
            #expect(cluster.repmgr.config(for: "pg2").hasSuffix("/lab/state/pg2/repmgr.conf"))
        } else {
            #expect(cluster.nodes.allSatisfy { $0.patroniURL?.scheme == (flavour.https ? "https" : "http") })
            #expect(cluster.backup != nil && cluster.scratch != nil)
        }
    }

    /// Runs `lab/lab.sh cluster-file DIR OPTIONS…` with a clean environment (lab instance 0, no LAB_* leaking
    /// in from the caller's shell).
    private func renderClusterFile(into directory: URL, options: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.package.appendingPathComponent("lab/lab.sh").path, "cluster-file", directory.path] + options
        process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "PGDRILL_LAB_ID": "0", "LANG": "C.UTF-8"]
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "lab.sh cluster-file \(options.joined(separator: " ")) failed: \(message)")
    }
}
