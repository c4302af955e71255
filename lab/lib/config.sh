# shellcheck shell=bash
# Generates everything under lab/state/ that `up` needs before the first process
# starts: keys, passwords, per-node configuration, cluster.yaml and pgpass.
# Sourced by lab.sh after common.sh. The files themselves are templates in lab/templates/.

TEMPLATE_DIR=$LAB_DIR/templates

# render_template NAME VAR|VAR=VALUE...: lab/templates/NAME on stdout, each ${VAR} (or $VAR) replaced by
# the variable's value, or by VALUE where one is given. envsubst is given exactly these names, so any other
# `$` in a template (a regex anchor, a shell variable in a command) is left as written. A bare VAR must be
# set. A piece that a file has or lacks by flavour is rendered by the caller and passed in: one whole line
# or several (when empty the template's line stays, blank), or where it must vanish without a trace,
# spliced at the start of the following line and ending with its own newline. Locals are prefixed: a
# caller's variable of the same name would be shadowed (bash scopes dynamically).
render_template() {
    local _rt_template=$TEMPLATE_DIR/$1 _rt_names="" _rt_arg
    shift
    [[ -r $_rt_template ]] || die "no template $_rt_template"
    for _rt_arg in "$@"; do
        [[ $_rt_arg == *=* || -v $_rt_arg ]] || die "template ${_rt_template##*/}: variable $_rt_arg is not set"
        _rt_names+=" \${${_rt_arg%%=*}}"
    done
    (
        # shellcheck disable=SC2163 # exports the names and NAME=VALUE pairs given, as meant
        export "$@"
        envsubst "$_rt_names" <"$_rt_template"
    )
}

# A password safe inside YAML, ini files, pgpass and SQL literals: 32 hex digits
# (no `tr | head`, which dies of SIGPIPE under pipefail).
gen_password() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

gen_ssh_keys() {
    install -d -m 0700 "$STATE/ssh"
    ssh-keygen -q -t ed25519 -N '' -C "pgdrill-lab" -f "$STATE/ssh/id_ed25519"
    # Only the lab's own network may use the key.
    printf 'from="%s.*,%s.*" %s\n' "$NET_PREFIX" "$DR_PREFIX" "$(cat "$STATE/ssh/id_ed25519.pub")" >"$STATE/ssh/authorized_keys"
    chmod 0600 "$STATE/ssh/authorized_keys"
    : >"$STATE/ssh/known_hosts"
    local node
    for node in "${TEARDOWN_NODES[@]}"; do
        [[ $node == "$WAN_NODE" ]] && continue
        install -d -m 0700 "$STATE/$node/ssh"
        ssh-keygen -q -t ed25519 -N '' -C "$node.pgdrill-lab" -f "$STATE/$node/ssh/ssh_host_ed25519_key"
        # known_hosts names a host on another port as [address]:port.
        local who
        who=$(node_ip "$node")
        # The bastion listens on 22 whatever the nodes use (ssh.jump.port defaults to 22).
        [[ ${LAB_SSH_PORT:-22} == 22 || $node == "$BASTION_NODE" ]] || who="[$who]:$LAB_SSH_PORT"
        printf '%s %s\n' "$who" "$(cut -d' ' -f1,2 "$STATE/$node/ssh/ssh_host_ed25519_key.pub")" \
            >>"$STATE/ssh/known_hosts"
    done
    chmod 0644 "$STATE/ssh/known_hosts"
}

write_sshd_config() {
    local node=$1 use_pam=no port=${LAB_SSH_PORT:-22} permit_root=prohibit-password
    # repmgr flavour: without PAM, sshd refuses the host's locked postgres account ('!' in
    # shadow) even for key logins; through PAM only the key counts.
    [[ $LAB_MANAGER == repmgr ]] && use_pam=yes
    [[ $node == "$BASTION_NODE" ]] && port=22
    ((LAB_OPERATOR)) && permit_root=no
    render_template sshd_config node STATE ip="$(node_ip "$node")" port="$port" permit_root="$permit_root" \
        use_pam="$use_pam" bastion_rules="$(sshd_bastion_rules "$node")" >"$STATE/$node/ssh/sshd_config"
}

