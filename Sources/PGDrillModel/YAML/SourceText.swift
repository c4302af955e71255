import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
        guard !isPipeOrSocket(path) else {
            // Opening a FIFO blocks until something writes to it: refuse it rather than hang.
            throw DrillFileError(.unreadable, file: path, at: nil, message: "is a named pipe or socket, not a file",
                                 hint: "give the path of a drill or cluster file")
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
            throw DrillFileError(.tooLarge, file: file, at: SourceMark(line: 1, column: 1),
                                 message: "is larger than 1 MiB; drill and cluster files are small YAML files",
                                 hint: "check that the path names the right file")
        }
        if let encoding = wideEncoding(of: bytes) {
            throw DrillFileError(.notText, file: file, at: SourceMark(line: 1, column: 1),
                                 message: "is \(encoding) text, not UTF-8",
                                 hint: "save the file as UTF-8 (for example: iconv -f \(encoding) -t UTF-8)")
        }
        if let nul = bytes.firstIndex(of: 0) {
            throw DrillFileError(.notText, file: file, at: mark(ofByte: nul, in: bytes),
                                 message: "contains a NUL byte: this looks like a binary file, not YAML",
                                 hint: "check that the path names a drill or cluster file")
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

    /// "UTF-16LE", "UTF-16BE", "UTF-32LE" or "UTF-32BE" when the bytes start with that byte-order mark, or
    /// (without one) when their first characters are ASCII padded with NULs the way that encoding pads them.
    static func wideEncoding(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE, 0, 0]) { return "UTF-32LE" }
        if bytes.starts(with: [0, 0, 0xFE, 0xFF]) { return "UTF-32BE" }
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        guard bytes.count >= 4 else { return nil }
        let (a, b, c, d) = (bytes[0], bytes[1], bytes[2], bytes[3])
        if a != 0, b == 0, c == 0, d == 0 { return "UTF-32LE" }
        if a == 0, b == 0, c == 0, d != 0 { return "UTF-32BE" }
        if a != 0, b == 0, c != 0, d == 0 { return "UTF-16LE" }
        if a == 0, b != 0, c == 0, d != 0 { return "UTF-16BE" }
        return nil
    }

    /// True for a FIFO or a socket, which cannot be read like a file (opening a FIFO waits for a writer).
    static func isPipeOrSocket(_ path: String) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        let type = status.st_mode & S_IFMT
        return type == S_IFIFO || type == S_IFSOCK
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
