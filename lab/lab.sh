#!/bin/bash
# lab.sh up|down|status — pgdrill's built-in target: a real Patroni + etcd +
# PostgreSQL 15 cluster with HAProxy and PgBouncer, on one machine, as root, in
# network/PID/UTS/IPC/mount namespaces (no containers, no systemd).
#
#   up      clear any stale lab objects, build the lab, wait until healthy
#           (no-op when it is already up and healthy)
#   down    end every lab process, remove namespaces, veths, bridge and state
#   status  members, roles, lag, timeline, etcd, HAProxy, PgBouncer, services,
#           WAL archiving; exit status 0 iff healthy
#   backup  a full pgBackRest backup to the repo node
#   scratch create|destroy   the empty node a restore drill restores onto
#   cluster-file DIR [options of up]   only DIR/cluster.yaml, as `up` with those options would write it
#           (no root, no namespaces, nothing else generated: for tests of the cluster file)
#
# See lab/README.md. Everything generated lives under lab/state/.
set -euo pipefail
# `up --manager patroni|repmgr` picks the flavour (remembered in state/manager); `up --patroni debian` runs
# Debian's packaged Patroni 3.0.2 instead of the pinned PyPI release (state/patroni); `up --replication async`
# turns synchronous mode off (state/replication); `up --dr-region` adds the second region (a Patroni standby
# cluster; remembered in state/dr-region); `up --ssh-port N` runs every node's sshd on port N instead of 22
# (remembered in state/ssh-port), as clusters that move ssh do; `up --operator` refuses root ssh and has the
# engine log in as an operator with sudo (state/operator); `up --tls` serves Patroni's REST API and HAProxy's
# stats over HTTPS with a lab CA and basic auth (state/https); `up --bastion` lets ssh in only through a
# bastion namespace (state/via-bastion). A Patroni lab is production-shaped by default (all three on);
# `up --simple` is the lab of old: root ssh and plain HTTP. repmgr's lab is always simple. Monitoring
# (Prometheus, Alertmanager, exporters; state/monitoring) comes with every flavour unless `up --no-monitoring`.
LAB_COMMAND=${1:-}
if [[ $LAB_COMMAND == up || $LAB_COMMAND == cluster-file ]]; then
    up_usage() {
        echo "usage: $0 up [--manager patroni|repmgr] [--patroni pypi|debian] [--replication sync|async] [--dr-region] [--ssh-port N] [--simple | --operator --tls --bastion] [--no-monitoring]" >&2
        echo "       $0 cluster-file DIR [the options of up]" >&2
        exit 2
    }
    # A plain `up` means the default flavour, whatever ran before.
    export LAB_MANAGER=${LAB_MANAGER:-patroni} LAB_DR_REGION=${LAB_DR_REGION:-0} LAB_SSH_PORT=${LAB_SSH_PORT:-22}
    export LAB_PATRONI=${LAB_PATRONI:-pypi} LAB_REPLICATION=${LAB_REPLICATION:-sync}
    export LAB_OPERATOR=${LAB_OPERATOR:-} LAB_TLS=${LAB_TLS:-} LAB_BASTION=${LAB_BASTION:-}
    export LAB_MONITORING=${LAB_MONITORING:-1}
    shift
    CLUSTER_FILE_DIR=""
    if [[ $LAB_COMMAND == cluster-file ]]; then
        [[ -n ${1:-} && $1 != -* ]] || up_usage
        CLUSTER_FILE_DIR=$1
        shift
    fi
    while (($#)); do
        case $1 in
            --manager) [[ -n ${2:-} ]] || up_usage; export LAB_MANAGER=$2; shift 2 ;;
            --manager=*) export LAB_MANAGER=${1#--manager=}; shift ;;
            --patroni) [[ -n ${2:-} ]] || up_usage; export LAB_PATRONI=$2; shift 2 ;;
            --patroni=*) export LAB_PATRONI=${1#--patroni=}; shift ;;
            --replication) [[ -n ${2:-} ]] || up_usage; export LAB_REPLICATION=$2; shift 2 ;;
            --replication=*) export LAB_REPLICATION=${1#--replication=}; shift ;;
            --dr-region) export LAB_DR_REGION=1; shift ;;
            --operator) export LAB_OPERATOR=1; shift ;;
            --tls) export LAB_TLS=1; shift ;;
            --bastion) export LAB_BASTION=1; shift ;;
            --no-monitoring) export LAB_MONITORING=0; shift ;;
            --simple) export LAB_OPERATOR=0 LAB_TLS=0 LAB_BASTION=0; shift ;;
            --ssh-port) [[ ${2:-} =~ ^[0-9]+$ ]] || up_usage; export LAB_SSH_PORT=$2; shift 2 ;;
            *) up_usage ;;
        esac
    done
    if [[ $LAB_MANAGER == repmgr && $LAB_SSH_PORT != 22 ]]; then
        echo "lab: error: --ssh-port needs the Patroni flavour (repmgr's own node-to-node ssh is set up for port 22)" >&2
        exit 2
    fi
    if [[ $LAB_MANAGER == repmgr && $LAB_DR_REGION == 1 ]]; then
        echo "lab: error: --dr-region builds a Patroni standby cluster; it needs the Patroni flavour" >&2
        exit 2
    fi
    # Production-shaped unless asked otherwise; repmgr's lab cannot be (its node-to-node ssh is root's).
    default_shape=1
    if [[ $LAB_MANAGER == repmgr ]]; then default_shape=0; fi
    export LAB_OPERATOR=${LAB_OPERATOR:-$default_shape} LAB_TLS=${LAB_TLS:-$default_shape} LAB_BASTION=${LAB_BASTION:-$default_shape}
    if [[ $LAB_MANAGER == repmgr && $LAB_BASTION == 1 ]]; then
        echo "lab: error: --bastion needs the Patroni flavour (repmgr's node-to-node ssh goes direct)" >&2
        exit 2
    fi
    if [[ $LAB_MANAGER == repmgr && $LAB_TLS == 1 ]]; then
        echo "lab: error: --tls puts Patroni's REST API on HTTPS; it needs the Patroni flavour" >&2
        exit 2
    fi
    if [[ $LAB_MANAGER == repmgr && $LAB_OPERATOR == 1 ]]; then
        echo "lab: error: --operator needs the Patroni flavour (repmgr's node-to-node ssh is set up as postgres)" >&2
        exit 2
    fi
    if [[ $LAB_MANAGER == repmgr && ($LAB_PATRONI != pypi || $LAB_REPLICATION != sync) ]]; then
        echo "lab: error: --patroni and --replication are Patroni-flavour options (the repmgr lab is synchronous)" >&2
        exit 2
    fi
    set -- "$LAB_COMMAND" "$CLUSTER_FILE_DIR"
