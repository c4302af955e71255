import PGDrillSSH

/// Partition, packet loss and latency: iptables chains of the run's own, netem under a prio root.
extension FaultTemplates {
    // MARK: partition and loss (iptables, in chains of the run's own)

    /// Chain names of one fault: `PGDRILL-<tag>-IN` / `-OUT` (iptables allows 28 characters).
    public static func chains(tag: String) -> (input: String, output: String) {
        ("PGDRILL-\(tag)-IN", "PGDRILL-\(tag)-OUT")
    }

    /// What a partition cuts off.
    public enum PartitionScope: String, Sendable, CaseIterable {
        /// Every address but loopback (and the runner's own ssh port).
        case all
        /// The other nodes' etcd (client and peer ports, both directions).
        case dcs
        /// The other nodes, every port.
        case peers
        /// Everyone but the other nodes, on PostgreSQL's, Patroni's and PgBouncer's ports.
        case clients
        /// Everything but the other nodes (its own region) and the runner's ssh: with every node of the
        /// cluster cut this way, the whole region is lost to clients, other regions and the backup repository.
        case region
    }

    /// Isolates the host with DROP rules in two new chains, jumped to first from INPUT and OUTPUT.
    /// The runner's ssh port (the cluster file's `ssh.port`) stays open so it keeps control of the node it
    /// partitioned and can roll the partition back (said in the report).
    public static func partition(tag: String, scope: PartitionScope, peers: [String], pgPort: Int, sshPort: Int) -> String {
        var rules: [(String, String)] = []  // (IN rule, OUT rule)
        switch scope {
        case .all:
            rules.append(("-j DROP", "-j DROP"))
        case .peers:
            for p in peers { rules.append(("-s \(p.shellQuoted) -j DROP", "-d \(p.shellQuoted) -j DROP")) }
        case .dcs:
            for p in peers {
                rules.append(("-s \(p.shellQuoted) -p tcp -m multiport --dports 2379,2380 -j DROP",
                              "-d \(p.shellQuoted) -p tcp -m multiport --dports 2379,2380 -j DROP"))
                rules.append(("-s \(p.shellQuoted) -p tcp -m multiport --sports 2379,2380 -j DROP",
                              "-d \(p.shellQuoted) -p tcp -m multiport --sports 2379,2380 -j DROP"))
            }
        case .clients:
            for p in peers { rules.append(("-s \(p.shellQuoted) -j RETURN", "-d \(p.shellQuoted) -j RETURN")) }
            rules.append(("-p tcp -m multiport --dports \(pgPort),8008,6432 -j DROP",
                          "-p tcp -m multiport --sports \(pgPort),8008,6432 -j DROP"))
        case .region:
            for p in peers { rules.append(("-s \(p.shellQuoted) -j RETURN", "-d \(p.shellQuoted) -j RETURN")) }
            rules.append(("-j DROP", "-j DROP"))
        }
        return chainScript(tag: tag, sshPort: sshPort, rules: rules)
    }

    /// Cuts a host off from `peers` with TCP resets on what they send it (REJECT, not DROP): a client there
    /// fails at once instead of hanging on a timeout — the backup repository refusing the cluster's
    /// archive-push at a restore drill's disaster moment, so that archiving resumes as soon as the chains
    /// are removed. Outgoing packets pass (a REJECT there would reset only the host's own socket and leave
    /// the peer waiting on a dead connection).
    public static func cutOff(tag: String, peers: [String], sshPort: Int) -> String {
        chainScript(tag: tag, sshPort: sshPort, rules: peers.map {
            ("-s \($0.shellQuoted) -p tcp -j REJECT --reject-with tcp-reset", "-d \($0.shellQuoted) -j RETURN")
        })
    }

