# shellcheck shell=bash
# The repmgr flavour (`lab.sh up --manager repmgr`): the same nodes and proxy, but
# PostgreSQL 15 run by pg_ctl and watched by repmgrd (repmgr 5.3 from Debian's
# postgresql-15-repmgr) instead of Patroni + etcd. There is no DCS and no REST API:
# a small role responder (bin/lab-pgrole) answers HAProxy's checks on :8008.
# Sourced by lab.sh after common.sh, config.sh and nodes.sh.

REPMGR_BIN=$PG_BIN/repmgr
REPMGR_CONF_NAME=repmgr.conf
# repmgrd's failure detection: repmgr's own defaults (6 attempts, 10 s apart), so
# drills show what an untuned repmgr cluster does: a primary loss is acted on only
# after ~60 s. LAB_REPMGR_RECONNECT="ATTEMPTS:INTERVAL" overrides both.
REPMGR_RECONNECT=${LAB_REPMGR_RECONNECT:-6:10}

repmgr_conf() { echo "$STATE/$1/$REPMGR_CONF_NAME"; }
repmgr_node_id() { echo "${1#pg}"; }
# Every repmgr connection names the password file: repmgrd, the ssh'd remote side of
# a switchover and pg_rewind all see the same conninfo, whatever their environment.
repmgr_conninfo() {
    printf 'host=%s port=%s user=repmgr dbname=repmgr connect_timeout=2 passfile=%s' \
        "$(node_ip "$1")" "$PG_PORT" "$STATE/repmgr/pgpass"
}

# Keys for repmgr's own node-to-node ssh as postgres (`standby switchover` runs
# repmgr on the old primary over ssh), readable only by postgres.
gen_repmgr_ssh_keys() {
    install -d -m 0750 -o postgres -g postgres "$STATE/repmgr"
    install -d -m 0700 -o postgres -g postgres "$STATE/repmgr/ssh"
    setpriv --reuid=postgres --regid=postgres --init-groups \
        ssh-keygen -q -t ed25519 -N '' -C "postgres.pgdrill-lab" -f "$STATE/repmgr/ssh/id_ed25519"
    printf 'from="%s.*" %s\n' "$NET_PREFIX" "$(cat "$STATE/repmgr/ssh/id_ed25519.pub")" >"$STATE/repmgr/ssh/authorized_keys"
    chown postgres:postgres "$STATE/repmgr/ssh/authorized_keys"
    chmod 0600 "$STATE/repmgr/ssh/authorized_keys"
    # state/ssh is root's (0700): postgres gets its own copy of the nodes' host keys.
    install -m 0644 -o postgres -g postgres "$STATE/ssh/known_hosts" "$STATE/repmgr/ssh/known_hosts"
}

write_repmgr_pgpass() {
    local f="$STATE/repmgr/pgpass"
    install -m 0600 -o postgres -g postgres /dev/null "$f"
    printf '*:%s:*:repmgr:%s\n' "$PG_PORT" "$REPMGR_PASSWORD" >"$f"
}

write_repmgr_config() {
    local node=$1 f attempts interval priority
    f=$(repmgr_conf "$node")
    attempts=${REPMGR_RECONNECT%%:*} interval=${REPMGR_RECONNECT##*:}
    # pg2 is the preferred candidate (and the synchronous standby), pg3 the async one.
    case $node in pg1) priority=100 ;; pg2) priority=90 ;; *) priority=80 ;; esac
    local svc="$LAB_DIR/bin/lab-svc"
    local ssh_opts="-q -o BatchMode=yes -o ConnectTimeout=5 -o StrictHostKeyChecking=yes"
    ssh_opts+=" -o UserKnownHostsFile=$STATE/repmgr/ssh/known_hosts -i $STATE/repmgr/ssh/id_ed25519"
    install -m 0640 -o postgres -g postgres /dev/null "$f"
    render_template repmgr.conf node f ssh_opts node_id="$(repmgr_node_id "$node")" \
        conninfo="$(repmgr_conninfo "$node")" priority="$priority" attempts="$attempts" interval="$interval" \
        svc="$svc" DATA_DIR PG_BIN STATE REPMGR_BIN >"$f"
}

