/// How pgdrill reaches every node and proxy over SSH. Paths are absolute after loading (relative ones
/// in the file are taken relative to the cluster file's directory).
public struct SSHSettings: Sendable, Hashable {
    /// Remote user; `root` by default (faults need it: iptables, kill, tc).
    public var user: String
    /// Run the remote shell through `sudo -n` (an operator who logs in as themselves); false by default.
    public var sudo: Bool
    /// Port of every host's sshd; 22 by default.
    public var port: Int
    /// Private key file (OpenSSH format); empty with `agent`.
    public var identity: String
    /// Where the identity's passphrase comes from, when the key is encrypted (never the passphrase itself).
    public var passphrase: PassphraseSource?
    /// Authenticate with the keys of the ssh-agent at `$SSH_AUTH_SOCK` instead of a key file.
    public var agent: Bool
    /// known_hosts file; host keys not in it, or different from it, are refused.
    public var knownHosts: String
    /// TCP and handshake timeout; 5s by default. Through a jump host, on each hop.
    public var connectTimeout: DrillDuration
    /// Reach every host through this bastion; nil: connect to each directly.
    public var jump: SSHJumpSettings?

    public init(user: String = "root", sudo: Bool = false, port: Int = 22, identity: String, passphrase: PassphraseSource? = nil,
                agent: Bool = false, knownHosts: String, connectTimeout: DrillDuration = .seconds(5), jump: SSHJumpSettings? = nil) {
        self.jump = jump
        self.passphrase = passphrase
        self.agent = agent
        self.user = user
        self.sudo = sudo
        self.port = port
        self.identity = identity
        self.knownHosts = knownHosts
        self.connectTimeout = connectTimeout
    }
}

/// Where a secret is read from when pgdrill needs it — an encrypted key's passphrase, an API password: a file
/// (its first line) or an environment variable. The cluster file never holds the secret itself.
public enum SecretSource: Sendable, Hashable {
    case file(String)
    case environment(String)

    /// The cluster file's setting that names this source, for messages: `ssh.passphrase_file /etc/pgdrill/key.pass`,
    /// `patroni_api.password_env PATRONI_API_PASSWORD`. `setting` is the prefix (`ssh.passphrase`).
    public func describe(setting: String) -> String {
        switch self {
        case .file(let path): "\(setting)_file \(path)"
        case .environment(let name): "\(setting)_env \(name)"
        }
    }
}

/// An encrypted identity's passphrase source.
public typealias PassphraseSource = SecretSource

/// The bastion every node is reached through (`ssh.jump`): one SSH session to it carries every node's
/// session. What the file leaves out is the top-level ssh setting: user, identity (with its passphrase),
/// agent and known_hosts; the port is 22, the jump host's own, not `ssh.port`.
public struct SSHJumpSettings: Sendable, Hashable {
    /// The jump host's name or address as this machine reaches it; also its known_hosts name.
    public var host: String
    public var port: Int
    public var user: String
    /// Private key for the jump host; empty with `agent`.
    public var identity: String
    public var passphrase: PassphraseSource?
    public var agent: Bool
    /// Where the jump host's key is checked (under `host`, or `[host]:port` off port 22).
    public var knownHosts: String

    public init(host: String, port: Int = 22, user: String, identity: String, passphrase: PassphraseSource? = nil,
                agent: Bool = false, knownHosts: String) {
        self.host = host
        self.port = port
        self.user = user
        self.identity = identity
        self.passphrase = passphrase
        self.agent = agent
        self.knownHosts = knownHosts
    }
}
