# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings below are this file's interface: lab.sh, lab-svc and lab-node-init read them
# Topology and small helpers shared by lab.sh, lab-svc and lab-node-init.
# Sourced, never executed. Callers set `set -euo pipefail` themselves.

# Where this checkout's lab lives; every generated path hangs off it, so two
# checkouts never share state.
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
STATE="$LAB_DIR/state"

# Lab instance 0-9 (PGDRILL_LAB_ID; default 0): several checkouts on one host can each
# run a lab on their own bridge pgdrillN, subnet 10.77.N.0/24 and namespaces. `up`
# records the id in the state dir, so lab-svc run over ssh (no environment) and later
# lab.sh calls from the same checkout find the same instance.
if [[ -n ${PGDRILL_LAB_ID:-} ]]; then
    LAB_ID=$PGDRILL_LAB_ID
elif [[ -r $STATE/lab-id ]]; then
    LAB_ID=$(<"$STATE/lab-id")
else
    LAB_ID=0
fi
[[ $LAB_ID =~ ^[0-9]$ ]] || { printf 'lab: error: PGDRILL_LAB_ID must be a digit 0-9, got %q\n' "$LAB_ID" >&2; exit 2; }

# lab_setting VAR FILE DEFAULT PATTERN MESSAGE: VAR from the environment, else from state/FILE (what `up`
# recorded, so status/down/lab-svc over ssh find the same flavour), else DEFAULT; exit 2 with
# "lab: error: MESSAGE, got VALUE" unless the value matches the extended regex PATTERN whole.
lab_setting() {
    local -n _setting=$1
    if [[ -z ${_setting:-} ]]; then
        if [[ -r $STATE/$2 ]]; then _setting=$(<"$STATE/$2"); else _setting=$3; fi
    fi
    [[ $_setting =~ ^($4)$ ]] || { printf 'lab: error: %s, got %q\n' "$5" "$_setting" >&2; exit 2; }
}

# Which HA manager runs the pg nodes: patroni (default; Patroni + etcd) or repmgr (repmgrd, no DCS).
# `up --manager M` records it in the state dir like the id, so status/down/lab-svc find it.
lab_setting LAB_MANAGER manager patroni 'patroni|repmgr' 'manager must be patroni or repmgr'

# The port every node's sshd listens on (`up --ssh-port N`, remembered in state/ssh-port; default 22).
lab_setting LAB_SSH_PORT ssh-port 22 '[0-9]+' 'ssh port must be a number'

# Which Patroni runs the pg nodes (`up --patroni pypi|debian`, remembered in state/patroni): the pinned
# PyPI release in the lab's venv (default), or Debian 12's own package (3.0.2), as many clusters run it.
lab_setting LAB_PATRONI patroni pypi 'pypi|debian' '--patroni must be pypi or debian'

# Synchronous (default: Patroni synchronous_mode, repmgr FIRST 1) or asynchronous replication
# (`up --replication sync|async`, remembered in state/replication): the primary + hot standbys that
# accept an RPO of seconds.
lab_setting LAB_REPLICATION replication sync 'sync|async' '--replication must be sync or async'

# Operators log in as themselves (`up --operator`, remembered in state/operator): sshd refuses root on
# every node; the engine logs in as $OPERATOR_USER and runs its shell through `sudo -n`, allowed by a
# sudoers rule for exactly that shell. $NOSUDO_USER has the same key and no rule (the refusal tests).
lab_setting LAB_OPERATOR operator 0 '0|1' 'LAB_OPERATOR must be 0 or 1'
OPERATOR_USER=pgdrill-op
NOSUDO_USER=pgdrill-nosudo
SUDOERS_FILE=/etc/sudoers.d/pgdrill-lab-operator

# Production-shaped HTTP APIs (`up --tls`, remembered in state/https): Patroni's REST API on HTTPS with a
# certificate of the lab's CA (state/tls) and basic auth on its unsafe endpoints (restapi.authentication),
# HAProxy's health checks to it over verified TLS, the stats page on HTTPS behind `stats auth`. The cluster
# file names the CA and the password files (state/secrets, mode 0600); no password is in it.
lab_setting LAB_TLS https 0 '0|1' 'LAB_TLS must be 0 or 1'
API_USER=pgdrill
if ((LAB_TLS)); then API_SCHEME=https; else API_SCHEME=http; fi
# api_curl_opts patroni|stats: curl's options for the lab's own scripts: the lab CA, and for the stats page a
# config file with the credentials (never on a command line, where ps shows them).
api_curl_opts() {
    ((LAB_TLS)) || return 0
    printf '%s\n' --cacert "$STATE/tls/ca.crt"
    [[ ${1:-} == stats ]] && printf '%s\n' -K "$STATE/secrets/haproxy-stats.curlrc"
    return 0
}

