import Foundation

/// Reads cluster files. Every problem comes out as one `DrillFileError` with file:line:column.
public enum ClusterLoader {
    /// Loads and validates the cluster file at `path`; relative paths in it are resolved against its directory.
    public static func load(path: String) throws(DrillFileError) -> ClusterSpec {
        try load(SourceText.read(path: path), path: path)
    }

    /// Loads a cluster file from text (tests, stdin); `file` names it in errors and anchors relative paths.
    public static func load(yaml: String, file: String) throws(DrillFileError) -> ClusterSpec {
        try load(SourceText.decode(Array(yaml.utf8), file: file), path: file)
    }

    /// Loads a cluster file from raw bytes, checked exactly as a file's are: the fuzz target's entry point.
    public static func load(bytes: [UInt8], file: String) throws(DrillFileError) -> ClusterSpec {
        try load(SourceText.decode(bytes, file: file), path: file)
    }

    /// True when the file at `path` looks like a cluster file rather than a drill: a top-level key that
    /// only cluster files have (`nodes:`, `manager:`, …), so `pgdrill validate` picks the right loader even
    /// for a broken file. Reads at most the loader's size cap, so `/dev/zero` cannot hang it.
    public static func looksLikeClusterFile(path: String) -> Bool {
        guard !SourceText.isPipeOrSocket(path), let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: SourceText.maximumBytes + 1) else { return false }
        let clusterOnly = Set(ClusterSpec.keys).subtracting(DrillSpec.keys)
        return String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).contains { line in
            guard let colon = line.firstIndex(of: ":") else { return false }
            return clusterOnly.contains(String(line[..<colon]).trimmingCharacters(in: .whitespaces.union(["\u{FEFF}"])))
                && !(line.first?.isWhitespace ?? true)
        }
    }

    private static func load(_ source: SourceText, path: String) throws(DrillFileError) -> ClusterSpec {
        let document = try YAMLDocument(source, kind: "cluster file")
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try ClusterSpec(document: document, directory: directory)
    }
}
