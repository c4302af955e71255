import Foundation
import Testing
@testable import PGDrillModel

/// The malformed-input corpus: real broken drill and cluster files under `Corpus/`, each loaded by the real
/// loader and by the built `pgdrill validate`, which must answer with exit 2, `file:line:column`, the
/// expected message and a hint — never a crash, never a hang.
///
/// Each text file says what it expects on its first line, `# expect: LINE:COLUMN CODE message phrase`;
/// files whose first line cannot carry it (binary, UTF-16, empty, huge) are listed in `expectations.json`.
@Suite struct MalformedCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")

    struct Case: Sendable, CustomTestStringConvertible {
        var path: String
        var isCluster: Bool
        var line: Int
        var column: Int
        var code: String
        var phrase: String
        var testDescription: String { (isCluster ? "clusters/" : "drills/") + URL(fileURLWithPath: path).lastPathComponent }
    }

    static let cases: [Case] = {
        let sidecar = (try? Data(contentsOf: corpus.appendingPathComponent("expectations.json")))
            .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: String] } ?? [:]
        var cases: [Case] = []
        for kind in ["drills", "clusters"] {
            let directory = corpus.appendingPathComponent(kind)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
            for name in names where name.hasSuffix(".yaml") {
                let path = directory.appendingPathComponent(name).path
                let firstLine = ((try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 400)) ?? nil)
                    .map { String(decoding: $0, as: UTF8.self) }?.split(separator: "\n").first.map(String.init) ?? ""
                let spec = sidecar["\(kind)/\(name)"]
                    ?? firstLine.range(of: "# expect: ").map { String(firstLine[$0.upperBound...]) } ?? "0:0 missing no expectation"
                let parts = spec.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ", maxSplits: 2).map(String.init)
                let at = parts[0].split(separator: ":").compactMap { Int($0) }
                cases.append(Case(path: path, isCluster: kind == "clusters", line: at.first ?? 0, column: at.last ?? 0,
                                  code: parts.count > 1 ? parts[1] : "", phrase: parts.count > 2 ? parts[2] : ""))
            }
        }
        return cases
    }()

    @Test func theCorpusHasAtLeastFiftyFilesOfEachCategory() {
        #expect(Self.cases.count >= 50)
        #expect(Self.cases.filter(\.isCluster).count >= 20)
        let codes = Set(Self.cases.map(\.code))
        for code in ["syntax", "wrong_type", "unknown_key", "unknown_action", "invalid_value", "missing_key", "duplicate_key",
                     "duplicate_name", "too_large", "not_text", "empty", "alias_not_allowed", "secret", "conflict"] {
            #expect(codes.contains(code), "no corpus file expects \(code)")
        }
    }

    @Test(arguments: cases)
    func theLoaderRefusesItPrecisely(_ c: Case) {
        let start = ContinuousClock.now
        let error = thrownError { () throws(DrillFileError) in
            if c.isCluster { _ = try ClusterLoader.load(path: c.path) } else { _ = try DrillLoader.load(path: c.path) }
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        guard let error else {
            Issue.record("\(c.testDescription) loaded without an error")
            return
        }
        #expect("\(error.line):\(error.column) \(error.code) " == "\(c.line):\(c.column) \(c.code) ",
                "actual: # expect: \(error.line):\(error.column) \(error.code) \(error.message)")
        // Compared as printed: control characters from the file appear escaped.
        #expect(DrillFileError.printable(error.message).contains(c.phrase), "actual message: \(error.message)")
        #expect(error.hint?.isEmpty == false, "no hint: \(error)")
        #expect(error.line > 0 && error.column > 0)
    }

    /// The built CLI, as an operator runs it: exit 2, `file:line:column: error:` and a hint on stderr,
    /// within 5 s, and no signal (a crash or trap).
    @Test(arguments: cases)
    func theCLIExitsTwoWithLocationAndHint(_ c: Case) throws {
        let binary = try #require(CorpusCLI.pgdrill, "pgdrill is not built next to the tests (swift build --build-tests)")
        let result = try CorpusCLI.run(binary, ["validate", c.path], timeout: .seconds(5))
        #expect(!result.timedOut, "pgdrill validate hung on \(c.testDescription)")
        #expect(result.reason == .exit, "pgdrill validate crashed on \(c.testDescription): signal \(result.status)")
        #expect(result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.contains("\(c.path):\(c.line):\(c.column): error: "), "\(result.stderr)")
        #expect(result.stderr.contains("\n  hint: "), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }
}

/// Runs the built `pgdrill` with a timeout.
enum CorpusCLI {
    /// `PGDRILL_BIN`, else `pgdrill` beside the test bundle (`.build/<config>/`), else under the package's `.build/debug`.
    static let pgdrill: String? = {
        var candidates: [String] = []
        if let bin = ProcessInfo.processInfo.environment["PGDRILL_BIN"] { candidates.append(bin) }
        var directory = Bundle.main.bundleURL
        for _ in 0..<3 {
            candidates.append(directory.appendingPathComponent("pgdrill").path)
            directory = directory.deletingLastPathComponent()
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(package.appendingPathComponent(".build/debug/pgdrill").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    struct Result {
        var status: Int32
        var reason: Process.TerminationReason
        var stdout: String
        var stderr: String
        var timedOut: Bool
    }

    static func run(_ binary: String, _ arguments: [String], timeout: Duration) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        // Read both pipes off this thread so a chatty child cannot block on a full pipe.
        nonisolated(unsafe) var outData = Data(), errData = Data()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { outData = out.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { errData = err.fileHandleForReading.readDataToEndOfFile() }
        var timedOut = false
        while process.isRunning {
            if ContinuousClock.now > deadline {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, reason: process.terminationReason,
                      stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
                      timedOut: timedOut)
    }
}
