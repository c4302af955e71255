import Foundation

/// Reads drill files. Every problem comes out as a `DrillFileError` with file:line:column.
public enum DrillLoader {
    /// Loads and checks the drill file at `path` (everything that can be checked without a cluster).
    public static func load(path: String) throws(DrillFileError) -> DrillSpec {
        try DrillSpec(document: YAMLDocument(SourceText.read(path: path), kind: "drill file"))
    }

    /// Loads a drill from text (tests, stdin); `file` names it in errors.
    public static func load(yaml: String, file: String) throws(DrillFileError) -> DrillSpec {
        try DrillSpec(document: YAMLDocument(SourceText.decode(Array(yaml.utf8), file: file), kind: "drill file"))
    }

    /// Loads a drill from raw bytes, checked exactly as a file's are (size, encoding, NULs): the fuzz
    /// target's entry point.
    public static func load(bytes: [UInt8], file: String) throws(DrillFileError) -> DrillSpec {
        try DrillSpec(document: YAMLDocument(SourceText.decode(bytes, file: file), kind: "drill file"))
    }

    /// Loads every drill named by `paths`, where a directory stands for its `*.yaml` and `*.yml` files
    /// (not recursive), sorted by name. All files are read even when some fail, so one run of
    /// `pgdrill validate drills/` reports every broken file; drill names must be unique across them.
    public static func loadAll(paths: [String]) throws(DrillFileErrors) -> [DrillSpec] {
        var drills: [DrillSpec] = []
        var errors: [DrillFileError] = []
        var files: [String] = []
        for path in paths {
            do {
                files += try drillFiles(at: path)
            } catch {
                errors.append(error)
            }
        }
        var seen: [String: DrillSpec] = [:]
        for file in files {
            do throws(DrillFileError) {
                let drill = try load(path: file)
                if let first = seen[drill.name] {
                    throw DrillFileError(.duplicateName, file: file, at: drill.mark,
                                         message: "drill name '\(drill.name)' is also used by \(first.file)",
                                         hint: "drill names name report folders and test cases; make them unique")
                }
                seen[drill.name] = drill
                drills.append(drill)
            } catch {
                errors.append(error)
            }
        }
        guard errors.isEmpty else { throw DrillFileErrors(errors: errors) }
        return drills
    }

    /// `path` itself, or the drill files in it when it is a directory.
    public static func drillFiles(at path: String) throws(DrillFileError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DrillFileError(.unreadable, file: path, at: nil, message: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw DrillFileError(.unreadable, file: path, at: nil, message: "cannot list the directory: \(error.localizedDescription)")
        }
        let drills = names.filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix(".") }.sorted()
        guard !drills.isEmpty else {
            throw DrillFileError(.unreadable, file: path, at: nil, message: "has no *.yaml or *.yml drill files")
        }
        let directory = path.hasSuffix("/") ? path : path + "/"
        return drills.map { directory + $0 }
    }
}

/// Several `DrillFileError`s from loading many files at once, printed one after another.
public struct DrillFileErrors: Error, CustomStringConvertible, Sendable, Equatable {
    public var errors: [DrillFileError]

    public init(errors: [DrillFileError]) {
        self.errors = errors
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
