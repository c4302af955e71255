import Foundation
import Testing
@testable import PGDrillModel

/// The fixture folder copied into the test bundle.
let fixtures: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

func fixture(_ path: String) -> String {
    fixtures.appendingPathComponent(path).path
}

/// A fresh temporary directory, removed by the caller's `defer`.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-model-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// One bad input and exactly what the loader must say about it.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var yaml: String
    var line: Int
    var column: Int
    var code: DrillFileError.Code
    /// A phrase the message must contain.
    var message: String
    /// A phrase the hint must contain, when the case is about the hint.
    var hint: String? = nil

    var testDescription: String { name }

    init(_ name: String, _ yaml: String, at line: Int, _ column: Int, _ code: DrillFileError.Code, _ message: String,
         hint: String? = nil) {
        self.name = name
        self.yaml = yaml
        self.line = line
        self.column = column
        self.code = code
        self.message = message
        self.hint = hint
    }

    /// Checks a thrown error against the expectation, recording every mismatch.
    func check(_ error: DrillFileError?, file: String, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error else {
            Issue.record("\(name): loaded without an error", sourceLocation: sourceLocation)
            return
        }
        #expect(error.file == file, sourceLocation: sourceLocation)
        #expect("\(error.line):\(error.column)" == "\(line):\(column)", "\(error)", sourceLocation: sourceLocation)
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
        if let hint {
            #expect(error.hint?.contains(hint) == true, "\(error)", sourceLocation: sourceLocation)
        }
        #expect(error.description.hasPrefix("\(file):\(line):\(column): error: "), sourceLocation: sourceLocation)
    }
}

/// The error thrown by `body`, or `nil` when it did not throw.
func thrownError<T>(_ body: () throws(DrillFileError) -> T) -> DrillFileError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}
