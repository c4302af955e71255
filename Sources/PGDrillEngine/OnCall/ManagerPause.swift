import Foundation

/// Patroni's maintenance mode for an on-call drill: set through any member's API before the fault, so
/// automation stays out of the way, and journalled as an internal rollback that resumes it — which the runner
/// carries out itself through whichever API answers (the primary's may be the one the drill took down), and
/// which `pgdrill recover` replays after a killed runner.
public struct ManagerPause: InternalRollback, Sendable, Equatable {
    public struct Node: Codable, Sendable, Equatable {
        public var name: String
        public var api: URL
    }

    public var nodes: [Node]
    /// TLS and basic auth of the Patroni APIs: from the cluster file at run time, never journalled.
    public var access: HTTPCredentials = .none

    enum CodingKeys: String, CodingKey { case nodes }

    public init(nodes: [Node], access: HTTPCredentials = .none) {
        self.nodes = nodes
        self.access = access
    }

    static let prefix = "pgdrill-internal resume-manager "

    /// Sets maintenance mode on or off through the first API that takes it, then waits (at most `seconds`) until
    /// a member's `/cluster` says so. Returns the member that took it.
    @discardableResult
    public func set(paused: Bool, seconds: Double = 30) throws -> String {
        var errors: [String] = []
        let body = Data(#"{"pause": \#(paused)}"#.utf8)
        for node in nodes {
            do {
                try client(node).patchConfig(body)
                let deadline = Date().addingTimeInterval(seconds)
                while Date() < deadline {
                    if let view = try? client(node).cluster(), (view.paused ?? false) == paused { return node.name }
                    Thread.sleep(forTimeInterval: 0.25)
                }
                throw EngineError(.remote, "\(node.name) took the change, but /cluster did not show maintenance mode \(paused ? "on" : "off") within \(Int(seconds)) s")
            } catch {
                errors.append("\(node.name): \(error)")
            }
        }
        throw EngineError(.remote, "no Patroni API took maintenance mode \(paused ? "on" : "off"): \(errors.joined(separator: "; "))",
                          hint: paused ? "check the API credentials (patroni_api:) allow PATCH /config" : "resume by hand: `patronictl resume`")
    }

    private func client(_ node: Node) -> PatroniClient { PatroniClient(baseURL: node.api, timeout: 3, access: access) }
}
