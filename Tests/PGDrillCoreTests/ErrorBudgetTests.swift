import Foundation
import Testing
@testable import PGDrillCore
import PGDrillModel

private let s = Fixture.s

/// The error budget of `expect.availability`: exact µs figures, the PASS boundary, and how it reads.
@Suite struct ErrorBudgetTests {
    static let thirtyDays: Int64 = 30 * 86_400 * s

    /// The brief's node-down figures: 4 writers, 24.9 s observed, 81.8 % of writer-time failing (20.3682 s
    /// of total outage), RTO 19.9 s.
    static func nodeDown(rto: Int64? = 19_900_000) -> EndpointMetrics {
        let errorRate = ErrorRate(attempts: 90_000, failed: 80, indeterminate: 4, windowStart: 0, windowEnd: 19_900_000,
                                  observed: 24_900_000, requestTime: 4 * 24_900_000, failingTime: 81_472_800)
        return EndpointMetrics(endpoint: "write", attempts: 90_000,
                               recovery: Recovery(status: rto == nil ? .notRecovered : .recovered, rto: rto, stableFrom: rto),
                               outages: [], errorRate: errorRate, periods: [], lostWrites: nil)
    }

    @Test(arguments: [
        (99_900, 2_592_000_000, "43 min 12.0 s"), (99_950, 1_296_000_000, "21 min 36.0 s"),
        (99_990, 259_200_000, "4 min 19.2 s"), (99_999, 25_920_000, "25.9 s"),
    ] as [(Int64, Int64, String)])
    func budgetsOverThirtyDaysAreExact(sloThousandths: Int64, budget: Int64, shown: String) {
        #expect(ErrorBudget.budget(sloThousandths: sloThousandths, period: Self.thirtyDays) == budget)
        #expect(ReportFormat.span(budget) == shown)
    }

    @Test func budgetRoundsDownAndSpansAYear() {
        // 99.999 % of 1 h 0 min 0.000007 s: 36,000.00007 µs allowed, never more than the objective gives.
        #expect(ErrorBudget.budget(sloThousandths: 99_999, period: 3_600_000_007) == 36_000)
        // 99.9 % over 366 d: 8 h 47 min 2.4 s.
        #expect(ErrorBudget.budget(sloThousandths: 99_900, period: 366 * 86_400 * s) == 31_622_400_000)
        #expect(ReportFormat.span(31_622_400_000) == "8 h 47 min 2.4 s")
        #expect(ReportFormat.span(Self.thirtyDays) == "30 d")
        #expect(ReportFormat.span(3_600 * s + 5 * s) == "1 h 5.0 s")
    }

    @Test func nineteenPointNineSecondsIsSevenPointSevenPercentOfFourNines() {
        let budget = ErrorBudget(sloThousandths: 99_990, period: Self.thirtyDays, failuresPerPeriod: 1,
                                 downtime: 19_900_000, rtoOutage: 19_900_000)
        #expect(budget.budget == 259_200_000)
        #expect(budget.sharePerFailure == 19_900_000.0 / 259_200_000.0)
        #expect(abs(budget.sharePerFailure! - 0.0767747) < 1e-7)
        #expect(ReportFormat.percent(budget.sharePerFailure!) == "7.7%")
        #expect(budget.passed)
        // Five nines: 25.92 s of budget, 76.8 % of it per failure.
        let fiveNines = ErrorBudget(sloThousandths: 99_999, period: Self.thirtyDays, failuresPerPeriod: 1,
                                    downtime: 19_900_000, rtoOutage: 19_900_000)
        #expect(fiveNines.budget == 25_920_000)
        #expect(ReportFormat.percent(fiveNines.sharePerFailure!) == "76.8%")
        #expect(fiveNines.passed)
    }

    @Test(arguments: [
        (1, 259_200_000, true), (1, 259_200_001, false), (2, 129_600_000, true), (2, 129_600_001, false),
        (13, 19_900_000, true), (14, 19_900_000, false),
    ] as [(Int, Int64, Bool)])
    func passesWhenEveryFailureOfThePeriodFitsTheBudget(failures: Int, downtime: Int64, passed: Bool) {
        let budget = ErrorBudget(sloThousandths: 99_990, period: Self.thirtyDays, failuresPerPeriod: failures,
                                 downtime: downtime, rtoOutage: nil)
        #expect(budget.passed == passed)
        #expect(budget.shareConsumed == Double(downtime) * Double(failures) / 259_200_000)
    }