    /// Stops a standby region's replication from the primary region while leaving everything else: drops
    /// its traffic with the primary region's nodes and its connections to the write endpoint (through which
    /// its standby leader streams), but not the endpoint's connections to it (health checks, and writes once
    /// it is promoted) nor the backup repository (it may still fetch archived WAL).
    public static func cutReplication(tag: String, from nodes: [String], endpointHost: String?, endpointPort: Int?, sshPort: Int) -> String {
        var rules = nodes.map { ("-s \($0.shellQuoted) -j DROP", "-d \($0.shellQuoted) -j DROP") }
        if let endpointHost, let endpointPort {
            rules.append(("-s \(endpointHost.shellQuoted) -p tcp --sport \(endpointPort) -j DROP",
                          "-d \(endpointHost.shellQuoted) -p tcp --dport \(endpointPort) -j DROP"))
        }
        return chainScript(tag: tag, sshPort: sshPort, rules: rules)
    }

    /// Drops a share of packets at random (iptables `statistic`), except the runner's ssh.
    public static func loss(tag: String, probability: Double, sshPort: Int) -> String {
        let p = String(format: "%.4f", min(max(probability, 0), 1))
        return chainScript(tag: tag, sshPort: sshPort, rules: [(
            "-m statistic --mode random --probability \(p) -j DROP",
            "-m statistic --mode random --probability \(p) -j DROP")])
    }

    /// Shell conditions shared by the chain scripts and the pre-flight check: the host has a global IPv6
    /// address; ip6tables is installed and can list the rules.
    static let hasGlobalIPv6 = "ip -6 addr show scope global 2>/dev/null | grep -q inet6"
    static let ip6tablesUsable = "command -v ip6tables >/dev/null 2>&1 && ip6tables -w 5 -S >/dev/null 2>&1"

    /// The address family a rule belongs to: IPv6 when its `-s`/`-d` address has a colon, IPv4 when it has
    /// another address, both when it names none (a port, or everything).
    enum RuleFamily { case v4, v6, both }
    static func family(_ rule: String) -> RuleFamily {
        let words = rule.split(separator: " ")
        guard let i = words.firstIndex(where: { $0 == "-s" || $0 == "-d" }), i + 1 < words.count else { return .both }
        return words[i + 1].contains(":") ? .v6 : .v4
    }

    /// The chains of one fault. Loopback and the runner's ssh (`sshPort`, both directions: sessions to the host's
    /// sshd) are exempt first, so no rule after them can cut the runner off its own rollback; then `rules`
    /// (IN rule, OUT rule), hooked first into INPUT and OUTPUT. IPv4 through iptables; IPv6 through ip6tables as well wherever a rule names
    /// an IPv6 peer or the host has a global IPv6 address (a partition of a dual-stack host must cut both
    /// families) — a rule that needs IPv6 on a host without a usable ip6tables fails before anything is added.
    private static func chainScript(tag: String, sshPort: Int, rules: [(String, String)]) -> String {
        let (cin, cout) = chains(tag: tag)
        let needsV6 = rules.contains { family($0.0) == .v6 || family($0.1) == .v6 }
        var lines = [
            "set -e",
            "command -v iptables >/dev/null || { echo 'iptables is not installed on this host' >&2; exit 3; }",
            "pgd_v6=0",
        ]
        // Whether IPv6 needs cutting: an IPv6 peer (checked before anything is added: refused if it cannot be
        // cut), else a global IPv6 address on the host (checked after the IPv4 chains are in, the common case
        // first; the cheap address check before ip6tables is asked).
        let detectV6 = """
            if { [ \(needsV6 ? 1 : 0) = 1 ] || \(hasGlobalIPv6); } && \(ip6tablesUsable); then pgd_v6=1; fi
            """
        if needsV6 {
            lines.append(detectV6)
            lines.append("[ $pgd_v6 = 1 ] || { echo 'ip6tables is missing or unusable on this host: its IPv6 peers cannot be cut' >&2; exit 3; }")
        }
        func chainLines(_ tool: String, _ keep: (RuleFamily) -> Bool) -> [String] {
            var out = ["\(tool) -w 5 -N \(cin)", "\(tool) -w 5 -N \(cout)",
                       "\(tool) -w 5 -A \(cin) -i lo -j RETURN", "\(tool) -w 5 -A \(cout) -o lo -j RETURN",
                       "\(tool) -w 5 -A \(cin) -p tcp --dport \(sshPort) -j RETURN", "\(tool) -w 5 -A \(cout) -p tcp --sport \(sshPort) -j RETURN"]
            for (i, o) in rules {
                if keep(family(i)) { out.append("\(tool) -w 5 -A \(cin) \(i)") }
                if keep(family(o)) { out.append("\(tool) -w 5 -A \(cout) \(o)") }
            }
            out.append("\(tool) -w 5 -I INPUT 1 -j \(cin)")
            out.append("\(tool) -w 5 -I OUTPUT 1 -j \(cout)")
            return out
        }
        lines += chainLines("iptables") { $0 != .v6 }
        if !needsV6 { lines.append(detectV6) }
        lines.append("if [ $pgd_v6 = 1 ]; then")
        lines += chainLines("ip6tables") { $0 != .v4 }.map { "  " + $0 }
        lines.append("fi")
        lines.append("echo \"rules in \(cin)/\(cout) active$( [ $pgd_v6 = 1 ] && echo ' (IPv4 and IPv6)' || true)\"")
        return lines.joined(separator: "\n")
    }

