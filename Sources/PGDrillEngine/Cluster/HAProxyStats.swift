import Foundation

/// HAProxy's CSV stats page (`/;csv`): which server of which backend is UP.
public struct HAProxyStats: Sendable, Equatable {
    /// One server line: backend (`pxname`), server (`svname`), status (`UP`, `DOWN`, `MAINT`, `no check`…).
    public struct Server: Sendable, Equatable {
        public var backend: String
        public var server: String
        public var status: String
        public var isUp: Bool { status.hasPrefix("UP") }
    }

    public var servers: [Server]

    /// Parses the CSV; frontends and backend summary lines are skipped.
    public init(csv: String) {
        var lines = csv.split(whereSeparator: \.isNewline).map(String.init)
        guard !lines.isEmpty else { servers = []; return }
        let header = lines.removeFirst().trimmingCharacters(in: CharacterSet(charactersIn: "# "))
            .split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let px = header.firstIndex(of: "pxname") ?? 0
        let sv = header.firstIndex(of: "svname") ?? 1
        let st = header.firstIndex(of: "status") ?? 17
        servers = lines.compactMap { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count > max(px, sv, st), f[sv] != "FRONTEND", f[sv] != "BACKEND" else { return nil }
            return Server(backend: f[px], server: f[sv], status: f[st])
        }
    }

    /// Fetches and parses the stats page.
    public static func fetch(_ url: URL, timeout: TimeInterval = 1.0) throws -> HAProxyStats {
        let (status, data) = try HTTP.request(url, timeout: timeout)
        guard status == 200 else { throw HTTPError(url: url.absoluteString, message: "HTTP \(status)") }
        return HAProxyStats(csv: String(decoding: data, as: UTF8.self))
    }
}
