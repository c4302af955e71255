import Testing
@testable import PGDrillCore

@Suite struct TimelineBinsTests {
    func attempt(_ end: Int64, _ outcome: ProbeAttempt.Outcome = .ok, endpoint: String = "write", latency: Int64 = 2_000) -> ProbeAttempt {
        ProbeAttempt(endpoint: endpoint, writer: 0, seq: 1, start: end - latency, end: end, outcome: outcome)
    }

    @Test func countsByEndTimeInHundredMillisecondBuckets() {
        var bins = TimelineBins()
        for a in [attempt(1_050_000), attempt(1_099_999, .fail), attempt(1_100_000, .indeterminate), attempt(1_350_000, endpoint: "read")] {
            bins.add(a)
        }
        #expect(bins.width == 100_000)
        #expect(bins.start(ofBucket: 0) == 1_000_000)
        #expect(bins.count == 4)
        #expect(bins.endpoints == ["write", "read"])
        let write = bins.series("write")!
        #expect(write.ok == [1, 0, 0, 0])
        #expect(write.failed == [1, 0, 0, 0])
        #expect(write.indeterminate == [0, 1, 0, 0])
        #expect(bins.series("read")!.ok == [0, 0, 0, 1])
    }

    @Test func anEarlierAttemptGrowsTheFront() {
        var bins = TimelineBins()
        bins.add(attempt(5_000_000))
        bins.add(attempt(4_750_000, .fail))
        #expect(bins.start(ofBucket: 0) == 4_700_000)
        #expect(bins.series("write")!.failed == [1, 0, 0, 0])
        #expect(bins.series("write")!.ok == [0, 0, 0, 1])
    }

    @Test func coarsensInsteadOfGrowingPastTheLimit() {
        var bins = TimelineBins(maxBuckets: 10)
        for k in 0..<100 { bins.add(attempt(Int64(k) * 100_000 + 1, k % 10 == 0 ? .fail : .ok)) }
        #expect(bins.count <= 10)
        #expect(bins.width == 1_600_000)
        let s = bins.series("write")!
        #expect(s.ok.reduce(0, +) == 90 && s.failed.reduce(0, +) == 10)
        // A far-off attempt never allocates more than the limit.
        bins.add(attempt(1_000_000_000_000))
        #expect(bins.count <= 10)
        #expect(bins.series("write")!.ok.reduce(0, +) == 91)
    }

    @Test func latencyQuantilesWithinTenPercent() {
        var bins = TimelineBins()
        for k in 1...100 { bins.add(attempt(50_000, latency: Int64(k) * 1_000)) }
        let s = bins.series("write")!
        let p50 = s.latency(0.5, bucket: 0)!, p99 = s.latency(0.99, bucket: 0)!
        #expect(abs(p50 - 50_000) / 50_000 < 0.11, "\(p50)")
        #expect(abs(p99 - 99_000) / 99_000 < 0.11, "\(p99)")
    }

    @Test(arguments: [(0.0, "0"), (2_500, "2.5k"), (8_000, "8k"), (0.5, "0.5"), (1_200_000, "1.2M")])
    func rateLabels(value: Double, label: String) {
        #expect(TimelineAxis.rate(value) == label)
    }

    @Test func niceAxes() {
        #expect(TimelineAxis.linear(maximum: 7_300).top == 8_000)
        #expect(TimelineAxis.linear(maximum: 7_300).ticks == [0, 2_000, 4_000, 6_000, 8_000])
        #expect(TimelineAxis.latency(100) == "0.1 ms" && TimelineAxis.latency(1_000_000) == "1 s")
        #expect(TimelineAxis.trimmed(-0.34) == "-0.3" && TimelineAxis.trimmed(12.96) == "13")
    }
}

@Suite struct LabelRowsTests {
    @Test func overlappingLabelsGoToNewRowsAndFreeRowsAreReused() {
        var rows = LabelRows(maxRows: 3)
        #expect(rows.place(from: 0, to: 100) == 0)
        #expect(rows.place(from: 50, to: 150) == 1)   // overlaps row 0
        #expect(rows.place(from: 105, to: 200) == 2)  // within the gap of row 0's label
        #expect(rows.place(from: 300, to: 400) == 0)  // clear of everything
        #expect(rows.place(from: 310, to: 320) == 1)
        #expect(rows.place(from: 311, to: 320) == 2)
        #expect(rows.place(from: 312, to: 320) == 1)  // out of rows: the first row ending earliest is reused
        #expect(rows.rowCount == 3)
    }
}
