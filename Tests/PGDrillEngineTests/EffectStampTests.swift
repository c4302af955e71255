import Foundation
import Testing
import PGDrillCore
@testable import PGDrillEngine

@Suite struct EffectStampTests {
    @Test(arguments: [
        ("1764186319.123456", Int64(1_764_186_319_123_456)),  // bash $EPOCHREALTIME
        ("1764186319.123456789", Int64(1_764_186_319_123_456)),  // date +%s.%N
        ("1764186319.1234", nil),  // too coarse to trust
        ("", nil), ("abc.def123", nil), ("1764186319", nil), ("1.2.3", nil),
    ] as [(String, Int64?)])
    func parsesTheNodesClock(text: String, micros: Int64?) {
        #expect(EffectStamp.parse(Substring(text)) == micros)
    }

    @Test func extractRemovesTheStampLineAndKeepsTheRest() {
        let (stamp, output) = EffectStamp.extract(from: "pgdrill-effect-at=1764186319.000250\nsignalled patroni: 42\n")
        #expect(stamp == 1_764_186_319_000_250)
        #expect(output == "signalled patroni: 42\n")
        let none = EffectStamp.extract(from: "rules active\n")
        #expect(none.wallMicros == nil)
        #expect(none.output == "rules active\n")
    }

    /// The effect must fall inside the decision → return window of the runner's clock, or the node's clock is
    /// not to be trusted and only the round trip is reported.
    @Test(arguments: [
        (Int64(1_000_400), Int64?(400)),  // inside the window
        (Int64(999_500), Int64?(0)),  // 0.5 ms early: within the tolerance, clamped to 0
        (Int64(990_000), nil),  // 10 ms before the decision: clocks disagree
        (Int64(1_050_000), nil),  // after the command returned: clocks disagree
    ])
    func latencyOnlyWhenTheClocksAgree(effect: Int64, expected: Int64?) {
        #expect(EffectStamp.latency(decidedWall: 1_000_000, effectWall: effect, roundTripEnd: 1_002_000) == expected)
        #expect(EffectStamp.latency(decidedWall: 1_000_000, effectWall: nil, roundTripEnd: 1_002_000) == nil)
    }

    /// Stamped through a real `sh` (dash here, no $EPOCHREALTIME: the `date` fallback), the script's exit status
    /// survives and the stamp lies between the times taken before and after.
    @Test(arguments: [("echo applied", Int32(0)), ("echo failing >&2; false", Int32(1)), ("set -e\necho a\n(exit 3)", Int32(3))])
    func appendedStampKeepsTheExitStatusAndTheClock(script: String, status: Int32) throws {
        let stamped = EffectStamp.appended(to: script)
        #expect(EffectStamp.appended(to: stamped) == stamped)
        let before = RunClock().wallNowMicros()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", stamped]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        let after = RunClock().wallNowMicros()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == status)
        let stamp = EffectStamp.extract(from: text).wallMicros
        if status == 3 {
            #expect(stamp == nil, "set -e ends the script before the stamp")
        } else {
            let at = try #require(stamp, "\(text)")
            #expect(at >= before && at <= after)
        }
    }

    @Test func everyHostFaultEndsWithTheStampOnce() throws {
        let ctx = HostContext(name: "pg1", address: "10.77.0.11", dataDir: "/d", pgPort: 5432, binDir: "/b", peers: ["10.77.0.12"],
                              services: [:], managerRestartsPostgres: true)
        let kill = try FaultAction.kill(processes: ["patroni"], signal: "KILL", on: .primary).hostFault(on: ctx, tag: "t")
        #expect(kill.apply.script.components(separatedBy: EffectStamp.prefix).count == 2)
        // In the kill template the stamp comes right after the signals, before any output.
        let stampAt = try #require(kill.apply.script.range(of: EffectStamp.prefix))
        let echoAt = try #require(kill.apply.script.range(of: "echo signalled"))
        #expect(stampAt.lowerBound < echoAt.lowerBound)
        let partition = try FaultAction.partition(.peers, on: .primary).hostFault(on: ctx, tag: "t")
        #expect(partition.apply.script.hasSuffix("exit $__pgdrill_rc"))
        #expect(partition.rollback.map { !$0.script.contains(EffectStamp.prefix) } == true)
    }
}

@Suite struct ThreadPriorityTests {
    /// Only the calling thread changes: the process (and so the probe's threads) keeps its priority.
    @Test func raisesOnlyTheCallingThread() throws {
        let processNice = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
        let result = Mutexed<(Int32, id_t?)>((0, nil))
        let thread = Thread {
            let nice = ThreadPriority.raiseCurrentThread(to: processNice - 1)
            result.mutate { $0 = (nice, ThreadPriority.currentThreadID()) }
        }
        thread.start()
        while result.value.1 == nil { Thread.sleep(forTimeInterval: 0.01) }
        let (nice, tid) = result.value
        #expect(tid != nil && tid != id_t(getpid()))
        if geteuid() == 0 { #expect(nice == processNice - 1) }
        #expect(getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) == processNice)
    }
}
