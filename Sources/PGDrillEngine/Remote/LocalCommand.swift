import Foundation
import PGDrillSSH

#if canImport(Glibc)
import Glibc
#endif

/// Runs a command from the cluster file on the runner's own machine (`/bin/sh -c`), for what cannot run on
/// a cluster host: provisioning and removing the scratch host a restore goes to.
///
/// `posix_spawn` and `waitpid` polling rather than Foundation's `Process`: with `Process`, a command that
/// left a daemon behind (`lab.sh scratch create` starts a whole node) was never seen to exit.
enum LocalCommand {
    /// Sets FD_CLOEXEC on every open descriptor above stderr (harmless to this process; glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` is not visible to Swift).
    static func markDescriptorsCloseOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    static func run(_ command: String, timeout: Duration) throws -> CommandResult {
        let base = NSTemporaryDirectory() + "pgdrill-local-\(UUID().uuidString)"
        defer {
            unlink(base + ".out")
            unlink(base + ".err")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, base + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, base + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // Nothing else is inherited: a provisioning command leaves long-lived processes behind (the scratch
        // host), and any descriptor they held open — e.g. one our own parent watches to see us exit —
        // would outlive us.
        markDescriptorsCloseOnExec()
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child gets default signal dispositions and an empty mask, whatever the runner blocks.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        guard rc == 0 else { throw EngineError(.remote, "cannot start /bin/sh for a local command: \(String(cString: strerror(rc)))") }
        let start = ContinuousClock.now
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0, errno != EINTR { throw EngineError(.remote, "waitpid failed for a local command: \(String(cString: strerror(errno)))") }
            if ContinuousClock.now - start > timeout {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw EngineError(.remote, "local command did not finish within \(timeout): \(command)")
            }
            usleep(10_000)
        }
        let elapsed = ContinuousClock.now - start
        // WIFEXITED / WEXITSTATUS are macros: decode the status word by hand.
        let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let out = (try? String(contentsOfFile: base + ".out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: base + ".err", encoding: .utf8)) ?? ""
        return CommandResult(exitStatus: exitStatus, stdout: out, stderr: err,
                             durationMicros: elapsed.components.seconds * 1_000_000 + elapsed.components.attoseconds / 1_000_000_000_000)
    }
}
