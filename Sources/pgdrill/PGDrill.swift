import ArgumentParser
import Logging
import PGDrillEngine

/// The `pgdrill` command: a thin front end; every behaviour lives in PGDrillEngine.
@main
struct PGDrill: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pgdrill",
        abstract: "Chaos and disaster-recovery drills for PostgreSQL HA clusters, with measured RTO, RPO and lost writes.",
        discussion: """
        Exit codes: 0 every drill passed · 1 a drill failed its expectations · 2 bad usage, bad file, \
        unreachable or unhealthy cluster (nothing injected) · 3 aborted (rollback completed) · \
        4 rollback incomplete (the cluster may be degraded; `pgdrill recover`).
        """,
        version: PGDrillVersion.current,
        subcommands: [Run.self, Plan.self, Check.self, Validate.self, Recover.self, History.self]
    )
}

/// Options every command that talks to a cluster shares.
struct ClusterOptions: ParsableArguments {
    @Option(name: .long, help: "Cluster file (inventory) describing the nodes, endpoints and ssh access.")
    var cluster: String

    @Flag(name: .shortAndLong, help: "Log debug details to stderr.")
    var verbose = false
}

extension ParsableCommand {
    /// Bootstraps logging (only the executable does) and turns an engine exit status into the process's.
    static func finish(_ status: Int32) throws -> Never {
        throw ExitCode(status)
    }
}

func bootstrapLogging(verbose: Bool) {
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = verbose ? .debug : .warning
        return h
    }
}
