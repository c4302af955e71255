import Foundation
import Testing
@testable import PGDrillCore

@Suite struct LatencyHistogramTests {
    /// Percentiles of a skewed, wide sample stay within 1 % of the exact nearest-rank values.
    @Test func percentilesWithinOnePercent() {
        var rng = SplitMix64(seed: 42)
        var samples: [Int64] = []
        var h = LatencyHistogram()
        for _ in 0..<200_000 {
            // Log-uniform from 50 µs to ~5 s: every bucket scale is exercised.
            let v = Int64(50.0 * exp2(Double(rng.next() % 1_000_000) / 1_000_000 * 16.6))
            samples.append(v)
            h.record(v)
        }
        samples.sort()
        for q in [0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0] {
            let rank = max(1, Int((q * Double(samples.count)).rounded(.up)))
            let exact = samples[rank - 1]
            let got = h.value(atQuantile: q)!
            let error = abs(Double(got - exact)) / Double(exact)
            #expect(error <= 0.01, "q=\(q): exact \(exact), histogram \(got)")
        }
        #expect(h.min == samples.first)
        #expect(h.max == samples.last)
        #expect(h.count == 200_000)
    }

    @Test func smallValuesAreExact() {
        var h = LatencyHistogram()
        for v in [3, 1, 2, 255] as [Int64] { h.record(v) }
        #expect(h.value(atQuantile: 0.5) == 2)
        #expect(h.value(atQuantile: 0.75) == 3)
        #expect(h.value(atQuantile: 1) == 255)
    }

    @Test func bucketsCoverTheRangeWithoutGaps() {
        var previousHigh: Int64 = -1
        var index = 0
        while true {
            let (low, high) = LatencyHistogram.bucketBounds(index)
            #expect(low == previousHigh + 1)
            #expect(LatencyHistogram.bucketIndex(low) == index)
            #expect(LatencyHistogram.bucketIndex(high) == index)
            previousHigh = high
            if high >= LatencyHistogram.highestTrackable { break }
            index += 1
        }
    }

    @Test func emptyHasNoPercentiles() {
        #expect(LatencyHistogram().value(atQuantile: 0.5) == nil)
        #expect(LatencySummary(LatencyHistogram()) == nil)
    }
}

/// Deterministic pseudo-random numbers, so a failing test fails the same way every time.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