    /// Removes the run's chains and the jumps to them, nothing else, in both address families; idempotent.
    /// Succeeds only when a listing of the rules shows them gone (a listing that fails is a failure, not
    /// "nothing found"; an ip6tables that cannot list at all is one the fault could not have used).
    public static func removeChains(tag: String) -> String {
        let (cin, cout) = chains(tag: tag)
        func remove(_ tool: String, _ what: String) -> String {
            """
            while \(tool) -w 5 -D INPUT -j \(cin) 2>/dev/null; do :; done
            while \(tool) -w 5 -D OUTPUT -j \(cout) 2>/dev/null; do :; done
            \(tool) -w 5 -F \(cin) 2>/dev/null || true; \(tool) -w 5 -X \(cin) 2>/dev/null || true
            \(tool) -w 5 -F \(cout) 2>/dev/null || true; \(tool) -w 5 -X \(cout) 2>/dev/null || true
            if ! pgd_rules=$(\(tool) -w 5 -S 2>&1); then echo "cannot list the \(what) rules to confirm the chains are gone: $pgd_rules" >&2; exit 1; fi
            case "$pgd_rules" in *"\(cin)"*|*"\(cout)"*) echo '\(what) chains still present' >&2; exit 1 ;; esac
            """
        }
        return remove("iptables", "IPv4") + "\n"
            + "if \(ip6tablesUsable); then\n"
            + remove("ip6tables", "IPv6").split(separator: "\n").map { "  " + $0 }.joined(separator: "\n") + "\nfi\n"
            + "echo \"removed \(cin)/\(cout)\""
    }

    /// Lists chains left by any pgdrill run (pre-flight refuses a host that has some).
    public static let leftoverChains = "{ iptables -w 5 -S; ip6tables -w 5 -S; } 2>/dev/null | grep -o 'PGDRILL-[A-Za-z0-9-]*' | sort -u || true"


    // MARK: latency

    /// Adds netem delay on every interface but loopback, except the runner's ssh: each interface gets a
    /// `prio` root (handle `1:`) whose bands all lead to the netem band `1:3`, and a filter sends packets from
    /// the node's sshd (source port `sshPort`, IPv4 and IPv6) to the undelayed band `1:1` — so the runner's
    /// session, the rollback and `recover` are never behind the delay. Fails clearly where the kernel has no
    /// sch_netem; an interface that already has a root qdisc other than the default is refused (it is someone
    /// else's, and replacing it would lose it).
    public static func latency(delayMillis: Int, sshPort: Int) -> String {
        """
        set -e
        command -v tc >/dev/null || { echo 'tc (iproute2) is not installed on this host' >&2; exit 3; }
        for i in $(ls /sys/class/net); do
          [ "$i" = lo ] && continue
          case "$(tc qdisc show dev "$i" root 2>/dev/null)" in
            ''|*noqueue*|*pfifo_fast*|*fq_codel*|*" mq "*|*"qdisc mq"*) ;;
            *) echo "$i already has a root qdisc ($(tc qdisc show dev "$i" root | head -n 1)): not replacing it" >&2; exit 3 ;;
          esac
        done
        for i in $(ls /sys/class/net); do
          [ "$i" = lo ] && continue
          if ! err=$(tc qdisc add dev "$i" root handle 1: prio bands 3 priomap 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2>&1 &&
                     tc filter add dev "$i" parent 1: protocol ip prio 1 u32 match ip sport \(sshPort) 0xffff flowid 1:1 2>&1 &&
                     tc filter add dev "$i" parent 1: protocol ipv6 prio 2 u32 match ip6 sport \(sshPort) 0xffff flowid 1:1 2>&1 &&
                     tc qdisc add dev "$i" parent 1:3 handle 30: netem delay \(delayMillis)ms 2>&1); then
            tc qdisc del dev "$i" root handle 1: 2>/dev/null || true
            case "$err" in
              *"not supported"*|*"No such file"*|*"Unknown qdisc"*|*"unknown qdisc"*|*"kind is unknown"*)
                echo 'this kernel has no sch_netem (tc netem) or prio/u32: latency cannot be injected on this host' >&2 ;;
              *) echo "$err" >&2 ;;
            esac
            exit 3
          fi
        done
        echo 'netem delay \(delayMillis)ms active (ssh port \(sshPort) exempt)'
        """
    }

