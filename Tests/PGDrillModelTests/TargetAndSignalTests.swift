import Testing
@testable import PGDrillModel

@Suite struct TargetAndSignalTests {
    @Test(arguments: [
        ("primary", Target.primary), ("sync_standby", .syncStandby), ("async_standby", .asyncStandby), ("replica", .replica),
        ("node:pg1", .node("pg1")), ("proxy", .proxy(nil)), ("proxy:px", .proxy("px")), ("all_nodes", .allNodes),
    ])
    func targetsParseAndPrint(text: String, target: Target) throws {
        #expect(try Target(parsing: text) == target)
        #expect(target.description == text)
    }

    @Test(arguments: [("primry", "did you mean 'primary'?"), ("node:PG1", "invalid host 'PG1'"), ("node:", "invalid host ''"), ("leader", "must be a target")])
    func targetsRefused(text: String, reason: String) {
        #expect {
            _ = try Target(parsing: text)
        } throws: { error in
            (error as? ValueParseError)?.reason.contains(reason) == true
        }
    }

    @Test(arguments: [("KILL", 9, "KILL"), ("SIGTERM", 15, "TERM"), ("int", 2, "INT"), ("9", 9, "KILL"), ("34", 34, "34"), ("STOP", 19, "STOP"), ("CONT", 18, "CONT"), ("HUP", 1, "HUP"), ("QUIT", 3, "QUIT")] as [(String, Int32, String)])
    func signals(text: String, number: Int32, printed: String) throws {
        let signal = try Signal(parsing: text)
        #expect(signal.number == number)
        #expect(signal.description == printed)
    }

    @Test(arguments: [("KIL", "did you mean 'KILL'?"), ("0", "from 1 to 64"), ("65", "from 1 to 64"), ("USR3", "must be a signal")])
    func signalsRefused(text: String, reason: String) {
        #expect {
            _ = try Signal(parsing: text)
        } throws: { error in
            (error as? ValueParseError)?.reason.contains(reason) == true
        }
    }
}
