#!/usr/bin/env bash
# Benchmarks of the instrument against the tools a DBA would use instead, on the lab (brought up if needed).
# Not part of the test suite: run on demand, on an otherwise idle machine.
#
#   bench/run.sh [probe|ssh|rto|inject|log|all]     (default all); bench/overhead.sh, bench/memory.sh
#
# Prints a Markdown table; every figure is the median of its runs with the min–max spread (probe: PAIRS
# interleaved probe/pgbench pairs, default 5; the others RUNS runs, default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
CLUSTER=lab/state/cluster.yaml
export PGPASSFILE=$PWD/lab/state/pgpass

swift build -c release --product pgdrill-bench >/dev/null
BENCH=$(swift build -c release --show-bin-path)/pgdrill-bench
if ! { [[ -r $CLUSTER ]] && lab/lab.sh status >/dev/null 2>&1; }; then lab/lab.sh up >/dev/null; fi
NET=10.77.$(cat lab/state/lab-id 2>/dev/null || echo 0)
WRITE="host=$NET.2 port=5000 dbname=drill user=drill"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# median and spread of a list of numbers: "median (min–max)"
stats() { sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.2f (%.2f–%.2f)", m, v[1], v[NR]}'; }
median() { sort -g | awk '{v[NR]=$1} END {m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2; printf "%.4f", m}'; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }

# pgbench running the probe's own INSERT (same statement, same RETURNING), prepared, like
# the probe (which prepares its statement too), `clients` connections through the same endpoint. Prints "rate p50_ms p99_ms".
pgbench_run() {
    local clients=$1
    cat >"$TMP/insert.sql" <<'SQL'
\set seq random(1, 9000000000000000000)
INSERT INTO pgdrill.probe (run_id, endpoint, writer, seq, client_start, timeline)
VALUES ('bench-pgbench', 'write', :client_id, :seq, 0, ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int)
RETURNING inet_server_addr()::text, inet_server_port(), floor(extract(epoch FROM server_time) * 1000000)::bigint, timeline;
SQL
    rm -f "$TMP"/pgbench_log.*
    (cd "$TMP" && pgbench -n -M prepared -c "$clients" -j "$clients" -T "$SECONDS_PER_RUN" -l -f insert.sql "$WRITE" >"$TMP/pgbench.out" 2>&1)
    local rate
    rate=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$TMP/pgbench.out" | head -1)
    cat "$TMP"/pgbench_log.* | awk '{print $3/1000}' | sort -g >"$TMP/lat"
    local n; n=$(wc -l <"$TMP/lat")
    echo "$rate $(sed -n "$(( (n + 1) / 2 ))p" "$TMP/lat") $(sed -n "$(( (n * 99 + 99) / 100 ))p" "$TMP/lat")"
    psql -X -q "$WRITE" -c "DELETE FROM pgdrill.probe WHERE run_id = 'bench-pgbench'" >/dev/null
}

if [[ $WHAT == probe || $WHAT == all ]]; then
    # Interleaved pairs (probe, pgbench, probe, …; PAIRS, default 5): machine noise hits both tools alike, and
    # the ratio is the median of the per-pair ratios, with their spread — not a ratio of medians taken
    # minutes apart.
    PAIRS=${PAIRS:-5}
    echo "| writers | probe acks/s | pgbench tps | ratio: median of $PAIRS pairs (min–max) | probe p50 / p99 ms | pgbench p50 / p99 ms |"
    echo "| --- | --- | --- | --- | --- | --- |"
    for writers in 1 4 16; do
        : >"$TMP/probe" ; : >"$TMP/pgb" ; : >"$TMP/ratios"
        for _ in $(seq "$PAIRS"); do
            "$BENCH" probe "$CLUSTER" write "$writers" "$SECONDS_PER_RUN" >>"$TMP/probe"
            pgbench_run "$writers" >>"$TMP/pgb"
            awk -v a="$(tail -1 "$TMP/probe" | field rate)" -v b="$(tail -1 "$TMP/pgb" | awk '{print $1}')" \
                'BEGIN {printf "%.4f\n", a / b}' >>"$TMP/ratios"
        done
        ratio=$(stats <"$TMP/ratios")
        echo "| $writers | $(field rate <"$TMP/probe" | stats) | $(awk '{print $1}' "$TMP/pgb" | stats) | $ratio |" \
             "$(field p50_ms <"$TMP/probe" | median) / $(field p99_ms <"$TMP/probe" | median) |" \
             "$(awk '{print $2}' "$TMP/pgb" | median) / $(awk '{print $3}' "$TMP/pgb" | median) |"
    done
    echo
fi

if [[ $WHAT == ssh || $WHAT == all ]]; then
    echo "| remote command | libssh2 shell channel median (p99) ms, 200 runs | ssh -o BatchMode=yes median ms, 50 runs | ratio |"
    echo "| --- | --- | --- | --- |"
    # The cluster file's login: the operator (through sudo, as pgdrill does) in the production-shaped lab.
    login=$(awk '/^  user:/ {print $2; exit}' "$CLUSTER")
    # Behind the bastion (ssh.jump), OpenSSH goes through it too: the same path pgdrill takes.
    opts=(-o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile=lab/state/ssh/known_hosts -i lab/state/ssh/id_ed25519)
    jump=$(sed -n 's/^  jump: { host: \([0-9.]*\) }$/\1/p' "$CLUSTER")
    [[ -z $jump ]] || opts+=(-o "ProxyCommand=ssh ${opts[*]} -W %h:%p ${login:-root}@$jump")
    for cmd in "true" "cat /proc/loadavg"; do
        lib=$("$BENCH" ssh "$CLUSTER" pg1 200 "$cmd")
        : >"$TMP/ssh"
        for _ in $(seq 50); do
            s=$(date +%s%N)
            # shellcheck disable=SC2029 # the command is built here on purpose (sudo -n prefix for the operator)
            ssh "${opts[@]}" "${login:-root}@$NET.11" "$( [[ ${login:-root} == root ]] || printf 'sudo -n ')$cmd" >/dev/null
            echo "scale=3; ($(date +%s%N) - $s) / 1000000" | bc >>"$TMP/ssh"
        done
        lm=$(echo "$lib" | field median_ms); sm=$(median <"$TMP/ssh")
        echo "| \`$cmd\` | $lm ($(echo "$lib" | field p99_ms)) | $sm | $(awk -v a="$lm" -v b="$sm" 'BEGIN {printf "%.4f", a / b}') |"
    done
    echo
fi

if [[ $WHAT == rto || $WHAT == all ]]; then
    # RTO resolution: OUTAGES (default 20) connection-refused outages of 1 s on HAProxy's write port, each
    # opened and closed at instants stamped on the proxy's clock; the probe's first ack after reopening.
    echo "| outage | first acknowledgement after the port reopens: median (p90, min–max) ms | outages |"
    echo "| --- | --- | --- |"
    out=$("$BENCH" outage "$CLUSTER" "${OUTAGES:-20}" 5000)
    echo "| 1 s connection refused on :5000 (REJECT tcp-reset) | $(echo "$out" | field first_ack_median_ms) ($(echo "$out" | field first_ack_p90_ms), $(echo "$out" | field first_ack_min_ms)–$(echo "$out" | field first_ack_max_ms)) | $(echo "$out" | field outages) |"
    echo
fi

if [[ $WHAT == inject || $WHAT == all ]]; then
    # The runner's injection path on the primary (a harmless SIGCONT to Patroni and the postmaster), 200 times,
    # with no load and under a full-rate probe; decision → in effect on the node's clock.
    # The stamp: `bash` ($EPOCHREALTIME, exact) or `date` (a fork after the signals: an upper bound).
    echo "| probe writers during injection | decision → effect median (p99, max) ms | decision → command returned median ms | stamp | runs |"
    echo "| --- | --- | --- | --- | --- |"
    for writers in 0 4 16; do
        : >"$TMP/inj"
        for _ in $(seq "$RUNS"); do "$BENCH" inject "$CLUSTER" 200 "$writers" >>"$TMP/inj"; done
        echo "| $writers | $(field effect_median_ms <"$TMP/inj" | stats) ($(field effect_p99_ms <"$TMP/inj" | median), $(field effect_max_ms <"$TMP/inj" | median)) |" \
             "$(field return_median_ms <"$TMP/inj" | median) | $(field stamp <"$TMP/inj" | sort -u | paste -sd+) | $RUNS × 200 |"
    done
    echo
fi

if [[ $WHAT == log || $WHAT == all ]]; then
    # Analysis + timeline of a 10-minute full-rate probe log (3.26 M attempts, synthetic, a 20 s outage).
    : >"$TMP/log"
    for _ in $(seq "$RUNS"); do "$BENCH" log 3256847 >>"$TMP/log"; done
    echo "| rows | one read pass s (CPU s) | analysis (two passes) + timeline s (CPU s) | SVG s |"
    echo "| --- | --- | --- | --- |"
    echo "| 3,256,847 | $(field read_pass_s <"$TMP/log" | stats) ($(field read_pass_cpu_s <"$TMP/log" | median)) |" \
         "$(field analysis_with_timeline_s <"$TMP/log" | stats) ($(field analysis_with_timeline_cpu_s <"$TMP/log" | median)) | $(field timeline_svg_s <"$TMP/log" | median) |"
    echo
fi
