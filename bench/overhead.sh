#!/usr/bin/env bash
# Drill overhead: primary-node-down's wall time against what the drill itself measured, RUNS times
# (default 3), release build, on the lab (brought up if needed). Not part of the test suite.
#
#   outage+recovery  the observe stage (outage, then stable_for) + the rollback+recover stage, from report.json
#   drill waits      steady + cooldown, as the drill file sets them
#   overhead         wall − outage+recovery − drill waits: pre-flight, connections, probe set-up, fault
#                    injection, rollback, verification (read-back), purge and replica catch-up, reports
#
# Prints one line per run and the median with the min–max spread.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
DRILL=${DRILL:-drills/02-primary-node-down.yaml}
swift build -c release --product pgdrill >/dev/null
BIN=$(swift build -c release --show-bin-path)/pgdrill
lab/lab.sh status >/dev/null 2>&1 || lab/lab.sh up >/dev/null
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export PGDRILL_STATE_DIR=$OUT/state
# The drill file's cooldown in seconds (part of the verify stage in the report).
COOLDOWN=$(sed -n 's/^cooldown: *\([0-9.]*\)s *$/\1/p' "$DRILL")
COOLDOWN=${COOLDOWN:-0}
for i in $(seq "$RUNS"); do
    start=$(date +%s.%N)
    "$BIN" run "$DRILL" --cluster lab/state/cluster.yaml --yes --report-dir "$OUT/r$i" >/dev/null 2>"$OUT/log$i" || true
    end=$(date +%s.%N)
    json=$(find "$OUT/r$i" -name report.json | head -1)
    python3 - "$json" "$start" "$end" "$COOLDOWN" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
wall = float(sys.argv[3]) - float(sys.argv[2])
d = report["drills"][0]
stages = {s["name"]: (s["end"] - s["start"]) / 1e6 for s in d["stages"]}
# The report's stages: steady, fault, observe, rollback+recover, verify (the cooldown, then the read-back).
cluster = stages.get("observe", 0) + stages.get("rollback+recover", 0) + stages.get("recover", 0)
steady = stages.get("steady", 0)
cooldown = float(sys.argv[4])
overhead = wall - cluster - steady - cooldown
print(f"wall={wall:.2f} outage_recovery={cluster:.2f} drill_waits={steady + cooldown:.2f} "
      f"overhead={overhead:.2f} overhead_share={overhead / wall * 100:.1f}% verdict={d['verdict']} "
      f"injection_ms={(d.get('fault_injection_latency') or 0) / 1e3:.2f}")
PY
done | tee "$OUT/lines"
awk '{for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "overhead_share") { sub("%", "", kv[2]); print kv[2] } } }' "$OUT/lines" |
    sort -g | awk '{v[NR]=$1} END {printf "overhead share: median %.1f%% (%.1f–%.1f%%) over %d runs\n", v[int((NR+1)/2)], v[1], v[NR], NR}'
