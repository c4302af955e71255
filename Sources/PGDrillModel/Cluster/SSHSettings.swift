/// How pgdrill reaches every node and proxy over SSH. Paths are absolute after loading (relative ones
/// in the file are taken relative to the cluster file's directory).
public struct SSHSettings: Sendable, Hashable {
    /// Remote user; `root` by default (faults need it: iptables, kill, tc).
    public var user: String
    /// Run the remote shell through `sudo -n` (an operator who logs in as themselves); false by default.
    public var sudo: Bool
    /// Port of every host's sshd; 22 by default.
    public var port: Int
    /// Private key file (OpenSSH format).
    public var identity: String
    /// known_hosts file; host keys not in it, or different from it, are refused.
    public var knownHosts: String
    /// TCP and handshake timeout; 5s by default.
    public var connectTimeout: DrillDuration

    public init(user: String = "root", sudo: Bool = false, port: Int = 22, identity: String, knownHosts: String,
                connectTimeout: DrillDuration = .seconds(5)) {
        self.user = user
        self.sudo = sudo
        self.port = port
        self.identity = identity
        self.knownHosts = knownHosts
        self.connectTimeout = connectTimeout
    }
}
