/// The long-lived shell on one host that runs our commands one after another: `bash` where the host has
/// it, else `/bin/sh`. Every template is POSIX sh; bash is preferred for its `$EPOCHREALTIME` builtin, which
/// lets a fault script stamp the moment its fault took effect without forking `date` (see `EffectStamp`).
///
/// Opening a channel makes sshd set up a whole session (~95 ms); writing a line to a shell that
/// is already running costs about a millisecond, which is what makes a fault's t0 exact.
/// Each command is framed by `ShellFrame`; its end is seen by an `EndMarkerScanner` per stream.
final class ShellChannel {
    let channel: LibSSH2Channel

    /// Opens the channel, starts the shell without a PTY (no echo, no prompt, no line editing), and
    /// runs one first command so anything the login files printed is consumed before ours.
    ///
    /// That command raises the scheduling priority of this session's own two processes — the shell and
    /// the sshd process relaying it — where the user may (root): on a node whose CPUs the drill's own
    /// write load keeps busy, a fault otherwise waits in the run queue behind PostgreSQL backends for
    /// tens of milliseconds. Nothing else on the host is touched, and both processes end with the session.
    init(session: LibSSH2Session, deadline: Deadline) throws {
        channel = try LibSSH2Channel(session: session, deadline: deadline)
        let target = session.target
        do {
            try channel.exec(Self.startShell(sudo: target.sudo), deadline: deadline)
            _ = try run(Self.raisePriority(sudo: target.sudo), deadline: deadline)
        } catch var error as SSHError where target.sudo && error.code == .channelFailed {
            _ = channel.tryRelease()
            // The shell never ran: sudo said why on stderr (carried in the message).
            error.code = .sudoRefused
            error.message = "sudo -n would not start a root shell for \(target.user): \(error.message)"
            error.hint = "let \(target.user) start pgdrill's root shell with no prompt: add `\(SSHTarget.sudoersRule(user: target.user))` "
                + "to /etc/sudoers.d (`pgdrill plan --sudoers` prints it; pgdrill never types a password)"
            error.commandMayHaveRun = false
            throw error
        } catch {
            _ = channel.tryRelease()
            throw error
        }
    }

    /// bash without startup files where it exists, else `/bin/sh` (run by the login shell, which may be either);
    /// with `sudo`, as root through `sudo -n`, which fails at once rather than prompt for a password.
    static func startShell(sudo: Bool) -> String {
        let prefix = sudo ? "sudo -n " : ""
        return "if command -v bash >/dev/null 2>&1; then unset BASH_ENV ENV; exec \(prefix)bash --noprofile --norc; fi; exec \(prefix)/bin/sh"
    }

    /// `renice` of the shell (`$$`) and its parent, the session's sshd; silently skipped without the right.
    /// Through sudo the parent is sudo, and the sshd relaying the session is one further up.
    static func raisePriority(sudo: Bool) -> String {
        sudo ? "renice -n -10 -p $$ $PPID $(ps -o ppid= -p $PPID 2>/dev/null) >/dev/null 2>&1; true"
            : "renice -n -10 -p $$ $PPID >/dev/null 2>&1; true"
    }

    /// Whether a command sent now would reach a running shell.
    ///
    /// Drains output nobody waits for (a background process writing late) and notices a shell
    /// that exited or a connection the peer closed, so such a command fails as "never sent"
    /// (safe to retry) instead of "may have run".
    func isReady() throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4 * 1024)
        for isStderr in [false, true] {
            while try channel.readAvailable(stderr: isStderr, into: &buffer, action: "checking the shell") > 0 {}
        }
        return !channel.isAtEOF
    }

    /// Runs one command and waits for both of its end markers.
    func run(_ command: String, deadline: Deadline) throws -> CommandResult {
        let frame = ShellFrame(command: command)
        var stdout = EndMarkerScanner(marker: frame.marker)
        var stderr = EndMarkerScanner(marker: frame.marker)
        var sent = false
        let start = monotonicMicros()
        do {
            try channel.write(Array(frame.script.utf8), deadline: deadline) { sent = true }
            let finished = try channel.pump(
                deadline: deadline, action: "running the command",
                consume: { isStderr, bytes in
                    if isStderr { stderr.consume(bytes) } else { stdout.consume(bytes) }
                },
                isDone: { stdout.isComplete && stderr.isComplete })
            guard finished, let status = stdout.exitStatus else {
                // What the shell (or sudo before it) said on its way out names the cause.
                let said = String(decoding: stderr.output.suffix(400), as: UTF8.self)
                    .split(whereSeparator: \.isNewline).map { $0.drop { $0 == " " } }.filter { !$0.isEmpty }.joined(separator: "; ")
                throw SSHError(
                    code: .channelFailed, host: channel.session.target.description,
                    message: "the remote shell exited before the command finished" + (said.isEmpty ? "" : " (it said: \(said))"),
                    hint: "a command that kills its own shell or sshd cannot report back; it is reopened on next use")
            }
            return CommandResult(
                exitStatus: status,
                stdout: String(decoding: stdout.output, as: UTF8.self),
                stderr: String(decoding: stderr.output, as: UTF8.self),
                durationMicros: monotonicMicros() - start)
        } catch var error as SSHError {
            error.commandMayHaveRun = error.commandMayHaveRun || sent
            throw error
        }
    }
}
