extension DrillFileError {
    /// The kind of a `DrillFileError`. A struct rather than an enum so that new kinds can be added
    /// without breaking callers that switch over the known ones.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        private init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The file could not be read at all (missing, a directory, permissions).
        public static let unreadable = Code("unreadable")
        /// The file is over the size limit; drill files are small, anything larger is a mistake or an attack.
        public static let tooLarge = Code("too_large")
        /// The bytes are not UTF-8 text (binary, another encoding, NUL bytes).
        public static let notText = Code("not_text")
        /// The file has no document (empty, or only comments).
        public static let empty = Code("empty")
        /// YAML syntax error reported by the parser.
        public static let syntax = Code("syntax")
        /// YAML anchors and aliases are refused: they make files hard to review and allow alias bombs.
        public static let aliasNotAllowed = Code("alias_not_allowed")
        /// A key appears twice in one mapping (YAML would silently keep one of them).
        public static let duplicateKey = Code("duplicate_key")
        /// A key that this place in the file does not know (often a typo).
        public static let unknownKey = Code("unknown_key")
        /// A required key is missing.
        public static let missingKey = Code("missing_key")
        /// A fault step names an action pgdrill does not have.
        public static let unknownAction = Code("unknown_action")
        /// The node has the wrong shape (a list where a mapping is expected, a mapping where a scalar is).
        public static let wrongType = Code("wrong_type")
        /// A scalar does not parse as what it should be, or is out of range.
        public static let invalidValue = Code("invalid_value")
        /// Keys that each make sense alone but not together.
        public static let conflict = Code("conflict")
        /// A name that must be unique is used twice (node names, drill names).
        public static let duplicateName = Code("duplicate_name")
        /// A drill refers to something the cluster file does not define (node, proxy, endpoint).
        public static let unknownReference = Code("unknown_reference")
        /// A secret where secrets must not be (a password in a conninfo string).
        public static let secret = Code("secret")
        /// The drill is not allowed on this cluster (destructive drill, protected cluster).
        public static let notAllowed = Code("not_allowed")

        /// What to do about an error of this kind when the place that found it has nothing more specific.
        public var defaultHint: String? {
            switch self {
            case .unreadable: "check the path and that it names a readable file"
            case .notText: "save the file as UTF-8 text"
            case .syntax: "check this line's indentation (spaces only) and that quotes and brackets are closed"
            case .missingKey, .wrongType:
                "the shipped drills in drills/ and the README sections 'Drill file' and 'Cluster file' show every key"
            case .invalidValue: "the README sections 'Drill file' and 'Cluster file' list the accepted values"
            case .conflict: "keep one of the two"
            case .duplicateName: "rename one of them"
            case .unknownReference: "check the name against the cluster file"
            default: nil
            }
        }
    }
}
