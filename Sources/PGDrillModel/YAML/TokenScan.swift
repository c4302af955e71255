import CYaml

/// Checks a text at libyaml's token level, before Yams builds any nodes, for what must never reach
/// composition: anchors and aliases, and nesting deeper than any drill or cluster file needs.
///
/// pgdrill refuses anchors and aliases: they make a file that runs against production harder to review,
/// and an alias bomb (nested aliases, each repeating the one before) would otherwise expand
/// exponentially — Yams hashes mapping keys to find duplicates, and an alias used as a key is hashed in
/// full, expanded, so a 1 kB file can keep it busy for minutes. Deep nesting is capped because
/// libyaml's scanner checks every open flow level on every token: 100,000 `[` take it ~30 s.
/// The scanner is exact (it knows quoting, comments and block scalars) and linear under the cap, so it
/// is asked directly; Yams ships it as its `CYaml` module.
enum TokenScan {
    struct Finding: Equatable {
        enum Kind: Equatable {
            case anchor(String)
            case alias(String)
            /// Collections nested deeper than `maximumDepth`.
            case tooDeep
        }

        var kind: Kind
        var mark: SourceMark
    }

    /// Drill and cluster files nest about five levels; 64 leaves room and keeps scanning linear.
    static let maximumDepth = 64

    /// The first problem, or `nil` when there is none or the text stops scanning (the syntax error is
    /// then reported by the parser, with its own position).
    static func firstProblem(in text: String) -> Finding? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer -> Finding? in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return nil }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var depth = 0
            while true {
                var token = yaml_token_t()
                guard yaml_parser_scan(&parser, &token) == 1 else { return nil }
                defer { yaml_token_delete(&token) }
                let mark = SourceMark(line: Int(token.start_mark.line) + 1, column: Int(token.start_mark.column) + 1)
                switch token.type {
                case YAML_ANCHOR_TOKEN:
                    return Finding(kind: .anchor(string(token.data.anchor.value)), mark: mark)
                case YAML_ALIAS_TOKEN:
                    return Finding(kind: .alias(string(token.data.alias.value)), mark: mark)
                case YAML_FLOW_SEQUENCE_START_TOKEN, YAML_FLOW_MAPPING_START_TOKEN,
                     YAML_BLOCK_SEQUENCE_START_TOKEN, YAML_BLOCK_MAPPING_START_TOKEN:
                    depth += 1
                    if depth > maximumDepth {
                        return Finding(kind: .tooDeep, mark: mark)
                    }
                case YAML_FLOW_SEQUENCE_END_TOKEN, YAML_FLOW_MAPPING_END_TOKEN, YAML_BLOCK_END_TOKEN:
                    depth -= 1
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
