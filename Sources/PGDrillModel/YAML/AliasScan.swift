import CYaml

/// Finds the first YAML anchor (`&name`) or alias (`*name`) in a text, before Yams builds any nodes.
///
/// pgdrill refuses anchors and aliases in drill and cluster files: they make a file that runs against
/// production harder to review, and an alias bomb (nested aliases, each repeating the one before) would
/// otherwise expand exponentially. That check has to happen before composition, because Yams hashes
/// mapping keys to find duplicates and an alias used as a key is hashed in full, expanded: a 1 kB file
/// can keep it busy for minutes. libyaml's scanner (the token level, below the parser) is linear and
/// exact, so it is asked directly; Yams ships it as its `CYaml` module.
enum AliasScan {
    struct Finding: Equatable {
        enum Kind: Equatable { case anchor, alias }
        var kind: Kind
        var name: String
        var mark: SourceMark
    }

    /// The first anchor or alias token, or `nil` when there is none or the text stops scanning (the
    /// syntax error is then reported by the parser, with its own position).
    static func firstAnchorOrAlias(in text: String) -> Finding? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Finding? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            while true {
                var token = yaml_token_t()
                guard yaml_parser_scan(&parser, &token) == 1 else { return nil }
                defer { yaml_token_delete(&token) }
                let mark = SourceMark(line: Int(token.start_mark.line) + 1, column: Int(token.start_mark.column) + 1)
                switch token.type {
                case YAML_ANCHOR_TOKEN:
                    return Finding(kind: .anchor, name: string(token.data.anchor.value), mark: mark)
                case YAML_ALIAS_TOKEN:
                    return Finding(kind: .alias, name: string(token.data.alias.value), mark: mark)
                case YAML_STREAM_END_TOKEN, YAML_NO_TOKEN:
                    return nil
                default:
                    continue
                }
            }
        }
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String {
        guard let pointer else { return "" }
        return String(cString: pointer)
    }
}
