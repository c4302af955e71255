import Foundation
import PGDrillModel
import Synchronization

/// What an on-call drill recorded of the person (or the scripted operator) it handed the cluster to.
public struct OnCallRecord: Sendable {
    /// Run-clock µs.
    public var handoverAt: Int64
    public var operatorKind: String
    /// Each sign seen once, at its first sight (run-clock µs), with the runbook step it fulfils.
    public var actions: [(at: Int64, signal: String, what: String, step: Int?)] = []
    /// The deadline passed and pgdrill restored the cluster itself.
    public var deadlinePassed = false
}

/// Watches an on-call handover: starts the scripted operator (`--operator-script`) or listens to the keyboard
/// for `ack`, and turns what the cluster shows into the operator's timeline, each sign once, matched to the
/// runbook step that names it. The drill's own loop calls `tick` with the signs that hold now.
///
/// @unchecked Sendable: the lines the script or the keyboard give arrive on their own threads into `lines`
/// (a Mutex); everything else is touched only by the drill's thread.
final class OperatorWatch: @unchecked Sendable {
    let runbook: [RunbookStep]
    private(set) var record: OnCallRecord
    private var seen: Set<OperatorSignal> = []
    /// Signs seen not holding since the handover: only these can be the operator's doing.
    private var armed: Set<OperatorSignal> = []
    private let lines = Mutex<[String]>([])
    private var process: Process?

    init(runbook: [RunbookStep], handoverAt: Int64, operatorKind: String) {
        self.runbook = runbook
        record = OnCallRecord(handoverAt: handoverAt, operatorKind: operatorKind)
    }

    /// Runs the scripted operator with the situation in its environment; each line it prints is read (`ack`
    /// acknowledges, anything else is kept as an operator note), its stderr goes to ours.
    func startScript(_ path: String, environment: [String: String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [path]
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardInput = FileHandle.nullDevice
        try p.run()
        process = p
        let handle = pipe.fileHandleForReading
        Thread.detachNewThread { [self] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 0x0A) {
                    let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                    buffer.removeSubrange(buffer.startIndex...newline)
                    self.feed([line])
                }
            }
        }
    }

    /// Listens to the terminal: a line `ack` acknowledges, anything else is an operator note.
    func startKeyboard() {
        Thread.detachNewThread { [self] in
            while let line = readLine() { self.feed([line]) }
        }
    }

    /// Lines as the script or the keyboard gives them (the readers' threads call this).
    func feed(_ given: [String]) { lines.withLock { $0.append(contentsOf: given) } }

    /// Records what is new: the lines given since the last tick, and each sign in `holding` seen for the first
    /// time. Returns the new timeline entries, for the progress output.
    @discardableResult
    func tick(now: Int64, holding: [OperatorSignal: (what: String, since: Int64)]) -> [String] {
        var said: [String] = []
        for line in lines.withLock({ l -> [String] in defer { l.removeAll() }; return l }) {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            if text.lowercased() == "ack" {
                said += note(.acknowledged, now, "acknowledged the page")
            } else {
                record.actions.append((at: now, signal: "note", what: "operator: " + text, step: nil))
                said.append("operator: " + text)
            }
        }
        // A sign counts once it was seen not holding after the handover: the operator's doing, not the state the
        // cluster (or a view a poll old) showed when it was handed over.
        for signal in OperatorSignal.allCases where signal != .acknowledged {
            if let sign = holding[signal] {
                if armed.contains(signal) { said += note(signal, sign.since, sign.what) }
            } else {
                armed.insert(signal)
            }
        }
        return said
    }

    private func note(_ signal: OperatorSignal, _ now: Int64, _ what: String) -> [String] {
        guard seen.insert(signal).inserted else { return [] }
        let step = runbook.firstIndex { $0.sees == signal }.map { $0 + 1 }
        record.actions.append((at: now, signal: signal.rawValue, what: what, step: step))
        return [what + (step.map { " (runbook step \($0))" } ?? "")]
    }

    /// Marks the deadline passed.
    func deadlinePassed() { record.deadlinePassed = true }

    /// Ends the scripted operator if it still runs (TERM, then KILL 2 s on).
    func stop() {
        guard let p = process, p.isRunning else { return }
        p.terminate()
        let end = Date().addingTimeInterval(2)
        while p.isRunning, Date() < end { Thread.sleep(forTimeInterval: 0.05) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
    }
}
