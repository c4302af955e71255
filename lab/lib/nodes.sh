# shellcheck shell=bash
# Lab nodes as processes: each node is `unshare` → tini (PID 1 of the node's PID
# namespace) → lab-node-init, inside the node's network namespace. The host pids
# of unshare and tini are recorded with their start times, so teardown kills
# exactly them even after pid reuse. Sourced by lab.sh after common.sh.

# Writes "PID STARTTIME" for a live pid.
record_pid() { printf '%s %s\n' "$2" "$(proc_starttime "$2")" >"$1"; }

# The pid recorded in FILE if that very process is still alive, else nothing.
recorded_pid() {
    local pid start
    [[ -r $1 ]] || return 0
    read -r pid start <"$1" || return 0
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    if proc_alive "$pid" && [[ $(proc_starttime "$pid") == "$start" ]]; then echo "$pid"; fi
}

# Host pid of the node's tini (its PID 1), or nothing if the node is not running.
node_init_pid() { recorded_pid "$STATE/$1/tini.pid"; }

# Runs a command inside a node's namespaces, as a process of that node (lab.sh's
# equivalent of ssh'ing in, without ssh's ~0.3 s per command).
in_node() {
    local node=$1 pid
    shift
    pid=$(node_init_pid "$node")
    [[ -n $pid ]] || { say "node $node is not running"; return 1; }
    nsenter --target "$pid" --mount --uts --ipc --net --pid -- "$@"
}

start_node() {
    local node=$1 ns log pid tini="" deadline
    ns=$(netns_name "$node")
    log="$STATE/$node/log/node.log"
    # setsid: the node must not share lab.sh's session (a ^C there must not reach it).
    setsid ip netns exec "$ns" unshare --pid --uts --ipc --fork --mount-proc \
        tini -- "$LAB_DIR/bin/lab-node-init" "$node" </dev/null >>"$log" 2>&1 &
    pid=$!
    record_pid "$STATE/$node/unshare.pid" "$pid"
    deadline=$(($(now_ns) + 5000000000))
    while [[ -z $tini ]]; do
        tini=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null || true)
        tini=${tini%% *}
        if [[ -z $tini ]]; then
            proc_alive "$pid" || { tail -n 20 "$log" >&2; die "node $node exited while starting"; }
            (($(now_ns) < deadline)) || die "node $node: no init process after 5 s"
            sleep 0.01
        fi
    done
    record_pid "$STATE/$node/tini.pid" "$tini"
}

# Waits until lab-node-init has set up the node's mounts (seen through the
# init process's root, i.e. inside the node's mount namespace).
wait_node_ready() {
    local node=$1 pid deadline
    deadline=$(($(now_ns) + 10000000000))
    while :; do
        pid=$(node_init_pid "$node")
        [[ -n $pid ]] || { tail -n 20 "$STATE/$node/log/node.log" >&2; die "node $node died during its setup"; }
        [[ -e /proc/$pid/root/run/pgdrill/node-ready ]] && return 0
        (($(now_ns) < deadline)) || { tail -n 20 "$STATE/$node/log/node.log" >&2; die "node $node not ready after 10 s"; }
        sleep 0.01
    done
}

# Every host pid that belongs to the lab: recorded node processes (checked by
# start time), anything inside a lab network namespace, and — if the state dir
# was lost — tini/unshare processes running this checkout's lab-node-init.
lab_pids() {
    local node ns pid f arg
    for node in "${TEARDOWN_NODES[@]}"; do
        for f in tini unshare; do recorded_pid "$STATE/$node/$f.pid"; done
        ns=$(netns_name "$node")
        if [[ -e /run/netns/$ns ]]; then ip netns pids "$ns" 2>/dev/null || true; fi
    done
    for f in /proc/[0-9]*/cmdline; do
        pid=${f#/proc/}
        pid=${pid%/cmdline}
        while IFS= read -r -d '' arg; do
            if [[ $arg == "$LAB_DIR/bin/lab-node-init" ]]; then
                echo "$pid"
                break
            fi
        done 2>/dev/null <"$f" || true
    done
}

# SIGKILL, not SIGTERM: `unshare --fork` ignores SIGTERM, and killing a PID
# namespace's init takes every process of that node down with it.
kill_lab_processes() {
    local -a pids
    mapfile -t pids < <(lab_pids | sort -un)
    ((${#pids[@]})) || return 0
    kill -KILL "${pids[@]}" 2>/dev/null || true
    if ! wait_dead 10 "${pids[@]}"; then
        say "warning: some lab processes survived SIGKILL for 10 s: $(for p in "${pids[@]}"; do proc_alive "$p" && printf '%s ' "$p"; done)"
    fi
}
