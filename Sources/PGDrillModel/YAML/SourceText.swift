import Foundation

/// The text of a drill or cluster file, checked before any YAML parser sees it.
///
/// Files are read with a size cap (a drill file is a few kB; 1 MiB is generous and keeps a mistaken path
/// such as a WAL segment or `/dev/zero` from being slurped), and must be UTF-8 text without NUL bytes,
/// so a binary file gets a clear error at the first bad byte instead of a parser message about it.
struct SourceText {
    /// The name used in error messages (as the user wrote it).
    let file: String
    /// The text, without a leading byte-order mark (so columns match what editors show).
    let text: String

    /// Largest file accepted.
    static let maximumBytes = 1 << 20

    /// Reads and checks `path`.
    static func read(path: String) throws(DrillFileError) -> SourceText {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DrillFileError(.unreadable, file: path, at: nil, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw DrillFileError(.unreadable, file: path, at: nil, message: "is a directory, not a YAML file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DrillFileError(.unreadable, file: path, at: nil, message: "cannot be opened for reading",
                                 hint: "check the file's permissions")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            throw DrillFileError(.unreadable, file: path, at: nil, message: "cannot be read: \(error.localizedDescription)")
        }
        return try decode(Array(data), file: path)
    }

    /// Checks the bytes of a file (or of a test string) and turns them into text.
    static func decode(_ bytes: [UInt8], file: String) throws(DrillFileError) -> SourceText {
        guard bytes.count <= maximumBytes else {
            throw DrillFileError(.tooLarge, file: file, at: nil,
                                 message: "is larger than 1 MiB; drill and cluster files are small YAML files",
                                 hint: "check that the path names the right file")
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw DrillFileError(.notText, file: file, at: mark(ofByte: nul, in: bytes),
                                 message: "contains a NUL byte: this looks like a binary file, not YAML")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let offset = firstInvalidUTF8Offset(bytes)
            throw DrillFileError(.notText, file: file, at: mark(ofByte: offset, in: bytes),
                                 message: "is not valid UTF-8 text",
                                 hint: "save the file as UTF-8")
        }
        let withoutMark = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        return SourceText(file: file, text: withoutMark)
    }

    /// Line and column (in Unicode scalars, like libyaml) of a byte offset in possibly invalid UTF-8.
    static func mark(ofByte offset: Int, in bytes: [UInt8]) -> SourceMark {
        let before = bytes[..<offset]
        let lineStart = (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        let line = before.count { $0 == UInt8(ascii: "\n") } + 1
        // Count scalar starts (bytes that are not UTF-8 continuation bytes) on this line.
        let column = bytes[lineStart..<offset].count { $0 & 0xC0 != 0x80 } + 1
        return SourceMark(line: line, column: column)
    }

    /// Offset of the first byte that does not start a valid UTF-8 sequence.
    private static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int {
        var offset = 0
        while offset < bytes.count {
            let lead = bytes[offset]
            let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 0
            guard length > 0, offset + length <= bytes.count,
                  String(validating: bytes[offset..<offset + length], as: UTF8.self) != nil
            else { return offset }
            offset += length
        }
        return offset
    }
}
