import Foundation
import Testing
@testable import PGDrillModel

/// Hostile or broken files must give one clear error quickly — never a crash, a hang or a memory blow-up.
@Suite struct FileSafetyTests {
    /// Nine levels of nine aliases each: 387 million scalars if expanded. Used as a mapping key, Yams
    /// would hash it expanded; the token scan must refuse it before composition, in well under a second.
    @Test func aliasBombIsRefusedBeforeComposition() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
        for level in 1...8 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        yaml += "? *a8\n: boom\n"
        let start = ContinuousClock.now
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: yaml, file: "bomb.yaml") }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(error?.code == .aliasNotAllowed)
        #expect(error?.mark == SourceMark(line: 1, column: 5))
        #expect(error?.message.contains("anchor '&a0'") == true)
    }

    @Test func aliasWithoutAnchorIsReportedAtTheAlias() {
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: "name: d\nsteady: *nowhere\n", file: "a.yaml") }
        #expect(error?.code == .aliasNotAllowed)
        #expect(error?.mark == SourceMark(line: 2, column: 9))
        #expect(error?.message.contains("alias '*nowhere'") == true)
    }

    @Test func deepNestingIsASyntaxErrorNotAStackOverflow() {
        let yaml = "name: " + String(repeating: "[", count: 100_000) + "\n"
        let start = ContinuousClock.now
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: yaml, file: "deep.yaml") }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(error?.code == .syntax)
        #expect(error?.message == "YAML nested too deeply (over 64 levels)")
        #expect(error?.mark == SourceMark(line: 1, column: 70))
    }

    @Test func filesOverOneMebibyteAreRefused() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("huge.yaml").path
        let line = "# " + String(repeating: "x", count: 1021) + "\n"
        try String(repeating: line, count: 1025).write(toFile: path, atomically: true, encoding: .utf8)
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(path: path) }
        #expect(error?.code == .tooLarge)
        #expect(error?.description == "\(path):1:1: error: is larger than 1 MiB; drill and cluster files are small YAML files\n  hint: check that the path names the right file")
    }

    @Test func aFileOfExactlyOneMebibyteIsRead() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("big.yaml").path
        let body = "name: big\n"
        let padding = "#" + String(repeating: "x", count: (1 << 20) - body.utf8.count - 2) + "\n"
        try (padding + body).write(toFile: path, atomically: true, encoding: .utf8)
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(path: path) }
        #expect(error?.code == .missingKey)
    }

    @Test(arguments: [
        ([0x6e, 0x61, 0x6d, 0x65, 0x3a, 0x20, 0x00, 0x01], 1, 7, "NUL byte"),
        (Array("name: d\ndescription: caf".utf8) + [0xE9, 0x0A], 2, 17, "not valid UTF-8"),
        (Array("name: d\nx: \u{00E9}\u{00E9}".utf8) + [0xC3], 2, 6, "not valid UTF-8"),
        (Array("name: d\n\u{01}\n".utf8), 2, 1, "control characters are not allowed"),
    ] as [([UInt8], Int, Int, String)])
    func binaryAndNonUTF8InputIsRefusedWithAPosition(bytes: [UInt8], line: Int, column: Int, phrase: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.yaml").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(path: path) }
        #expect(error?.code == .notText)
        #expect(error?.mark == SourceMark(line: line, column: column), "\(String(describing: error))")
        #expect(error?.message.contains(phrase) == true, "\(String(describing: error))")
    }

    @Test(arguments: ["", "\n\n", "# only a comment\n", "---\n", "~\n"])
    func emptyDocumentsAreRefused(yaml: String) {
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: yaml, file: "empty.yaml") }
        #expect(error?.code == .empty)
        #expect(error?.description.hasPrefix("empty.yaml:1:1: error: is empty; expected a drill file (a YAML mapping)\n  hint: ") == true)
    }

    @Test func missingFilesAndDirectoriesAreUnreadable() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = thrownError { () throws(DrillFileError) in try ClusterLoader.load(path: directory.path + "/nope.yaml") }
        #expect(missing?.code == .unreadable && missing?.message == "no such file")
        let isDirectory = thrownError { () throws(DrillFileError) in try DrillLoader.load(path: directory.path) }
        #expect(isDirectory?.code == .unreadable && isDirectory?.message.contains("is a directory") == true)
    }

    /// A FIFO nobody writes to would block `open` forever: it is refused at once.
    @Test func namedPipesAreRefusedNotWaitedOn() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("pipe.yaml").path
        #expect(mkfifo(path, 0o600) == 0)
        let start = ContinuousClock.now
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(path: path) }
        #expect(ContinuousClock.now - start < .seconds(1))
        #expect(error?.code == .unreadable)
        #expect(error?.message.contains("named pipe") == true)
        #expect(!ClusterLoader.looksLikeClusterFile(path: path))
    }

    @Test func byteOrderMarkDoesNotShiftColumns() {
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: "\u{FEFF}stedy: 1s\n", file: "bom.yaml") }
        #expect(error?.mark == SourceMark(line: 1, column: 1))
        #expect(error?.code == .unknownKey)
    }

    @Test func duplicateKeysInNestedMappingsAreRefused() {
        let yaml = "name: d\nprobe:\n  writers: 4\n  rate: 10\n  writers: 8\n"
        let error = thrownError { () throws(DrillFileError) in try DrillLoader.load(yaml: yaml, file: "dup.yaml") }
        #expect(error?.code == .duplicateKey)
        #expect(error?.message.contains("'writers'") == true)
        #expect(error?.mark == SourceMark(line: 3, column: 3))
    }
}
