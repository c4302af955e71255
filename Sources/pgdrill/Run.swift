import Foundation
import ArgumentParser
import PGDrillEngine

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run drills against a live cluster and write reports.")

    @Argument(help: "Drill files or directories of drill files (*.yaml), run in order.")
    var drills: [String]

    @OptionGroup var options: ClusterOptions

    @Option(name: .long, help: "Where each run's report folder is written.")
    var reportDir = "reports"

    @Flag(name: .long, help: "Do not ask for confirmation (for CI). Required when stdin is not a terminal.")
    var yes = false

    @Flag(name: .long, help: "Show the plan and check the cluster, but inject nothing.")
    var dryRun = false

    @Flag(name: .long, help: "Allow destructive drills against a cluster marked `protected: true`.")
    var allowProtected = false

    @Option(name: .long, help: "Also write the figures as a Prometheus textfile (node_exporter textfile collector).")
    var prometheus: String?

    @Flag(name: .long, help: "Leave the run's rows in pgdrill.probe for inspection (default: deleted once verified).")
    var keepProbeRows = false

    @Flag(name: .long, help: "Leave the host a restore step provisioned running, for inspection (default: removed).")
    var keepScratch = false

    @Option(name: .long, help: "On-call drills: hand the cluster to this script instead of a person (run with /bin/sh; it prints `ack` to acknowledge). Default: $PGDRILL_OPERATOR_SCRIPT.")
    var operatorScript: String?

    func run() throws {
        bootstrapLogging(verbose: options.verbose)
        var runOptions = Commands.RunOptions(
            drillPaths: drills, clusterPath: options.cluster, reportDir: reportDir, assumeYes: yes,
            dryRun: dryRun, allowProtected: allowProtected, prometheusPath: prometheus, keepProbeRows: keepProbeRows, keepScratchHost: keepScratch)
        runOptions.operatorScript = operatorScript ?? ProcessInfo.processInfo.environment["PGDRILL_OPERATOR_SCRIPT"].flatMap { $0.isEmpty ? nil : $0 }
        let status = Commands.run(runOptions)
        try Self.finish(status)
    }
}

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print every step and remote command of the drills; touches nothing.")

    @Argument(help: "Drill files or directories.")
    var drills: [String] = []

    @OptionGroup var options: ClusterOptions

    @Flag(name: .long, help: "Plan destructive drills against a cluster marked `protected: true` too.")
    var allowProtected = false

    @Flag(name: .long, help: "Print the sudoers rule the cluster file's ssh user needs (`ssh: { sudo: true }`) and exit.")
    var sudoers = false

    func validate() throws {
        if !sudoers && drills.isEmpty { throw ValidationError("name at least one drill file or directory (or --sudoers)") }
    }

    func run() throws {
        bootstrapLogging(verbose: options.verbose)
        if sudoers { try Self.finish(Commands.sudoers(clusterPath: options.cluster)) }
        try Self.finish(Commands.plan(drillPaths: drills, clusterPath: options.cluster, allowProtected: allowProtected))
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show topology and health (members, roles, timeline, lag) and leftovers of earlier runs.")

    @OptionGroup var options: ClusterOptions

    func run() throws {
        bootstrapLogging(verbose: options.verbose)
        try Self.finish(Commands.check(clusterPath: options.cluster))
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check drill and cluster files; errors as file:line:column.")

    @Argument(help: "Drill files, cluster files or directories.")
    var files: [String]

    @Option(name: .long, help: "A cluster file to check `node:NAME` references against.")
    var cluster: String?

    func run() throws {
        try Self.finish(Commands.validate(paths: files, clusterPath: cluster))
    }
}

struct Recover: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Roll back whatever an interrupted or killed run left behind (from its journal).")

    @OptionGroup var options: ClusterOptions

    @Flag(name: .long, help: "Remove another run's lease first: only for a run known to be dead on a machine that is gone.")
    var breakLease = false

    func run() throws {
        bootstrapLogging(verbose: options.verbose)
        try Self.finish(Commands.recover(clusterPath: options.cluster, breakLease: breakLease))
    }
}

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Trend of RTO/RPO/lost writes per drill over earlier reports; flags regressions; sums app-view downtime against error budgets.")

    @Argument(help: "Directory holding earlier report folders (each with report.json).")
    var directory = "reports"

    @Option(name: .long, help: "Flag a regression when RTO exceeds the median of earlier runs by more than this many percent.")
    var margin: Double = 25

    @Option(name: .long, help: "Availability summary: add up the drills' app-view downtime over this span (e.g. 30d, 7d, 1h), ending at each cluster's newest run.")
    var period = "30d"

    @Flag(name: .long, help: "Print Markdown instead of a terminal table.")
    var markdown = false

    func run() throws {
        try Self.finish(Commands.history(directory: directory, marginPercent: margin, period: period, markdown: markdown))
    }
}
