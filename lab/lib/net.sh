# shellcheck shell=bash
# The lab's network: bridge pgdrill0 (10.77.0.1/24 on the host side) and one
# network namespace per node joined to it by a veth. No default route and no NAT
# in any namespace: lab traffic never leaves the machine.
# Sourced by lab.sh after common.sh.

net_up() {
    # shellcheck disable=SC2153 # BRIDGE is common.sh's, not a misspelling of the local below
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_ADDR/24" dev "$BRIDGE"
    ip link set "$BRIDGE" up
    if ((LAB_DR_REGION)); then
        ip link add "$DR_BRIDGE" type bridge
        ip addr add "$DR_BRIDGE_ADDR/24" dev "$DR_BRIDGE"
        ip link set "$DR_BRIDGE" up
        wan_up
    fi
    local node
    for node in "${ALL_NODES[@]}"; do net_node_up "$node"; done
    forward_rule_add_if_needed "$BRIDGE"
    ((LAB_DR_REGION)) && forward_rule_add_if_needed "$DR_BRIDGE"
    return 0
}

# The link between the regions: a namespace with a leg on each bridge that routes between them (its own
# ip_forward; the host routes nothing). Cutting a region off is done on that region's nodes, so the
# router only carries traffic.
wan_up() {
    local ns
    ns=$(netns_name "$WAN_NODE")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip link add "$(veth_name "$WAN_NODE")" type veth peer name eth0 netns "$ns"
    ip link add "$(veth_name "$WAN_NODE")b" type veth peer name eth1 netns "$ns"
    ip link set "$(veth_name "$WAN_NODE")" master "$BRIDGE" up
    ip link set "$(veth_name "$WAN_NODE")b" master "$DR_BRIDGE" up
    ip -n "$ns" addr add "$NET_PREFIX.254/24" dev eth0
    ip -n "$ns" addr add "$DR_PREFIX.254/24" dev eth1
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set eth1 up
    ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
}

# One node's namespace, joined to the bridge (also for the scratch node, later).
net_node_up() {
    local node=$1 ns veth
    ns=$(netns_name "$node")
    veth=$(veth_name "$node")
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set lo up
    # A MAC derived from the address: a node re-created at the same address (the scratch host, once per
    # restore drill) must not meet stale ARP entries for its old veth, which stall connections for seconds.
    local ip bridge=$BRIDGE mac=77
    ip=$(node_ip "$node")
    if is_dr_node "$node"; then bridge=$DR_BRIDGE mac=78; fi
    ip link set "$veth" master "$bridge" up
    ip -n "$ns" link set eth0 address "$(printf '02:%s:%02x:00:00:%02x' "$mac" "$LAB_ID" "${ip##*.}")"
    ip -n "$ns" addr add "$ip/24" dev eth0
    ip -n "$ns" link set eth0 up
    # The other region, through the router (only while a second region exists).
    if ((LAB_DR_REGION)); then
        if is_dr_node "$node"; then
            ip -n "$ns" route add "$NET_CIDR" via "$DR_PREFIX.254"
        else
            ip -n "$ns" route add "$DR_CIDR" via "$NET_PREFIX.254"
        fi
    fi
}

# Bridged frames pass the host's FORWARD chain when bridge-nf-call-iptables=1.
# An ACCEPT policy with no rules lets them through; anything else (a DROP policy,
# Docker's chains) may not, so only then the lab adds its own tagged rule.
forward_rule_add_if_needed() {
    local rules bridge=$1
    rules=$(iptables -S FORWARD 2>/dev/null) || return 0
    if [[ $rules == "-P FORWARD ACCEPT" ]]; then
        return 0
    fi
    iptables -I FORWARD 1 -i "$bridge" -o "$bridge" -m comment --comment "$FORWARD_TAG" -j ACCEPT
    say "added FORWARD accept rule for $bridge (host FORWARD chain is not a bare ACCEPT)"
}

forward_rule_remove() {
    command -v iptables >/dev/null || return 0
    local bridge
    for bridge in "$BRIDGE" "$DR_BRIDGE"; do
        while iptables -C FORWARD -i "$bridge" -o "$bridge" -m comment --comment "$FORWARD_TAG" -j ACCEPT 2>/dev/null; do
            iptables -D FORWARD -i "$bridge" -o "$bridge" -m comment --comment "$FORWARD_TAG" -j ACCEPT
        done
    done
}

# Removes whatever exists of the network, in any half-built state. Runs after the
# lab's processes are dead. `ip netns del` frees the veth asynchronously, so the
# veth is deleted explicitly first (a fresh `up` would otherwise collide with it).
net_down() {
    local node
    for node in "${TEARDOWN_NODES[@]}"; do net_node_down "$node"; done
    if [[ -e /sys/class/net/$BRIDGE ]]; then ip link del "$BRIDGE" 2>/dev/null || true; fi
    if [[ -e /sys/class/net/$DR_BRIDGE ]]; then ip link del "$DR_BRIDGE" 2>/dev/null || true; fi
    forward_rule_remove
}

net_node_down() {
    local ns veth
    ns=$(netns_name "$1")
    veth=$(veth_name "$1")
    if [[ -e /sys/class/net/$veth ]]; then ip link del "$veth" 2>/dev/null || true; fi
    if [[ -e /sys/class/net/${veth}b ]]; then ip link del "${veth}b" 2>/dev/null || true; fi
    if [[ -e /run/netns/$ns ]]; then
        ip netns del "$ns" 2>/dev/null || true
    fi
    # A netns name whose bind mount lost its file (or the other way round).
    if findmnt -rn "/run/netns/$ns" >/dev/null 2>&1; then umount -l "/run/netns/$ns" || true; fi
    rm -f "/run/netns/$ns"
}
