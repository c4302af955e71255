import PGDrillSSH

/// The fixed command templates behind every built-in fault and its rollback.
///
/// Parameters arrive validated by the drill loader (names, paths, sizes); they are quoted here anyway.
/// Every rollback is idempotent, so `pgdrill recover` may replay one that already ran.
public enum FaultTemplates {
    /// Signals by name, as `kill -s` and `pkill --signal` take them.
    public static func signalName(_ signal: String) -> String { signal.uppercased() }

    /// Signals that stop a process rather than end it (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU, by name or number):
    /// their rollback is SIGCONT — a stopped service still counts as "active" to systemd, so a restart check
    /// would call it rolled back while it stays frozen.
    public static func stopsProcess(_ signal: String) -> Bool {
        ["STOP", "TSTP", "TTIN", "TTOU", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "19", "20", "21", "22"].contains(signalName(signal))
    }

    /// Sends `signal` to the named processes on one host in a single script, so they die at once.
    /// `postgres` means the postmaster (from `postmaster.pid`), the way a crash of PostgreSQL looks;
    /// the others are matched by exact process name (`/proc/PID/comm`, like `pkill -x`, never `-f`:
    /// LAB-NOTES). Only shell builtins run before the signals are sent (no fork, no exec), and on pgdrill's
    /// long-lived shell they run in that shell itself as soon as their line arrives (`SSHSession.unforkedMarker`).
    ///
    /// `hints`: PIDs of the named processes found just before the decision (`processIDs`). Each is checked by
    /// name and signalled without reading every process's name first — that scan costs ~20 µs a process, most
    /// of a fault's latency on a busy node; every other process of that name is still signalled, by a scan
    /// right after the stamp. Without hints (or when none still carries its name) the scan comes first.
    public static func kill(processes: [String], signal: String, dataDir: String, hints: [String: [Int]] = [:]) -> String {
        let sig = signalName(signal).shellQuoted
        let ordered = processes.sorted(by: { order($0) < order($1) })
        // One line, builtins only: pgd_signal NAME PID… signals those PIDs that carry NAME and were not signalled
        // yet (into $pgd_hit); pgd_scan NAME does it for every process.
        var now = [
            "pgd_sent=' '",
            "pgd_signal() { pgd_n=$1; shift; pgd_hit=''; for pgd_p; do case $pgd_sent in *\" $pgd_p \"*) continue ;; esac; pgd_c=''; "
                + "read -r pgd_c < /proc/$pgd_p/comm 2>/dev/null && [ \"$pgd_c\" = \"$pgd_n\" ] && kill -s \(sig) $pgd_p 2>/dev/null "
                + "&& pgd_hit=\"$pgd_hit $pgd_p\" && pgd_sent=\"$pgd_sent$pgd_p \"; done; }",
            "pgd_scan() { pgd_all=''; for pgd_d in /proc/[0-9]*; do pgd_all=\"$pgd_all ${pgd_d#/proc/}\"; done; pgd_signal \"$1\" $pgd_all; }",
        ]
        var after = ["rc=0; done=''"]
        // Patroni first: it would otherwise restart PostgreSQL between the two signals.
        for (i, process) in ordered.enumerated() {
            let found = "pgd_found\(i)"
            if process == "postgres" {
                let pidFile = (dataDir + "/postmaster.pid").shellQuoted
                // The file is the postgres user's to write: its first line is signalled as root only when it is a
                // PID above 1 (never `-1`, every process; never init) whose process is named postgres now (not a
                // stale file's PID reused by something else).
                now.append("\(found)=''; read -r \(found) < \(pidFile) 2>/dev/null; "
                    + "case $\(found) in ''|*[!0-9]*) \(found)='' ;; esac; "
                    + "[ -n \"$\(found)\" ] && [ \"$\(found)\" -gt 1 ] && { pgd_c=''; read -r pgd_c < /proc/$\(found)/comm 2>/dev/null; [ \"$pgd_c\" = postgres ]; } "
                    + "&& kill -s \(sig) \"$\(found)\" 2>/dev/null || \(found)=''")
                after.append("if [ -n \"$\(found)\" ]; then done=\"$done postgres:postmaster=$\(found)\"; "
                    + "else echo \("postgres: no running postmaster (the first line of \(dataDir)/postmaster.pid is not the PID of a live postgres process); nothing signalled".shellQuoted) >&2; rc=3; fi")
                continue
            }
            let name = process.shellQuoted
            if let pids = hints[process], !pids.isEmpty {
                now.append("pgd_signal \(name) \(pids.map(String.init).joined(separator: " ")); [ -n \"$pgd_hit\" ] || pgd_scan \(name); \(found)=$pgd_hit")
                after.append("pgd_scan \(name); \(found)=\"$\(found)$pgd_hit\"")
            } else {
                now.append("pgd_scan \(name); \(found)=$pgd_hit")
            }
            after.append("if [ -n \"$\(found)\" ]; then done=\"$done \"\((process + ":").shellQuoted)\"$\(found)\"; "
                + "else echo \((process + ": no running process of that name").shellQuoted) >&2; rc=3; fi")
        }
        // Stamp right after the last signal, before any output: the moment the fault took effect.
        now.append(EffectStamp.command)
        let label = "signalled" + (signalName(signal) == "KILL" ? "" : " (" + signalName(signal) + ")")
        after.append("echo \(label.shellQuoted)\"$done\"; exit $rc")
        return ([SSHSession.unforkedMarker, now.joined(separator: "; ")] + after).joined(separator: "\n")
    }