# up --bastion: the bastion forwards TCP for its users (ssh -J, pgdrill's ssh.jump) and runs nothing else;
# every other node takes logins from the bastion only (and loopback), as a host behind a bastion does.
sshd_bastion_rules() {
    ((LAB_BASTION)) || return 0
    if [[ $1 == "$BASTION_NODE" ]]; then
        echo "AllowTcpForwarding yes"
    else
        printf '%s\n' "AllowTcpForwarding no" "Match Address *,!$(node_ip "$BASTION_NODE"),!127.0.0.1" "    DenyUsers *"
    fi
}

# etcd takes flags, one per line in etcd.flags (read by lab-svc), not a
# --config-file: with a config file etcd skips its flag defaults, so unset keys
# become Go zero values (no gRPC gateway, which Patroni's etcd3 client needs, no
# initial election tick advance, unlimited WAL files).
write_etcd_config() {
    local node=$1 peers="" n
    # Each region has its own DCS: region 2's etcd is its own one-member cluster.
    for n in $(region_nodes "$node"); do peers+="${peers:+,}$n=http://$(node_ip "$n"):$ETCD_PEER_PORT"; done
    # pre-vote: a member cut off by a partition drill must not force a new
    # election (and a DCS outage long enough to demote Patroni) when it comes back.
    render_template etcd.flags node ip="$(node_ip "$node")" peers ETCD_PEER_PORT ETCD_CLIENT_PORT ETCD_TOKEN="$ETCD_TOKEN" \
        >"$STATE/$node/etcd.flags"
}

# The database nodes of NODE's region.
region_nodes() { if is_dr_node "$1"; then echo "${DR_NODES[*]}"; else echo "${PG_NODES[*]}"; fi; }

# Region 2 bootstraps as a Patroni standby cluster following whatever region 1's write endpoint reaches
# (HAProxy's write port: the region 1 leader), asynchronously, through a permanent slot on region 1, and
# from the WAL archive when streaming is behind. Promoting it = removing this section from its DCS config.
dr_region_dcs() {
    if is_dr_node "$1"; then
        render_template patroni-standby-cluster.yml host="$(node_ip "$PROXY_NODE")" HAPROXY_WRITE_PORT DR_SLOT \
            ARCHIVE_GET="$ARCHIVE_GET"
    elif ((LAB_DR_REGION)); then
        printf '    slots:\n      %s: { type: physical }\n' "$DR_SLOT"
    fi
}

write_patroni_config() {
    local node=$1 etcd_hosts="" n scope=pgdrill-lab synchronous_mode=false
    for n in $(region_nodes "$node"); do etcd_hosts+="${etcd_hosts:+,}$(node_ip "$n"):$ETCD_CLIENT_PORT"; done
    is_dr_node "$node" && scope=pgdrill-lab-dr
    [[ $LAB_REPLICATION == sync ]] && synchronous_mode=true
    local f="$STATE/$node/patroni.yml"
    install -m 0600 -o postgres -g postgres /dev/null "$f"
    render_template patroni.yml node ip="$(node_ip "$node")" etcd_hosts scope="$scope" synchronous_mode="$synchronous_mode" \
        restapi_tls="$(patroni_restapi_tls "$node")" dr_region_dcs="$(dr_region_dcs "$node")" \
        SUPERUSER_PASSWORD="$SUPERUSER_PASSWORD" REPLICATION_PASSWORD="$REPLICATION_PASSWORD" \
        ARCHIVE_PUSH="$ARCHIVE_PUSH" ARCHIVE_GET="$ARCHIVE_GET" PATRONI_VERSION PATRONI_PORT DATA_TMPFS_SIZE PG_PORT DATA_DIR \
        PG_BIN STATE NET_CIDR DR_CIDR >"$f"
}

# up --tls: the REST API's certificate (the lab CA also verifies the other members' APIs, which Patroni asks
# during a failover) and the credentials its unsafe endpoints require. Nothing without --tls.
patroni_restapi_tls() {
    ((LAB_TLS)) || return 0
    local node=$1
    render_template patroni-restapi-tls.yml node TLS_DIR API_USER PATRONI_API_PASSWORD
}

