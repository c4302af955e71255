/// The probe row keys one node holds, stored for the verification's lookups: per (endpoint, writer), the
/// sequence numbers sorted in one array of `Int64`.
///
/// A 10-minute drill checks ~3.3 M acknowledged writes against a read-back of as many keys. In a
/// `Set<WriteKey>` each lookup hashes a String and two integers and lands on a random cache line (a
/// quarter of the report's time, and 32 bytes a key plus the table's slack). Here a key costs 8 bytes,
/// and a writer's sequence numbers are dense (1, 2, 3, … with gaps only where rows are missing), so a
/// lookup first tries the slot `seq - first`, then a binary search bounded by it; probe attempts arrive
/// in sequence order per writer, so what it touches is already in cache.
public struct WriteKeySet: Sendable, Equatable {
    /// One writer's keys.
    private struct Group: Sendable, Equatable {
        var endpoint: String
        var writer: Int
        /// Sorted, distinct.
        var seqs: [Int64]
    }

    /// Sorted by (endpoint, writer); no empty group.
    private var groups: [Group] = []
    /// Number of keys.
    public private(set) var count = 0

    /// The empty set.
    public init() {}

    /// The keys of `keys`, in any order; duplicates count once.
    public init<Keys: Sequence>(_ keys: Keys) where Keys.Element == WriteKey {
        var builder = Builder()
        for key in keys { builder.add(key) }
        self = builder.build()
    }

    public var isEmpty: Bool { count == 0 }

    /// Whether the node holds the row `(endpoint, writer, seq)`.
    public func contains(_ key: WriteKey) -> Bool {
        guard let g = groupIndex(endpoint: key.endpoint, writer: key.writer) else { return false }
        return groups[g].seqs.withUnsafeBufferPointer { Self.contains(key.seq, in: $0) }
    }

    /// Every key, sorted by (endpoint, writer, seq).
    public var sorted: [WriteKey] {
        groups.flatMap { g in g.seqs.map { WriteKey(endpoint: g.endpoint, writer: g.writer, seq: $0) } }
    }

    /// Index of the group of (endpoint, writer): few groups (endpoints × writers), compared in place.
    private func groupIndex(endpoint: String, writer: Int) -> Int? {
        var low = 0
        var high = groups.count
        while low < high {
            let mid = (low + high) / 2
            let g = groups[mid]
            if g.endpoint == endpoint {
                if g.writer == writer { return mid }
                if g.writer < writer { low = mid + 1 } else { high = mid }
            } else if g.endpoint < endpoint {
                low = mid + 1
            } else {
                high = mid
            }
        }
        return nil
    }

    /// `seq` in sorted, distinct `seqs`: element i is at least `seqs[0] + i`, so `seq` can only be at
    /// index `seq - seqs[0]` or before it; with no gap before it, it is exactly there.
    private static func contains(_ seq: Int64, in seqs: UnsafeBufferPointer<Int64>) -> Bool {
        guard let first = seqs.first, seq >= first, seq <= seqs[seqs.count - 1] else { return false }
        let (offset, overflow) = seq.subtractingReportingOverflow(first)
        var high = overflow || offset >= Int64(seqs.count) ? seqs.count : Int(offset) + 1
        if high <= seqs.count, seqs[high - 1] == seq { return true }
        var low = 0
        while low < high {
            let mid = (low + high) / 2
            if seqs[mid] < seq { low = mid + 1 } else { high = mid }
        }
        return low < seqs.count && seqs[low] == seq
    }

    /// Collects keys in any order; fastest when they come sorted, as the read-back's `ORDER BY` gives them.
    public struct Builder {
        /// Few groups (endpoints × writers), found by comparing (the last one found first), not hashing.
        private var groups: [Group] = []
        private var last = 0

        public init() {}

        public mutating func add(_ key: WriteKey) {
            if last >= groups.count || groups[last].writer != key.writer || groups[last].endpoint != key.endpoint {
                if let i = groups.firstIndex(where: { $0.writer == key.writer && $0.endpoint == key.endpoint }) {
                    last = i
                } else {
                    groups.append(Group(endpoint: key.endpoint, writer: key.writer, seqs: []))
                    last = groups.count - 1
                }
            }
            groups[last].seqs.append(key.seq)
        }

        public consuming func build() -> WriteKeySet {
            var set = WriteKeySet()
            groups.sort { ($0.endpoint, $0.writer) < ($1.endpoint, $1.writer) }
            for i in groups.indices {
                if !Self.isStrictlyIncreasing(groups[i].seqs) {
                    groups[i].seqs.sort()
                    groups[i].seqs = Self.distinct(groups[i].seqs)
                }
                set.count += groups[i].seqs.count
            }
            set.groups = groups
            return set
        }

        private static func isStrictlyIncreasing(_ seqs: [Int64]) -> Bool {
            seqs.indices.dropFirst().allSatisfy { seqs[$0 - 1] < seqs[$0] }
        }

        private static func distinct(_ sorted: [Int64]) -> [Int64] {
            var out: [Int64] = []
            out.reserveCapacity(sorted.count)
            for s in sorted where out.last != s { out.append(s) }
            return out
        }
    }
}
