import Foundation
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

    /// The argument parser's own `main`, with its exit statuses folded into pgdrill's 0–4: a usage error
    /// (its 64, EX_USAGE) is 2 like every other bad input, help and version are 0. A CI job or wrapper script
    /// can then tell every outcome from the status alone.
    static func main() {
        ProcessSignals.prepare()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch {
            let status = exitCode(for: error)
            let message = fullMessage(for: error)
            if status == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            StandardError.write(message + (message.hasSuffix("\n") ? "" : "\n"))
            Foundation.exit(Commands.Exit.usage)
        }
    }
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
