import Foundation
import PGDrillPostgres

extension ClusterConnection {
    /// `pg_stat_archiver` on `node` (the primary: replicas archive nothing with `archive_mode = on`).
    public func archiverStatus(node: String) throws -> ArchiverStatus {
        guard let conninfo = cluster.nodeConninfo[node] else {
            throw EngineError(.usage, "no conninfo for node \(node)")
        }
        let connection = try PGConnection(conninfo: conninfo, timeout: .seconds(5))
        defer { connection.close() }
        let result = try connection.query(ArchiverStatus.sql, [], timeout: .seconds(5))
        guard let row = result.rows.first, let status = ArchiverStatus(node: node, row: row) else {
            throw EngineError(.remote, "pg_stat_archiver on \(node) returned no usable row")
        }
        return status
    }

    /// `pgbackrest info --output=json` run over SSH on the repository host: proves the repository is
    /// reachable and says what it holds.
    public func backupInventory() throws -> BackupInventory {
        guard let backup = cluster.backup else {
            throw EngineError(.usage, "cluster \(cluster.name) names no backup repository",
                              hint: "add `backup: { tool: pgbackrest, stanza: …, host: … }` to the cluster file")
        }
        let command = "\(backup.command) --stanza=\(ShellQuote.quote(backup.stanza)) --log-level-console=error --log-level-file=off info --output=json"
        let result = try run(RemoteScript(host: ClusterTarget.repositoryHostName, script: command, summary: "pgbackrest info"),
                             timeout: .seconds(30))
        return try BackupInventory(json: Data(result.stdout.utf8), stanza: backup.stanza)
    }
}