fi
LAB_SH_DIR="$(cd "$(dirname "$0")" && pwd -P)"
# shellcheck source=lib/common.sh
source "$LAB_SH_DIR/lib/common.sh"
# shellcheck source=lib/config.sh
source "$LAB_DIR/lib/config.sh"
# shellcheck source=lib/net.sh
source "$LAB_DIR/lib/net.sh"
# shellcheck source=lib/nodes.sh
source "$LAB_DIR/lib/nodes.sh"
# shellcheck source=lib/health.sh
source "$LAB_DIR/lib/health.sh"
# shellcheck source=lib/repmgr.sh
source "$LAB_DIR/lib/repmgr.sh"
# shellcheck source=lib/backup.sh
source "$LAB_DIR/lib/backup.sh"
# shellcheck source=lib/monitoring.sh
source "$LAB_DIR/lib/monitoring.sh"

UP_TIMEOUT=${LAB_UP_TIMEOUT:-60}

require_root() { ((EUID == 0)) || die "lab.sh needs root (namespaces, mounts, bridge)"; }

# Namespace names are host-global: refuse to tear down a lab that another
# checkout brought up, unless told to.
check_owner() {
    local owner node
    [[ -r $OWNER_FILE ]] || return 0
    owner=$(<"$OWNER_FILE")
    [[ $owner == "$LAB_DIR" || ${LAB_FORCE:-0} == 1 ]] && return 0
    for node in "${ALL_NODES[@]}"; do
        if [[ -e /run/netns/$(netns_name "$node") ]]; then
            die "the running lab belongs to $owner; use its lab.sh down (or LAB_FORCE=1 to take it over)"
        fi
    done
}