# ssh only through a bastion (`up --bastion`, remembered in state/via-bastion; on in the production shape): a
# namespace `bastion` (10.77.N.4) runs sshd with TCP forwarding and nothing else; every other node's sshd
# refuses logins from anywhere but the bastion, and the cluster file says `ssh: { jump: { host: … } }`.
lab_setting LAB_BASTION via-bastion 0 '0|1' 'LAB_BASTION must be 0 or 1'
BASTION_NODE=bastion

# A second "region" (`up --dr-region`, remembered in state/dr-region): a Patroni standby cluster of its
# own (etcd + Patroni on dr1) on a second bridge, 10.78.N.0/24, reached from region 1 through a router
# namespace (wan) that forwards between the two bridges. Patroni flavour only.
lab_setting LAB_DR_REGION dr-region 0 '0|1' 'LAB_DR_REGION must be 0 or 1'

# Monitoring (on unless `up --no-monitoring`; remembered in state/monitoring): a namespace `mon` (10.77.N.5)
# running Prometheus, Alertmanager and a webhook sink for its notifications, plus node_exporter and
# postgres_exporter on every database node. A state directory from before this existed means 0.
lab_setting LAB_MONITORING monitoring 0 '0|1' 'LAB_MONITORING must be 0 or 1'
MON_NODE=mon

BRIDGE=pgdrill$LAB_ID
BRIDGE_ADDR=10.77.$LAB_ID.1
NET_PREFIX=10.77.$LAB_ID
NET_CIDR=10.77.$LAB_ID.0/24
DR_BRIDGE=pgdrill${LAB_ID}dr
DR_BRIDGE_ADDR=10.78.$LAB_ID.1
DR_PREFIX=10.78.$LAB_ID
DR_CIDR=10.78.$LAB_ID.0/24
PG_NODES=(pg1 pg2 pg3)
# Region 2's database nodes (a standby cluster); the router between the regions has no services.
DR_NODES=(dr1)
WAN_NODE=wan
PROXY_NODE=px
# The backup repository (pgBackRest), kept apart from the database nodes.
REPO_NODE=repo
ALL_NODES=("${PG_NODES[@]}" "$PROXY_NODE" "$REPO_NODE")
((LAB_DR_REGION)) && ALL_NODES+=("${DR_NODES[@]}")
((LAB_BASTION)) && ALL_NODES+=("$BASTION_NODE")
((LAB_MONITORING)) && ALL_NODES+=("$MON_NODE")
# A node created on demand (lab.sh scratch create) for restore drills, removed afterwards.
SCRATCH_NODE=scratch
# Everything teardown must look for, including nodes that exist only now and then.
TEARDOWN_NODES=("${PG_NODES[@]}" "$PROXY_NODE" "$REPO_NODE" "$SCRATCH_NODE" "${DR_NODES[@]}" "$WAN_NODE" "$BASTION_NODE" "$MON_NODE")

# Region 1's permanent physical slot for region 2's standby leader (only with --dr-region).
DR_SLOT=dr_region
PG_PORT=5432
PATRONI_PORT=8008
ETCD_CLIENT_PORT=2379
ETCD_PEER_PORT=2380
HAPROXY_WRITE_PORT=5000
HAPROXY_READ_PORT=5001
HAPROXY_STATS_PORT=7000
PGBOUNCER_PORT=6432
PGBACKREST_TLS_PORT=8432
PGBACKREST_STANZA=lab
# As seen inside the repo node: a tmpfs of its own (backup storage apart from the nodes).
REPO_PATH=/var/lib/pgbackrest
REPO_TMPFS_SIZE=2g
# Inside every node: the node's own pgBackRest configuration, on its private /run.
PGBACKREST_CONF=/run/pgbackrest/pgbackrest.conf

# Monitoring ports. Prometheus and Alertmanager listen on mon; the webhook sink that records
# Alertmanager's notifications on mon's loopback only; the exporters on each database node's address;
# HAProxy's built-in Prometheus exporter (USE_PROMEX) on px.
PROMETHEUS_PORT=9090
ALERTMANAGER_PORT=9093
ALERT_SINK_PORT=9095
NODE_EXPORTER_PORT=9100
PG_EXPORTER_PORT=9187
HAPROXY_METRICS_PORT=8405
# The database role postgres_exporter logs in as: over the node's Unix socket, by peer authentication as
# the OS user `prometheus` (the packages' user), so no password exists for it anywhere. Member of pg_monitor.
PG_EXPORTER_ROLE=prometheus
# As seen inside mon: a tmpfs of its own for Prometheus' TSDB and Alertmanager's state (off the host disk,
# never the host's /var/lib/prometheus), on mon's private /run.
MON_DATA=/run/monitoring
MON_TMPFS_SIZE=512m
# The rule set and postgres_exporter's queries live in the repository, next to the lab.
MONITORING_DIR="$(cd "$LAB_DIR/.." && pwd -P)/monitoring"

