extension SSHSession {
    /// `'…'` with embedded quotes closed, escaped and reopened: one word for `sh -c`.
    static func singleQuoted(_ s: String) -> String {
        "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// Runs `command` on a fresh exec channel, stdin closed at once.
    ///
    /// About a hundred times slower than `run` (sshd sets up a session per channel), but
    /// independent of the shell's state: a fallback, and the baseline the shell is measured
    /// against. On `.timeout` the channel is given up and freed once the host confirms.
    public func exec(_ command: String, timeout: Duration) throws -> CommandResult {
        let deadline = Deadline(after: timeout)
        return try state.withLock { state in
            let connection = try liveConnection(&state)
            let channel = try LibSSH2Channel(session: connection, deadline: deadline)
            let start = monotonicMicros()
            var started = false
            do {
                var stdout: [UInt8] = []
                var stderr: [UInt8] = []
                try channel.exec(target.sudo ? "sudo -n /bin/sh -c " + Self.singleQuoted(command) : command, deadline: deadline)
                started = true
                try channel.sendEOF(deadline: deadline)
                _ = try channel.pump(
                    deadline: deadline, action: "running the command",
                    consume: { isStderr, bytes in
                        if isStderr { stderr.append(contentsOf: bytes) } else { stdout.append(contentsOf: bytes) }
                    },
                    isDone: { false })
                let status = try channel.waitForExitStatus(deadline: deadline)
                let duration = monotonicMicros() - start
                park(channel, in: &state)
                return CommandResult(
                    exitStatus: status, stdout: String(decoding: stdout, as: UTF8.self),
                    stderr: String(decoding: stderr, as: UTF8.self), durationMicros: duration)
            } catch var error as SSHError {
                park(channel, in: &state)
                error.commandMayHaveRun = started || error.code != .channelFailed  // not: exec refused
                throw error
            }
        }
    }
}
