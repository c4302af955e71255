#!/bin/sh
# The scripted on-call operator of drills/oncall/repmgr-manual-failover.yaml on the lab's repmgr flavour: what
# a person would do by the runbook, at a person's pace, with repmgr's own commands over ssh as the lab's
# repmgr clusters allow (root, the lab's key and known_hosts). pgdrill runs it at the handover with
# PGDRILL_CLUSTER_FILE, PGDRILL_PRIMARY_BEFORE, PGDRILL_SYNC_STANDBY in the environment; a line `ack` on stdout
# acknowledges the page, other lines are notes on the timeline.
#   OPERATOR_ACK_AFTER (default 5 s): reading the page; OPERATOR_THINK (default 3 s): before each action.
set -eu
file=$PGDRILL_CLUSTER_FILE
state=$(dirname "$file")
ack_after=${OPERATOR_ACK_AFTER:-5}
think=${OPERATOR_THINK:-3}
port=$(sed -n 's/^  port: \([0-9]*\)$/\1/p' "$file" | head -1)
conf=$(sed -n 's/^  config: "\(.*\)"$/\1/p' "$file" | head -1)
bin=$(sed -n 's/^  bin_dir: \(.*\)$/\1/p' "$file" | head -1)
addr() { sed -n "s/^  - { name: $1, host: \([0-9.]*\).*/\1/p" "$file"; }
repmgr_on() { # NODE ARGS: repmgr as postgres on NODE, from / (its pg_ctl and ssh children chdir there)
    node=$1; shift
    ssh -q -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=5 -o UserKnownHostsFile="$state/ssh/known_hosts" \
        -i "$state/ssh/id_ed25519" -p "${port:-22}" "root@$(addr "$node")" \
        "cd / && runuser -u postgres -- $bin/repmgr -f $(echo "$conf" | sed "s/{node}/$node/") $*"
}
candidate=$PGDRILL_SYNC_STANDBY
[ -n "$candidate" ] || { echo "no synchronous standby was named: cannot choose a candidate" >&2; exit 1; }
other=$(sed -n 's/^  - { name: \([a-z0-9-]*\), host: .*/\1/p' "$file" | grep -vx -e "$candidate" -e "${PGDRILL_PRIMARY_BEFORE:-}" | head -1)

sleep "$ack_after"
echo ack
sleep "$think"
echo "diagnosis: ${PGDRILL_PRIMARY_BEFORE:-the primary} is gone; promoting $candidate${other:+, then $other follows it}"
sleep "$think"
repmgr_on "$candidate" standby promote >/dev/null 2>&1 || { echo "repmgr standby promote on $candidate failed" >&2; exit 1; }
echo "$candidate promoted"
if [ -n "$other" ]; then
    sleep "$think"
    repmgr_on "$other" standby follow >/dev/null 2>&1 ||
        echo "repmgr standby follow on $other failed (it may follow by itself once repmgrd runs)"
    echo "$other follows $candidate"
fi
sleep "$think"
repmgr_on "$candidate" service unpause >/dev/null 2>&1 || true
echo "repmgrd unpaused"
