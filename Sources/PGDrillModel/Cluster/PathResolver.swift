import Foundation

/// Makes the local paths of a cluster file absolute: relative to the file's own directory (so the
/// file works from any working directory, as the lab's generated one must), `~/` to the home directory.
struct PathResolver {
    let directory: URL

    func resolve(_ field: Field) throws(DrillFileError) -> String {
        let path = try field.text()
        guard !path.contains("\n"), !path.contains("\0") else {
            throw field.error(.invalidValue, "must be a file path on one line")
        }
        if path.hasPrefix("/") {
            return URL(fileURLWithPath: path).standardizedFileURL.path
        }
        if path == "~" || path.hasPrefix("~/") {
            let home = FileManager.default.homeDirectoryForCurrentUser
            return home.appendingPathComponent(String(path.dropFirst(2))).standardizedFileURL.path
        }
        return directory.appendingPathComponent(path).standardizedFileURL.path
    }
}
