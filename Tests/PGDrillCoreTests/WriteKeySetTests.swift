import Testing
@testable import PGDrillCore

/// `WriteKeySet` must answer exactly as the `Set<WriteKey>` it replaces: every lost write is decided by it.
@Suite struct WriteKeySetTests {
    /// Dense runs, gaps, a missing first key, duplicates, extreme and negative sequence numbers, several
    /// endpoints whose names sort in a different order than they were seen, sparse writer indices.
    static let cases: [(String, [WriteKey])] = {
        func keys(_ endpoint: String, _ writer: Int, _ seqs: [Int64]) -> [WriteKey] {
            seqs.map { WriteKey(endpoint: endpoint, writer: writer, seq: $0) }
        }
        return [
            ("empty", []),
            ("dense", keys("write", 0, Array(1...500))),
            ("gaps", keys("write", 0, Array(1...100) + Array(103...200) + [250, 251, 400])),
            ("first missing", keys("write", 1, Array(2...50))),
            ("duplicates, any order", keys("write", 2, [5, 3, 5, 1, 3, 9, 1]).reversed()),
            ("extremes", keys("write", 0, [Int64.min, -7, -1, 0, 1, Int64.max - 1, Int64.max])),
            ("endpoints and writers", keys("write", 3, Array(1...40)) + keys("pooled", 0, Array(1...40).filter { $0 % 3 != 0 })
                + keys("a-long-endpoint-name-over-sixteen-bytes", 17, [4, 8, 15, 16, 23, 42]) + keys("write", 0, [1, 2, 4])
                + keys("pooled", 1000, [7])),
        ]
    }()

    @Test(arguments: cases.indices)
    func answersLikeASet(index: Int) {
        let (name, keys) = Self.cases[index]
        let reference = Set(keys)
        let set = WriteKeySet(keys.shuffled())
        #expect(set.count == reference.count, "\(name)")
        #expect(set.isEmpty == reference.isEmpty)
        #expect(set.sorted == reference.sorted(), "\(name)")
        // Every key held, and every neighbour of one (seq ± 1, ± 2, another writer or endpoint), agree.
        var probes = Set<WriteKey>()
        for k in keys {
            for d: Int64 in [-2, -1, 0, 1, 2] {
                let (s, overflow) = k.seq.addingReportingOverflow(d)
                if !overflow { probes.insert(WriteKey(endpoint: k.endpoint, writer: k.writer, seq: s)) }
            }
            probes.insert(WriteKey(endpoint: k.endpoint, writer: k.writer + 1, seq: k.seq))
            probes.insert(WriteKey(endpoint: k.endpoint + "x", writer: k.writer, seq: k.seq))
            probes.insert(WriteKey(endpoint: "", writer: k.writer, seq: k.seq))
        }
        probes.insert(WriteKey(endpoint: "write", writer: 0, seq: 1))
        probes.insert(WriteKey(endpoint: "write", writer: -1, seq: 1))
        for p in probes {
            #expect(set.contains(p) == reference.contains(p), "\(name): \(p)")
        }
    }

    @Test func equalityIgnoresInsertionOrder() {
        let keys = (1...300).map { WriteKey(endpoint: $0 % 2 == 0 ? "write" : "pooled", writer: $0 % 5, seq: Int64($0 * 7 % 101)) }
        #expect(WriteKeySet(keys) == WriteKeySet(keys.reversed()))
        #expect(WriteKeySet(keys) != WriteKeySet(keys.dropLast()))
        #expect(ReadBack(["pg2": Set(keys)]) == ReadBack(primary: "pg2", nodes: ["pg2": WriteKeySet(keys)]))
    }
}
