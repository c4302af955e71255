#!/bin/bash
# verify.sh — checks a running lab the way pgdrill will use it, and measures it:
#   ssh with strict host key checking into every node (and a wrong key refused),
#   a write through HAProxy :5000 and PgBouncer :6432 and a read through :5001
#   landing on a replica (password only from pgpass), the data tmpfs visible in
#   the node and not on the host, iptables isolation of pg1 from pg2/pg3 inside
#   pg1's namespace (nft and legacy backends), and idle memory (PSS) and CPU.
# Exit status 0 iff every check passed. Run after `lab.sh up`.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$(readlink -f "$0")")/lib/common.sh"

CPU_WINDOW=${CPU_WINDOW:-10}
failures=0
pass() { printf '  ok    %s\n' "$*"; }
fail() { printf '  FAIL  %s\n' "$*"; failures=$((failures + 1)); }

[[ -s $STATE/cluster.yaml ]] || die "no lab state; run lab.sh up first"
export PGPASSFILE="$STATE/pgpass" PGCONNECT_TIMEOUT=3
PX=$(node_ip "$PROXY_NODE")
SSH=(ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=5
    -o UserKnownHostsFile="$STATE/ssh/known_hosts" -i "$STATE/ssh/id_ed25519")
# Behind the bastion: through it, with the same key and known_hosts for both hops (-J would drop them).
if ((LAB_BASTION)); then
    SSH+=(-o "ProxyCommand=${SSH[*]} -W %h:%p ${OPERATOR_USER}@$(node_ip "$BASTION_NODE")")
fi
# The operator flavour refuses root: log in as the operator and become root the way pgdrill does.
if ((LAB_OPERATOR)); then LOGIN=$OPERATOR_USER; else LOGIN=root; fi
on() {
    local node=$1; shift
    if ((LAB_OPERATOR)); then
        "${SSH[@]}" "$LOGIN@$(node_ip "$node")" "sudo -n /bin/sh -c $(printf '%q' "$*")"
    else
        "${SSH[@]}" "root@$(node_ip "$node")" "$@"
    fi
}

echo "ssh (StrictHostKeyChecking=yes, lab known_hosts, lab key):"
for node in "${ALL_NODES[@]}"; do
    # shellcheck disable=SC2016 # expanded by the node's shell, not here
    got=$(on "$node" 'echo "$(hostname) $(cat /proc/1/comm)"' 2>&1) || got="error: $got"
    if [[ $got == "$node tini" ]]; then
        pass "$node ($(node_ip "$node")): hostname $node, PID 1 is tini"
    else
        fail "$node: $got"
    fi
done
# Behind the bastion, a node refuses the runner's direct login.
if ((LAB_BASTION)); then
    if ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=5 -o UserKnownHostsFile="$STATE/ssh/known_hosts" \
        -i "$STATE/ssh/id_ed25519" "$LOGIN@$(node_ip pg1)" true 2>/dev/null; then
        fail "pg1 accepted ssh from the runner directly, not through the bastion"
    else
        pass "pg1 refuses ssh that does not come through the bastion ($(node_ip "$BASTION_NODE"))"
    fi
fi
# A known_hosts that pairs pg1's address with pg2's key must be refused.
wrong=$(mktemp)
trap 'rm -f "$wrong"' EXIT
printf '%s %s\n' "$(node_ip pg1)" "$(cut -d' ' -f1,2 "$STATE/pg2/ssh/ssh_host_ed25519_key.pub")" >"$wrong"
if ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$wrong" -i "$STATE/ssh/id_ed25519" \
    "$LOGIN@$(node_ip pg1)" true 2>/dev/null; then
    fail "ssh accepted pg1 with a wrong host key"
else
    pass "ssh refuses pg1 when known_hosts holds another key"
fi

