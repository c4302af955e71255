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
    /// TCP and handshake timeout; 5s by default.
    public var connectTimeout: DrillDuration

    public init(user: String = "root", sudo: Bool = false, port: Int = 22, identity: String, passphrase: PassphraseSource? = nil,
                agent: Bool = false, knownHosts: String, connectTimeout: DrillDuration = .seconds(5)) {
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
