import Testing
@testable import PGDrillModel

@Suite struct ThresholdTests {
    @Test(arguments: [
        ("< 60s", "< 60s"), ("<60s", "< 60s"), ("<= 1m", "<= 1m"), ("> 0s", "> 0s"), (">= 500ms", ">= 500ms"),
        ("== 0s", "0s"), ("0s", "0s"), ("0", "0"), ("  <  2.5s ", "< 2.5s"), ("< 1m", "< 1m"), ("<= 1500ms", "<= 1500ms"),
    ])
    func durationThresholdsPrintBackAsWritten(text: String, printed: String) throws {
        let threshold = try Threshold<DrillDuration>(parsing: text)
        #expect(threshold.description == printed)
        #expect(try Threshold<DrillDuration>(parsing: printed) == threshold)
    }

    @Test(arguments: [
        ("< 60s", "59.999999s", true), ("< 60s", "60s", false), ("<= 60s", "60s", true), ("> 1s", "1s", false),
        (">= 1s", "1s", true), ("0s", "0s", true), ("0s", "1us", false), ("== 5m", "300s", true),
    ])
    func durationSatisfaction(threshold: String, measured: String, satisfied: Bool) throws {
        let threshold = try Threshold<DrillDuration>(parsing: threshold)
        #expect(threshold.isSatisfied(by: try DrillDuration(parsing: measured)) == satisfied)
    }

    @Test func equalityIgnoresSpellingAndBuiltThresholdsPrintCanonically() throws {
        #expect(try Threshold<DrillDuration>(parsing: "< 60s") == Threshold<DrillDuration>(parsing: "< 1m"))
        #expect(Threshold(.less, DrillDuration.seconds(60)).description == "< 1m")
        var threshold = try Threshold<DrillDuration>(parsing: "< 60s")
        threshold.value = .seconds(30)
        #expect(threshold.description == "< 30s")
    }

    @Test func intAndPercentageThresholds() throws {
        let lost = try Threshold<Int>(parsing: "0")
        #expect(lost.comparison == .equal && lost.value == 0)
        #expect(lost.isSatisfied(by: 0) && !lost.isSatisfied(by: 1))
        #expect(try Threshold<Int>(parsing: "<= 10").isSatisfied(by: 10))
        let errors = try Threshold<Percentage>(parsing: "< 5%")
        #expect(errors.description == "< 5%")
        #expect(errors.isSatisfied(by: Percentage(fraction: 0.031)))
        #expect(!errors.isSatisfied(by: Percentage(fraction: 0.05)))
    }

    @Test(arguments: [
        ("=< 60s", "unknown comparison"), ("!= 0s", "unknown comparison"), ("< sixty", "must be a duration"),
        ("<", "must be a duration"), ("= 5s", "unknown comparison"),
    ])
    func refuses(text: String, reason: String) {
        #expect {
            _ = try Threshold<DrillDuration>(parsing: text)
        } throws: { error in
            (error as? ValueParseError)?.reason.contains(reason) == true
        }
    }
}
