import Foundation
import PGDrillCore
import Testing
@testable import PGDrillEngine

/// The kill template run for real under a POSIX sh (dash here) and bash, against processes of this machine's
/// that carry a name nobody else uses (a copy of `sleep`): with PIDs found before the decision, with hints
/// gone stale, and with none. Every process of the name is signalled in each case, and the stamp is the
/// node's clock — exact from bash's `$EPOCHREALTIME`, a forked `date` under dash.
@Suite(.serialized) struct KillTemplateTests {
    enum Hints: String, CaseIterable { case found, stale, none }

    static let shells = ["/bin/sh", "/bin/bash"].filter { FileManager.default.isExecutableFile(atPath: $0) }

    @Test(arguments: shells, Hints.allCases)
    func signalsEveryProcessOfTheNameAndStampsTheEffect(shell: String, hints: Hints) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-kt-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let name = "pgkt\(getpid() % 100_000)\(hints.rawValue.prefix(2))"
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: "\(dir)/\(name)")
        let victims = try (0..<2).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "\(dir)/\(name)")
            p.arguments = ["30"]
            try p.run()
            return p
        }
        defer { for v in victims where v.isRunning { v.terminate() } }
        // Found before the decision: only the first one (the second must come from the scan after the stamp).
        let found = try run(shell, FaultTemplates.processIDs(names: [name])).output
        let pids = FaultTemplates.parseProcessIDs(found)[name] ?? []
        #expect(Set(pids) == Set(victims.map { Int($0.processIdentifier) }), "\(found)")
        let hint: [String: [Int]]
        switch hints {
        case .found: hint = [name: [Int(victims[0].processIdentifier)]]
        case .stale: hint = [name: [Int(Int32.max)]]
        case .none: hint = [:]
        }
        let before = RunClock().wallNowMicros()
        let (status, output) = try run(shell, FaultTemplates.kill(processes: [name], signal: "KILL", dataDir: dir, hints: hint))
        let after = RunClock().wallNowMicros()
        #expect(status == 0, "\(output)")
        for v in victims {
            v.waitUntilExit()
            #expect(v.terminationReason == .uncaughtSignal && v.terminationStatus == SIGKILL)
            #expect(output.contains(" \(v.processIdentifier)"), "\(output)")
        }
        let stampLine = try #require(output.split(separator: "\n").first { $0.hasPrefix(EffectStamp.prefix) })
        let at = try #require(EffectStamp.extract(from: output).wallMicros)
        #expect(at >= before && at <= after)
        // bash: $EPOCHREALTIME (µs, no fork); dash: `date +%s.%N` (ns digits).
        let digits = stampLine.split(separator: ".").last?.count
        #expect(digits == (shell.hasSuffix("bash") ? 6 : 9), "\(stampLine)")
    }

    /// `postmaster.pid` is the postgres user's file: root signals its first line only when it is a PID above 1
    /// whose process is named postgres. Signal 0 (a check, harmless even for `-1`) for the values no kill must
    /// ever reach; a live process of another name is sent a real SIGTERM and must survive it.
    @Test(arguments: ["-1", "1", "garbage", "12x", "", "other", "0"])
    func postmasterPIDIsCheckedBeforeItIsSignalled(_ content: String) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-pid-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var bystander: Process?
        defer { if let b = bystander, b.isRunning { b.terminate() } }
        var line = content
        if content == "other" {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/sleep")
            p.arguments = ["30"]
            try p.run()
            bystander = p
            line = String(p.processIdentifier)
        }
        try (line + "\n/var/lib/postgresql/data\n").write(toFile: dir + "/postmaster.pid", atomically: true, encoding: .utf8)
        let signal = content == "other" ? "TERM" : "0"
        for shell in Self.shells {
            let (status, output) = try run(shell, FaultTemplates.kill(processes: ["postgres"], signal: signal, dataDir: dir))
            #expect(status == 3, "\(shell), postmaster.pid '\(content)': \(output)")
            #expect(output.contains("not the PID of a live postgres process") && !output.contains("postmaster="), "\(output)")
        }
        if let bystander {
            Thread.sleep(forTimeInterval: 0.2)
            #expect(bystander.isRunning, "a process that is not postgres was signalled")
        }
    }

    /// The postmaster itself (a process named postgres) is still signalled.
    @Test func aLivePostmasterIsSignalled() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-pid-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: dir + "/postgres")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: dir + "/postgres")
        p.arguments = ["30"]
        try p.run()
        defer { if p.isRunning { p.terminate() } }
        try "\(p.processIdentifier)\n\(dir)\n".write(toFile: dir + "/postmaster.pid", atomically: true, encoding: .utf8)
        let (status, output) = try run("/bin/bash", FaultTemplates.kill(processes: ["postgres"], signal: "KILL", dataDir: dir))
        #expect(status == 0, "\(output)")
        #expect(output.contains("postgres:postmaster=\(p.processIdentifier)"), "\(output)")
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL)
    }

    @Test func processIDsReadsOnlyNameAndPIDLines() {
        #expect(FaultTemplates.parseProcessIDs("patroni 89\npatroni 4021\netcd 66\n\ngarbage\npatroni x\npatroni -3\n")
                == ["patroni": [89, 4021], "etcd": [66]])
    }

    private func run(_ shell: String, _ script: String) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: shell)
        p.arguments = ["-c", script]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
