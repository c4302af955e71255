/// The bastion every node's session is tunnelled through (ssh's `-J`/ProxyJump, done in-process).
///
/// The jump host's own key is checked against `knownHostsFile` under its name (or `[host]:port`),
/// exactly like a node's; then each node session rides a direct-tcpip channel opened from it.
public struct SSHJump: Sendable, Hashable, CustomStringConvertible {
    /// The jump host's name or address, as this machine reaches it; also its known_hosts name.
    public var host: String
    public var port: Int
    public var user: String
    /// Private key for the jump host; unused with `agent`.
    public var identityFile: String
    public var passphrase: Secret?
    public var agent: Bool
    public var agentSocket: String?
    public var knownHostsFile: String

    /// A jump host; the cluster file's loader fills in the top-level ssh settings for what it omits.
    public init(
        host: String, port: Int = 22, user: String, identityFile: String, passphrase: Secret? = nil,
        agent: Bool = false, agentSocket: String? = nil, knownHostsFile: String
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.passphrase = passphrase
        self.agent = agent
        self.agentSocket = agentSocket
        self.knownHostsFile = knownHostsFile
    }

    /// The jump host as a target of its own, for its libssh2 session: same checks, same authentication.
    func target(connectTimeout: Duration) -> SSHTarget {
        SSHTarget(
            host: host, port: port, user: user, identityFile: identityFile, passphrase: passphrase,
            agent: agent, agentSocket: agentSocket, knownHostsFile: knownHostsFile, connectTimeout: connectTimeout)
    }

    /// `host:port`, as in every error that concerns the jump host.
    public var description: String { "\(host):\(port)" }
}
