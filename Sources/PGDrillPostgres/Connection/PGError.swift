/// A libpq failure, carrying what the write probe needs to classify an attempt (DESIGN §6): whether the
/// request could have reached the server (`commitState`) and the server's SQLSTATE when it sent one.
///
/// `description` never contains the conninfo or a password: it may end up in reports and CI logs.
/// The full libpq text (which can quote connection parameters) is kept for `debugDescription` only.
public struct PGError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What kind of failure this is. A struct rather than an enum so new codes do not break callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The connection could not be established (refused, authentication, bad conninfo, no
        /// read-write host, …). Nothing was sent.
        public static let connectionFailed = Code("connectionFailed")
        /// The server answered the statement with an error (see `sqlstate`).
        public static let queryFailed = Code("queryFailed")
        /// The client-side deadline passed; the connection was closed (never cancelled).
        public static let timeout = Code("timeout")
        /// The connection broke (or the server ended the session) while a request was outstanding.
        public static let connectionLost = Code("connectionLost")
    }

    /// Whether a statement could have committed, as far as the client can know.
    public struct CommitState: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The request never fully reached the server (the final Sync message was not handed to the
        /// kernel): it cannot have committed.
        public static let notSent = CommitState("notSent")
        /// The request was sent. With a server error (`sqlstate`) the SQLSTATE says what happened;
        /// without one (deadline, lost connection) it may have committed or not.
        public static let sentUnknown = CommitState("sentUnknown")
    }

    public var code: Code
    /// Five-character SQLSTATE when the server sent an error (`nil` for client-side failures).
    public var sqlstate: String?
    /// Server severity (`ERROR`, `FATAL`, `PANIC`), non-localised, when the server sent one.
    public var severity: String?
    /// First line of the error text, with any known secret scrubbed.
    public var message: String
    public var commitState: CommitState
    /// Full libpq text; may quote connection parameters, so only shown by `debugDescription`.
    public var detail: String?

    public init(
        code: Code, message: String, commitState: CommitState, sqlstate: String? = nil,
        severity: String? = nil, detail: String? = nil
    ) {
        self.code = code
        self.message = message
        self.commitState = commitState
        self.sqlstate = sqlstate
        self.severity = severity
        self.detail = detail
    }

    public var description: String {
        var text = "PostgreSQL \(code)"
        if let sqlstate { text += " [\(sqlstate)]" }
        return text + ": \(message)"
    }

    public var debugDescription: String {
        var text = "PGError(code: \(code), commitState: \(commitState)"
        if let sqlstate { text += ", sqlstate: \(sqlstate)" }
        if let severity { text += ", severity: \(severity)" }
        text += ", message: \(message)"
        if let detail { text += ", detail: \(detail)" }
        return text + ")"
    }
}

extension PGError {
    /// Builds an error from libpq's (possibly multi-line) text: first non-empty line as the message,
    /// `secrets` replaced by `***` in both the message and the detail.
    init(
        code: Code, libpqText: String, commitState: CommitState, sqlstate: String? = nil,
        severity: String? = nil, secrets: [String]
    ) {
        let scrubbed = PGError.scrub(libpqText, secrets: secrets)
        var firstLine: Substring = "unknown libpq error"
        for line in scrubbed.split(whereSeparator: { $0.isNewline }) {
            let trimmed = line.trimmingSpaces()
            if !trimmed.isEmpty {
                firstLine = trimmed
                break
            }
        }
        self.init(
            code: code, message: String(firstLine), commitState: commitState, sqlstate: sqlstate,
            severity: severity, detail: scrubbed)
    }

    /// Replaces every occurrence of each secret (e.g. the conninfo's password) by `***`.
    static func scrub(_ text: String, secrets: [String]) -> String {
        var text = text
        for secret in secrets where !secret.isEmpty {
            text = text.replacing(secret, with: "***")
        }
        return text
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
