# shellcheck shell=bash
# What "the lab is healthy" means, checked from the host the way a client sees
# it: etcd 3/3, Patroni with one leader, one sync standby and one async replica
# all streaming, HAProxy routing writes to exactly the leader (and reads to the
# replicas), PgBouncer answering on the primary. Sourced by lab.sh.

curl_q() { curl -fsS --max-time 1 "$@" 2>/dev/null; }

# The first answer to GET /cluster among the Patroni APIs of NODE...; status 1 when none answers.
patroni_cluster_json() {
    local n opts
    mapfile -t opts < <(api_curl_opts patroni)
    for n in "$@"; do curl_q "${opts[@]}" "$API_SCHEME://$(node_ip "$n"):$PATRONI_PORT/cluster" && return 0; done
    return 1
}

# Exit status 0 iff healthy. Sets H_PROBLEMS (array: empty iff healthy), H_SUMMARY (one line), H_LEADER,
# H_CLUSTER (Patroni /cluster JSON) and H_HAPROXY_CSV: one round of checks gives all of these to several
# readers (wait_healthy's progress line, the drill role's leader, print_status), so they stay globals
# rather than one stdout to parse. With "full", PgBouncer is queried even when something else is already
# wrong (status wants every fact, `up` wants speed).
lab_health() {
    local mode=${1:-fast} parts=()
    H_PROBLEMS=() H_LEADER="" H_CLUSTER=""

    if [[ $LAB_MANAGER == repmgr ]]; then
        repmgr_health parts
    else
        patroni_health parts
    fi

    haproxy_health parts
    # Behind the bastion every ssh login goes through its sshd.
    if ((LAB_BASTION)); then
        if timeout 1 bash -c ": </dev/tcp/$(node_ip "$BASTION_NODE")/22" 2>/dev/null; then
            parts+=("bastion ok")
        else
            parts+=("bastion -")
            H_PROBLEMS+=("bastion: sshd on $(node_ip "$BASTION_NODE"):22 not answering")
        fi
    fi
    # lab.sh up judges region 2 only once it has started it (DR_JUDGE=0 before).
    if ((LAB_DR_REGION && ${DR_JUDGE:-1})); then dr_region_health parts; fi

    if ((${#H_PROBLEMS[@]} == 0)) || [[ $mode == full ]]; then
        local r
        r=$(pg_query "$PGBOUNCER_PORT" 'select pg_is_in_recovery()')
        if [[ $r == f ]]; then
            parts+=("pgbouncer ok")
        else
            parts+=("pgbouncer -")
            H_PROBLEMS+=("PgBouncer :$PGBOUNCER_PORT: ${r:-no answer}")
        fi
    else
        parts+=("pgbouncer ?")
    fi

    # shellcheck disable=SC2034 # read by lab.sh (wait_healthy, cmd_up)
    H_SUMMARY=$(IFS='|'; echo "${parts[*]}")
    H_SUMMARY=${H_SUMMARY//|/ · }
    ((${#H_PROBLEMS[@]} == 0))
}

# etcd 3/3 and Patroni's /cluster: one running leader, one sync standby (none when async), all streaming.
patroni_health() {
    local -n _ph_parts=$1
    local n ok=0
    for n in "${PG_NODES[@]}"; do
        if curl_q "http://$(node_ip "$n"):$ETCD_CLIENT_PORT/health" | jq -e '.health == "true"' >/dev/null 2>&1; then
            ok=$((ok + 1))
        fi
    done
    _ph_parts+=("etcd $ok/${#PG_NODES[@]}")
    ((ok == ${#PG_NODES[@]})) || H_PROBLEMS+=("etcd: $ok of ${#PG_NODES[@]} members healthy")

    H_CLUSTER=$(patroni_cluster_json "${PG_NODES[@]}") || H_CLUSTER=""
    if [[ -z $H_CLUSTER ]]; then
        _ph_parts+=("patroni: no REST API answering")
        H_PROBLEMS+=("Patroni: no member's REST API answers /cluster")
    else
        _ph_parts+=("$(jq -r '[.members[] | "\(.name) \(.role)/\(.state)"] | join(", ")' <<<"$H_CLUSTER")")
        H_LEADER=$(jq -r '[.members[] | select(.role == "leader" and .state == "running") | .name] | join(",")' <<<"$H_CLUSTER")
        local counts
        # A streaming replica's state is "streaming" from Patroni 3.0.4 and "running" before (3.0.2, the
        # --patroni debian flavour); that Patroni has no other state for it, so "running" counts there.
        local streaming_states='["streaming"]'
        [[ $LAB_PATRONI == debian ]] && streaming_states='["streaming", "running"]'
        counts=$(jq -r --argjson ok "$streaming_states" '
            def streams: (.state as $s | $ok | index($s)) != null;
            [(.members | length),
             ([.members[] | select(.role == "leader" and .state == "running")] | length),
             ([.members[] | select(.role == "sync_standby" and streams)] | length),
             ([.members[] | select(.role != "leader" and (streams | not))] | length)] | @tsv' <<<"$H_CLUSTER")
        local members leaders syncs not_streaming want_syncs=1
        [[ $LAB_REPLICATION == async ]] && want_syncs=0
        read -r members leaders syncs not_streaming <<<"$counts"
        ((members == ${#PG_NODES[@]})) || H_PROBLEMS+=("Patroni: $members of ${#PG_NODES[@]} members registered")
        ((leaders == 1)) || H_PROBLEMS+=("Patroni: $leaders running leaders (want 1)")
        ((syncs == want_syncs)) || H_PROBLEMS+=("Patroni: $syncs streaming sync standbys (want $want_syncs, replication $LAB_REPLICATION)")
        ((not_streaming == 0)) || H_PROBLEMS+=("Patroni: $not_streaming replicas not streaming")
        [[ $leaders == 1 ]] || H_LEADER=""
    fi

}

# One query through an endpoint on the proxy node as the drill user, password
# from the lab's pgpass: prints the single value or the error.
pg_query() {
    local port=$1 sql=$2 out
    out=$(PGPASSFILE="$STATE/pgpass" PGCONNECT_TIMEOUT=2 psql -XAtqw \
        "host=$(node_ip "$PROXY_NODE") port=$port dbname=drill user=drill" -c "$sql" 2>&1) || true
    # psql's first error line says what failed; later ones are hints.
    grep -m1 -v '^[[:space:]]*$' <<<"$out" || true
}

# haproxy_servers PROXY CSV: "server STATUS" lines for one proxy (write, read) of HAProxy's stats CSV.
haproxy_servers() {
    awk -F, -v px="$1" '$1 == px && $2 != "FRONTEND" && $2 != "BACKEND" { print $2, $18 }' <<<"$2"
}

haproxy_health() {
    local -n _parts=$1
    local opts
    mapfile -t opts < <(api_curl_opts stats)
    H_HAPROXY_CSV=$(curl_q "${opts[@]}" "$API_SCHEME://$(node_ip "$PROXY_NODE"):$HAPROXY_STATS_PORT/;csv") || H_HAPROXY_CSV=""
    if [[ -z $H_HAPROXY_CSV ]]; then
        _parts+=("haproxy: no stats")
        H_PROBLEMS+=("HAProxy: stats page :$HAPROXY_STATS_PORT not answering")
        return 0
    fi
    local write_up read_up want_read
    write_up=$(haproxy_servers write "$H_HAPROXY_CSV" | awk '$2 == "UP" { print $1 }' | paste -sd, -)
    read_up=$(haproxy_servers read "$H_HAPROXY_CSV" | awk '$2 == "UP" { print $1 }' | paste -sd, -)
    _parts+=("write→${write_up:--} read→${read_up:--}")
    if [[ -z $H_LEADER || $write_up != "$H_LEADER" ]]; then
        H_PROBLEMS+=("HAProxy :$HAPROXY_WRITE_PORT routes to '${write_up:-nothing}', leader is '${H_LEADER:-none}'")
    fi
    # Every server not UP must be plainly DOWN: "UP 1/2" still takes connections.
    if haproxy_servers write "$H_HAPROXY_CSV" | awk '$2 != "UP" && $2 != "DOWN" { bad = 1 } END { exit !bad }'; then
        H_PROBLEMS+=("HAProxy :$HAPROXY_WRITE_PORT has servers in transition")
    fi
    if [[ -n $H_CLUSTER ]]; then
        want_read=$(jq -r '[.members[] | select(.role != "leader") | .name] | sort | join(",")' <<<"$H_CLUSTER")
        [[ $read_up == "$want_read" ]] ||
            H_PROBLEMS+=("HAProxy :$HAPROXY_READ_PORT routes to '${read_up:-nothing}', replicas are '$want_read'")
    fi
}

# Human-readable report for `lab.sh status` (after lab_health full).
print_status() {
    local n
    echo "Lab: $LAB_DIR"
    echo
    if [[ $LAB_MANAGER == repmgr ]]; then
        echo "repmgr cluster show:"
        repmgr_cluster_show | sed 's/^/  /' || echo "  (no node answers)"
    else
        echo "Patroni members:"
    fi
    if [[ $LAB_MANAGER == repmgr ]]; then
        :
    elif [[ -n $H_CLUSTER ]]; then
        jq -r '(["  NAME", "HOST", "ROLE", "STATE", "TL", "LAG(bytes)"] | @tsv),
               (.members[] | ["  " + .name, .host, .role, .state, (.timeline // "-" | tostring),
                              (if .role == "leader" then "" else (.lag // "?" | tostring) end)] | @tsv)' \
            <<<"$H_CLUSTER" | column -t -s $'\t'
    else
        echo "  (no REST API answering)"
    fi
    [[ $LAB_MANAGER == repmgr ]] || printf '\netcd:'
    for n in "${PG_NODES[@]}"; do
        [[ $LAB_MANAGER == repmgr ]] && break
        if curl_q "http://$(node_ip "$n"):$ETCD_CLIENT_PORT/health" | jq -e '.health == "true"' >/dev/null 2>&1; then
            printf ' %s healthy' "$n"
        else
            printf ' %s UNHEALTHY' "$n"
        fi
    done
    echo
    echo
    echo "HAProxy ($(node_ip "$PROXY_NODE")):"
    if [[ -n $H_HAPROXY_CSV ]]; then
        printf '  write :%s  %s\n' "$HAPROXY_WRITE_PORT" "$(haproxy_servers write "$H_HAPROXY_CSV" | paste -sd, - | sed 's/,/, /g')"
        printf '  read  :%s  %s\n' "$HAPROXY_READ_PORT" "$(haproxy_servers read "$H_HAPROXY_CSV" | paste -sd, - | sed 's/,/, /g')"
    else
        echo "  stats page not answering"
    fi
    echo
    printf 'PgBouncer :%s: %s\n' "$PGBOUNCER_PORT" "$(pg_query "$PGBOUNCER_PORT" "select 'answering; primary is ' || host(inet_server_addr())")"
    echo
    printf 'WAL archiving (primary): %s\n' "$(pg_query "$HAPROXY_WRITE_PORT" "select format('archived %s, last %s (%s s ago), failed %s%s', archived_count, coalesce(last_archived_wal, '-'), coalesce(round(extract(epoch from now() - last_archived_time))::text, '-'), failed_count, case when last_failed_time > coalesce(last_archived_time, '-infinity') then ', FAILING since ' || last_failed_wal else '' end) from pg_stat_archiver")"
    echo
    echo "Services (lab-svc status, inside each node):"
    local svcs s line
    for n in "${ALL_NODES[@]}"; do
        if [[ -z $(node_init_pid "$n") ]]; then
            printf '  %-4s node not running\n' "$n"
            continue
        fi
        read -r -a svcs <<<"$(node_services "$n")"
        line=""
        for s in "${svcs[@]}"; do
            if in_node "$n" "$LAB_DIR/bin/lab-svc" status "$s" >/dev/null 2>&1; then
                line+=" $s:running"
            else
                line+=" $s:STOPPED"
            fi
        done
        printf '  %-4s%s\n' "$n" "$line"
    done
    if ((LAB_MONITORING)); then
        echo
        print_monitoring_status
    fi
    echo
    if ((${#H_PROBLEMS[@]} == 0)); then
        echo "healthy"
    else
        echo "UNHEALTHY:"
        printf '  - %s\n' "${H_PROBLEMS[@]}"
    fi
}

# Region 2 (up --dr-region): one standby leader streaming from region 1, the others its replicas.
# Before its services start (during `up`), it is not judged.
dr_region_health() {
    local -n _dr_parts=$1
    local cluster line
    cluster=$(patroni_cluster_json "${DR_NODES[@]}") || cluster=""
    if [[ -z $cluster ]]; then
        H_PROBLEMS+=("region 2: no Patroni REST API answers")
        _dr_parts+=("dr -")
        return 0
    fi
    line=$(jq -r '[.members[] | "\(.name) \(.role)/\(.state)"] | join(", ")' <<<"$cluster")
    _dr_parts+=("dr: $line")
    jq -e '[.members[] | select(.role == "standby_leader" and .state == "streaming")] | length == 1' <<<"$cluster" >/dev/null ||
        H_PROBLEMS+=("region 2: no standby leader streaming ($line)")
}
