/// A failure reading or writing the probe log sidecar. A struct with a `Code`, so new codes can be
/// added without breaking callers that switch on them (the postgres-nio `PSQLError` pattern).
public struct ProbeLogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file could not be opened (or created).
        public static let openFailed = Code(rawValue: "open_failed")
        /// `write(2)` failed: the disk is full, or the file system went away.
        public static let writeFailed = Code(rawValue: "write_failed")
        /// `read(2)` failed.
        public static let readFailed = Code(rawValue: "read_failed")
        /// `close(2)` failed (the last buffered data may not be on disk).
        public static let closeFailed = Code(rawValue: "close_failed")
        /// The first line is not the probe log header: not a probe log, or another version of it.
        public static let badHeader = Code(rawValue: "bad_header")
        /// A row has the wrong number of fields, a field that does not parse, or is cut short.
        public static let malformedRow = Code(rawValue: "malformed_row")
        /// `record` was called after `close`; the row was dropped.
        public static let recordAfterClose = Code(rawValue: "record_after_close")
    }

    public var code: Code
    /// The log file's path.
    public var path: String
    /// 1-based row number (the header is row 1), when the error is about one row.
    public var row: Int?
    /// `errno` of a failed system call.
    public var errno: Int32?
    /// What failed, in words.
    public var message: String

    public init(code: Code, path: String, row: Int? = nil, errno: Int32? = nil, message: String) {
        self.code = code
        self.path = path
        self.row = row
        self.errno = errno
        self.message = message
    }

    public var description: String {
        var text = "probe log \(path)"
        if let row { text += ", row \(row)" }
        text += ": \(message)"
        if let errno { text += " (errno \(errno))" }
        return text
    }
}