lab_exists() {
    local node
    for node in "${TEARDOWN_NODES[@]}"; do
        [[ -e /run/netns/$(netns_name "$node") || -n $(node_init_pid "$node") ]] && return 0
    done
    [[ -e /sys/class/net/$BRIDGE ]]
}

lab_running() {
    local node
    for node in "${ALL_NODES[@]}"; do [[ -n $(node_init_pid "$node") ]] || return 1; done
}

# Works from any half-built state: processes first (so nothing holds the
# namespaces), then the network, then (for down) the state directory.
teardown() {
    kill_lab_processes
    net_down
    # Mount points lab-node-init made on the host to carry a /tmp checkout into a node (empty once the
    # node's mount namespace is gone).
    rmdir "/var/tmp/.pgdrill-lab$LAB_TAG-aside-"* 2>/dev/null || true
}

remove_state() {
    [[ $STATE == */lab/state && -d $STATE ]] && rm -rf --one-file-system "$STATE"
    rm -f "$OWNER_FILE"
    # Another instance's nodes mount their tmpfs on this path: removing it under them would
    # detach their data directories (rmdir of a mount point in another mount namespace).
    compgen -G '/run/pgdrill-lab*.owner' >/dev/null || rmdir "$DATA_MOUNT" 2>/dev/null || true
}

# The drill role and database: created by lab.sh on the leader over its local
# socket, so the drill password is written nowhere but pgpass and PgBouncer's
# auth file (it reaches psql on stdin, never on a command line).
create_drill_role() {
    local leader=$1 pw
    pw=$(awk -F: 'NR == 1 { print $5 }' "$STATE/pgpass")
    [[ -n $pw ]] || die "no drill password in $STATE/pgpass"
    in_node "$leader" setpriv --reuid=postgres --regid=postgres --init-groups \
        env -i PATH=/usr/bin:/bin HOME="$DATA_MOUNT" LANG=C.UTF-8 \
        "$PG_BIN/psql" -XAtq -h /run/postgresql -p "$PG_PORT" -d postgres -v ON_ERROR_STOP=1 >/dev/null <<SQL
\\set pw '$pw'
SELECT NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'drill') AS need_role \\gset
\\if :need_role
CREATE ROLE drill LOGIN;
\\endif
ALTER ROLE drill WITH LOGIN PASSWORD :'pw';
-- The engine's cluster monitor reads pg_stat_replication and friends as drill.
GRANT pg_monitor TO drill;
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'drill') AS need_db \\gset
\\if :need_db
CREATE DATABASE drill OWNER drill;
\\endif
$(monitoring_role_sql)
SQL
}

