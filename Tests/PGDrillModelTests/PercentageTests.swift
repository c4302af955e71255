import Testing
@testable import PGDrillModel

@Suite struct PercentageTests {
    @Test(arguments: [
        ("5%", 5.0, "5%"), ("0.5%", 0.5, "0.5%"), ("100%", 100.0, "100%"), ("0", 0.0, "0%"), ("0%", 0.0, "0%"),
        ("12.345%", 12.345, "12.345%"), ("30 %", 30.0, "30%"),
    ])
    func parsesAndPrints(text: String, percent: Double, printed: String) throws {
        let value = try Percentage(parsing: text)
        #expect(value.percent == percent)
        #expect(value.description == printed)
        #expect(try Percentage(parsing: value.description) == value)
    }

    @Test(arguments: [
        ("5", "needs a percent sign"), ("101%", "at most 100%"), ("-1%", "must not be negative"), ("0.0001%", "more than three decimals"),
        ("five%", "must be a percentage"), ("5‰", "must be a percentage"),
    ])
    func refuses(text: String, reason: String) {
        #expect {
            _ = try Percentage(parsing: text)
        } throws: { error in
            (error as? ValueParseError)?.reason.contains(reason) == true
        }
    }

    @Test func measuredRatesKeepPrecisionButPrintRounded() {
        let rate = Percentage(fraction: 0.049996)
        #expect(rate < Percentage(percent: 5))
        #expect(rate.description == "5%")
        #expect(Percentage(fraction: 2).percent == 100)
    }
}