# postgresql.conf additions for the repmgr flavour (the Patroni flavour's
# parameters, set here since nothing else manages them). Per-node settings come
# from an include file in the node's private /run (written by lab-svc).
repmgr_postgresql_conf() { render_template repmgr-postgresql.conf PG_PORT; }

repmgr_pg_hba() { render_template repmgr-pg_hba.conf NET_CIDR; }

generate_repmgr_state() {
    REPMGR_PASSWORD=$(gen_password)
    gen_repmgr_ssh_keys
    write_repmgr_pgpass
    local node
    for node in "${PG_NODES[@]}"; do write_repmgr_config "$node"; done
}

# Runs a command as postgres inside a node, with a clean environment.
as_postgres() {
    local node=$1
    shift
    in_node "$node" setpriv --reuid=postgres --regid=postgres --init-groups \
        env -i PATH=/usr/bin:/bin HOME="$DATA_MOUNT" LANG=C.UTF-8 PGPASSFILE="$STATE/repmgr/pgpass" \
        bash -c 'cd / && exec "$@"' bash "$@"
}

repmgr_node_log() { echo "$STATE/$1/log/repmgr-setup.log"; }

# pg1: initdb, configuration, repmgr user and database, `repmgr primary register`.
repmgr_init_primary() {
    local node=$1 log
    log=$(repmgr_node_log "$node")
    as_postgres "$node" "$PG_BIN/initdb" -D "$DATA_DIR" --data-checksums --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=peer --auth-host=scram-sha-256 >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
    repmgr_postgresql_conf | as_postgres "$node" tee -a "$DATA_DIR/postgresql.conf" >/dev/null
    repmgr_pg_hba | as_postgres "$node" tee "$DATA_DIR/pg_hba.conf" >/dev/null
    in_node "$node" "$LAB_DIR/bin/lab-svc" start postgresql >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
    as_postgres "$node" "$PG_BIN/psql" -XAtq -h /run/postgresql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 \
        >>"$log" 2>&1 <<SQL || { tail -n 20 "$log" >&2; return 1; }
CREATE ROLE repmgr LOGIN SUPERUSER REPLICATION PASSWORD '$REPMGR_PASSWORD';
CREATE DATABASE repmgr OWNER repmgr;
ALTER ROLE repmgr SET search_path TO repmgr, "\$user", public;
SQL
    as_postgres "$node" "$REPMGR_BIN" -f "$(repmgr_conf "$node")" primary register >>"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; return 1; }
}

# pg2/pg3: `repmgr standby clone` from the primary, start, `standby register`.
repmgr_init_standby() {
    local node=$1 primary=$2 log
    log=$(repmgr_node_log "$node")
    as_postgres "$node" "$REPMGR_BIN" -f "$(repmgr_conf "$node")" -h "$(node_ip "$primary")" -p "$PG_PORT" \
        -U repmgr -d repmgr standby clone --fast-checkpoint >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
    in_node "$node" "$LAB_DIR/bin/lab-svc" start postgresql >>"$log" 2>&1 || { tail -n 20 "$log" >&2; return 1; }
    # register refuses a standby still in "catchup" (not yet streaming): retry for up to ~15 s.
    for _ in $(seq 1 30); do
        as_postgres "$node" "$REPMGR_BIN" -f "$(repmgr_conf "$node")" standby register --wait-sync=30 >>"$log" 2>&1 && return 0
        sleep 0.5
    done
    tail -n 20 "$log" >&2
    return 1
}

# The drill role may read repmgr's metadata (the engine's view of the cluster).
repmgr_grant_drill() {
    local node=$1
    as_postgres "$node" "$PG_BIN/psql" -XAtq -h /run/postgresql -p "$PG_PORT" -d repmgr -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
GRANT USAGE ON SCHEMA repmgr TO drill;
GRANT SELECT ON ALL TABLES IN SCHEMA repmgr TO drill;
SQL
}

