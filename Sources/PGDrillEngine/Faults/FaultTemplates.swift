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
}