# Polls until healthy (creating the drill role as soon as a leader runs), shows
# progress, and on timeout fails with the problems and the logs' last lines.
wait_healthy() {
    local t0=$1 deadline last="" role_done=0 role_error="" line tty=0 healthy
    deadline=$((t0 + UP_TIMEOUT * 1000000000))
    [[ -t 2 ]] && tty=1
    while :; do
        if lab_health fast; then healthy=1; else healthy=0; fi
        if ((!role_done)) && [[ -n $H_LEADER ]]; then
            # The leader may still be starting: keep the reason, retry next round.
            if role_error=$(create_drill_role "$H_LEADER" 2>&1); then
                role_done=1
                if [[ $LAB_MANAGER == repmgr ]] && ! role_error=$(repmgr_grant_drill "$H_LEADER" 2>&1); then role_done=0; fi
            fi
        fi
        line="[$(printf '%5s' "$(elapsed_since "$t0")")s] ${H_SUMMARY}"
        if ((healthy && role_done)); then
            ((tty)) && printf '\r\033[K' >&2
            say "$line"
            return 0
        fi
        if ((tty)); then
            printf '\r\033[K%s' "${line:0:$(($(tput cols 2>/dev/null || echo 160) - 1))}" >&2
        elif [[ $H_SUMMARY != "$last" ]]; then
            say "$line"
        fi
        last=$H_SUMMARY
        if (($(now_ns) > deadline)); then
            ((tty)) && printf '\n' >&2
            say "lab: not healthy after ${UP_TIMEOUT}s:"
            printf '  - %s\n' "${H_PROBLEMS[@]}" >&2
            ((role_done)) || say "  - drill role not created yet${role_error:+: $role_error}"
            print_log_tails
            die "lab up timed out; the half-built lab is left for inspection (lab.sh status, lab.sh down)"
        fi
        sleep 0.2
    done
}