    /// What a partition or packet loss needs on a host, checked at pre-flight: an iptables that can list the
    /// rules, and where IPv6 must be cut too (IPv6 peers, or a global IPv6 address on the host) an ip6tables
    /// that can — else the fault would leave IPv6 paths open. Exit 3 with the reason.
    public static func firewallAvailable(ipv6Peers: Bool) -> String {
        """
        command -v iptables >/dev/null 2>&1 || { echo 'iptables is not installed on this host: install iptables' >&2; exit 3; }
        iptables -w 5 -S >/dev/null 2>&1 || { echo "iptables cannot list the rules here: $(iptables -w 5 -S 2>&1 | head -1)" >&2; exit 3; }
        if [ \(ipv6Peers ? 1 : 0) = 1 ] || \(hasGlobalIPv6); then
          if ! { \(ip6tablesUsable); }; then
            echo 'this host has IPv6 (a global address, or IPv6 peers) but no usable ip6tables: its IPv6 paths could not be cut; install ip6tables (iptables package) or drop the step' >&2
            exit 3
          fi
        fi
        echo 'firewall available'
        """
    }

    /// Says whether `latency` can run on this host, changing nothing: `tc` is installed and the kernel has
    /// `sch_netem`, loaded (`/sys/module`), built in or available as a module (`modules.builtin`/`modules.dep`,
    /// which `tc` loads on demand). Exit 3 with the reason and what to do otherwise.
    public static let netemAvailable = """
        command -v tc >/dev/null || { echo 'tc (iproute2) is not installed on this host: install iproute2' >&2; exit 3; }
        k=/lib/modules/"$(uname -r)"
        if [ -d /sys/module/sch_netem ] || grep -qs -e '/sch_netem\\.ko' "$k/modules.builtin" "$k/modules.dep"; then echo 'sch_netem available'; exit 0; fi
        echo "kernel $(uname -r) has no sch_netem (tc netem): latency cannot be injected on this host; use a kernel with CONFIG_NET_SCH_NETEM (module sch_netem), or drop the latency step (loss works without netem)" >&2
        exit 3
        """

    /// Removes the netem qdiscs `latency` added (a `prio` root with a netem child, or a bare netem root), and
    /// checks that none is left: a rollback that reports success while the delay stays would be a lie.
    public static let removeLatency = """
        for i in $(ls /sys/class/net); do
          [ "$i" = lo ] && continue
          if tc qdisc show dev "$i" 2>/dev/null | grep -q netem; then tc qdisc del dev "$i" root 2>/dev/null || true; fi
        done
        left=$(\(leftoverNetem))
        if [ -n "$left" ]; then echo "$left" >&2; exit 1; fi
        echo 'netem removed'
        """

    /// Lists interfaces that still carry a netem qdisc (pre-flight, `check` and `recover` treat it as a leftover).
    public static let leftoverNetem =
        "for i in $(ls /sys/class/net 2>/dev/null); do tc qdisc show dev \"$i\" 2>/dev/null | grep -q netem && echo \"netem qdisc on $i\"; done; true"
}
