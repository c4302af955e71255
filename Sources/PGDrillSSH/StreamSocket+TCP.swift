#if canImport(Glibc)
import Glibc
#endif

/// TCP connections to a host, connected with a deadline and with Nagle off.
///
/// `TCP_NODELAY` because each remote command is one small write whose latency is the point
/// (LAB-NOTES: 135 ms → 95 ms per exec channel).
extension StreamSocket {
    /// Resolves `host`, then tries each address until one connects or the deadline passes.
    init(tcpTo host: String, port: Int, deadline: Deadline) throws(TCPSocketError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let gai = getaddrinfo(host, String(port), &hints, &list)
        guard gai == 0, let first = list else {
            throw TCPSocketError(message: "cannot resolve host: \(String(cString: gai_strerror(gai)))", timedOut: false)
        }
        defer { freeaddrinfo(list) }

        var lastError = TCPSocketError(message: "no address to connect to", timedOut: false)
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry?.pointee {
            entry = address.ai_next
            do {
                self.init(adopting: try Self.connect(address, deadline: deadline))
                return
            } catch {
                lastError = error
                if error.timedOut { break }
            }
        }
        throw lastError
    }

    private static func connect(_ address: addrinfo, deadline: Deadline) throws(TCPSocketError) -> Int32 {
        let fd = socket(address.ai_family, address.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), address.ai_protocol)
        guard fd >= 0 else { throw .errno("socket", errno) }
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))

        if Glibc.connect(fd, address.ai_addr, address.ai_addrlen) == 0 { return fd }
        guard errno == EINPROGRESS else {
            let failure = TCPSocketError.errno("connect", errno)
            Glibc.close(fd)
            throw failure
        }
        while true {
            var pfd = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&pfd, 1, deadline.pollMillis())
            if ready < 0 && errno == EINTR { continue }
            if ready > 0 { break }
            if deadline.hasPassed {
                Glibc.close(fd)
                throw TCPSocketError(message: "TCP connect timed out", timedOut: true)
            }
        }
        var soError: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &length)
        guard soError == 0 else {
            Glibc.close(fd)
            throw .errno("connect", soError)
        }
        return fd
    }
}
