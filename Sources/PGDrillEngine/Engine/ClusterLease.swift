import Foundation
#if canImport(Glibc)
import Glibc
#endif
import PGDrillCore

/// The lease a run holds on every host of the cluster while it may have a fault in place: run id, the runner's
/// host and pid, and an expiry. It lives on the cluster, not in the runner's state directory, so two runners —
/// two CI jobs, on-call and the monthly job, two checkouts, two cluster files naming the same hosts — cannot
/// drill one cluster at once, and `recover` can tell a live run's faults (leave them) from a dead run's
/// (remove them).
///
/// On each host: `/run/pgdrill/lease` (root's, mode 700 directory; gone at reboot with the faults a reboot
/// clears), changed only under `flock` on `/run/pgdrill/lock`. A run takes it before its first drill and again
/// (extending it) before each drill; it is released when the run ends. A lease whose expiry has passed, or
/// whose runner is on this machine and no longer alive, is stale: it may be taken over.
public struct ClusterLease: Sendable, Equatable {
    public var runID: String
    public var runnerHost: String
    public var pid: Int32
    /// Seconds since the epoch.
    public var expires: Int64

    /// How long one drill may hold the lease before another runner may take it (renewed before each drill).
    public static let term: Int64 = 3600
    public static let directory = "/run/pgdrill"

    /// This process's lease for `runID`.
    public static func mine(runID: String, now: Date = Date()) -> ClusterLease {
        ClusterLease(runID: runID, runnerHost: runnerHostName, pid: getpid(), expires: Int64(now.timeIntervalSince1970) + term)
    }

    /// The runner's host name as leases record it (no spaces: a lease is one line of four words).
    public static var runnerHostName: String {
        let name = ProcessInfo.processInfo.hostName.filter { !$0.isWhitespace }
        return name.isEmpty ? "unknown" : name
    }

    /// Parses a lease line `RUN HOST PID EXPIRES`.
    public init?(line: String) {
        let words = line.split(separator: " ").map(String.init)
        guard words.count == 4, let pid = Int32(words[2]), let expires = Int64(words[3]) else { return nil }
        self.init(runID: words[0], runnerHost: words[1], pid: pid, expires: expires)
    }

    public init(runID: String, runnerHost: String, pid: Int32, expires: Int64) {
        self.runID = runID
        self.runnerHost = runnerHost
        self.pid = pid
        self.expires = expires
    }

    public var line: String { "\(runID) \(runnerHost) \(pid) \(expires)" }

    /// True while the lease binds others: not expired, and — when its runner is this machine — that runner
    /// (a process named pgdrill with its pid) still alive.
    public func isLive(now: Date = Date(), localHost: String = ClusterLease.runnerHostName,
                       processAlive: (Int32) -> Bool = ClusterLease.pgdrillAlive) -> Bool {
        guard expires > Int64(now.timeIntervalSince1970) else { return false }
        if runnerHost == localHost { return processAlive(pid) }
        return true
    }

    /// A pgdrill process with this pid runs on this machine (a reused pid of another program does not count).
    public static func pgdrillAlive(_ pid: Int32) -> Bool {
        guard pid > 1, kill(pid, 0) == 0 || errno == EPERM else { return false }
        let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        return comm.map { $0.hasPrefix("pgdrill") } ?? true
    }

    /// Who holds it, for messages.
    public var holder: String {
        let until = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: TimeInterval(expires)))
        return "run \(runID) on \(runnerHost) (pid \(pid), lease until \(until))"
    }

    // MARK: scripts

    /// Root's own directory for leases, refusing one that is a symlink or not root's; then `flock` on fd 9.
    private static func prologue(_ directory: String) -> String {
        """
        umask 077
        d=\(directory.shellQuoted)
        mkdir -p -m 700 "$d" 2>/dev/null || true
        if [ -L "$d" ] || [ ! -d "$d" ] || [ "$(stat -c %u "$d")" != 0 ]; then echo "$d is not a directory of root's: refusing to keep a lease there" >&2; exit 3; fi
        exec 9>>"$d/lock"
        flock -w 10 9 || { echo "the lease lock $d/lock stayed busy for 10 s" >&2; exit 3; }
        cur=''; [ -f "$d/lease" ] && [ ! -L "$d/lease" ] && read -r cur < "$d/lease"
        """
    }

    /// Prints the lease line on this host (empty when there is none).
    public static func read(directory: String = ClusterLease.directory) -> String { "cat \(directory.shellQuoted)/lease 2>/dev/null || true" }

    /// Takes or extends `lease` unless `current` (the line the script finds) is held by another run that is
    /// live; whether it is live is decided by the runner from the line (`decide`), so the script only writes
    /// when the line is still what the runner saw: compare-and-swap under the lock.
    public static func write(_ lease: ClusterLease, ifCurrentIs expected: String, directory: String = ClusterLease.directory) -> String {
        """
        \(prologue(directory))
        if [ "$cur" != \(expected.shellQuoted) ]; then echo "PGDRILL-LEASE-CHANGED $cur"; exit 4; fi
        printf '%s\\n' \(lease.line.shellQuoted) > "$d/lease.new" && mv -f "$d/lease.new" "$d/lease"
        echo "lease \(lease.runID)"
        """
    }

    /// Removes the lease if `runID` holds it; idempotent.
    public static func release(runID: String, directory: String = ClusterLease.directory) -> String {
        """
        \(prologue(directory))
        case "$cur" in \(runID.shellQuoted)" "*) rm -f "$d/lease"; echo released ;; *) echo 'not held by this run' ;; esac
        """
    }
}
