/// The fixed command templates behind every built-in fault and its rollback.
///
/// Parameters arrive validated by the drill loader (names, paths, sizes); they are quoted here anyway.
/// Every rollback is idempotent, so `pgdrill recover` may replay one that already ran.
public enum FaultTemplates {
    /// Signals by name, as `kill -s` and `pkill --signal` take them.
    public static func signalName(_ signal: String) -> String { signal.uppercased() }

    /// Sends `signal` to the named processes on one host in a single script, so they die at once.
    /// `postgres` means the postmaster (from `postmaster.pid`), the way a crash of PostgreSQL looks;
    /// the others are matched by exact process name (`/proc/PID/comm`, like `pkill -x`, never `-f`:
    /// LAB-NOTES). Only shell builtins run before the signals are sent (no fork, no exec), so the fault
    /// lands within about a millisecond of the command reaching the host.
    public static func kill(processes: [String], signal: String, dataDir: String) -> String {
        let sig = signalName(signal).shellQuoted
        var lines = ["rc=0; done=''"]
        // Patroni first: it would otherwise restart PostgreSQL between the two signals.
        for process in processes.sorted(by: { order($0) < order($1) }) {
            if process == "postgres" {
                let pidFile = (dataDir + "/postmaster.pid").shellQuoted
                lines.append("""
                pid=''; read -r pid < \(pidFile) 2>/dev/null || true
                if [ -n "$pid" ] && kill -s \(sig) "$pid" 2>/dev/null; then done="$done postgres:postmaster=$pid"; \
                else echo "postgres: no running postmaster (no live pid in \(dataDir)/postmaster.pid)" >&2; rc=3; fi
                """)
            } else {
                let name = process.shellQuoted
                lines.append("""
                hit=''; for d in /proc/[0-9]*; do c=''; read -r c < "$d/comm" 2>/dev/null || continue; \
                [ "$c" = \(name) ] && kill -s \(sig) "${d#/proc/}" 2>/dev/null && hit="$hit ${d#/proc/}"; done
                if [ -n "$hit" ]; then done="$done \(process):$hit"; else echo "\(process): no running process of that name" >&2; rc=3; fi
                """)
            }
        }
        lines.append("echo \"signalled\(signalName(signal) == "KILL" ? "" : " (" + signalName(signal) + ")")$done\"; exit $rc")
        return lines.joined(separator: "\n")
    }

