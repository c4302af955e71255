import PGDrillSSH

/// repmgr's own commands, as the repmgr user, and re-pointing a standby by hand.
extension FaultTemplates {
    /// A repmgr command as the repmgr user on `node`, from `/` (repmgr's ssh and pg_ctl children must
    /// be able to chdir there), all output captured.
    public static func repmgr(_ s: RepmgrManager.Settings, node: String, _ arguments: String) -> String {
        "cd / && runuser -u \(s.user.shellQuoted) -- \((s.binDir + "/repmgr").shellQuoted) -f \(s.config(for: node).shellQuoted) \(arguments) 2>&1"
    }

    /// One SQL statement as postgres over the local socket.
    public static func psqlAsPostgres(binDir: String, port: Int, sql: String) -> String {
        "cd / && runuser -u postgres -- \((binDir + "/psql").shellQuoted) -X -q -At -p \(port) -d postgres -c \(sql.shellQuoted)"
    }

    /// Points a running standby at a new primary: `primary_conninfo` keeps every setting but the host.
    /// The conninfo (often with a password) never leaves the server process and psql's memory: read, rewritten
    /// and set by SQL on psql's stdin, not passed as an argument (which `ps` shows every user on the node).
    public static func repointStandby(binDir: String, port: Int, primaryHost: String) -> String {
        """
        cd / && runuser -u postgres -- \((binDir + "/psql").shellQuoted) -X -q -At -p \(port) -d postgres -v ON_ERROR_STOP=1 -v host=\(primaryHost.shellQuoted) <<'SQL' || exit 1
        DO $pgdrill$ BEGIN IF current_setting('primary_conninfo') = '' THEN RAISE EXCEPTION 'not a standby (no primary_conninfo)'; END IF; END $pgdrill$;
        SELECT regexp_replace(current_setting('primary_conninfo'), 'host=[^ ]*', 'host=' || :'host') AS ci \\gset
        ALTER SYSTEM SET primary_conninfo = :'ci';
        SELECT pg_reload_conf();
        SQL
        """
    }

    /// Unpauses every repmgrd that answers (`repmgr service unpause` reports the unreachable ones — a node the
    /// drill took down, whose repmgrd starts unpaused anyway — and fails for them), then requires this node's
    /// own repmgrd to be unpaused: the undo of an on-call drill's pause, safe to run twice.
    public static func repmgrUnpause(_ s: RepmgrManager.Settings, node: String) -> String {
        """
        \(repmgr(s, node: node, "service unpause")) || true
        paused=$(cd / && runuser -u \(s.user.shellQuoted) -- psql -X -Atq -d \(s.database.shellQuoted) -c 'SELECT repmgr.repmgrd_is_paused()' 2>&1)
        [ "$paused" = f ] && echo "repmgrd unpaused" && exit 0
        echo "repmgrd on \(node) still paused: $paused" >&2; exit 1
        """
    }

    /// Brings a repmgr node's PostgreSQL back after a crash without making it a second primary: if it
    /// is down and a peer is primary, `repmgr node rejoin --force-rewind` against that peer (pg_rewind
    /// when the timelines diverged); if no peer is primary, it is started as it was.
    public static func repmgrRejoin(_ s: RepmgrManager.Settings, node: String, dataDir: String, peers: [String]) -> String {
        let conf = s.config(for: node).shellQuoted
        let user = s.user.shellQuoted
        let pgCtl = (s.binDir + "/pg_ctl").shellQuoted
        let psql = (s.binDir + "/psql").shellQuoted
        let repmgr = (s.binDir + "/repmgr").shellQuoted
        return """
        if (cd / && runuser -u \(user) -- \(pgCtl) status -D \(dataDir.shellQuoted)) >/dev/null 2>&1; then echo "postgres already running"; exit 0; fi
        ci=$(sed -n "s/^conninfo *= *'\\(.*\\)' *$/\\1/p" \(conf) | head -n 1)
        primary=''
        for h in \(peers.map(\.shellQuoted).joined(separator: " ")); do
          c=$(printf '%s' "$ci" | sed "s/host=[^ ]*/host=$h/")
          r=$(cd / && runuser -u \(user) -- \(psql) -XAtq -d "$c" -c 'SELECT pg_is_in_recovery()' 2>/dev/null) || r=''
          if [ "$r" = f ]; then primary=$c; break; fi
        done
        if [ -z "$primary" ]; then
          cd / && runuser -u \(user) -- \((s.binDir + "/repmgr").shellQuoted) -f \(conf) node service --action=start 2>&1; exit $?
        fi
        # A just-promoted primary's control file names the new timeline only after its next checkpoint;
        # pg_rewind reads it there, and without one finds the wrong fork point.
        (cd / && runuser -u \(user) -- \(psql) -XAtq -d "$primary" -c CHECKPOINT) >/dev/null 2>&1 || true
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) node rejoin -d "$primary" --force-rewind 2>&1 && exit 0
        echo "rejoin failed: cloning this node afresh from the primary"
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) -d "$primary" standby clone --force --fast-checkpoint 2>&1 || exit 1
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) node service --action=start 2>&1 || exit 1
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) standby register --force 2>&1
        """
    }
}
