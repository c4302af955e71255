import Foundation
import Testing
@testable import PGDrillModel

/// A short, deterministic mutation run over the shipped drills and the corpus, so every `swift test`
/// fuzzes the loaders a little (`make fuzz` runs libFuzzer for as long as asked). Any crash or trap ends
/// the test process; every load must also finish in under 2 s.
@Suite struct LoaderFuzzSmokeTests {
    /// SplitMix64: the same `seed` gives the same inputs on every machine.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func seeds() -> [[UInt8]] {
        var files: [String] = []
        for directory in ["drills", "Tests/PGDrillModelTests/Corpus/drills", "Tests/PGDrillModelTests/Corpus/clusters",
                          "Tests/PGDrillModelTests/Fixtures/cluster", "Tests/PGDrillModelTests/Fixtures/drills"] {
            let path = package.appendingPathComponent(directory).path
            files += ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { path + "/" + $0 }
        }
        return files.compactMap { FileManager.default.contents(atPath: $0).map(Array.init) }.filter { $0.count < 64 << 10 }
    }

    /// YAML fragments spliced in: structure, hostile values, and values at the edges of every range.
    static let tokens: [[UInt8]] = [
        ": ", "- ", "{", "}", "[", "]", ",", "\n", "\n  ", "\t", "\"", "'", "&a ", "*a", "? ", "---\n", "|\n", ">\n", "#", "!!str ",
        "~", "null", "0", "-1", "99999999999999999999", "1e400", "0x10", "5s", "-5s", "9999999h", "0ms", "1PB", "-1GB", "150%",
        "node:", "proxy:", "primary", "all_nodes", "$(reboot)", "`id`", "; rm -rf /", "\u{0}", "\u{FEFF}", "\u{202E}", "é",
    ].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ rng: inout Generator, others: [[UInt8]]) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<8, using: &rng) {
            case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &rng))
            case 1 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 2: bytes = Array(bytes.prefix(at))
            case 3: bytes.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
            case 4 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...16, using: &rng)))
            case 5:
                // Splice a line range of another file in.
                let other = others.randomElement(using: &rng)!
                let lines = other.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
                let start = Int.random(in: 0..<max(1, lines.count), using: &rng)
                let piece = lines.dropFirst(start).prefix(Int.random(in: 1...6, using: &rng)).joined(separator: [UInt8(ascii: "\n")])
                bytes.insert(contentsOf: Array(piece) + [UInt8(ascii: "\n")], at: at)
            case 6:
                // Nest a value deeper.
                let depth = Int.random(in: 1...80, using: &rng)
                bytes.insert(contentsOf: Array(repeating: UInt8(ascii: "["), count: depth) + Array(repeating: UInt8(ascii: "]"), count: depth), at: at)
            default:
                // Swap two lines (a key and a value moving around).
                var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
                if lines.count > 2 {
                    let i = Int.random(in: 0..<lines.count, using: &rng), j = Int.random(in: 0..<lines.count, using: &rng)
                    lines.swapAt(i, j)
                    bytes = Array(lines.joined(separator: [UInt8(ascii: "\n")]))
                }
            }
        }
        return bytes
    }

    @Test func mutatedFilesNeverCrashOrHang() {
        let seeds = Self.seeds()
        #expect(seeds.count >= 50)
        var rng = Generator(state: 8)
        let budget = ContinuousClock.now + .seconds(8)
        var executions = 0, loaded = 0
        while ContinuousClock.now < budget, executions < 20_000 {
            let input = Self.mutate(seeds.randomElement(using: &rng)!, &rng, others: seeds)
            let start = ContinuousClock.now
            if (try? DrillLoader.load(bytes: input, file: "fuzz.yaml")) != nil { loaded += 1 }
            if (try? ClusterLoader.load(bytes: input, file: "/nonexistent/fuzz.yaml")) != nil { loaded += 1 }
            let error = thrownError { () throws(DrillFileError) in _ = try DrillLoader.load(bytes: input, file: "fuzz.yaml") }
            #expect(error == nil || error!.description.hasPrefix("fuzz.yaml"))
            if ContinuousClock.now - start > .seconds(2) {
                // Time it again alone: the test runner shares two cores with parallel suites.
                let again = ContinuousClock.now
                _ = try? DrillLoader.load(bytes: input, file: "fuzz.yaml")
                _ = try? ClusterLoader.load(bytes: input, file: "/nonexistent/fuzz.yaml")
                if ContinuousClock.now - again > .seconds(2) {
                    Issue.record("load took over 2 s; input: \(String(decoding: input.prefix(300), as: UTF8.self))")
                }
            }
            executions += 1
        }
        #expect(executions >= 500)
        print("loader fuzz smoke: \(executions) executions, \(loaded) loaded")
    }
}
