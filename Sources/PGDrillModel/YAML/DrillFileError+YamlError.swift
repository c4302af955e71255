import Yams

extension DrillFileError {
    /// Converts an error from Yams/libyaml into the same `file:line:column` form as every other problem.
    init(yaml error: YamlError, file: String, text: String) {
        switch error {
        case let .scanner(context, problem, mark, _),
             let .parser(context, problem, mark, _),
             let .composer(context, problem, mark, _):
            let at = SourceMark(line: mark.line, column: mark.column)
            self.init(.syntax, file: file, at: at, message: Self.syntaxMessage(problem, context),
                      hint: Self.syntaxHint(problem + " " + (context?.text ?? ""), at: at, text: text))
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the first occurrence; say so, since the second one is usually the mistake.
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            self.init(.duplicateKey, file: file, at: SourceMark(line: context.mark.line, column: context.mark.column),
                      message: "duplicate key \(keys): the same key appears again later in this mapping",
                      hint: "YAML would silently keep only one of them; remove or rename the other")
        case let .reader(problem, offset, _, _):
            let at = offset.map { Self.mark(ofCharacter: $0, in: text) }
            self.init(.notText, file: file, at: at, message: "cannot be read as YAML text: \(problem)")
        default:
            self.init(.syntax, file: file, at: nil, message: "cannot be parsed as YAML: \(error)")
        }
    }

    private static func syntaxMessage(_ problem: String, _ context: YamlError.Context?) -> String {
        if problem == "but found another document" {
            return "more than one YAML document ('---') in one file"
        }
        var message = "YAML syntax error: \(problem)"
        if let context {
            // Yams' context text for this error is a phrase like "while parsing a block mapping".
            message += " (\(context.text) that starts at \(context.mark.line):\(context.mark.column))"
        }
        return message
    }

    /// The usual cause of the errors people actually hit in hand-written drill files; `problem` is
    /// libyaml's problem and context text together.
    private static func syntaxHint(_ problem: String, at mark: SourceMark, text: String) -> String? {
        let line = text.split(separator: "\n", omittingEmptySubsequences: false)
            .dropFirst(mark.line - 1).first.map(String.init) ?? ""
        if problem.contains("but found another document") {
            return "keep one drill or cluster per file; a line of '---' starts another"
        }
        if problem.contains("block scalar") && (line.contains(": >") || line.contains(": |")) {
            return "'>' and '|' start a block of text in YAML; quote comparisons: rto: \"> 60s\""
        }
        if line.contains("\t") {
            return "YAML does not allow tabs for indentation; use spaces"
        }
        if problem.contains("mapping values are not allowed") {
            return "a value that contains ': ' must be quoted, or the line is indented too far"
        }
        if problem.contains("did not find expected key") || problem.contains("did not find expected '-'") {
            return "check the indentation of this line against the line above"
        }
        return nil
    }

    /// Line and column of a `Character` offset (Yams gives reader errors as offsets, not lines).
    private static func mark(ofCharacter offset: Int, in text: String) -> SourceMark {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character.isNewline {
                line += 1
                column = 1
            } else {
                column += character.unicodeScalars.count
            }
        }
        return SourceMark(line: line, column: column)
    }
}
