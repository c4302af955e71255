import Foundation

/// Where a fault step acts: a role discovered at run time, a named host, or a group.
///
/// Roles are resolved when the step runs (the primary after a failover is another node), so a drill
/// states intent (`sync_standby`) rather than a host. `node:NAME` and `proxy:NAME` are checked against
/// the cluster file by `DrillSpec.validate(against:)`, since the drill file alone cannot know them.
public enum Target: DrillValue, Hashable {
    /// The node that currently accepts writes.
    case primary
    /// The standby whose acknowledgement commits wait for.
    case syncStandby
    /// A standby that is not synchronous.
    case asyncStandby
    /// Any standby.
    case replica
    /// The database node with this name in the cluster file.
    case node(String)
    /// A proxy host: the one named, or (`nil`) the cluster's proxy, which must then be unambiguous.
    case proxy(String?)
    /// Every database node at once.
    case allNodes

    /// The words accepted, for hints.
    static let spellings = ["primary", "sync_standby", "async_standby", "replica", "node:NAME", "proxy", "proxy:NAME", "all_nodes"]

    public init(parsing text: String) throws(ValueParseError) {
        let text = text.trimmingCharacters(in: .whitespaces)
        switch text {
        case "primary": self = .primary
        case "sync_standby": self = .syncStandby
        case "async_standby": self = .asyncStandby
        case "replica": self = .replica
        case "all_nodes": self = .allNodes
        case "proxy": self = .proxy(nil)
        default:
            if let name = Self.name(after: "node:", in: text) {
                self = .node(try Self.checked(name, in: text))
                return
            }
            if let name = Self.name(after: "proxy:", in: text) {
                self = .proxy(try Self.checked(name, in: text))
                return
            }
            let suggestion = Suggestion.closest(to: text, among: Self.spellings).map { " (did you mean '\($0)'?)" } ?? ""
            throw ValueParseError("must be a target, got \(ValueParseError.quoted(text))\(suggestion)",
                                  hint: "targets are \(Suggestion.list(Self.spellings))")
        }
    }

    private static func name(after prefix: String, in text: String) -> String? {
        text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : nil
    }

    private static func checked(_ name: String, in text: String) throws(ValueParseError) -> String {
        guard ResourceName.isValid(name) else {
            throw ValueParseError("names an invalid host '\(name)' in \(ValueParseError.quoted(text))",
                                  hint: "host names are lower-case letters, digits and '_.-', as in the cluster file")
        }
        return name
    }

    public var description: String {
        switch self {
        case .primary: "primary"
        case .syncStandby: "sync_standby"
        case .asyncStandby: "async_standby"
        case .replica: "replica"
        case .node(let name): "node:\(name)"
        case .proxy(nil): "proxy"
        case .proxy(let name?): "proxy:\(name)"
        case .allNodes: "all_nodes"
        }
    }

    /// Whether the target is one database node (what a switchover or failover can be directed to).
    public var isSingleDatabaseNode: Bool {
        switch self {
        case .primary, .syncStandby, .asyncStandby, .replica, .node: true
        case .proxy, .allNodes: false
        }
    }
}