    /// Prints `NAME PID` for every process whose exact name (`/proc/PID/comm`) is one of `names`: the hints
    /// for `kill`, found before the decision so that the fault itself need not scan.
    public static func processIDs(names: [String]) -> String {
        let patterns = names.map(\.shellQuoted).joined(separator: "|")
        return "for d in /proc/[0-9]*; do c=''; read -r c < \"$d/comm\" 2>/dev/null || continue; "
            + "case $c in \(patterns)) echo \"$c ${d#/proc/}\" ;; esac; done; true"
    }

    /// Reads `processIDs`' output: name → PIDs.
    public static func parseProcessIDs(_ output: String) -> [String: [Int]] {
        var pids: [String: [Int]] = [:]
        for line in output.split(separator: "\n") {
            guard let space = line.lastIndex(of: " "), let pid = Int(line[line.index(after: space)...]), pid > 0 else { continue }
            pids[String(line[..<space]), default: []].append(pid)
        }
        return pids
    }

    private static func order(_ process: String) -> Int { process == "patroni" || process == "repmgrd" ? 0 : 1 }

    /// SIGSTOP / SIGCONT for every process of that name (all PostgreSQL backends: a frozen server).
    public static func pause(process: String) -> String {
        "pkill --signal STOP -x \(process.shellQuoted) && echo \(("\(process): stopped (SIGSTOP)").shellQuoted)"
    }

    public static func resume(process: String) -> String {
        "pkill --signal CONT -x \(process.shellQuoted) >/dev/null 2>&1; echo \(("\(process): continued (SIGCONT)").shellQuoted)"
    }

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

    // MARK: disk

    /// Filler file of a run inside `directory`.
    public static func fillerPath(directory: String, tag: String) -> String { directory + "/.pgdrill-filler-" + tag }

