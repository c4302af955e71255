#if canImport(Glibc)
import Glibc
#endif

/// Everything pgdrill says to the person watching goes through here: `write(2)` on fd 2, retried on a short
/// write and on EINTR, every other error ignored.
///
/// A drill's output is never worth its rollback. The terminal or the `| tee` reading stderr can go away in the
/// middle of a fault (a dropped ssh session, Ctrl-C to the whole pipeline); Foundation's `FileHandle.write`
/// raises on EPIPE/EIO (the process dies with SIGILL) and a default SIGPIPE kills it outright. With
/// `ProcessSignals.prepare()` ignoring SIGPIPE and this writer ignoring the error, a lost reader costs only
/// the lines it would have read.
public enum StandardError {
    /// Writes `text` whole, or as much as the reader takes; never throws, never raises a signal.
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            guard var p = buffer.baseAddress else { return }
            var left = buffer.count
            while left > 0 {
                let n = Glibc.write(STDERR_FILENO, p, left)
                if n > 0 {
                    p += n
                    left -= n
                } else if n < 0 && errno == EINTR {
                    continue
                } else {
                    return  // EPIPE, EIO (terminal gone), EBADF (closed): drop the rest
                }
            }
        }
    }
}

/// Process-wide signal dispositions that make a run safe to lose its terminal.
public enum ProcessSignals {
    /// Ignores SIGPIPE (a write to a gone reader then fails with EPIPE instead of killing pgdrill mid-fault)
    /// and turns a crash into exit 4 with a message to run `pgdrill recover`, so every exit status stays in 0–4.
    /// The executable calls it first thing.
    public static func prepare() {
        ignoreBrokenPipes()
        for sig in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = crashed
            action.sa_flags = Int32(bitPattern: UInt32(truncatingIfNeeded: SA_RESETHAND))
            sigemptyset(&action.sa_mask)
            sigaction(sig, &action, nil)
        }
    }
}

extension ProcessSignals {
    /// SIGPIPE ignored: what `InterruptTrap` needs of the process whoever runs it (the executable, a test).
    public static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }
}

/// Async-signal-safe: a fixed message by `write(2)`, then `_exit(4)` ("rollback incomplete": a crash may have
/// left a fault, whose rollback is in the journal).
private func crashed(_ sig: Int32) {
    let message: StaticString = "\npgdrill crashed; if a fault was in place its rollback is in the journal: run `pgdrill recover --cluster …` and `pgdrill check`\n"
    _ = Glibc.write(STDERR_FILENO, message.utf8Start, message.utf8CodeUnitCount)
    _exit(4)
}
