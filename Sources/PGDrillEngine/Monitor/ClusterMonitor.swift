import Foundation
import PGDrillCore
import PGDrillPostgres
import Synchronization

/// Watches the cluster while a drill runs and records every change as a `ClusterEvent`: the manager's view
/// (Patroni `/cluster`: leader, member roles and states), each node's own SQL view (`pg_is_in_recovery()`,
/// timeline) and HAProxy's routing (which server is UP in which backend).
///
/// Each source polls on its own thread every `interval` (~100 ms), so a partitioned node that times out
/// never delays what the others report. Only changes are recorded; the latest state is readable at any time.
public final class ClusterMonitor: @unchecked Sendable {
    // @unchecked Sendable: all mutable state is inside `state` (a Mutex); the threads only read `let`s.

    /// What one node's SQL probe saw.
    public struct NodeSQL: Sendable, Equatable {
        public var writable: Bool
        public var timeline: Int?
        /// The postmaster's start time, µs since the Unix epoch: the server's identity where its address
        /// is not the node's (see `ServerIdentity`).
        public var startedAt: Int64?
        public init(writable: Bool, timeline: Int?, startedAt: Int64? = nil) {
            self.writable = writable
            self.timeline = timeline
            self.startedAt = startedAt
        }
    }

    public struct Sources: Sendable {
        /// The manager's view (Patroni `/cluster`, repmgr's metadata, or the nodes' own answers); throws
        /// when nothing answered, saying why. Called from the monitor's manager thread only.
        public var view: @Sendable () throws -> ClusterView
        /// HAProxy stats URL, if the cluster has one.
        public var haproxyStats: URL?
        public var haproxyHTTP: HTTPCredentials = .none
        /// Node name → a function that asks the node over SQL (nil result: unreachable). Each is called from
        /// its own thread only.
        public var nodeSQL: [(node: String, probe: @Sendable () -> NodeSQL?)]
        /// HAProxy server names are node names (the lab's and most configs'); map them otherwise.
        public init(view: @escaping @Sendable () throws -> ClusterView, haproxyStats: URL?, nodeSQL: [(node: String, probe: @Sendable () -> NodeSQL?)]) {
            self.view = view
            self.haproxyStats = haproxyStats
            self.nodeSQL = nodeSQL
        }
    }

    private struct State {
        var events: [ClusterEvent] = []
        var leader: String?? = .none          // .none: not yet known; .some(nil): no leader
        var members: [String: String] = [:]    // name → "role/state"
        var paused: Bool?                      // Patroni's maintenance mode, as last seen
        var timelines: [String: Int] = [:]
        var sql: [String: NodeSQL?] = [:]
        var identities: [String: String] = [:]  // ServerIdentity.started(…) → node
        var backends: [String: Bool] = [:]     // "backend/server" → up
        var lastCluster: ClusterView?
        /// When a Patroni API last answered (or the monitor started, before any did), and each node's last error.
        var lastPatroniAnswer: Int64 = 0
        var patroniErrors: [String: String] = [:]
        var running = true
    }

    private let state = Mutex(State())
    private let sources: Sources
    private let clock: RunClock
    private let interval: TimeInterval
    private var threads: [Thread] = []

    public init(sources: Sources, clock: RunClock, interval: TimeInterval = 0.1) {
        self.sources = sources
        self.clock = clock
        self.interval = interval
    }

    /// Starts the polling threads.
    public func start() {
        let now = clock.now()
        state.withLock { $0.lastPatroniAnswer = now }
        var made: [Thread] = []
        made.append(Thread { [self] in loop { pollPatroni() } })
        if let url = sources.haproxyStats { made.append(Thread { [self] in loop { pollHAProxy(url) } }) }
        for (node, probe) in sources.nodeSQL {
            made.append(Thread { [self] in loop { pollSQL(node: node, probe: probe) } })
        }
        for t in made {
            t.stackSize = 1 << 20
            t.start()
        }
        threads = made
    }

    /// Stops polling (threads finish their current poll, bounded by the sources' timeouts, on their own).
    public func stop() { state.withLock { $0.running = false } }

    /// Every event recorded so far, in time order.
    public var events: [ClusterEvent] { state.withLock { $0.events.sorted { $0.at < $1.at } } }

    /// Every server identity by postmaster start time seen on each node (each restart adds one): how acks
    /// through a loopback or Unix-socket hop are attributed to their node.
    public var serverIdentities: [String: String] { state.withLock { $0.identities } }

    /// The latest cluster view from Patroni, if any answered.
    public var latestCluster: ClusterView? { state.withLock { $0.lastCluster } }

    /// The current leader by the manager's view (nil: none, or not known yet).
    public var leader: String? { state.withLock { $0.leader ?? nil } }

