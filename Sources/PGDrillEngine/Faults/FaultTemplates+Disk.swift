import PGDrillSSH

/// Filling a disk, and finding what any run of pgdrill may have left on a host.
extension FaultTemplates {
    // MARK: disk

    /// Filler file of a run inside `directory`.
    public static func fillerPath(directory: String, tag: String) -> String { directory + "/.pgdrill-filler-" + tag }

    /// Fills the filesystem of `directory`: `bytes` at most, or until full (nil), or until `leave` bytes remain.
    ///
    /// Root writes into a directory the postgres user owns, so the filler is opened exactly once and every byte
    /// goes through that descriptor: the shell's noclobber `>` (O_CREAT|O_EXCL for a name that does not exist) on
    /// fd 3, checked to be the empty regular file it just created; `fallocate` and `dd` then reach it as
    /// `/dev/fd/3`, which names the open file itself, not the path — a symlink or rename at that name in the
    /// meantime changes nothing. Prints the bytes written and what is left.
    public static func fillDisk(directory: String, tag: String, bytes: Int64?, leave: Int64?) -> String {
        let dir = directory.shellQuoted
        let file = fillerPath(directory: directory, tag: tag).shellQuoted
        let mib: Int64 = 1 << 20
        let target: String
        switch (bytes, leave) {
        case (let b?, nil): target = "want=\(b / mib)"
        case (let b?, let l?): target = "want=$(( (avail - \(l)) / \(mib) )); [ \"$want\" -gt \(b / mib) ] && want=\(b / mib)"
        case (nil, let l?): target = "want=$(( (avail - \(l)) / \(mib) ))"
        case (nil, nil): target = "want=$(( avail / \(mib) + 1 ))"
        }
        return """
        set -u
        [ -d \(dir) ] || { echo \("no directory \(directory) on this host".shellQuoted) >&2; exit 3; }
        if [ -e \(file) ] || [ -L \(file) ]; then echo \("\(fillerPath(directory: directory, tag: tag)) exists: not writing through it".shellQuoted) >&2; exit 3; fi
        avail=$(df -P -B1 \(dir) | awk 'NR==2 {print $4}')
        \(target)
        [ "$want" -lt 0 ] && want=0
        if ! { set -C; exec 3> \(file); } 2>/dev/null; then echo \("cannot create \(fillerPath(directory: directory, tag: tag)) exclusively".shellQuoted) >&2; exit 3; fi
        set +C
        case "$(stat -L -c '%F:%s:%h' /dev/fd/3)" in
          'regular empty file:0:1') ;;
          *) exec 3>&-; echo \("\(fillerPath(directory: directory, tag: tag)) is not the empty file just created (something was put in its place): nothing written".shellQuoted) >&2; exit 3 ;;
        esac
        # All but the last MiB allocated at once where the filesystem can (tmpfs, ext4, xfs): full within
        # milliseconds rather than the seconds dd takes under load, which decide whether the heap or a new WAL
        # segment meets ENOSPC first. dd writes the rest (to ENOSPC for until-full), and all of it where
        # fallocate is refused.
        done=0
        if [ "$want" -gt 1 ] && fallocate -l $(( (want - 1) * \(mib) )) /dev/fd/3 2>/dev/null; then done=$((want - 1)); fi
        if ! err=$(dd if=/dev/zero of=/dev/fd/3 bs=1M seek="$done" count=$((want - done)) conv=notrunc status=none 2>&1); then
          case "$err" in *"No space left"*) ;; *) echo "$err" >&2; exit 3 ;; esac
        fi
        echo "filler $(stat -L -c %s /dev/fd/3) bytes; $(df -P -B1 \(dir) | awk 'NR==2 {print $4}') bytes left"
        exec 3>&-
        """
    }

    /// Where fill_disk may have left filler files of any run (its `pg_wal` and data targets), as shell globs.
    public static func fillerGlobs(dataDir: String) -> String {
        "\(dataDir.shellQuoted)/.pgdrill-filler-* \(dataDir.shellQuoted)/pg_wal/.pgdrill-filler-*"
    }

    /// Lists every pgdrill chain and filler file on a host, one per line (pre-flight and `check`).
    public static func leftovers(dataDir: String) -> String {
        "\(leftoverChains)\nls -d \(fillerGlobs(dataDir: dataDir)) 2>/dev/null || true\n\(pausedProcesses)\n\(leftoverNetem)"
    }

    /// Cluster services left stopped by SIGSTOP (state T), e.g. by a `pause` whose SIGCONT never ran.
    public static let pausedProcesses =
        "ps -eo stat=,pid=,comm= 2>/dev/null | awk '$1 ~ /^T/ && $3 ~ /^(\(pausableServices)$/ { print \"paused process: \" $3 \" (pid \" $2 \", state \" $1 \")\" }' || true"

    /// Sends SIGCONT to every paused cluster service (the `recover` sweep's counterpart of `pausedProcesses`).
    public static let resumePaused =
        "for p in $(ps -eo stat=,pid=,comm= 2>/dev/null | awk '$1 ~ /^T/ && $3 ~ /^(\(pausableServices)$/ { print $2 }'); do kill -s CONT \"$p\" && echo \"resumed paused pid $p\"; done"

    static let pausableServices = "postgres|patroni|etcd|pgbouncer|haproxy"

    public static func removeFiller(directory: String, tag: String) -> String {
        let file = fillerPath(directory: directory, tag: tag).shellQuoted
        return "rm -f -- \(file) && echo 'filler removed'"
    }
}