    private static func order(_ process: String) -> Int { process == "patroni" ? 0 : 1 }

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
        /// Every address but loopback (and the runner's own ssh, port 22).
        case all
        /// The other nodes' etcd (client and peer ports, both directions).
        case dcs
        /// The other nodes, every port.
        case peers
        /// Everyone but the other nodes, on PostgreSQL's, Patroni's and PgBouncer's ports.
        case clients
    }

    /// Isolates the host with DROP rules in two new chains, jumped to first from INPUT and OUTPUT.
    /// Port 22 stays open so the runner keeps control of the node it partitioned (said in the report).
    public static func partition(tag: String, scope: PartitionScope, peers: [String], pgPort: Int) -> String {
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
        }
        return chainScript(tag: tag, rules: rules)
    }

    /// Drops a share of packets at random (iptables `statistic`), except the runner's ssh.
    public static func loss(tag: String, probability: Double) -> String {
        let p = String(format: "%.4f", min(max(probability, 0), 1))
        return chainScript(tag: tag, rules: [(
            "-m statistic --mode random --probability \(p) -j DROP",
            "-m statistic --mode random --probability \(p) -j DROP")])
    }

    private static func chainScript(tag: String, rules: [(String, String)]) -> String {
        let (cin, cout) = chains(tag: tag)
        var lines = [
            "set -e",
            "command -v iptables >/dev/null || { echo 'iptables is not installed on this host' >&2; exit 3; }",
            "iptables -w 5 -N \(cin)", "iptables -w 5 -N \(cout)",
            "iptables -w 5 -A \(cin) -i lo -j RETURN", "iptables -w 5 -A \(cout) -o lo -j RETURN",
            "iptables -w 5 -A \(cin) -p tcp --dport 22 -j RETURN", "iptables -w 5 -A \(cout) -p tcp --sport 22 -j RETURN",
        ]
        for (i, o) in rules {
            lines.append("iptables -w 5 -A \(cin) \(i)")
            lines.append("iptables -w 5 -A \(cout) \(o)")
        }
        lines.append("iptables -w 5 -I INPUT 1 -j \(cin)")
        lines.append("iptables -w 5 -I OUTPUT 1 -j \(cout)")
        lines.append("echo 'rules in \(cin)/\(cout) active'")
        return lines.joined(separator: "\n")
    }

    /// Removes the run's chains and the jumps to them, nothing else; idempotent.
    public static func removeChains(tag: String) -> String {
        let (cin, cout) = chains(tag: tag)
        return """
        while iptables -w 5 -D INPUT -j \(cin) 2>/dev/null; do :; done
        while iptables -w 5 -D OUTPUT -j \(cout) 2>/dev/null; do :; done
        iptables -w 5 -F \(cin) 2>/dev/null || true; iptables -w 5 -X \(cin) 2>/dev/null || true
        iptables -w 5 -F \(cout) 2>/dev/null || true; iptables -w 5 -X \(cout) 2>/dev/null || true
        if iptables -w 5 -S 2>/dev/null | grep -q -e "\(cin)" -e "\(cout)"; then echo 'chains still present' >&2; exit 1; fi
        echo "removed \(cin)/\(cout)"
        """
    }

    /// Lists chains left by any pgdrill run (pre-flight refuses a host that has some).
    public static let leftoverChains = "iptables -w 5 -S 2>/dev/null | grep -o 'PGDRILL-[A-Za-z0-9-]*' | sort -u || true"

    // MARK: disk

    /// Filler file of a run inside `directory`.
    public static func fillerPath(directory: String, tag: String) -> String { directory + "/.pgdrill-filler-" + tag }

    /// Fills the filesystem of `directory`: `bytes` at most, or until full (nil), or until `leave` bytes remain.
    /// Writes only the filler file inside `directory`; prints the bytes written and what is left.
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
        [ -d \(dir) ] || { echo "no directory \(directory) on this host" >&2; exit 3; }
        avail=$(df -P -B1 \(dir) | awk 'NR==2 {print $4}')
        \(target)
        [ "$want" -lt 0 ] && want=0
        if ! err=$(dd if=/dev/zero of=\(file) bs=1M count="$want" status=none 2>&1); then
          case "$err" in *"No space left"*) ;; *) echo "$err" >&2; exit 3 ;; esac
        fi
        echo "filler $(stat -c %s \(file)) bytes; $(df -P -B1 \(dir) | awk 'NR==2 {print $4}') bytes left"
        """
    }

    /// Where fill_disk may have left filler files of any run (its `pg_wal` and data targets), as shell globs.
    public static func fillerGlobs(dataDir: String) -> String {
        "\(dataDir.shellQuoted)/.pgdrill-filler-* \(dataDir.shellQuoted)/pg_wal/.pgdrill-filler-*"
    }

    /// Lists every pgdrill chain and filler file on a host, one per line (pre-flight and `check`).
    public static func leftovers(dataDir: String) -> String {
        "\(leftoverChains)\nls -d \(fillerGlobs(dataDir: dataDir)) 2>/dev/null || true\n\(pausedProcesses)"
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

    /// Adds netem delay on every interface but loopback; fails clearly where the kernel has no sch_netem.
    public static func latency(delayMillis: Int) -> String {
        """
        set -e
        command -v tc >/dev/null || { echo 'tc (iproute2) is not installed on this host' >&2; exit 3; }
        for i in $(ls /sys/class/net); do
          [ "$i" = lo ] && continue
          if ! err=$(tc qdisc add dev "$i" root netem delay \(delayMillis)ms 2>&1); then
            case "$err" in
              *"not supported"*|*"No such file"*|*"Unknown qdisc"*|*"unknown qdisc"*)
                echo 'this kernel has no sch_netem (tc netem): latency cannot be injected on this host' >&2 ;;
              *) echo "$err" >&2 ;;
            esac
            exit 3
          fi
        done
        echo 'netem delay \(delayMillis)ms active'
        """
    }

    public static let removeLatency = """
        for i in $(ls /sys/class/net); do [ "$i" = lo ] || tc qdisc del dev "$i" root netem 2>/dev/null || true; done; echo 'netem removed'
        """
}
