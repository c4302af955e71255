/// What one remote command did: its exit status and its two output streams, kept apart.
public struct CommandResult: Sendable, Hashable {
    /// The command's exit status (128 + N when it died of signal N, as the shell reports it).
    public var exitStatus: Int32
    /// Standard output, decoded as UTF-8 (invalid bytes replaced).
    public var stdout: String
    /// Standard error, decoded as UTF-8 (invalid bytes replaced).
    public var stderr: String
    /// From the moment the command was handed to the transport until its end was seen, in µs.
    public var durationMicros: Int64

    /// A result as the transports build it; public so tests and fakes of the engine can too.
    public init(exitStatus: Int32, stdout: String, stderr: String, durationMicros: Int64) {
        self.exitStatus = exitStatus
        self.stdout = stdout
        self.stderr = stderr
        self.durationMicros = durationMicros
    }

    /// True when the command exited with status 0.
    public var succeeded: Bool { exitStatus == 0 }
}
