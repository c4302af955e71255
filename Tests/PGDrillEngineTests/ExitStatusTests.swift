import Foundation
import Testing

/// Every way `pgdrill` ends maps to its documented statuses 0–4, so a CI job can act on the status alone:
/// the argument parser's usage errors (its own 64) are 2 like any bad input, help and version 0, a bad file 2.
@Suite struct ExitStatusTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var arguments: [String]
        var expected: Int32
        var testDescription: String { "pgdrill \(arguments.joined(separator: " ")) → \(expected)" }
    }

    static let cases: [Case] = [
        Case(arguments: ["--help"], expected: 0),
        Case(arguments: ["--version"], expected: 0),
        Case(arguments: ["run", "--help"], expected: 0),
        Case(arguments: ["--no-such-flag"], expected: 2),
        Case(arguments: ["no-such-command"], expected: 2),
        Case(arguments: ["run"], expected: 2),                                 // missing drill and --cluster
        Case(arguments: ["run", "drills", "--cluster"], expected: 2),          // option without its value
        Case(arguments: ["history", "--margin", "many"], expected: 2),         // not a number
        Case(arguments: ["history", "--period", "400d"], expected: 2),         // over a leap year
        Case(arguments: ["history", "--period", "30"], expected: 2),           // no unit
        Case(arguments: ["validate", "/nonexistent/drill.yaml"], expected: 2), // a file that is not there
        Case(arguments: ["check", "--cluster", "/nonexistent/cluster.yaml"], expected: 2),
    ]

    @Test(arguments: cases)
    func statusIsOneOfTheDocumentedFive(_ c: Case) throws {
        let (arguments, expected) = (c.arguments, c.expected)
        let binary = try #require(CLITool.pgdrill, "pgdrill is not built (swift build --build-tests)")
        let r = try CLITool.run(binary, arguments, environment: ["PGDRILL_STATE_DIR": NSTemporaryDirectory() + "pgdrill-exit-\(getpid())"])
        #expect(r.status == expected, "pgdrill \(arguments.joined(separator: " ")) exited \(r.status): \(r.output.prefix(600))")
        if expected == 2 { #expect(!r.output.isEmpty, "a usage error must say what is wrong") }
    }

    /// `history --period` says what is wrong with the span, and a good one is used.
    @Test func historyPeriodIsCheckedAndUsed() throws {
        let binary = try #require(CLITool.pgdrill, "pgdrill is not built (swift build --build-tests)")
        let dir = NSTemporaryDirectory() + "pgdrill-history-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let environment = ["PGDRILL_STATE_DIR": NSTemporaryDirectory() + "pgdrill-exit-\(getpid())"]
        let tooLong = try CLITool.run(binary, ["history", dir, "--period", "400d"], environment: environment)
        #expect(tooLong.status == 2)
        #expect(tooLong.output.contains("error: --period: is over the 366d limit, got '400d'"), "\(tooLong.output)")
        let tooShort = try CLITool.run(binary, ["history", dir, "--period", "30m"], environment: environment)
        #expect(tooShort.status == 2)
        #expect(tooShort.output.contains("error: --period: must be at least 1h, got 30m"), "\(tooShort.output)")
        let week = try CLITool.run(binary, ["history", dir, "--period", "7d"], environment: environment)
        #expect(week.status == 0, "\(week.output)")
        #expect(week.output.contains("No reports found."))
    }
}