    /// Fills the filesystem of `directory`: `bytes` at most, or until full (nil), or until `leave` bytes remain.
    ///
    /// Root writes into a directory the postgres user owns, so the filler is opened exactly once and every byte
    /// goes through that descriptor: the shell's noclobber `>` (O_CREAT|O_EXCL for a name that does not exist) on
    /// fd 3, checked to be the empty regular file it just created; `fallocate` and `dd` then reach it as
    /// `/dev/fd/3`, which names the open file itself, not the path — a symlink or rename at that name in the
    /// meantime changes nothing. Prints the bytes written and what is left.
    public static func fillDisk(directory: String, tag: String, bytes: Int64?, leave: Int64?) -> String {
        let dir = directory.shellQuoted
        let file = fillerPath(directory: directory, tag: tag).shellQuoted
        let mib: Int64 = 1 << 20
        let target: String
        switch (bytes, leave) {
        case (let b?, nil): target = "want=\(b / mib)"
        case (let b?, let l?): target = "want=$(( (avail - \(l)) / \(mib) )); [ \"$want\" -gt \(b / mib) ] && want=\(b / mib)"
        case (nil, let l?): target = "want=$(( (avail - \(l)) / \(mib) ))"
        case (nil, nil): target = "want=$(( avail / \(mib) + 1 ))"
        }
        return """
        set -u
        [ -d \(dir) ] || { echo \("no directory \(directory) on this host".shellQuoted) >&2; exit 3; }
        if [ -e \(file) ] || [ -L \(file) ]; then echo \("\(fillerPath(directory: directory, tag: tag)) exists: not writing through it".shellQuoted) >&2; exit 3; fi
        avail=$(df -P -B1 \(dir) | awk 'NR==2 {print $4}')
        \(target)
        [ "$want" -lt 0 ] && want=0
        if ! { set -C; exec 3> \(file); } 2>/dev/null; then echo \("cannot create \(fillerPath(directory: directory, tag: tag)) exclusively".shellQuoted) >&2; exit 3; fi
        set +C
        case "$(stat -L -c '%F:%s:%h' /dev/fd/3)" in
          'regular empty file:0:1') ;;
          *) exec 3>&-; echo \("\(fillerPath(directory: directory, tag: tag)) is not the empty file just created (something was put in its place): nothing written".shellQuoted) >&2; exit 3 ;;
        esac
        # All but the last MiB allocated at once where the filesystem can (tmpfs, ext4, xfs): full within
        # milliseconds rather than the seconds dd takes under load, which decide whether the heap or a new WAL
        # segment meets ENOSPC first. dd writes the rest (to ENOSPC for until-full), and all of it where
        # fallocate is refused.
        done=0
        if [ "$want" -gt 1 ] && fallocate -l $(( (want - 1) * \(mib) )) /dev/fd/3 2>/dev/null; then done=$((want - 1)); fi
        if ! err=$(dd if=/dev/zero of=/dev/fd/3 bs=1M seek="$done" count=$((want - done)) conv=notrunc status=none 2>&1); then
          case "$err" in *"No space left"*) ;; *) echo "$err" >&2; exit 3 ;; esac
        fi
        echo "filler $(stat -L -c %s /dev/fd/3) bytes; $(df -P -B1 \(dir) | awk 'NR==2 {print $4}') bytes left"
        exec 3>&-
        """
    }

    /// Where fill_disk may have left filler files of any run (its `pg_wal` and data targets), as shell globs.
    public static func fillerGlobs(dataDir: String) -> String {
        "\(dataDir.shellQuoted)/.pgdrill-filler-* \(dataDir.shellQuoted)/pg_wal/.pgdrill-filler-*"
    }

    /// Lists every pgdrill chain and filler file on a host, one per line (pre-flight and `check`).
    public static func leftovers(dataDir: String) -> String {
        "\(leftoverChains)\nls -d \(fillerGlobs(dataDir: dataDir)) 2>/dev/null || true\n\(pausedProcesses)\n\(leftoverNetem)"
    }

    /// Cluster services left stopped by SIGSTOP (state T), e.g. by a `pause` whose SIGCONT never ran.
    public static let pausedProcesses =
        "ps -eo stat=,pid=,comm= 2>/dev/null | awk '$1 ~ /^T/ && $3 ~ /^(\(pausableServices)$/ { print \"paused process: \" $3 \" (pid \" $2 \", state \" $1 \")\" }' || true"

    /// Sends SIGCONT to every paused cluster service (the `recover` sweep's counterpart of `pausedProcesses`).
    public static let resumePaused =
        "for p in $(ps -eo stat=,pid=,comm= 2>/dev/null | awk '$1 ~ /^T/ && $3 ~ /^(\(pausableServices)$/ { print $2 }'); do kill -s CONT \"$p\" && echo \"resumed paused pid $p\"; done"

    static let pausableServices = "postgres|patroni|etcd|pgbouncer|haproxy"

    public static func removeFiller(directory: String, tag: String) -> String {
        let file = fillerPath(directory: directory, tag: tag).shellQuoted
        return "rm -f -- \(file) && echo 'filler removed'"
    }

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

extension FaultTemplates {
    /// A repmgr command as the repmgr user on `node`, from `/` (repmgr's ssh and pg_ctl children must
    /// be able to chdir there), all output captured.
    public static func repmgr(_ s: RepmgrManager.Settings, node: String, _ arguments: String) -> String {
        "cd / && runuser -u \(s.user.shellQuoted) -- \((s.binDir + "/repmgr").shellQuoted) -f \(s.config(for: node).shellQuoted) \(arguments) 2>&1"
    }

    /// One SQL statement as postgres over the local socket.
    public static func psqlAsPostgres(binDir: String, port: Int, sql: String) -> String {
        "cd / && runuser -u postgres -- \((binDir + "/psql").shellQuoted) -X -q -At -p \(port) -d postgres -c \(sql.shellQuoted)"
    }