    /// How long (µs) no Patroni API has answered, with each node's last error: the runner's own view of the
    /// cluster going dark (its link to port 8008 cut or hung), which `leader` alone would hide by staying stale.
    public func patroniSilence(now: Int64) -> (micros: Int64, errors: [String: String]) {
        state.withLock { (now - $0.lastPatroniAnswer, $0.patroniErrors) }
    }

    /// Nodes answering `pg_is_in_recovery() = false` right now.
    public var writableNodes: [String] {
        state.withLock { s in s.sql.compactMap { $0.value?.writable == true ? $0.key : nil }.sorted() }
    }

    /// Adds an event from outside (the engine's own: fault sent, stage changes).
    public func record(_ event: ClusterEvent) { state.withLock { $0.events.append(event) } }

    private func loop(_ body: () -> Void) {
        while state.withLock({ $0.running }) {
            let started = Date()
            body()
            let rest = interval - Date().timeIntervalSince(started)
            if rest > 0 { Thread.sleep(forTimeInterval: rest) }
        }
    }

    private func pollPatroni() {
        let view: ClusterView?
        var errors: [String: String] = [:]
        do {
            view = try sources.view()
        } catch {
            view = nil
            errors["manager"] = "\(error)"
        }
        let now = clock.now()
        guard let view else {
            state.withLock { $0.patroniErrors = errors }
            return
        }
        state.withLock { s in
            s.lastCluster = view
            s.lastPatroniAnswer = now
            s.patroniErrors = [:]
            let newLeader = view.leader?.name
            switch s.leader {
            case .none:
                s.leader = .some(newLeader)
            case .some(let old) where old != newLeader:
                if let newLeader {
                    s.events.append(ClusterEvent(at: now, kind: .leaderElected, node: newLeader, timeline: view.leader?.timeline,
                                                 detail: old.map { "previous leader \($0)" }))
                } else {
                    s.events.append(ClusterEvent(at: now, kind: .leaderLost, node: old, detail: "no member holds the leader key"))
                }
                s.leader = .some(newLeader)
            default: break
            }
            let paused = view.paused ?? false
            if let was = s.paused, was != paused {
                s.events.append(ClusterEvent(at: now, kind: paused ? .managerPaused : .managerResumed,
                                             detail: paused ? "maintenance mode on" : "maintenance mode off"))
            }
            s.paused = paused
            for m in view.members {
                let desc = "\(m.role)/\(m.state)"
                if s.members[m.name] != desc {
                    if s.members[m.name] != nil {
                        s.events.append(ClusterEvent(at: now, kind: .memberChanged, node: m.name, timeline: m.timeline, detail: desc))
                    }
                    s.members[m.name] = desc
                }
            }
            for gone in Set(s.members.keys).subtracting(view.members.map(\.name)) {
                s.events.append(ClusterEvent(at: now, kind: .memberChanged, node: gone, detail: "absent"))
                s.members[gone] = nil
            }
        }
    }

    private func pollHAProxy(_ url: URL) {
        guard let stats = try? HAProxyStats.fetch(url, timeout: 0.5, access: sources.haproxyHTTP) else { return }
        let now = clock.now()
        state.withLock { s in
            for server in stats.servers {
                let key = "\(server.backend)/\(server.server)"
                let up = server.isUp
                if s.backends[key] != up {
                    if s.backends[key] != nil || up {
                        s.events.append(ClusterEvent(at: now, kind: up ? .backendUp : .backendDown, node: server.server, detail: server.backend))
                    }
                    s.backends[key] = up
                }
            }
        }
    }

    private func pollSQL(node: String, probe: @Sendable () -> NodeSQL?) {
        let seen = probe()
        let now = clock.now()
        state.withLock { s in
            if let started = seen?.startedAt { s.identities[ServerIdentity.started(String(started))] = node }
            let before = s.sql[node] ?? nil
            let known = s.sql[node] != nil
            s.sql[node] = .some(seen)
            guard known else {
                // First observation: record the node's starting point so intervals have a beginning.
                if let seen, seen.writable {
                    s.events.append(ClusterEvent(at: now, kind: .nodeWritable, node: node, timeline: seen.timeline, detail: "initial"))
                }
                if let t = seen?.timeline { s.timelines[node] = t }
                return
            }
            if before?.writable != seen?.writable {
                if seen == nil {
                    s.events.append(ClusterEvent(at: now, kind: .nodeUnreachable, node: node))
                } else if seen!.writable {
                    s.events.append(ClusterEvent(at: now, kind: .nodeWritable, node: node, timeline: seen!.timeline))
                } else {
                    s.events.append(ClusterEvent(at: now, kind: .nodeReadOnly, node: node, timeline: seen!.timeline))
                }
            }
            if let t = seen?.timeline, s.timelines[node] != t {
                if s.timelines[node] != nil {
                    s.events.append(ClusterEvent(at: now, kind: .timelineChanged, node: node, timeline: t))
                }
                s.timelines[node] = t
            }
        }
    }
}
