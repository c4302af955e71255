# shellcheck shell=bash
# The lab's backup side: a pgBackRest repository on its own node (repo), reached
# over pgBackRest's TLS protocol (`pgbackrest server` on the repo and on every pg
# node: backups start on the repository host and reach the nodes), WAL archived
# from whichever node is primary, and a scratch node for restore drills.
# Sourced by lab.sh after common.sh, config.sh and nodes.sh.

TLS_DIR=$STATE/tls
# One client certificate for every pgBackRest client; tls-server-auth maps its CN to the stanza.
TLS_CLIENT_CN=pgdrill-lab-client

gen_tls_certs() {
    install -d -m 0755 "$TLS_DIR"
    local node ip cn ext
    openssl req -x509 -newkey ed25519 -nodes -days 30 -subj "/CN=pgdrill-lab-ca" \
        -keyout "$TLS_DIR/ca.key" -out "$TLS_DIR/ca.crt" 2>/dev/null
    # The pg nodes' certificates serve pgBackRest and (up --tls) Patroni's REST API; the proxy's, HAProxy's stats.
    for node in "${PG_NODES[@]}" "${DR_NODES[@]}" "$REPO_NODE" "$PROXY_NODE" client; do
        if [[ $node == client ]]; then
            cn=$TLS_CLIENT_CN ext="extendedKeyUsage=clientAuth"
        else
            ip=$(node_ip "$node")
            cn=$ip ext="subjectAltName=DNS:$ip,IP:$ip"
        fi
        openssl req -newkey ed25519 -nodes -subj "/CN=$cn" -keyout "$TLS_DIR/$node.key" \
            -out "$TLS_DIR/$node.csr" 2>/dev/null
        openssl x509 -req -in "$TLS_DIR/$node.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" \
            -CAcreateserial -days 30 -extfile <(echo "$ext") -out "$TLS_DIR/$node.crt" 2>/dev/null
        rm -f "$TLS_DIR/$node.csr"
        chown postgres:postgres "$TLS_DIR/$node.key"
        chmod 0600 "$TLS_DIR/$node.key"
    done
    # HAProxy wants certificate and key in one file.
    cat "$TLS_DIR/$PROXY_NODE.crt" "$TLS_DIR/$PROXY_NODE.key" >"$TLS_DIR/$PROXY_NODE.pem"
    chmod 0600 "$TLS_DIR/$PROXY_NODE.pem"
    # lab-svc runs HAProxy as haproxy where the package made that user.
    if id -u haproxy >/dev/null 2>&1; then chown haproxy "$TLS_DIR/$PROXY_NODE.pem"; fi
    rm -f "$TLS_DIR/ca.key" "$TLS_DIR/ca.srl"
}

# No inline comments in pgbackrest.conf: pgBackRest would read them as part of the value.
write_pgbackrest_config() {
    local node=$1
    render_template pgbackrest.conf node role_settings="$(pgbackrest_role_settings "$node")" \
        stanza_settings="$(pgbackrest_stanza_settings "$node")" STATE REPO_PATH PGBACKREST_STANZA \
        >"$STATE/$node/pgbackrest.conf"
    chmod 0644 "$STATE/$node/pgbackrest.conf"
}

# [global] by role: the repository keeps backups; every other node reaches it over TLS and (but the scratch
# node) serves pgBackRest's TLS protocol itself.
pgbackrest_role_settings() {
    local node=$1
    if [[ $node == "$REPO_NODE" ]]; then
        printf '%s\n' repo1-retention-full=2 start-fast=y
    else
        render_template pgbackrest-repo-client.conf repo="$(node_ip "$REPO_NODE")" PGBACKREST_TLS_PORT TLS_DIR
    fi
    if [[ $node != "$SCRATCH_NODE" ]]; then
        render_template pgbackrest-tls-server.conf node ip="$(node_ip "$node")" PGBACKREST_TLS_PORT TLS_DIR \
            TLS_CLIENT_CN PGBACKREST_STANZA
    fi
}

# The stanza: the repository reaches every pg node, a node names its own data directory.
pgbackrest_stanza_settings() {
    local node=$1 n i=0
    if [[ $node == "$REPO_NODE" ]]; then
        for n in "${PG_NODES[@]}"; do
            i=$((i + 1))
            render_template pgbackrest-repo-pg.conf i ip="$(node_ip "$n")" PGBACKREST_TLS_PORT TLS_DIR DATA_DIR PG_PORT
        done
    else
        printf '%s\n' "pg1-path=$DATA_DIR" "pg1-port=$PG_PORT" "pg1-socket-path=/run/postgresql"
    fi
}

# pgBackRest as postgres inside a node (the repository and its files belong to postgres).
pgbackrest_in() {
    local node=$1
    shift
    in_node "$node" setpriv --reuid=postgres --regid=postgres --init-groups \
        env -i PATH=/usr/bin:/bin HOME=/run/pgbackrest LANG=C.UTF-8 \
        pgbackrest --config="$PGBACKREST_CONF" --stanza="$PGBACKREST_STANZA" "$@"
}

# After the cluster is healthy: the stanza (archive-push fails until it exists),
# then `check`, which switches WAL and waits until that segment is archived.
backup_setup() {
    pgbackrest_in "$REPO_NODE" stanza-create >/dev/null
    pgbackrest_in "$REPO_NODE" check >/dev/null
}

cmd_backup() {
    require_root
    local t0
    t0=$(now_ns)
    pgbackrest_in "$REPO_NODE" --type=full backup
    say "full backup in $(elapsed_since "$t0") s"
}

# The scratch node: a fresh namespace with sshd only and an empty data tmpfs, for
# a restore drill (pgdrill runs `scratch.create`/`destroy` from the cluster file);
# `destroy` removes it and everything in it.
cmd_scratch() {
    require_root
    case "${1:-}" in
        create)
            scratch_destroy
            net_node_up "$SCRATCH_NODE"
            start_node "$SCRATCH_NODE"
            wait_node_ready "$SCRATCH_NODE"
            in_node "$SCRATCH_NODE" "$LAB_DIR/bin/lab-svc" start sshd >/dev/null
            say "scratch node up at $(node_ip "$SCRATCH_NODE")"
            ;;
        destroy) scratch_destroy ;;
        *) die "usage: lab.sh scratch create|destroy" ;;
    esac
}

scratch_destroy() {
    local -a pids=()
    local ns pid f
    ns=$(netns_name "$SCRATCH_NODE")
    for f in tini unshare; do
        pid=$(recorded_pid "$STATE/$SCRATCH_NODE/$f.pid")
        if [[ -n $pid ]]; then pids+=("$pid"); fi
    done
    if [[ -e /run/netns/$ns ]]; then mapfile -t -O "${#pids[@]}" pids < <(ip netns pids "$ns" 2>/dev/null || true); fi
    if ((${#pids[@]})); then
        kill -KILL "${pids[@]}" 2>/dev/null || true
        wait_dead 10 "${pids[@]}" || say "warning: scratch processes survived SIGKILL"
    fi
    net_node_down "$SCRATCH_NODE"
    rm -f "$STATE/$SCRATCH_NODE"/*.pid
}