echo "SQL through the proxy node as drill (password from pgpass only):"
sql() { psql -XAtqw -v ON_ERROR_STOP=1 "host=$PX port=$1 dbname=drill user=drill" -c "$2" 2>&1; }
mapfile -t api_opts < <(api_curl_opts patroni)
if [[ $LAB_MANAGER == repmgr ]]; then
    # No Patroni: the role responder on :8008 answers 200 on /primary on the primary only.
    leader=""
    for node in "${PG_NODES[@]}"; do
        curl -fsS --max-time 2 -o /dev/null "http://$(node_ip "$node"):$PATRONI_PORT/primary" 2>/dev/null && leader=$(node_ip "$node")
    done
else
    leader=$(curl -fsS --max-time 2 "${api_opts[@]}" "$API_SCHEME://$(node_ip pg1):$PATRONI_PORT/cluster" |
        jq -r '.members[] | select(.role == "leader") | .host')
fi
sql 5000 "CREATE TABLE IF NOT EXISTS lab_verify (id bigserial PRIMARY KEY, via int, at timestamptz DEFAULT clock_timestamp())" >/dev/null
for port in "$HAPROXY_WRITE_PORT" "$PGBOUNCER_PORT"; do
    got=$(sql "$port" "INSERT INTO lab_verify (via) VALUES ($port) RETURNING host(inet_server_addr())")
    if [[ $got == "$leader" ]]; then pass "write via $PX:$port acknowledged by the leader ($got)"; else fail "write via :$port: $got"; fi