# The password files the cluster file names (up --tls), readable by root only; and the credentials as curl
# config files for the lab's own health checks and the integration tests.
write_api_secrets() {
    ((LAB_TLS)) || return 0
    install -d -m 0700 "$STATE/secrets"
    install -m 0600 /dev/null "$STATE/secrets/patroni-api"
    install -m 0600 /dev/null "$STATE/secrets/haproxy-stats"
    install -m 0600 /dev/null "$STATE/secrets/haproxy-stats.curlrc"
    install -m 0600 /dev/null "$STATE/secrets/patroni-api.curlrc"
    printf '%s\n' "$PATRONI_API_PASSWORD" >"$STATE/secrets/patroni-api"
    printf '%s\n' "$STATS_PASSWORD" >"$STATE/secrets/haproxy-stats"
    printf 'user = "%s:%s"\n' "$API_USER" "$STATS_PASSWORD" >"$STATE/secrets/haproxy-stats.curlrc"
    printf 'user = "%s:%s"\n' "$API_USER" "$PATRONI_API_PASSWORD" >"$STATE/secrets/patroni-api.curlrc"
}

write_haproxy_config() {
    local n servers="" dr_servers="" check_tls="" tls_bind="" stats_auth=""
    # up --tls: health checks to Patroni over TLS verified against the lab CA; stats on HTTPS with auth.
    if ((LAB_TLS)); then
        check_tls=" check-ssl verify required ca-file $TLS_DIR/ca.crt"
        tls_bind=" ssl crt $TLS_DIR/$PROXY_NODE.pem"
        stats_auth="    stats auth $API_USER:$STATS_PASSWORD"
    fi
    for n in "${PG_NODES[@]}"; do
        servers+="    server $n $(node_ip "$n"):$PG_PORT check port $PATRONI_PORT$check_tls"$'\n'
    done
    # Region 2 takes writes only once promoted (its standby leader answers 503 on /primary); reads stay
    # in region 1.
    if ((LAB_DR_REGION)); then
        for n in "${DR_NODES[@]}"; do
            dr_servers+="    server $n $(node_ip "$n"):$PG_PORT check port $PATRONI_PORT$check_tls"$'\n'
        done
    fi
    render_template haproxy.cfg tls_bind write_servers="$servers$dr_servers" read_servers="$servers" \
        stats_auth="$stats_auth" metrics_frontend="$(haproxy_metrics_frontend "$tls_bind")" \
        PROXY_NODE HAPROXY_WRITE_PORT HAPROXY_READ_PORT HAPROXY_STATS_PORT >"$STATE/$PROXY_NODE/haproxy.cfg"
}

# Monitoring on: HAProxy's built-in Prometheus exporter (Debian's 2.6 is built with USE_PROMEX) on its own
# port, HTTPS with the proxy's certificate in the production shape. No auth, like Patroni's GET /metrics:
# read-only figures, no credentials for Prometheus to hold.
haproxy_metrics_frontend() {
    ((LAB_MONITORING)) || return 0
    render_template haproxy-prometheus.cfg HAPROXY_METRICS_PORT tls_bind="$1"
}

write_pgbouncer_config() {
    local dir="$STATE/$PROXY_NODE"
    install -m 0600 -o postgres -g postgres /dev/null "$dir/userlist.txt"
    printf '"drill" "%s"\n' "$DRILL_PASSWORD" >"$dir/userlist.txt"
    render_template pgbouncer.ini dir ip="$(node_ip "$PROXY_NODE")" PROXY_NODE HAPROXY_WRITE_PORT PGBOUNCER_PORT \
        >"$dir/pgbouncer.ini"
}

write_pgpass() {
    local f="$STATE/pgpass" n px
    px=$(node_ip "$PROXY_NODE")
    install -m 0600 /dev/null "$f"
    {
        for port in "$HAPROXY_WRITE_PORT" "$HAPROXY_READ_PORT" "$PGBOUNCER_PORT"; do
            printf '%s:%s:*:drill:%s\n' "$px" "$port" "$DRILL_PASSWORD"
        done
        # The scratch node holds a restored copy of the cluster, drill role and password included.
        for n in "${PG_NODES[@]}" "$SCRATCH_NODE" "${DR_NODES[@]}"; do
            printf '%s:%s:*:drill:%s\n' "$(node_ip "$n")" "$PG_PORT" "$DRILL_PASSWORD"
        done
    } >"$f"
}

