import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn` and reaped by PID.
///
/// Not Foundation's `Process`: it watches a socket the child inherits, and sshd closes every
/// inherited descriptor at start-up, so Foundation then blocks its run-loop thread in `waitpid`
/// on a live sshd and every later `Process` in the test run hangs.
struct ChildProcess {
    let pid: pid_t

    /// Starts `executable` with stdin and stdout on /dev/null, stderr to `stderrPath` (or /dev/null).
    init(_ executable: String, _ arguments: [String], stderrPath: String = "/dev/null") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard rc == 0 else { throw TestFailure("cannot start \(executable): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    /// Waits for the child to end; returns its exit status (128 + N if killed by signal N).
    @discardableResult
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Whether the child has not ended yet (a zombie counts as ended; it is not reaped here).
    var isRunning: Bool { isLiveProcess(pid) }

    /// Runs a command to completion and throws unless it exits 0.
    static func run(_ executable: String, _ arguments: [String]) throws {
        let status = try ChildProcess(executable, arguments).wait()
        guard status == 0 else {
            throw TestFailure("\(executable) \(arguments.joined(separator: " ")) exited \(status)")
        }
    }
}

/// The fields of `/proc/PID/stat` after the command name: state, ppid, … (nil once reaped).
func procStatFields(_ pid: pid_t) -> [Substring]? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return nil }
    return stat[stat.index(after: close)...].split(separator: " ")
}

/// Whether `pid` exists and is not a zombie. Not `kill(pid, 0)`: PID 1 here reaps orphans only
/// every ~2 s, and a zombie has already closed its sockets.
func isLiveProcess(_ pid: pid_t) -> Bool {
    guard let state = procStatFields(pid)?.first else { return false }
    return state != "Z"
}
