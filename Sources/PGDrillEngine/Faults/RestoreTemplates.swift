import PGDrillModel

/// Remote commands of a `restore` step, run as root over SSH on the scratch host; PostgreSQL's tools run as
/// `postgres`. Every value from a file is shell-quoted.
enum RestoreTemplates {
    /// Log file of the restored PostgreSQL, on the scratch host.
    static let logFile = "/tmp/pgdrill-restored-postgresql.log"

    /// `pgbackrest restore` into an empty data directory: the latest backup, then (at start-up) the
    /// archived WAL to its end, or to `targetTime`, promoting there.
    static func restore(backup: BackupSettings, dataDir: String, targetTime: String?) -> String {
        var command = "\(backup.command) --stanza=\(backup.stanza.shellQuoted) --log-level-console=warn --log-level-file=off restore"
        if let targetTime {
            command += " --type=time --target=\(targetTime.shellQuoted) --target-action=promote"
        }
        return """
            set -e
            cd /
            if [ -e \(dataDir.shellQuoted) ] && [ -n "$(ls -A \(dataDir.shellQuoted) 2>/dev/null)" ]; then
              echo 'the data directory on the scratch host is not empty' >&2; exit 3
            fi
            install -d -m 0700 -o postgres -g postgres \(dataDir.shellQuoted)
            runuser -u postgres -- \(command)
            """
    }

    /// Starts the restored PostgreSQL without waiting. The overrides let a copy of a managed cluster's node
    /// run alone: no synchronous standbys to wait for, no archiving into the real cluster's archive, its
    /// own log, listening on every address of the scratch host.
    static func start(dataDir: String, binDir: String, port: Int) -> String {
        let options = "-c listen_addresses='*' -c port=\(port) -c synchronous_standby_names='' -c archive_mode=off "
            + "-c logging_collector=off -c unix_socket_directories=/run/postgresql"
        return """
            set -e
            cd /
            install -d -m 2775 -o postgres -g postgres /run/postgresql
            runuser -u postgres -- \((binDir + "/pg_ctl").shellQuoted) -D \(dataDir.shellQuoted) -W -l \(logFile) -o \(options.shellQuoted) start >/dev/null
            """
    }

    /// Prints `t` (in recovery) or `f` (read-write) once the server accepts connections; nothing before.
    static func state(binDir: String, port: Int) -> String {
        "cd / && runuser -u postgres -- \((binDir + "/psql").shellQuoted) -X -At -h /run/postgresql -p \(port) -d postgres "
            + "-c 'SELECT pg_is_in_recovery()' 2>/dev/null || true"
    }

    /// The commit time of the last transaction replayed by the recovery that just ended, as µs since the
    /// epoch (empty when nothing was replayed): it stays fixed once recovery has completed.
    static func lastReplayedCommit(binDir: String, port: Int) -> String {
        "cd / && runuser -u postgres -- \((binDir + "/psql").shellQuoted) -X -At -h /run/postgresql -p \(port) -d postgres "
            + "-c 'SELECT (extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000000)::bigint'"
    }

    /// `pg_amcheck` over every database (heap and B-tree checks read every page, so checksums are verified
    /// too); exit 0 clean.
    static func amcheck(binDir: String, port: Int) -> String {
        "cd / && runuser -u postgres -- \((binDir + "/pg_amcheck").shellQuoted) -h /run/postgresql -p \(port) --all --install-missing 2>&1"
    }

    /// Stops the server and verifies every page's checksum offline (`pg_checksums --check`); `restart`
    /// starts it again (waiting) for whoever inspects the host afterwards.
    static func checksums(dataDir: String, binDir: String, port: Int, restart: Bool) -> String {
        var lines = [
            "set -e", "cd /",
            "runuser -u postgres -- \((binDir + "/pg_ctl").shellQuoted) -D \(dataDir.shellQuoted) -m fast -w stop >/dev/null",
            "runuser -u postgres -- \((binDir + "/pg_checksums").shellQuoted) --check -D \(dataDir.shellQuoted) 2>&1",
        ]
        if restart {
            let options = "-c listen_addresses='*' -c port=\(port) -c synchronous_standby_names='' -c archive_mode=off "
                + "-c logging_collector=off -c unix_socket_directories=/run/postgresql"
            lines.append("runuser -u postgres -- \((binDir + "/pg_ctl").shellQuoted) -D \(dataDir.shellQuoted) -w -l \(logFile) -o \(options.shellQuoted) start >/dev/null")
        }
        return lines.joined(separator: "\n")
    }

    /// The restored server's last log lines, for a failed restore's report.
    static let logTail = "tail -n 15 \(logFile) 2>/dev/null || true"
}
