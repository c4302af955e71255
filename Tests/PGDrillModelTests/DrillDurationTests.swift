import Testing
@testable import PGDrillModel

@Suite struct DrillDurationTests {
    @Test(arguments: [
        ("500ms", 500_000, "500ms"), ("10s", 10_000_000, "10s"), ("1.5s", 1_500_000, "1.5s"),
        ("5m", 300_000_000, "5m"), ("1h", 3_600_000_000, "1h"), ("0", 0, "0s"), ("0s", 0, "0s"),
        ("250us", 250, "250us"), ("250µs", 250, "250us"), ("1500ms", 1_500_000, "1.5s"), ("90s", 90_000_000, "90s"),
        ("120s", 120_000_000, "2m"), ("0.1s", 100_000, "100ms"), ("2min", 120_000_000, "2m"), ("24h", 86_400_000_000, "24h"),
        (" 10 s ", 10_000_000, "10s"), ("1.000001s", 1_000_001, "1.000001s"), (".5s", 500_000, "500ms"),
    ] as [(String, Int64, String)])
    func parsesAndPrints(text: String, microseconds: Int64, printed: String) throws {
        let duration = try DrillDuration(parsing: text)
        #expect(duration.microseconds == microseconds)
        #expect(duration.description == printed)
        #expect(try DrillDuration(parsing: duration.description) == duration)
    }

    @Test(arguments: [
        ("-5s", "must not be negative"), ("25h", "over the 24h limit"), ("24.000001h", "over the 24h limit"),
        ("10", "needs a unit"), ("ten", "must be a duration"), ("10sec", "unknown unit 'sec'"), ("", "must be a duration"),
        ("0.0000001s", "finer than a microsecond"), ("1.2.3s", "must be a duration"), ("99999999999999999999h", "over the 24h limit"),
        ("s", "must be a duration"), ("1.5", "needs a unit"),
    ])
    func refuses(text: String, reason: String) {
        #expect {
            _ = try DrillDuration(parsing: text)
        } throws: { error in
            (error as? ValueParseError)?.reason.contains(reason) == true
        }
    }

    /// Days exist for calendar spans (an availability period): read only up to a caller's larger limit,
    /// printed in days only beyond 24 hours.
    @Test(arguments: [
        ("30d", 2_592_000_000_000, "30d"), ("1d", 86_400_000_000, "24h"), ("2d", 172_800_000_000, "2d"),
        ("366d", 31_622_400_000_000, "366d"), ("1.5d", 129_600_000_000, "36h"), ("48h", 172_800_000_000, "2d"),
        ("0.5d", 43_200_000_000, "12h"),
    ] as [(String, Int64, String)])
    func readsDaysUpToTheLongestSpan(text: String, microseconds: Int64, printed: String) throws {
        let duration = try DrillDuration(parsing: text, upTo: .longest)
        #expect(duration.microseconds == microseconds)
        #expect(duration.description == printed)
        #expect(try DrillDuration(parsing: duration.description, upTo: .longest) == duration)
    }

    @Test func daysStayOverThePhaseLimitUnlessAsked() throws {
        #expect(try DrillDuration(parsing: "1d") == DrillDuration.maximum)
        #expect(DrillDuration.days(30) == (try DrillDuration(parsing: "30d", upTo: .longest)))
        #expect(DrillDuration.days(400) == DrillDuration.longest)
        for (text, limit, reason) in [("2d", DrillDuration.maximum, "over the 24h limit, got '2d'"),
                                      ("367d", .longest, "over the 366d limit, got '367d'"),
                                      ("30d", .days(7), "over the 7d limit, got '30d'"),
                                      ("30x", .longest, "units are us, ms, s, m (minutes), h and d (days)")] {
            #expect {
                _ = try DrillDuration(parsing: text, upTo: limit)
            } throws: { error in
                guard let error = error as? ValueParseError else { return false }
                return (error.reason + " " + (error.hint ?? "")).contains(reason)
            }
        }
    }

    @Test func ordersAndConverts() throws {
        #expect(try DrillDuration(parsing: "999ms") < DrillDuration(parsing: "1s"))
        #expect(DrillDuration.seconds(2).seconds == 2.0)
        #expect(DrillDuration.milliseconds(1500).duration == .milliseconds(1500))
        #expect(DrillDuration(microseconds: -1) == nil)
        #expect(DrillDuration(microseconds: DrillDuration.maximum.microseconds + 1) == nil)
    }
}
