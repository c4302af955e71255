import PGDrillSSH
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

    /// The same script with a deadline on the host: `timeout` runs it in a process group of its own and,
    /// `seconds` later, signals that whole group (TERM, then KILL 5 s on), so a fault command the runner
    /// gives up on — a `dd` still writing, a `systemctl stop` still waiting — does not go on after its
    /// rollback. Set below the runner's own wait, so the runner sees the stop (exit 124 or 137) rather than a
    /// lost shell. What the script leaves running on purpose (it returned in time) is not touched. A script
    /// whose first line must run in the long-lived shell itself (`SSHSession.unforkedMarker`, the `kill`
    /// fault's instant signals) is returned unchanged, as is everything on a host without `timeout`.
    public func bounded(seconds: Int) -> RemoteScript {
        guard !script.hasPrefix(SSHSession.unforkedMarker + "\n") else { return self }
        let wrapped = """
            if command -v timeout >/dev/null 2>&1; then
              timeout -k 5 \(seconds) "${BASH:-/bin/sh}" -c \(script.shellQuoted)
              pgd_rc=$?
              if [ "$pgd_rc" = 124 ] || [ "$pgd_rc" = 137 ]; then
                echo "still running after \(seconds) s: stopped on the host, with everything it had started" >&2
              fi
              exit "$pgd_rc"
            fi
            eval \(script.shellQuoted)
            """
        return RemoteScript(host: host, script: wrapped, summary: summary)
    }
}

extension ServiceCommands {
    /// Starts the service unless it already runs: safe to run twice, as every rollback must be.
    public var ensureRunning: String { "if \(status) >/dev/null 2>&1; then echo 'already running'; else \(start); fi" }
}