# The cluster file on stdout: what `up` writes to state/cluster.yaml and `lab.sh cluster-file DIR` to DIR.
# Needs no generated state (it names files, it does not read them).
cluster_yaml() {
    local svc_cmd="$LAB_DIR/bin/lab-svc" px n s ssh_login="  user: root" ssh_jump="" nodes
    px=$(node_ip "$PROXY_NODE")
    ((LAB_OPERATOR)) && ssh_login=$(printf '  user: %s\n  sudo: true' "$OPERATOR_USER")
    ((LAB_BASTION)) && ssh_jump="  jump: { host: $(node_ip "$BASTION_NODE") }"
    nodes=$(for n in "${PG_NODES[@]}"; do
        if [[ $LAB_MANAGER == repmgr ]]; then
            printf '  - { name: %s, host: %s }\n' "$n" "$(node_ip "$n")"
        else
            printf '  - { name: %s, host: %s, patroni: "%s://%s:%s" }\n' "$n" "$(node_ip "$n")" "$API_SCHEME" "$(node_ip "$n")" "$PATRONI_PORT"
        fi
    done)
    render_template cluster.yaml px ssh_login="$ssh_login" ssh_jump="$ssh_jump" nodes="$nodes" LAB_MANAGER LAB_SSH_PORT PROXY_NODE PG_PORT DATA_DIR \
        PG_BIN HAPROXY_WRITE_PORT HAPROXY_READ_PORT PGBOUNCER_PORT API_SCHEME HAPROXY_STATS_PORT STATE
    if ((LAB_TLS)); then render_template cluster-http-auth.yaml API_USER; fi
    if [[ $LAB_MANAGER != repmgr ]]; then
        render_template cluster-backup.yaml repo="$(node_ip "$REPO_NODE")" scratch="$(node_ip "$SCRATCH_NODE")" \
            PGBACKREST_STANZA PGBACKREST_CONF LAB_DIR
    fi
    if ((LAB_DR_REGION)); then
        printf 'standby_cluster:\n  name: dr\n  nodes:\n'
        for n in "${DR_NODES[@]}"; do
            printf '    - { name: %s, host: %s, patroni: "%s://%s:%s" }\n' "$n" "$(node_ip "$n")" "$API_SCHEME" "$(node_ip "$n")" "$PATRONI_PORT"
        done
    fi
    if [[ $LAB_MANAGER == repmgr ]]; then
        # {node} stands for each node's name: the lab keeps one repmgr.conf per node in state/.
        printf 'repmgr:\n  config: "%s/{node}/repmgr.conf"\n  user: postgres\n  database: repmgr\n' "$STATE"
    fi
    echo "services:"
    local -a svcs=(patroni etcd pgbouncer haproxy)
    [[ $LAB_MANAGER == repmgr ]] && svcs=(postgres repmgrd pgbouncer haproxy)
    local unit
    for s in "${svcs[@]}"; do
        unit=$s
        [[ $s == postgres ]] && unit=postgresql
        printf '  %-10s { start: "%s start %s", stop: "%s stop %s", status: "%s status %s" }\n' \
            "$s:" "$svc_cmd" "$unit" "$svc_cmd" "$unit" "$svc_cmd" "$unit"
    done
    # Monitoring (on unless up --no-monitoring). silence: every drill holds an Alertmanager silence over the
    # cluster's alerts, so the lab's runs show the path a scheduled production drill takes (nobody paged).
    if ((LAB_MONITORING)); then
        render_template cluster-monitoring.yaml mon_ip="$(node_ip "$MON_NODE")" PROMETHEUS_PORT ALERTMANAGER_PORT
    fi
}

# The lab directory's name goes unquoted into cluster.yaml's commands.
check_lab_dir_name() {
    [[ $LAB_DIR =~ ^[A-Za-z0-9/._-]+$ ]] ||
        die "lab directory '$LAB_DIR' has characters that would need quoting in cluster.yaml's commands"
}