done
for _ in 1 2; do
    got=$(sql "$HAPROXY_READ_PORT" "SELECT pg_is_in_recovery() || ' ' || host(inet_server_addr())")
    if [[ $got == "true "* && ${got#true } != "$leader" ]]; then
        pass "read via $PX:$HAPROXY_READ_PORT lands on a replica: pg_is_in_recovery() on ${got#true }"
    else
        fail "read via :$HAPROXY_READ_PORT: $got"
    fi
done
if grep -rqs "$(awk -F: 'NR == 1 { print $5 }' "$PGPASSFILE")" "$STATE/cluster.yaml"; then
    fail "drill password found in cluster.yaml"
else
    pass "drill password not in cluster.yaml"
fi
sql 5000 "DROP TABLE lab_verify" >/dev/null

if ((LAB_MONITORING)); then
    echo "monitoring (Prometheus and Alertmanager on $MON_NODE, exporters on the pg nodes):"
    PROM="http://$(node_ip "$MON_NODE"):$PROMETHEUS_PORT" AM="http://$(node_ip "$MON_NODE"):$ALERTMANAGER_PORT"
    if out=$(promtool check rules "$MONITORING_DIR/alerts.yml" 2>&1); then
        pass "promtool check rules monitoring/alerts.yml: $(grep -o 'SUCCESS.*' <<<"$out")"
    else
        fail "promtool check rules monitoring/alerts.yml: $out"
    fi
    prod=$(mktemp --suffix=.yml)
    if "$MONITORING_DIR/render-production.sh" >"$prod" && out=$(promtool check rules "$prod" 2>&1); then
        pass "the production rendering (render-production.sh) passes promtool too"
    else
        fail "production rendering: $out"
    fi
    rm -f "$prod"
    if out=$(promtool check config "$STATE/$MON_NODE/prometheus.yml" 2>&1); then pass "promtool check config state/$MON_NODE/prometheus.yml"; else fail "prometheus.yml: $out"; fi
    if out=$(amtool check-config "$STATE/$MON_NODE/alertmanager.yml" 2>&1); then pass "amtool check-config state/$MON_NODE/alertmanager.yml"; else fail "alertmanager.yml: $out"; fi
    for url in "$PROM/-/ready" "$AM/-/ready"; do
        if curl -fsS --max-time 2 "$url" >/dev/null; then pass "$url answers"; else fail "$url not ready"; fi
    done
    targets=$(curl -fsS --max-time 2 "$PROM/api/v1/targets?state=active" || echo '{}')
    got=$(jq -r '.data.activeTargets // [] | "\([.[] | select(.health == "up")] | length)/\(length) \([.[] | select(.health != "up") | "\(.labels.job)@\(.labels.node): \(.lastError)"] | join("; "))"' <<<"$targets")
    read -r ratio rest <<<"$got"
    if [[ ${ratio%/*} == "${ratio#*/}" && ${ratio#*/} -gt 0 ]]; then
        pass "every target up ($ratio: $(jq -r '[.data.activeTargets[].labels.job] | unique | join(", ")' <<<"$targets"))"
    else
        fail "targets up $ratio: $rest"
    fi
    rules=$(curl -fsS --max-time 2 "$PROM/api/v1/rules" || echo '{}')
    got=$(jq -r '[([.data.groups[]?.rules[]] | length), ([.data.groups[]?.rules[] | select(.health == "err")] | length)] | @tsv' <<<"$rules")
    read -r nrules nbad <<<"$got"
    if ((nrules > 0 && nbad == 0)); then pass "$nrules rules loaded from monitoring/alerts.yml, none failing"; else fail "rules loaded $nrules, failing $nbad"; fi
    got=$(curl -fsS --max-time 2 "$PROM/api/v1/query" --data-urlencode 'query=min(pg_up) * count(pg_up)' | jq -r '.data.result[0].value[1] // "none"')
    if [[ $got == "${#PG_NODES[@]}" || ($got -gt 0 && $LAB_DR_REGION == 1) ]]; then
        pass "postgres_exporter reaches PostgreSQL on every node (peer authentication as $PG_EXPORTER_ROLE)"
    else
        fail "pg_up: min × count = $got"
    fi
fi

echo "data filesystem (tmpfs in the node's mount namespace only):"
got=$(on pg1 "df -B1 --output=fstype,size $DATA_MOUNT | tail -n 1")
read -r fstype size <<<"$got"
if [[ $fstype == tmpfs && $size -ge 1000000000 ]]; then pass "pg1 $DATA_MOUNT: $fstype, $((size / 1048576)) MiB"; else fail "pg1 $DATA_MOUNT: $got"; fi
if mount -t tmpfs | grep -q pgdrill-; then fail "lab tmpfs visible in the host's mount table"; else pass "host mount table has no lab tmpfs"; fi

echo "iptables inside pg1's namespace: isolate pg1 from pg2 and pg3, then heal:"
# Can node $1 open a TCP connection to node $2's sshd? A bare connect tests the
# network alone (etcd's /health would also fail while etcd re-elects). Probed from
# $1's network namespace directly, with no ssh round trip, so pg1 stays cut off
# for only ~1.5 s — well under Patroni's retry_timeout.
tcp_reach() {
    ip netns exec "$(netns_name "$1")" timeout 0.3 bash -c "exec 3<>/dev/tcp/$(node_ip "$2")/22" 2>/dev/null
}
for ipt in iptables iptables-legacy; do
    rules="$ipt -N LAB_VERIFY && $ipt -I INPUT -j LAB_VERIFY && $ipt -I OUTPUT -j LAB_VERIFY"
    for peer in pg2 pg3; do
        rules+=" && $ipt -A LAB_VERIFY -s $(node_ip "$peer") -j DROP && $ipt -A LAB_VERIFY -d $(node_ip "$peer") -j DROP"
    done
    heal="$ipt -D INPUT -j LAB_VERIFY; $ipt -D OUTPUT -j LAB_VERIFY; $ipt -F LAB_VERIFY; $ipt -X LAB_VERIFY"
    if ! out=$(on pg1 "$rules" 2>&1); then
        fail "$ipt in pg1: $out"
        on pg1 "$heal" >/dev/null 2>&1 || true
        continue
    fi
    a=0 b=0 c=0
    tcp_reach pg1 pg2 || a=1
    tcp_reach pg3 pg1 || b=1
    tcp_reach pg2 pg3 && c=1
    host_ok=0
    timeout 0.3 bash -c "exec 3<>/dev/tcp/$(node_ip pg1)/22" 2>/dev/null && host_ok=1
    on pg1 "$heal" >/dev/null 2>&1 || fail "$ipt: could not remove the isolation rules"
    healed=0
    tcp_reach pg1 pg2 && tcp_reach pg3 pg1 && healed=1
    if ((a && b && c && host_ok && healed)); then
        pass "$ipt: pg1↛pg2 and pg3↛pg1 blocked, pg2→pg3 and host→pg1 open, all open again after heal"
    else
        fail "$ipt: blocked pg1→pg2=$a pg3→pg1=$b open pg2→pg3=$c host→pg1=$host_ok healed=$healed"
    fi
done
# The host's own rules are untouched by all this.
if iptables -S LAB_VERIFY >/dev/null 2>&1; then fail "LAB_VERIFY chain leaked into the host"; else pass "host iptables untouched"; fi

echo "idle resources of the lab (every process in a lab network namespace):"
mapfile -t pids < <(for node in "${ALL_NODES[@]}"; do ip netns pids "$(netns_name "$node")"; done)
pss_kib=0
for pid in "${pids[@]}"; do
    kib=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    pss_kib=$((pss_kib + ${kib:-0}))
done
ticks() { local t=0 pid stat f; for pid in "${pids[@]}"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }; read -r -a f <<<"$stat"; t=$((t + f[11] + f[12])); done; echo "$t"; }
t1=$(ticks)
sleep "$CPU_WINDOW"
t2=$(ticks)
hz=$(getconf CLK_TCK)
tmpfs_kib=0
for node in "${PG_NODES[@]}"; do
    used=$(on "$node" "df -k --output=used $DATA_MOUNT /run | tail -n +2 | awk '{ s += \$1 } END { print s }'")
    tmpfs_kib=$((tmpfs_kib + used))
done
printf '  %d processes, PSS %d MiB, tmpfs in use (data + /run of pg nodes) %d MiB\n' \
    "${#pids[@]}" $((pss_kib / 1024)) $((tmpfs_kib / 1024))
awk -v d=$((t2 - t1)) -v hz="$hz" -v w="$CPU_WINDOW" \
    'BEGIN { printf "  CPU %.1f%% of one core over %d s (processes alive at the start)\n", 100 * d / hz / w, w }'
if ((LAB_MONITORING)); then
    # The monitoring's share: everything in mon's namespace plus the exporters on the pg nodes.
    mapfile -t mon_pids < <(ip netns pids "$(netns_name "$MON_NODE")"
        for node in "${PG_NODES[@]}"; do
            for pid in $(ip netns pids "$(netns_name "$node")"); do
                [[ $(cat "/proc/$pid/comm" 2>/dev/null) =~ ^prometheus-(node|post)$ ]] && echo "$pid"
            done
        done)
    mon_pss=0 mon_rss=0
    for pid in "${mon_pids[@]}"; do
        kib=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
        mon_pss=$((mon_pss + ${kib:-0}))
        kib=$(awk '/^Rss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
        mon_rss=$((mon_rss + ${kib:-0}))
    done
    pids=("${mon_pids[@]}")
    m1=$(ticks)
    sleep "$CPU_WINDOW"
    m2=$(ticks)
    read -r mon_init _ <"$STATE/$MON_NODE/tini.pid"
    tsdb=$(nsenter --target "$mon_init" --mount --pid df -k --output=used "$MON_DATA" | tail -n 1)
    printf '  of which monitoring: %d processes, PSS %d MiB (RSS %d MiB), TSDB tmpfs in use %d MiB\n' \
        "${#mon_pids[@]}" $((mon_pss / 1024)) $((mon_rss / 1024)) $((tsdb / 1024))
    awk -v d=$((m2 - m1)) -v hz="$hz" -v w="$CPU_WINDOW" \
        'BEGIN { printf "  monitoring CPU %.1f%% of one core over a further %d s\n", 100 * d / hz / w, w }'
fi

echo
if ((failures)); then echo "verify: $failures check(s) FAILED"; exit 1; fi
echo "verify: all checks passed"
