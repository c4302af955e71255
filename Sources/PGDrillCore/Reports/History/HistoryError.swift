/// Why `pgdrill history` could not read a reports directory at all. (A single unreadable
/// `report.json` is not an error: it is listed in `HistoryTrend.skipped`.)
public struct HistoryError: Error, Sendable, CustomStringConvertible {
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The path does not exist or is not a directory.
        public static let notADirectory = Code(rawValue: "not_a_directory")
        /// `--period` is not a duration from 1h to 366d.
        public static let invalidPeriod = Code(rawValue: "invalid_period")
    }

    public var code: Code
    public var path: String
    public var message: String

    public init(code: Code, path: String, message: String) {
        self.code = code
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}
