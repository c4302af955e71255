/// One probe writer's last server identity: a connection stays on one server for thousands of writes, so
/// the identity text (`host:port`, a heap-allocated string) is built once per server instead of once per
/// acknowledged write.
///
/// Only an identity that the address and port make on their own is remembered (`ServerIdentity`: a
/// non-loopback host); behind loopback or a Unix socket the postmaster's start time decides, and is read
/// and used every time, as before.
struct ServerIdentityCache {
    private var address: String?
    private var port: String?
    private var identity: String?

    /// `ServerIdentity.from(address:port:startMicros:)`; `startMicros` is only asked for when the address
    /// and port do not name the server on their own.
    mutating func identity(address: String?, port: String?, startMicros: () -> String?) -> String? {
        if let identity, let address, address == self.address, port == self.port { return identity }
        guard let address else { return ServerIdentity.from(address: nil, port: port, startMicros: startMicros()) }
        let host = ServerIdentity.hostPart(of: address)
        guard !host.isEmpty, !ServerIdentity.isLoopback(host) else {
            return ServerIdentity.from(address: address, port: port, startMicros: startMicros())
        }
        let named = ServerIdentity.from(address: address, port: port, startMicros: nil)
        (self.address, self.port, identity) = (address, port, named)
        return named
    }
}
