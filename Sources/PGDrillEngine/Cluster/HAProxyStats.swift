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

    /// The backend that routes writes, discovered from a healthy cluster's stats: one whose servers are all
    /// database nodes and whose only UP server is the primary (a read backend has the replicas UP too).
    /// Several such backends: the one named `write`, else none (the cluster file must say, with
    /// `haproxy.write_backend`). Returns the backend, or why there is none.
    public func writeBackend(nodes: Set<String>, leader: String) -> Result<String, WriteBackendProblem> {
        let byBackend = Dictionary(grouping: servers, by: \.backend)
        let candidates = byBackend.filter { _, members in
            members.allSatisfy { nodes.contains($0.server) } && members.filter(\.isUp).map(\.server) == [leader]
        }.keys.sorted()
        switch candidates.count {
        case 1: return .success(candidates[0])
        case 0: return .failure(WriteBackendProblem(reason: "no HAProxy backend has the primary \(leader) as its only UP server (backends: \(byBackend.keys.sorted().joined(separator: ", ")))"))
        default:
            if candidates.contains("write") { return .success("write") }
            return .failure(WriteBackendProblem(reason: "several HAProxy backends route only to the primary (\(candidates.joined(separator: ", "))); name the write path with haproxy.write_backend in the cluster file"))
        }
    }

    public struct WriteBackendProblem: Error, Equatable, Sendable {
        public var reason: String
    }

    /// Fetches and parses the stats page.
    public static func fetch(_ url: URL, timeout: TimeInterval = 1.0, access: HTTPCredentials = .none) throws -> HAProxyStats {
        let (status, data) = try HTTP.request(url, timeout: timeout, access: access)
        guard status == 200 else { throw HTTPError(url: url.absoluteString, message: "HTTP \(status)") }
        return HAProxyStats(csv: String(decoding: data, as: UTF8.self))
    }
}