# Everything for a fresh lab. Passwords live in memory only until written into
# the files that need them (patroni.yml, pgpass, userlist.txt).
generate_state() {
    check_lab_dir_name
    install -d -m 0755 "$STATE"
    local node
    for node in "${TEARDOWN_NODES[@]}"; do
        [[ $node == "$WAN_NODE" ]] && continue
        install -d -m 0755 "$STATE/$node"
        # PostgreSQL and Patroni (as postgres) write their logs here.
        install -d -m 0755 -o postgres -g postgres "$STATE/$node/log"
    done
    SUPERUSER_PASSWORD=$(gen_password)
    REPLICATION_PASSWORD=$(gen_password)
    DRILL_PASSWORD=$(gen_password)
    PATRONI_API_PASSWORD=$(gen_password)
    STATS_PASSWORD=$(gen_password)
    ETCD_TOKEN="pgdrill-lab-$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
    ARCHIVE_PUSH="$LAB_DIR/bin/lab-archive-push $PGBACKREST_CONF $PGBACKREST_STANZA \"%p\""
    ARCHIVE_GET="pgbackrest --config=$PGBACKREST_CONF --stanza=$PGBACKREST_STANZA archive-get %f \"%p\""
    gen_ssh_keys
    gen_tls_certs
    for node in "${TEARDOWN_NODES[@]}"; do
        [[ $node == "$WAN_NODE" ]] && continue
        write_sshd_config "$node"
        [[ $node == "$BASTION_NODE" || $node == "$MON_NODE" ]] || write_pgbackrest_config "$node"
    done
    if [[ $LAB_MANAGER == repmgr ]]; then
        generate_repmgr_state
    else
        for node in "${PG_NODES[@]}" "${DR_NODES[@]}"; do
            write_etcd_config "$node"
            write_patroni_config "$node"
        done
    fi
    write_haproxy_config
    write_pgbouncer_config
    write_pgpass
    write_api_secrets
    cluster_yaml >"$STATE/cluster.yaml"
    write_monitoring_config
}

# Monitoring (on unless up --no-monitoring): Prometheus' and Alertmanager's configuration for mon (the cluster
# file's `monitoring:` section is cluster_yaml's).
write_monitoring_config() {
    ((LAB_MONITORING)) || return 0
    prometheus_config >"$STATE/$MON_NODE/prometheus.yml"
    render_template alertmanager.yml MON_NODE ALERT_SINK_PORT >"$STATE/$MON_NODE/alertmanager.yml"
}

# One static target: "ADDRESS:PORT" and its labels (every series carries cluster and node; alerts keep them).
prom_target() {
    local node=$1 port=$2 extra=${3:-}
    printf '      - targets: ["%s:%s"]\n        labels: { cluster: lab, node: %s%s }\n' "$(node_ip "$node")" "$port" "$node" "$extra"
}

# Prometheus' configuration on stdout.
prometheus_config() {
    local n scheme=http tls_config="" sync=true postgres_targets patroni_job=""
    [[ $LAB_REPLICATION == async ]] && sync=false
    if ((LAB_TLS)); then
        scheme=https
        tls_config="    tls_config: { ca_file: $TLS_DIR/ca.crt }"
    fi
    # sync_expected: whether this cluster should have a synchronous standby (the rule
    # PostgreSQLSyncStandbyMissing cannot tell Patroni's degraded mode from an async cluster otherwise).
    postgres_targets=$(
        for n in "${PG_NODES[@]}"; do prom_target "$n" "$PG_EXPORTER_PORT" ", sync_expected: \"$sync\""; done
        if ((LAB_DR_REGION)); then
            for n in "${DR_NODES[@]}"; do prom_target "$n" "$PG_EXPORTER_PORT" ", region: dr, sync_expected: \"false\""; done
        fi
    )
    if [[ $LAB_MANAGER != repmgr ]]; then
        # Spliced before the next job's line: it ends with its own newline.
        patroni_job=$(render_template prometheus-patroni-job.yml scheme="$scheme" tls_config="$tls_config" \
            patroni_targets="$(prom_targets "$PATRONI_PORT")")$'\n'
    fi
    render_template prometheus.yml mon_ip="$(node_ip "$MON_NODE")" postgres_targets="$postgres_targets" \
        patroni_job="$patroni_job" node_targets="$(prom_targets "$NODE_EXPORTER_PORT")" \
        haproxy_target="$(prom_target "$PROXY_NODE" "$HAPROXY_METRICS_PORT")" scheme="$scheme" tls_config="$tls_config" \
        MON_NODE ALERTMANAGER_PORT MONITORING_DIR PROMETHEUS_PORT DATA_MOUNT
}

# The targets of every database node on PORT (region 2's labelled region: dr).
prom_targets() {
    local n
    for n in "${PG_NODES[@]}"; do prom_target "$n" "$1"; done
    if ((LAB_DR_REGION)); then
        for n in "${DR_NODES[@]}"; do prom_target "$n" "$1" ", region: dr"; done
    fi
}
