/// How pgdrill speaks to an HTTP API of the cluster — Patroni's REST API (`patroni_api:`) or HAProxy's stats
/// page (`haproxy:`): the CA that signed its certificate, a client certificate, basic-auth credentials.
/// Paths are absolute after loading; the password is a source, never the value.
public struct HTTPAccess: Sendable, Hashable {
    /// The cluster file's section, for messages (`patroni_api`, `haproxy`).
    public var setting: String
    /// PEM file of the CA(s) that verify an `https://` server; nil: the system's CA bundle.
    public var caFile: String?
    /// Client certificate and its key (PEM), for an API that verifies clients (Patroni's `restapi.verify_client`).
    public var certFile: String?
    public var keyFile: String?
    /// Basic-auth user (Patroni's `restapi.authentication`, HAProxy's `stats auth`) and where its password is.
    public var username: String?
    public var password: SecretSource?

    public init(setting: String, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil,
                username: String? = nil, password: SecretSource? = nil) {
        self.setting = setting
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.username = username
        self.password = password
    }

    /// Nothing set: plain HTTP, or HTTPS verified against the system's CAs, without credentials.
    public var isEmpty: Bool { caFile == nil && certFile == nil && keyFile == nil && username == nil }

    public static let keys = ["cafile", "certfile", "keyfile", "username", "password_file", "password_env"]
}
