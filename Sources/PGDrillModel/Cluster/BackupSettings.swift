/// Where the cluster's backups and WAL archive live, so `check` and pre-flight can judge their health
/// and a `restore` step can use them.
///
/// Only pgBackRest is supported: `command` (the `pgbackrest` binary and any global options, such as
/// `--config`) runs over SSH on `host`, the repository host, as `pgbackrest COMMAND --stanza=STANZA info
/// --output=json` and, on the scratch node, `restore`.
public struct BackupSettings: Sendable, Hashable {
    /// The backup tool; `pgbackrest` is the only one so far.
    public enum Tool: String, Sendable, Hashable, CaseIterable {
        case pgbackrest
    }

    public var tool: Tool
    public var stanza: String
    /// The repository host, reached over SSH like the nodes.
    public var host: String
    /// The tool's command line prefix, e.g. `pgbackrest --config=/etc/pgbackrest/pgbackrest.conf`.
    public var command: String
    public var mark: SourceMark?

    public init(tool: Tool = .pgbackrest, stanza: String, host: String, command: String = "pgbackrest",
                mark: SourceMark? = nil) {
        self.tool = tool
        self.stanza = stanza
        self.host = host
        self.command = command
        self.mark = mark
    }
}

/// How to get an empty host to restore a backup onto, and how to get rid of it: commands run on the
/// runner's own machine (a cloud CLI, a VM template, the lab's `lab.sh scratch create`).
public struct ScratchSettings: Sendable, Hashable {
    /// The scratch host's address once `create` has run; reached over SSH with the cluster's settings.
    public var host: String
    public var create: String
    public var destroy: String
    public var mark: SourceMark?

    public init(host: String, create: String, destroy: String, mark: SourceMark? = nil) {
        self.host = host
        self.create = create
        self.destroy = destroy
        self.mark = mark
    }
}
