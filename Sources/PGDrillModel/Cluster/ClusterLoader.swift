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

    private static func load(_ source: SourceText, path: String) throws(DrillFileError) -> ClusterSpec {
        let document = try YAMLDocument(source, kind: "cluster file")
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        return try ClusterSpec(document: document, directory: directory)
    }
}
