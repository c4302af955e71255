#!/usr/bin/env bash
# Memory of a long drill and the time its report takes: runs bench/long-probe.yaml (10 minutes of probing
# at full rate, release build) and samples the runner's RSS every 30 s. Prints RSS at 1 and 10 minutes, the
# attempts recorded and the analysis+report time (from "read back" to "report:" in the progress log).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product pgdrill >/dev/null
BIN=$(swift build -c release --show-bin-path)/pgdrill
lab/lab.sh status >/dev/null 2>&1 || lab/lab.sh up >/dev/null
OUT=$(mktemp -d)
export PGDRILL_STATE_DIR=$OUT/state
"$BIN" run bench/long-probe.yaml --cluster lab/state/cluster.yaml --yes --report-dir "$OUT/reports" 2>"$OUT/log" &
pid=$!
start=$(date +%s)
: >"$OUT/rss"
while kill -0 "$pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n $rss ]] && echo "$(( $(date +%s) - start )) $rss" >>"$OUT/rss"
    sleep 30
done
wait "$pid" || true
at() { awk -v t="$1" '$1 >= t {print $2; exit}' "$OUT/rss"; }
ts() { date -d "$(grep -m1 "$1" "$OUT/log" | cut -d' ' -f1)" +%s.%N; }
attempts=$(($(find "$OUT/reports" -name probe.csv -exec cat {} + | wc -l) - 1))
echo "attempts recorded: $attempts"
echo "RSS at ~1 min: $(( $(at 60) / 1024 )) MiB; at ~10 min: $(( $(at 600) / 1024 )) MiB; samples (s KiB):"
tr '\n' ' ' <"$OUT/rss"; echo
echo "analysis + report: $(echo "$(ts 'report:') - $(ts 'read back')" | bc) s (read back → report written)"
echo "log and reports in $OUT"
