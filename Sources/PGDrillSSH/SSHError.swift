/// A failure to run a remote command, with the host it concerns and what to do about it.
///
/// A struct with an open set of codes rather than an enum, so adding a code is not a breaking
/// change (the pattern of postgres-nio's `PSQLError` and swift-nio-ssh's `NIOSSHError`).
/// `description` is one line that never contains key material: host keys and identities are
/// named by file path only.
public struct SSHError: Error, CustomStringConvertible, CustomDebugStringConvertible, Sendable {
    /// What kind of failure this is; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// TCP connect refused, unreachable, or the connection dropped during setup.
        public static let connectFailed = Code("connectFailed")
        /// The host's key is not in known_hosts: refused, never added.
        public static let hostKeyUnknown = Code("hostKeyUnknown")
        /// known_hosts holds a different key of the same type for this host: refused.
        public static let hostKeyMismatch = Code("hostKeyMismatch")
        /// The server rejected the user's key.
        public static let authenticationFailed = Code("authenticationFailed")
        /// A deadline passed: connect, handshake or the command itself.
        public static let timeout = Code("timeout")
        /// A channel could not be opened or died (e.g. the remote shell exited).
        public static let channelFailed = Code("channelFailed")
        /// The SSH transport failed or the session is no longer usable.
        public static let protocolError = Code("protocolError")
        /// `sudo -n` would not start the root shell (it wants a password, or the user may not): nothing ran.
        public static let sudoRefused = Code("sudoRefused")
        /// The jump host will not forward TCP to the node (sshd's `AllowTcpForwarding no`, `PermitOpen`).
        public static let forwardingRefused = Code("forwardingRefused")
        /// The private key or known_hosts file cannot be read.
        public static let keyFileUnreadable = Code("keyFileUnreadable")

        /// The code's name, e.g. `hostKeyUnknown`.
        public var description: String { name }
    }

    /// What kind of failure; decide on this, not on the message.
    public var code: Code
    /// `host:port` of the target.
    public var host: String
    /// `host:port` of the jump host the connection went through; nil when it was direct. The message
    /// starts "at the jump host" when the failure was there rather than on the node.
    public var jumpHost: String?
    /// What failed, in words a DBA reads at 3 a.m.
    public var message: String
    /// What to do about it; empty when there is nothing useful to say.
    public var hint: String
    /// False only when the command certainly never reached the host (safe to retry, nothing
    /// was injected); true when it may have run, as after a timeout.
    public var commandMayHaveRun: Bool
    /// libssh2's own error text and number, for `debugDescription` and logs.
    public var underlying: String?

    /// An error about `host` (`host:port`); `hint` says what to do, or is empty.
    public init(
        code: Code, host: String, message: String, hint: String = "",
        commandMayHaveRun: Bool = false, underlying: String? = nil
    ) {
        self.code = code
        self.host = host
        self.message = message
        self.hint = hint
        self.commandMayHaveRun = commandMayHaveRun
        self.underlying = underlying
    }

    /// `ssh to HOST:PORT[ via jump host J:P]: MESSAGE. hint: HINT` on one line.
    public var description: String {
        var line = "ssh to \(host)"
        if let jumpHost { line += " via jump host \(jumpHost)" }
        line += ": \(message)"
        if !hint.isEmpty { line += ". hint: \(hint)" }
        return line
    }

    /// The description plus libssh2's own text and return code, for logs.
    public var debugDescription: String {
        var line = "SSHError(\(code)): \(description)"
        if let underlying { line += " [libssh2: \(underlying)]" }
        return line
    }
}
