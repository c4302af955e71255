import Foundation
import Logging
import PGDrillCore
import PGDrillModel

/// What the executable's subcommands do, as functions returning the process exit status (DESIGN §3):
/// 0 passed · 1 expectations failed · 2 bad usage/input or unhealthy cluster (nothing injected) ·
/// 3 aborted (rolled back) · 4 rollback incomplete.
public enum Commands {
    public static let logger = Logger(label: "pgdrill")

    /// Exit statuses by name.
    public enum Exit {
        public static let passed: Int32 = 0
        public static let failed: Int32 = 1
        public static let usage: Int32 = 2
        public static let aborted: Int32 = 3
        public static let degraded: Int32 = 4
    }

    /// Prints an error the way every command does: one clear block on stderr.
    static func fail(_ error: any Error) -> Int32 {
        let text: String
        if let e = error as? DrillFileError { text = e.description } else { text = "error: \(error)" }
        StandardError.write((Redactor().redact(text) + "\n"))
        return Exit.usage
    }

    static func loadCluster(_ path: String) throws -> ClusterTarget {
        let cluster = try ClusterTarget(spec: try ClusterLoader.load(path: path))
        try requireSupportedManager(cluster, file: path)
        return cluster
    }

    /// The engine discovers roles and health through Patroni's REST API; other managers are parsed but
    /// not driven yet, and saying so beats a drill that measures the wrong thing.
    static func requireSupportedManager(_ cluster: ClusterTarget, file: String) throws {
        guard ["patroni", "repmgr", "streaming"].contains(cluster.manager) else {
            throw EngineError(.usage, "\(file): manager '\(cluster.manager)' is not supported by this version of pgdrill",
                              hint: "managers: patroni, repmgr, streaming")
        }
    }

    /// `allowProtected`: the operator passed `--allow-protected`; without it a destructive drill on a
    /// `protected: true` cluster is refused here, before anything else happens.
    static func loadPlans(_ paths: [String], cluster: ClusterSpec?, allowProtected: Bool = false) throws -> [DrillPlan] {
        let specs = try DrillLoader.loadAll(paths: paths)
        if specs.isEmpty {
            throw EngineError(.usage, "no drill files (*.yaml, *.yml) found in \(paths.joined(separator: ", "))")
        }
        if let cluster { for s in specs { try s.validate(against: cluster, overridingProtection: allowProtected) } }
        return specs.map(DrillPlan.init(spec:))
    }
}
