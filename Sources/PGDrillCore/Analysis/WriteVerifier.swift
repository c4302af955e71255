/// Checks every attempt of the write endpoints against the read-back, streaming: it keeps only
/// what the figures need (the lost keys, phantoms and counters), never the set of acked keys.
///
/// Pass 1 classifies each attempt per node; pass 2 finds the last surviving ack before the first
/// lost one, for the RPO (see `RecoveryPoint`).
struct WriteVerifier {
    private struct NodeState {
        let node: String
        let keys: WriteKeySet
        var timeline: Int?
        var notVerified: String?
        var matched = 0
        var lost: [NodeVerification.LostWrite] = []
        var phantoms: [WriteKey] = []
        var indeterminateCommitted = 0
        var indeterminateNotCommitted = 0

        func verification() -> NodeVerification {
            NodeVerification(
                node: node, rowsPresent: keys.count, lost: lost.sorted(), phantoms: phantoms.sorted(),
                indeterminateCommitted: indeterminateCommitted, indeterminateNotCommitted: indeterminateNotCommitted,
                unmatchedRows: keys.count - matched, timeline: timeline, notVerified: notVerified
            )
        }
    }

    /// The new primary first, then the other nodes by name.
    private var nodes: [NodeState]
    private var acknowledged = 0
    private var lostPerEndpoint: [String: Int] = [:]
    private var firstLost: NodeVerification.LostWrite?
    private var lastLostAck: Int64?
    private var firstLostStart: Int64?
    private var lastSurvivingAck: Int64?
    /// The primary's lost writes by (server, timeline), in order first seen.
    private var sources: [LostWriteSource] = []

    init(readBack: ReadBack) {
        let others = readBack.nodes.keys.filter { $0 != readBack.primary }.sorted()
        nodes = ([readBack.primary] + others).map {
            NodeState(node: $0, keys: readBack.nodes[$0] ?? WriteKeySet(), timeline: readBack.timelines[$0], notVerified: readBack.unverified[$0])
        }
    }

    mutating func firstPass(_ a: ProbeAttempt) {
        let key = a.key
        if a.outcome == .ok { acknowledged += 1 }
        for i in nodes.indices {
            let present = nodes[i].keys.contains(key)
            if present { nodes[i].matched += 1 }
            switch a.outcome {
            case .ok where !present:
                let lost = NodeVerification.LostWrite(key: key, ackedAt: a.end)
                nodes[i].lost.append(lost)
                if i == 0 {
                    lostPerEndpoint[a.endpoint, default: 0] += 1
                    if firstLost.map({ lost < $0 }) ?? true {
                        firstLost = lost
                        firstLostStart = a.start
                    }
                    lastLostAck = max(lastLostAck ?? a.end, a.end)
                    countSource(a)
                }
            case .fail where present:
                nodes[i].phantoms.append(key)
            case .indeterminate:
                if present { nodes[i].indeterminateCommitted += 1 } else { nodes[i].indeterminateNotCommitted += 1 }
            default:
                break
            }
        }
    }

    mutating func secondPass(_ a: ProbeAttempt) {
        guard let firstLost, a.outcome == .ok, a.end < firstLost.ackedAt else { return }
        guard lastSurvivingAck.map({ a.end > $0 }) ?? true, nodes[0].keys.contains(a.key) else { return }
        lastSurvivingAck = a.end
    }

    private mutating func countSource(_ a: ProbeAttempt) {
        if let i = sources.lastIndex(where: { $0.server == a.server && $0.timeline == a.timeline }) {
            sources[i].count += 1
            sources[i].firstAck = min(sources[i].firstAck, a.end)
            sources[i].lastAck = max(sources[i].lastAck, a.end)
        } else {
            sources.append(LostWriteSource(server: a.server, node: nil, timeline: a.timeline, count: 1, firstAck: a.end, lastAck: a.end))
        }
    }

    /// Lost writes of `endpoint` on the new primary.
    func lostWrites(endpoint: String) -> Int { lostPerEndpoint[endpoint] ?? 0 }

    func verification(serverNodes: [String: String] = [:]) -> WriteVerification {
        WriteVerification(
            primary: nodes[0].verification(), replicas: nodes.dropFirst().map { $0.verification() },
            acknowledged: acknowledged,
            lostBySource: sources.isEmpty ? nil : sources.sorted { $0.firstAck < $1.firstAck }.map { s in
                var s = s
                s.node = s.server.flatMap { serverNodes[$0] }
                return s
            }
        )
    }

    func recoveryPoint() -> RecoveryPoint {
        guard let firstLost, let lastLostAck else {
            return RecoveryPoint(rpo: 0, lostWrites: 0, lastSurvivingAck: nil, firstLostAck: nil, lastLostAck: nil)
        }
        let from = lastSurvivingAck ?? firstLostStart ?? firstLost.ackedAt
        return RecoveryPoint(
            rpo: lastLostAck - from, lostWrites: nodes[0].lost.count, lastSurvivingAck: lastSurvivingAck,
            firstLostAck: firstLost.ackedAt, lastLostAck: lastLostAck
        )
    }
}
