/// Where and as whom to run remote commands on one cluster host.
///
/// Everything needed to reach a host is here so a session can be re-created from it alone
/// (the pool reconnects a dead session without asking its caller again).
public struct SSHTarget: Sendable, Hashable, CustomStringConvertible {
    /// IP address or host name; also the name looked up in known_hosts.
    public var host: String
    /// sshd's TCP port; a non-22 port is looked up as `[host]:port` in known_hosts.
    public var port: Int
    /// The remote user; fault injection needs root.
    public var user: String
    /// Run the long-lived shell (and exec-channel commands) as root through `sudo -n`: an operator who
    /// logs in as themselves. `-n` never prompts; a sudo that wants a password is a connect-time error.
    public var sudo: Bool
    /// Private key in OpenSSH format; `<identityFile>.pub` is used beside it when present. Unused with `agent`.
    public var identityFile: String
    /// Decrypts an encrypted `identityFile`; held in memory only, never printed.
    public var passphrase: Secret?
    /// Authenticate with the keys of the ssh-agent at `agentSocket` (nil: `$SSH_AUTH_SOCK`), not a key file.
    public var agent: Bool
    public var agentSocket: String?
    /// Host keys are checked against this file only; unknown or changed keys are refused.
    public var knownHostsFile: String
    /// Bound on TCP connect, SSH handshake, host key check and authentication together; with a jump
    /// host, on each hop (the jump host's session, the tunnel, the node's session) separately.
    public var connectTimeout: Duration
    /// Reach the host through this bastion rather than directly; nil: connect straight to `host:port`.
    public var jump: SSHJump?

    /// A target with the lab's defaults: port 22, root, 5 s to connect.
    public init(
        host: String,
        port: Int = 22,
        user: String = "root",
        sudo: Bool = false,
        identityFile: String,
        passphrase: Secret? = nil,
        agent: Bool = false,
        agentSocket: String? = nil,
        knownHostsFile: String,
        connectTimeout: Duration = .seconds(5),
        jump: SSHJump? = nil
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.sudo = sudo
        self.identityFile = identityFile
        self.passphrase = passphrase
        self.agent = agent
        self.agentSocket = agentSocket
        self.knownHostsFile = knownHostsFile
        self.connectTimeout = connectTimeout
        self.jump = jump
    }

    /// The sudoers line that lets `user` start pgdrill's remote shell (`sudo -n bash --noprofile --norc`, or
    /// `sudo -n /bin/sh` where there is no bash; exec channels use `/bin/sh -c`) without a prompt.
    public static func sudoersRule(user: String) -> String {
        "\(user) ALL=(root) NOPASSWD: /usr/bin/bash --noprofile --norc, /bin/bash --noprofile --norc, /bin/sh"
    }

    /// `host:port`, the form used in every error and log line.
    public var description: String { "\(host):\(port)" }
}

/// A secret (a key's passphrase, an API password) that prints as `***` wherever it is interpolated or dumped.
public struct Secret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "***" }
    public var debugDescription: String { "***" }
}