# As seen inside a pg node: the tmpfs is mounted on the parent of DATA_DIR, so a
# fill_disk drill hits a real, bounded ENOSPC without touching the host disk.
DATA_MOUNT=/var/lib/pgdrill
DATA_DIR=$DATA_MOUNT/data
DATA_TMPFS_SIZE=1g
PG_BIN=/usr/lib/postgresql/15/bin
VENV=/opt/pgdrill-lab/venv
if [[ $LAB_PATRONI == debian ]]; then
    PATRONI_BIN=/usr/bin/patroni PATRONI_VERSION=3.0.2
else
    PATRONI_BIN=$VENV/bin/patroni PATRONI_VERSION=4.1.5
fi
# Instance 0 keeps the historical names (pgdrill-pg1, pgd-pg1, …); others carry the id.
if ((LAB_ID == 0)); then LAB_TAG=""; else LAB_TAG=$LAB_ID; fi
# Comment tag on the one host iptables rule the lab may add; down removes exactly it.
FORWARD_TAG=pgdrill-lab$LAB_TAG
# Records which checkout owns the (host-global) namespaces, so a second checkout's
# lab.sh never tears down someone else's running lab by accident.
OWNER_FILE=/run/pgdrill-lab$LAB_TAG.owner

node_ip() {
    case "$1" in
        pg1) echo "$NET_PREFIX.11" ;;
        pg2) echo "$NET_PREFIX.12" ;;
        pg3) echo "$NET_PREFIX.13" ;;
        px) echo "$NET_PREFIX.2" ;;
        repo) echo "$NET_PREFIX.3" ;;
        bastion) echo "$NET_PREFIX.4" ;;
        mon) echo "$NET_PREFIX.5" ;;
        scratch) echo "$NET_PREFIX.20" ;;
        dr1) echo "$DR_PREFIX.11" ;;
        dr2) echo "$DR_PREFIX.12" ;;
        wan) echo "$NET_PREFIX.254" ;;
        *) echo "unknown lab node '$1'" >&2; return 1 ;;
    esac
}

netns_name() { echo "pgdrill$LAB_TAG-$1"; }
# Host side of the node's veth; the namespace side is renamed eth0.
veth_name() { echo "pgd$LAB_TAG-$1"; }

# Database nodes of either region (they run etcd, Patroni, PostgreSQL, pgBackRest's server).
is_pg_node() {
    local n
    for n in "${PG_NODES[@]}" "${DR_NODES[@]}"; do [[ $1 == "$n" ]] && return 0; done
    return 1
}

is_dr_node() {
    local n
    for n in "${DR_NODES[@]}"; do [[ $1 == "$n" ]] && return 0; done
    return 1
}

# Nodes with a data tmpfs on DATA_MOUNT: the pg nodes and the scratch node a restore goes to.
has_data_mount() { is_pg_node "$1" || [[ $1 == "$SCRATCH_NODE" ]]; }

is_lab_node() {
    local n
    for n in "${TEARDOWN_NODES[@]}"; do [[ $1 == "$n" ]] && return 0; done
    return 1
}

say() { printf '%s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# Process state letter from /proc/PID/stat ('' when gone). The comm field may hold
# spaces and parentheses, so read after the last ')'.
proc_state() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo ""; return 0; }
    stat=${stat##*) }
    echo "${stat%% *}"
}

# Start time (clock ticks since boot, field 22): with the pid it names one process
# for good, so a recycled pid is never mistaken for ours.
proc_starttime() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || { echo ""; return 0; }
    stat=${stat##*) }
    read -r -a fields <<<"$stat"
    echo "${fields[19]}"
}

# Alive means not gone and not a zombie: this VM's PID 1 reaps orphans only every
# ~2 s, so `kill -0` keeps succeeding on processes that are already dead.
proc_alive() {
    local s
    s=$(proc_state "$1")
    [[ -n $s && $s != Z && $s != X ]]
}

# wait_dead SECONDS PID... : 0 once every pid is dead, 1 on timeout.
wait_dead() {
    local timeout=$1 deadline pid any
    shift
    deadline=$(($(date +%s%N) + timeout * 1000000000))
    while :; do
        any=0
        for pid in "$@"; do proc_alive "$pid" && any=1 && break; done
        ((any == 0)) && return 0
        (($(date +%s%N) > deadline)) && return 1
        sleep 0.05
    done
}

now_ns() { date +%s%N; }
# Seconds elapsed since a now_ns value, one decimal.
elapsed_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
