import PGDrillModel

/// A shell script to run on one host of the cluster, built only from a fixed template with quoted,
/// validated parameters (the `shell` escape hatch is the one exception, and says so).
public struct RemoteScript: Sendable, Equatable, Codable {
    /// Host name from the cluster file (node or proxy).
    public var host: String
    public var script: String
    /// One line for the plan and the progress output.
    public var summary: String

    public init(host: String, script: String, summary: String) {
        self.host = host
        self.script = script
        self.summary = summary
    }
}

extension ServiceCommands {
    /// Starts the service unless it already runs: safe to run twice, as every rollback must be.
    public var ensureRunning: String { "if \(status) >/dev/null 2>&1; then echo 'already running'; else \(start); fi" }
}
