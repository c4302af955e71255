/// An error of the engine that ends a command: what failed, where, and what to do about it.
public struct EngineError: Error, CustomStringConvertible, Sendable {
    /// Kinds of failure; a struct so new codes do not break callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        public var description: String { raw }
        /// Bad usage or input (exit 2).
        public static let usage = Code(raw: "usage")
        /// A host, API or database could not be reached (exit 2 before injection).
        public static let unreachable = Code(raw: "unreachable")
        /// Pre-flight found the cluster unhealthy (exit 2).
        public static let unhealthy = Code(raw: "unhealthy")
        /// Another run holds the cluster's lock.
        public static let busy = Code(raw: "busy")
        /// Local file I/O failed (journal, reports).
        public static let io = Code(raw: "io")
        /// A fault or rollback command failed on a host.
        public static let remote = Code(raw: "remote")
        /// Refused on purpose (protected cluster, declined confirmation).
        public static let refused = Code(raw: "refused")
    }

    public var code: Code
    public var message: String
    public var hint: String?

    public init(_ code: Code, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String {
        hint.map { "\(message)\n  hint: \($0)" } ?? message
    }
}
