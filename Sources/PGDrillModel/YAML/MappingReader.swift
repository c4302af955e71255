import Yams

/// One YAML mapping of a drill or cluster file, read key by key into a typed value.
///
/// It enforces what every mapping in these files must satisfy, in one place: keys are plain strings,
/// none appears twice, none is unknown (with a "did you mean" from the allowed set), and required keys
/// are there. Parsers then pull each known key out as a `Field` and convert it.
struct MappingReader {
    let file: String
    /// Names this mapping in messages: "drill", "probe", "fault step 'kill'".
    let context: String
    let mark: SourceMark?
    private let fields: [String: Field]
    /// Keys in file order (for "exactly one key" checks and ordered maps such as endpoints).
    let keys: [String]

    /// Reads `node` as a mapping whose keys must all be in `allowed` (pass `nil` to accept any key,
    /// for user-named maps such as endpoints).
    /// `keyMark` is where the key that holds this mapping is: errors about a missing value point there.
    init(_ node: Node, file: String, context: String, allowed: [String]?, example: String? = nil,
         keyMark: SourceMark? = nil) throws(DrillFileError) {
        self.file = file
        self.context = context
        self.mark = node.sourceMark
        guard case .mapping(let mapping) = node else {
            throw DrillFileError(.wrongType, file: file, at: node.isNull ? keyMark ?? node.sourceMark : node.sourceMark,
                                 message: "\(context) must be a mapping of keys to values, got \(node.kindName)",
                                 hint: example.map { "write it like \($0)" })
        }
        var fields: [String: Field] = [:]
        var keys: [String] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode, !keyNode.isNull else {
                throw DrillFileError(.wrongType, file: file, at: keyNode.sourceMark,
                                     message: "keys in \(context) must be plain names, got \(keyNode.kindName)")
            }
            let key = scalar.string
            if let first = fields[key] {
                throw DrillFileError(.duplicateKey, file: file, at: keyNode.sourceMark,
                                     message: "duplicate key '\(key)' in \(context) (first at \(first.keyMark.map(\.description) ?? "?"))",
                                     hint: "YAML would silently keep only one of them; remove or rename one")
            }
            if let allowed, !allowed.contains(key) {
                let suggestion = Suggestion.closest(to: key, among: allowed).map { "; did you mean '\($0)'?" } ?? ""
                throw DrillFileError(.unknownKey, file: file, at: keyNode.sourceMark,
                                     message: "unknown key '\(key)' in \(context)\(suggestion)",
                                     hint: "valid keys here are \(Suggestion.list(allowed))")
            }
            fields[key] = Field(key: key, node: value, file: file, keyMark: keyNode.sourceMark)
            keys.append(key)
        }
        self.fields = fields
        self.keys = keys
    }

    /// The value of `key`, or `nil` when the key is absent.
    subscript(key: String) -> Field? {
        fields[key]
    }

    /// The value of `key`, which must be present.
    func required(_ key: String, example: String? = nil) throws(DrillFileError) -> Field {
        guard let field = fields[key] else {
            throw DrillFileError(.missingKey, file: file, at: mark,
                                 message: "missing required key '\(key)' in \(context)",
                                 hint: example.map { "add it, for example: \($0)" })
        }
        return field
    }
}