print_log_tails() {
    local node f
    for node in "${ALL_NODES[@]}"; do
        for f in "$STATE/$node"/log/*.log; do
            [[ -s $f ]] || continue
            say "--- ${f#"$LAB_DIR"/} (last 8 lines)"
            tail -n 8 "$f" >&2
        done
    done
}

# Quick presence check; the full bootstrap (apt, venv) only when something is missing.
ensure_dependencies() {
    if ! "$LAB_DIR/bootstrap.sh" --check >/dev/null 2>&1; then
        say "lab: dependencies missing; running bootstrap.sh"
        "$LAB_DIR/bootstrap.sh"
    fi
}

# What a node runs, started with the same lab-svc the engine uses over ssh.
node_services() {
    if [[ $1 == "$BASTION_NODE" ]]; then
        echo sshd
    elif [[ $1 == "$MON_NODE" ]]; then
        # The sink before Alertmanager, Alertmanager before Prometheus: nothing is sent into the void.
        echo sshd alert-sink alertmanager prometheus
    elif [[ $1 == "$REPO_NODE" ]]; then
        echo sshd pgbackrest
    elif ! is_pg_node "$1"; then
        echo sshd haproxy pgbouncer
    elif [[ $LAB_MANAGER == repmgr ]]; then
        echo "sshd postgresql repmgrd pgrole $(node_monitoring_services "$1")"
    else
        echo "sshd pgbackrest etcd patroni $(node_monitoring_services "$1")"
    fi
}

# The services lab.sh itself starts on a node before the cluster forms: in the repmgr
# flavour only sshd on pg nodes (PostgreSQL and repmgrd follow in repmgr's order).
initial_services() {
    if is_pg_node "$1" && [[ $LAB_MANAGER == repmgr ]]; then echo "sshd $(node_monitoring_services "$1")"; else node_services "$1"; fi
}

start_node_services() {
    local node=$1 s
    for s in $(initial_services "$node"); do
        in_node "$node" "$LAB_DIR/bin/lab-svc" start "$s" >/dev/null || return 1
    done
}

# The flavour the state directory records (what runs) and the one asked for; defaults for files an older
# lab.sh did not write.
state_flavour() {
    local f v out=""
    for f in manager:patroni patroni:pypi replication:sync dr-region:0 ssh-port:22 operator:0 https:0 via-bastion:0 monitoring:0; do
        v=${f#*:}
        [[ -r $STATE/${f%%:*} ]] && v=$(<"$STATE/${f%%:*}")
        out+="${out:+ }${f%%:*}=$v"
    done
    echo "$out"
}
wanted_flavour() {
    echo "manager=$LAB_MANAGER patroni=$LAB_PATRONI replication=$LAB_REPLICATION dr-region=$LAB_DR_REGION ssh-port=$LAB_SSH_PORT operator=$LAB_OPERATOR https=$LAB_TLS via-bastion=$LAB_BASTION monitoring=$LAB_MONITORING"
}

# The operator flavour's host accounts (the nodes share the host's /etc): $OPERATOR_USER with a sudoers rule
# for exactly the shells the engine starts, $NOSUDO_USER with none. Not locked ('*', not '!'): sshd without
# PAM refuses a locked account even for a key.
operator_setup() {
    local u tmp
    for u in "$OPERATOR_USER" "$NOSUDO_USER"; do
        id "$u" >/dev/null 2>&1 || useradd --system --no-create-home --home-dir / --shell /bin/bash "$u"
        usermod -p '*' "$u"
    done
    tmp=$(mktemp)
    printf '%s\n' "# Generated by pgdrill's lab.sh up --operator: the root shell pgdrill's engine starts over ssh, nothing else." \
        "$OPERATOR_USER ALL=(root) NOPASSWD: /usr/bin/bash --noprofile --norc, /bin/bash --noprofile --norc, /bin/sh" >"$tmp"
    visudo -cq -f "$tmp" || { rm -f "$tmp"; die "the generated sudoers rule does not parse"; }
    install -m 0440 "$tmp" "$SUDOERS_FILE"
    rm -f "$tmp"
}

# Removes the operator accounts and rule unless another lab instance is up (they are host-global).
operator_teardown() {
    compgen -G '/run/pgdrill-lab*.owner' >/dev/null && return 0
    rm -f "$SUDOERS_FILE"
    local u
    for u in "$OPERATOR_USER" "$NOSUDO_USER"; do
        if id "$u" >/dev/null 2>&1; then userdel "$u" 2>/dev/null || true; fi
    done
}

cmd_up() {
    require_root
    ensure_dependencies
    check_owner
    local t0 node
    t0=$(now_ns)
    local running wanted
    running=$(state_flavour) wanted=$(wanted_flavour)
    if lab_running && [[ $running != "$wanted" ]]; then
        say "lab is running as [$running]; rebuilding as [$wanted]"
    elif lab_running; then
        if lab_health fast; then
            say "lab is already up and healthy: $H_SUMMARY"
            return 0
        fi
        say "lab is running but unhealthy (${H_PROBLEMS[0]}); rebuilding"
    fi
    if lab_exists || [[ -d $STATE ]]; then
        say "clearing stale lab objects"
        teardown
        remove_state
    fi

    generate_state
    mkdir -p "$DATA_MOUNT"
    echo "$LAB_DIR" >"$OWNER_FILE"
    echo "$LAB_ID" >"$STATE/lab-id"
    echo "$LAB_MANAGER" >"$STATE/manager"
    echo "$LAB_DR_REGION" >"$STATE/dr-region"
    echo "$LAB_SSH_PORT" >"$STATE/ssh-port"
    echo "$LAB_PATRONI" >"$STATE/patroni"
    echo "$LAB_REPLICATION" >"$STATE/replication"
    echo "$LAB_OPERATOR" >"$STATE/operator"
    echo "$LAB_TLS" >"$STATE/https"
    echo "$LAB_BASTION" >"$STATE/via-bastion"
    echo "$LAB_MONITORING" >"$STATE/monitoring"
    if ((LAB_OPERATOR)); then operator_setup; fi
    net_up
    for node in "${ALL_NODES[@]}"; do start_node "$node"; done
    for node in "${ALL_NODES[@]}"; do wait_node_ready "$node"; done
    say "[$(printf '%5s' "$(elapsed_since "$t0")")s] namespaces up: ${ALL_NODES[*]}"

    # The repository first: replicas run restore_command before streaming, and each
    # archive-get to a host not yet listening hangs ~22 s.
    start_node_services "$REPO_NODE" || die "the repository node's services failed to start"
    # Nodes in parallel, services of a node in order. Patroni need not wait for
    # etcd: it retries until the DCS answers.
    local -a jobs=()
    local -a nodes=("${PG_NODES[@]}" "$PROXY_NODE")
    ((LAB_BASTION)) && nodes+=("$BASTION_NODE")
    ((LAB_MONITORING)) && nodes+=("$MON_NODE")
    for node in "${nodes[@]}"; do
        start_node_services "$node" &
        jobs+=($!)
    done
    local job failed=0
    for job in "${jobs[@]}"; do wait "$job" || failed=1; done
    ((failed == 0)) || die "a service failed to start (see above); lab.sh down to clean up"
    if [[ $LAB_MANAGER == repmgr ]]; then
        repmgr_start_cluster
        say "[$(printf '%5s' "$(elapsed_since "$t0")")s] repmgr cluster formed (primary ${PG_NODES[0]}, standbys cloned and registered)"
    fi
    say "[$(printf '%5s' "$(elapsed_since "$t0")")s] services started; waiting for a healthy cluster (timeout ${UP_TIMEOUT}s)"

    DR_JUDGE=0 wait_healthy "$t0"
    if [[ $LAB_MANAGER != repmgr ]]; then
        # The repository and WAL archiving come with the Patroni flavour (archiving is set in its DCS config).
        backup_setup || die "pgBackRest stanza-create/check failed (see $STATE/$REPO_NODE/log)"
        say "[$(printf '%5s' "$(elapsed_since "$t0")")s] pgBackRest stanza '$PGBACKREST_STANZA' created, WAL archiving checked"
    fi
    if ((LAB_DR_REGION)); then
        # Region 2 copies region 1 (basebackup through HAProxy's write port), so it starts last.
        for node in "${DR_NODES[@]}"; do
            start_node_services "$node" || die "region 2 node $node's services failed to start"
        done
        wait_healthy "$t0"
        say "[$(printf '%5s' "$(elapsed_since "$t0")")s] region 2 (standby cluster ${DR_NODES[*]}) streaming from region 1"
    fi
    if ((LAB_MONITORING)); then
        local monitoring
        monitoring=$(wait_monitoring "$t0") || exit 1
        say "[$(printf '%5s' "$(elapsed_since "$t0")")s] monitoring ready: $monitoring (cluster.yaml monitoring:)"
    fi
    say "lab ($(wanted_flavour)) up in $(elapsed_since "$t0") s — cluster file: ${STATE#"$PWD"/}/cluster.yaml"
}

# The cluster file alone, into a directory of the caller's (a unit test loads it with pgdrill's own loader).
cmd_cluster_file() {
    local dir=$1
    check_lab_dir_name
    mkdir -p "$dir"
    cluster_yaml >"$dir/cluster.yaml"
}

cmd_down() {
    require_root
    check_owner
    local t0
    t0=$(now_ns)
    teardown
    remove_state
    operator_teardown
    say "lab down in $(elapsed_since "$t0") s"
}

cmd_status() {
    require_root
    if ! lab_exists; then
        echo "lab is down"
        return 1
    fi
    lab_health full || true
    # Monitoring is part of the lab: its problems make status fail too.
    if ((LAB_MONITORING)) && ! monitoring_health; then H_PROBLEMS+=("${M_PROBLEMS[@]}"); fi
    print_status
    ((${#H_PROBLEMS[@]} == 0))
}

case "${1:-}" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    backup) cmd_backup ;;
    scratch) cmd_scratch "${2:-}" ;;
    cluster-file) cmd_cluster_file "$2" ;;
    *)
        echo "usage: $0 up|down|status|backup|scratch create|destroy|cluster-file DIR" >&2
        exit 2
        ;;
esac
