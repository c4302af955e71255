#!/bin/sh
# The scripted on-call operator of drills/oncall/manual-failover.yaml on the lab: what a person would do by the
# runbook, at a person's pace, through Patroni's REST API (the API calls `patronictl failover` and
# `patronictl resume` make). pgdrill runs it at the handover with PGDRILL_CLUSTER_FILE, PGDRILL_PRIMARY_BEFORE,
# PGDRILL_SYNC_STANDBY in the environment; a line `ack` on stdout acknowledges the page, other lines are notes
# on the timeline.
#   OPERATOR_ACK_AFTER (default 5 s): reading the page; OPERATOR_THINK (default 3 s): before each action.
set -eu
state=$(dirname "$PGDRILL_CLUSTER_FILE")
ack_after=${OPERATOR_ACK_AFTER:-5}
think=${OPERATOR_THINK:-3}
# The lab's API is HTTPS with basic auth in its production shape, plain HTTP in the simple one.
if [ -f "$state/secrets/patroni-api.curlrc" ]; then
    scheme=https
    set -- --cacert "$state/tls/ca.crt" -K "$state/secrets/patroni-api.curlrc"
else
    scheme=http
    set --
fi
api() { # NODE PATH [curl args]: the node's address from the cluster file. POST /failover answers once the
    # failover is done (after the old leader's key has expired, up to ttl), so it gets a minute.
    node=$1 path=$2; shift 2
    addr=$(sed -n "s/^  - { name: $node, host: \([0-9.]*\),.*/\1/p" "$PGDRILL_CLUSTER_FILE")
    curl -s -S -f --max-time 60 "$@" "$scheme://$addr:8008$path"
}
candidate=$PGDRILL_SYNC_STANDBY
[ -n "$candidate" ] || { echo "no synchronous standby was named: cannot choose a candidate" >&2; exit 1; }

sleep "$ack_after"
echo ack
sleep "$think"
leader=$(api "$candidate" /cluster "$@" | sed -n 's/.*"name": *"\([^"]*\)", *"role": *"leader".*/\1/p')
echo "diagnosis: ${PGDRILL_PRIMARY_BEFORE:-the primary} is gone, leader: ${leader:-none}; failing over to $candidate"
sleep "$think"
api "$candidate" /failover "$@" -X POST -H 'Content-Type: application/json' -d "{\"candidate\": \"$candidate\"}" >/dev/null ||
    { echo "POST /failover to $candidate failed" >&2; exit 1; }
i=0
until api "$candidate" /primary "$@" >/dev/null 2>&1; do
    i=$((i + 1)); [ $i -lt 120 ] || { echo "$candidate did not become primary within 60 s" >&2; exit 1; }
    sleep 0.5
done
echo "$candidate is primary; resuming Patroni"
sleep "$think"
api "$candidate" /config "$@" -X PATCH -H 'Content-Type: application/json' -d '{"pause": false}' >/dev/null ||
    { echo "PATCH /config pause=false failed" >&2; exit 1; }
echo "Patroni resumed"