    @Test func applicationDowntimeIsTheErrorRateTimesTheSpanObserved() throws {
        // 81.8 % × 24.9 s = 20.3682 s, exactly, from the recorded integers.
        #expect(ErrorBudget.applicationDowntime(Self.nodeDown().errorRate) == 20_368_200)
        // A third of 10 µs is 3.33 µs: rounded up, never down.
        #expect(ErrorBudget.applicationDowntime(ErrorRate(attempts: 3, failed: 1, indeterminate: 0, windowStart: 0, windowEnd: 1,
                                                          observed: 10, requestTime: 3, failingTime: 1)) == 4)
        // One failing µs in 100 s of writer-time over 25 s: 0.25 µs is still an outage, not 0.
        #expect(ErrorBudget.applicationDowntime(ErrorRate(attempts: 10, failed: 1, indeterminate: 0, windowStart: 0, windowEnd: 1,
                                                          observed: 25 * s, requestTime: 100 * s, failingTime: 1)) == 1)
        // Nothing failed: no downtime.
        #expect(ErrorBudget.applicationDowntime(ErrorRate(attempts: 10, failed: 0, indeterminate: 0, windowStart: nil, windowEnd: nil,
                                                          observed: 25 * s, requestTime: 100 * s, failingTime: 0)) == 0)
        // A report from before the application view: requests failed, but no writer-time was recorded.
        #expect(ErrorBudget.applicationDowntime(ErrorRate(attempts: 10, failed: 3, indeterminate: 0, windowStart: 0, windowEnd: 5)) == nil)
        // 256 writers failing for a whole 24 h observation: the product overflows 64 bits, the figure does not.
        let day = 86_400 * s
        #expect(ErrorBudget.applicationDowntime(ErrorRate(attempts: 1, failed: 1, indeterminate: 0, windowStart: 0, windowEnd: day,
                                                          observed: day, requestTime: 256 * day, failingTime: 256 * day)) == day)
    }

    @Test func fromTheMainEndpointTheApplicationViewIsJudged() throws {
        let target = AvailabilityTarget(slo: try Percentage(parsing: "99.99%"))
        let budget = ErrorBudget(target: target, main: Self.nodeDown())
        #expect(budget.slo == 99.99)
        #expect(budget.period == Self.thirtyDays)
        #expect(budget.downtime == 20_368_200)
        #expect(budget.rtoOutage == 19_900_000)
        #expect(ReportFormat.percent(budget.sharePerFailure!) == "7.9%")
        #expect(ReportFormat.percent(budget.rtoSharePerFailure!) == "7.7%")
        #expect(budget.passed)

        let row = budget.expectation(target: target.summary)
        #expect(row == ExpectationResult(metric: "availability", target: "99.99% over 30d, 1 failure per period",
                                         measured: "20.4 s app-view downtime = 7.9% of the 4 min 19.2 s budget", passed: true,
                                         detail: "RTO 19.9 s = 7.7%"))
        #expect(budget.sentence(errorRate: Self.nodeDown().errorRate)
                == "99.99% over 30 d = 4 min 19.2 s budget; this drill's app-view downtime 81.8% × 24.9 s = 20.4 s = 7.9% of it per failure "
                + "(RTO 19.9 s = 7.7%); 1 failure per period → 7.9% (PASS)")
    }

    @Test func twoFailuresOfFiveNinesMissIt() throws {
        let target = AvailabilityTarget(slo: try Percentage(parsing: "99.999%"), failuresPerPeriod: 2)
        let budget = ErrorBudget(target: target, main: Self.nodeDown(rto: nil))
        #expect(!budget.passed)
        let row = budget.expectation(target: target.summary)
        #expect(row.target == "99.999% over 30d, 2 failures per period")
        #expect(row.measured == "20.4 s app-view downtime = 78.6% of the 25.9 s budget × 2 = 157.2%")
        #expect(row.detail == "RTO: not recovered within observation")
        #expect(!row.passed)
        #expect(budget.sentence(errorRate: nil)
                == "99.999% over 30 d = 25.9 s budget; this drill's app-view downtime 20.4 s = 78.6% of it per failure "
                + "(RTO: not recovered within observation); 2 failures per period → 157.2% (FAIL)")
    }

    @Test func withoutAnApplicationViewItCannotPass() {
        let budget = ErrorBudget(sloThousandths: 99_990, period: Self.thirtyDays, failuresPerPeriod: 1, downtime: nil, rtoOutage: 0)
        #expect(!budget.passed)
        let row = budget.expectation(target: "99.99% over 30d, 1 failure per period")
        #expect(!row.passed)
        #expect(row.measured == "app-view downtime not measured (the report has no application view)")
        #expect(row.detail == "RTO 0 s = 0%")
    }

    /// The budget travels in report.json, report.md and (as a missed expectation) junit.xml. The sample
    /// drill's application view: 10 s of its one writer's 20 s failing over the 20 s observed, so 10 s of
    /// downtime; three of them miss five nines' 25.92 s.
    @Test func reportsCarryTheBudget() throws {
        let target = AvailabilityTarget(slo: try Percentage(parsing: "99.999%"), failuresPerPeriod: 3)
        var run = ReportRendererTests.sampleReport()
        let main = try #require(run.drills[0].metrics?.main)
        #expect(main.errorRate.failingTime == 10 * s && main.errorRate.requestTime == 20 * s && main.errorRate.observed == 20 * s)
        let budget = ErrorBudget(target: target, main: main)
        #expect(budget.downtime == 10 * s)
        #expect(!budget.passed)
        run.drills[0].availability = budget
        run.drills[0].expectations.append(budget.expectation(target: target.summary))

        let json = try JSONReport().render(run)
        #expect(json.contains("\"budget\" : 25920000"))
        #expect(json.contains("\"downtime\" : 10000000"))
        #expect(json.contains("\"failures_per_period\" : 3"))
        #expect(try JSONReport.decode(Data(json.utf8)).drills[0].availability == budget)

        let md = MarkdownReport().render(run)
        #expect(md.contains("### Availability budget\n\n99.999% over 30 d = 25.9 s budget; this drill's app-view downtime 50.0% × 20.0 s = 10.0 s "
                            + "= 38.6% of it per failure (RTO 10.0 s = 38.6%); 3 failures per period → 115.7% (FAIL)\n"))
        #expect(md.contains("| availability | 99.999% over 30d, 3 failures per period | 10.0 s app-view downtime = 38.6% of the 25.9 s budget "
                            + "× 3 = 115.7% (RTO 10.0 s = 38.6%) | **FAIL** |"))
        #expect(!MarkdownReport().render(ReportRendererTests.sampleReport()).contains("Availability budget"))

        let xml = JUnitReport().render(run)
        #expect(xml.contains("<failure message=\"availability: measured 10.0 s app-view downtime = 38.6% of the 25.9 s budget × 3 = 115.7%, "
                             + "target 99.999% over 30d, 3 failures per period (RTO 10.0 s = 38.6%)\" type=\"expectation\">"))
    }
}