# Brings the pg nodes up in order: the primary first, then both standbys in
# parallel, then repmgrd and the role responder everywhere.
repmgr_start_cluster() {
    local primary=${PG_NODES[0]} node
    repmgr_init_primary "$primary" || die "repmgr: $primary failed to initialise (log: $(repmgr_node_log "$primary"))"
    local -a jobs=()
    for node in "${PG_NODES[@]:1}"; do
        repmgr_init_standby "$node" "$primary" &
        jobs+=($!)
    done
    local job failed=0
    for job in "${jobs[@]}"; do wait "$job" || failed=1; done
    ((failed == 0)) || die "repmgr: a standby failed to clone or register (see above)"
    # Synchronous replication only now that standbys exist (commits would wait forever before).
    # pg2 first; repmgr does not move the sync role, so the list names every node: whichever is
    # primary skips itself and the first other connected node is synchronous.
    for node in "${PG_NODES[@]}"; do
        printf "\nsynchronous_standby_names = 'FIRST 1 (%s)'\n" "$(IFS=,; echo "${PG_NODES[*]:1},${PG_NODES[0]}" | sed 's/,/, /g')" |
            as_postgres "$node" tee -a "$DATA_DIR/postgresql.conf" >/dev/null
        in_node "$node" "$LAB_DIR/bin/lab-svc" reload postgresql >/dev/null
    done
    for node in "${PG_NODES[@]}"; do
        in_node "$node" "$LAB_DIR/bin/lab-svc" start repmgrd >/dev/null || die "repmgrd failed to start on $node"
        in_node "$node" "$LAB_DIR/bin/lab-svc" start pgrole >/dev/null || die "the role responder failed to start on $node"
    done
}

# `repmgr cluster show` from the first node that answers (as postgres, inside it).
repmgr_cluster_show() {
    local n
    for n in "${PG_NODES[@]}"; do
        [[ -n $(node_init_pid "$n") ]] || continue
        if as_postgres "$n" "$REPMGR_BIN" -f "$(repmgr_conf "$n")" cluster show "$@" 2>/dev/null; then return 0; fi
    done
    return 1
}

# Health in the repmgr flavour: the node list from `repmgr cluster show --csv`
# (node_id,connection,recovery: 0 = reachable / primary), then each node over SQL
# (one primary, every standby streaming from it, pg2 synchronous).
repmgr_health() {
    local -n _parts=$1
    local n ip r writable=() streaming=0 sync=""
    for n in "${PG_NODES[@]}"; do
        ip=$(node_ip "$n")
        r=$(PGPASSFILE="$STATE/repmgr/pgpass" PGCONNECT_TIMEOUT=1 psql -XAtqw \
            "host=$ip port=$PG_PORT dbname=repmgr user=repmgr" -F' ' \
            -c "select pg_is_in_recovery(), (select type from repmgr.nodes where node_name = '$n')" 2>/dev/null) || r=""
        case $r in
            "f primary") writable+=("$n") ;;
            "t standby") ;;
            "") H_PROBLEMS+=("$n: PostgreSQL not answering") ;;
            *) H_PROBLEMS+=("$n: recovery/type is '$r'") ;;
        esac
    done
    if ((${#writable[@]} == 1)); then
        H_LEADER=${writable[0]}
        local rows
        rows=$(PGPASSFILE="$STATE/repmgr/pgpass" PGCONNECT_TIMEOUT=1 psql -XAtqw \
            "host=$(node_ip "$H_LEADER") port=$PG_PORT dbname=repmgr user=repmgr" -F' ' \
            -c "select application_name, state, sync_state from pg_stat_replication" 2>/dev/null) || rows=""
        streaming=$(awk '$2 == "streaming"' <<<"$rows" | wc -l)
        sync=$(awk '$3 == "sync" { print $1 }' <<<"$rows" | paste -sd, -)
        ((streaming == ${#PG_NODES[@]} - 1)) || H_PROBLEMS+=("repmgr: $streaming standbys streaming from $H_LEADER (want $((${#PG_NODES[@]} - 1)))")
        [[ -n $sync ]] || H_PROBLEMS+=("repmgr: no synchronous standby")
    else
        H_PROBLEMS+=("repmgr: ${#writable[@]} writable primaries (${writable[*]:-none}; want 1)")
    fi
    _parts+=("primary ${H_LEADER:--} · $streaming streaming · sync ${sync:--}")
    # Every node's repmgrd running (read through each node's pidfile by lab-svc).
    local down=()
    for n in "${PG_NODES[@]}"; do
        [[ -n $(node_init_pid "$n") ]] && in_node "$n" "$LAB_DIR/bin/lab-svc" status repmgrd >/dev/null 2>&1 || down+=("$n")
    done
    ((${#down[@]} == 0)) || H_PROBLEMS+=("repmgrd not running on ${down[*]}")
}