    /// Points a running standby at a new primary: `primary_conninfo` keeps every setting but the host.
    /// The conninfo (often with a password) never leaves the server process and psql's memory: read, rewritten
    /// and set by SQL on psql's stdin, not passed as an argument (which `ps` shows every user on the node).
    public static func repointStandby(binDir: String, port: Int, primaryHost: String) -> String {
        """
        cd / && runuser -u postgres -- \((binDir + "/psql").shellQuoted) -X -q -At -p \(port) -d postgres -v ON_ERROR_STOP=1 -v host=\(primaryHost.shellQuoted) <<'SQL' || exit 1
        DO $pgdrill$ BEGIN IF current_setting('primary_conninfo') = '' THEN RAISE EXCEPTION 'not a standby (no primary_conninfo)'; END IF; END $pgdrill$;
        SELECT regexp_replace(current_setting('primary_conninfo'), 'host=[^ ]*', 'host=' || :'host') AS ci \\gset
        ALTER SYSTEM SET primary_conninfo = :'ci';
        SELECT pg_reload_conf();
        SQL
        """
    }

    /// Unpauses every repmgrd that answers (`repmgr service unpause` reports the unreachable ones — a node the
    /// drill took down, whose repmgrd starts unpaused anyway — and fails for them), then requires this node's
    /// own repmgrd to be unpaused: the undo of an on-call drill's pause, safe to run twice.
    public static func repmgrUnpause(_ s: RepmgrManager.Settings, node: String) -> String {
        """
        \(repmgr(s, node: node, "service unpause")) || true
        paused=$(cd / && runuser -u \(s.user.shellQuoted) -- psql -X -Atq -d \(s.database.shellQuoted) -c 'SELECT repmgr.repmgrd_is_paused()' 2>&1)
        [ "$paused" = f ] && echo "repmgrd unpaused" && exit 0
        echo "repmgrd on \(node) still paused: $paused" >&2; exit 1
        """
    }

    /// Brings a repmgr node's PostgreSQL back after a crash without making it a second primary: if it
    /// is down and a peer is primary, `repmgr node rejoin --force-rewind` against that peer (pg_rewind
    /// when the timelines diverged); if no peer is primary, it is started as it was.
    public static func repmgrRejoin(_ s: RepmgrManager.Settings, node: String, dataDir: String, peers: [String]) -> String {
        let conf = s.config(for: node).shellQuoted
        let user = s.user.shellQuoted
        let pgCtl = (s.binDir + "/pg_ctl").shellQuoted
        let psql = (s.binDir + "/psql").shellQuoted
        let repmgr = (s.binDir + "/repmgr").shellQuoted
        return """
        if (cd / && runuser -u \(user) -- \(pgCtl) status -D \(dataDir.shellQuoted)) >/dev/null 2>&1; then echo "postgres already running"; exit 0; fi
        ci=$(sed -n "s/^conninfo *= *'\\(.*\\)' *$/\\1/p" \(conf) | head -n 1)
        primary=''
        for h in \(peers.map(\.shellQuoted).joined(separator: " ")); do
          c=$(printf '%s' "$ci" | sed "s/host=[^ ]*/host=$h/")
          r=$(cd / && runuser -u \(user) -- \(psql) -XAtq -d "$c" -c 'SELECT pg_is_in_recovery()' 2>/dev/null) || r=''
          if [ "$r" = f ]; then primary=$c; break; fi
        done
        if [ -z "$primary" ]; then
          cd / && runuser -u \(user) -- \((s.binDir + "/repmgr").shellQuoted) -f \(conf) node service --action=start 2>&1; exit $?
        fi
        # A just-promoted primary's control file names the new timeline only after its next checkpoint;
        # pg_rewind reads it there, and without one finds the wrong fork point.
        (cd / && runuser -u \(user) -- \(psql) -XAtq -d "$primary" -c CHECKPOINT) >/dev/null 2>&1 || true
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) node rejoin -d "$primary" --force-rewind 2>&1 && exit 0
        echo "rejoin failed: cloning this node afresh from the primary"
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) -d "$primary" standby clone --force --fast-checkpoint 2>&1 || exit 1
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) node service --action=start 2>&1 || exit 1
        cd / && runuser -u \(user) -- \(repmgr) -f \(conf) standby register --force 2>&1
        """
    }
}
