/// Which server acknowledged a probe write, as the server itself says (DESIGN §6: acks are attributed to
/// servers for split-brain and lost-write sources).
///
/// The socket's own address (`inet_server_addr():inet_server_port()`) names the node when the client reaches
/// PostgreSQL over the node's address — directly, or through HAProxy or a PgBouncer that connects to it. It
/// does not when the last hop is loopback or a Unix socket (a PgBouncer on the database host reaching
/// 127.0.0.1): every node then looks like `127.0.0.1:5432`, inventing a single server or hiding a second
/// one. Then the identity is the postmaster's start time, read by the same statement
/// (`pg_postmaster_start_time()`, µs): unique per running server, and learned for each node by the
/// runner's own direct connections (pre-flight, the cluster monitor), which map it back to the node.
public enum ServerIdentity {
    /// The identity of the server that returned `address`, `port` and `startMicros` from one statement.
    public static func from(address: String?, port: String?, startMicros: String?) -> String? {
        let host = address.map(hostPart(of:))
        if let host, !host.isEmpty, !isLoopback(host) { return "\(host):\(port ?? "")" }
        if let start = startMicros, !start.isEmpty { return started(start) }
        return host.map { "\($0):\(port ?? "")" }
    }

    /// The identity of a server known only by its postmaster's start time.
    public static func started(_ startMicros: String) -> String { "postmaster-started-\(startMicros)" }

    /// The address without its `/prefix-length` (`inet` as text): the first run of characters between
    /// slashes, or the whole text when there is none. Walks the UTF-8 bytes, since this runs for every
    /// acknowledged write.
    static func hostPart(of address: String) -> String {
        let utf8 = address.utf8
        let slash = UInt8(ascii: "/")
        guard let start = utf8.firstIndex(where: { $0 != slash }) else { return address }
        let end = utf8[start...].firstIndex(of: slash) ?? utf8.endIndex
        return start == utf8.startIndex && end == utf8.endIndex ? address : String(address[start..<end])
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "::1" || host.hasPrefix("127.") || host.hasPrefix("::ffff:127.")
    }

    /// The SQL expression for the postmaster's start time in µs since the Unix epoch.
    public static let startMicrosSQL = "floor(extract(epoch FROM pg_postmaster_start_time()) * 1000000)::bigint"
}
