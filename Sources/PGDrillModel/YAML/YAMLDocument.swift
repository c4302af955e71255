import Yams

/// The root node of one checked YAML file, with every YAML-level problem turned into a `DrillFileError`.
///
/// Order of checks: bytes (size, UTF-8) → anchors, aliases and nesting depth (token scan) → composition
/// by Yams (syntax, duplicate keys) → exactly one non-empty document. What comes out is safe to walk:
/// a finite tree with no shared nodes, at most `TokenScan.maximumDepth` levels deep.
struct YAMLDocument {
    let file: String
    let root: Node

    /// Parses `source`; `kind` names the file type in messages ("drill file", "cluster file").
    init(_ source: SourceText, kind: String) throws(DrillFileError) {
        file = source.file
        if let finding = TokenScan.firstProblem(in: source.text) {
            switch finding.kind {
            case .anchor(let name), .alias(let name):
                let what = if case .anchor = finding.kind { "anchor '&\(name)'" } else { "alias '*\(name)'" }
                throw DrillFileError(.aliasNotAllowed, file: file, at: finding.mark,
                                     message: "YAML \(what): anchors and aliases are not allowed in a \(kind)",
                                     hint: "write the value out in full, so the file reads top to bottom")
            case .tooDeep:
                throw DrillFileError(.syntax, file: file, at: finding.mark,
                                     message: "YAML nested too deeply (over \(TokenScan.maximumDepth) levels)",
                                     hint: "drill and cluster files nest a few levels; check for unbalanced '[' or '{'")
            }
        }
        let composed: Node?
        do {
            composed = try Parser(yaml: source.text).singleRoot()
        } catch let error as YamlError {
            throw DrillFileError(yaml: error, file: file, text: source.text)
        } catch {
            throw DrillFileError(.syntax, file: file, at: nil, message: "cannot be parsed as YAML: \(error)")
        }
        guard let composed, !composed.isNull else {
            throw DrillFileError(.empty, file: file, at: SourceMark(line: 1, column: 1),
                                 message: "is empty; expected a \(kind) (a YAML mapping)",
                                 hint: "start from one of the shipped files (drills/ or lab/state/cluster.yaml)")
        }
        root = composed
    }
}

extension Node {
    /// A plain `~`, `null` or empty scalar: what YAML writes for "no value" (`key:` with nothing after it).
    var isNull: Bool {
        guard case .scalar(let scalar) = self, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// This node's position as a `SourceMark`.
    var sourceMark: SourceMark? {
        mark.map { SourceMark(line: $0.line, column: $0.column) }
    }

    /// What kind of node this is, for "expected a mapping, got a list" messages.
    var kindName: String {
        switch self {
        case .scalar: isNull ? "nothing" : "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
