import Foundation

/// A JSON value decoded strictly (a number is never a boolean), for schema validation.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let v = try? c.decode(Bool.self) { self = .bool(v) }
        else if let v = try? c.decode(Int64.self) { self = .integer(v) }
        else if let v = try? c.decode(Double.self) { self = .number(v) }
        else if let v = try? c.decode(String.self) { self = .string(v) }
        else if let v = try? c.decode([JSONValue].self) { self = .array(v) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    static func parse(_ text: String) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) }

    subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] } else { return nil }
    }
}

/// Validates JSON against the subset of JSON Schema 2020-12 that `schema/report.schema.json`
/// uses: type, required, properties, additionalProperties (false), items, enum, minimum,
/// format date-time, and `$ref` into `$defs`. Any other keyword is reported as an error, so the
/// schema cannot silently rely on something this validator ignores. Records which declared
/// properties were seen, so a test can check that the schema names nothing the report lacks.
struct JSONSchemaValidator {
    let root: JSONValue
    private(set) var errors: [String] = []
    /// Schema locations (`#/$defs/Drill/properties/metrics`) of every property met in an instance.
    private(set) var seen: Set<String> = []

    static let annotations: Set<String> = ["$schema", "$id", "title", "description", "$defs"]
    static let keywords: Set<String> = ["type", "required", "properties", "additionalProperties", "items", "enum", "minimum", "format", "$ref"]

    init(schema: JSONValue) {
        root = schema
    }

    mutating func validate(_ instance: JSONValue) {
        validate(instance, against: root, at: "$", schemaPath: "#")
    }

    /// Every property location declared anywhere in the schema.
    func declaredProperties() -> Set<String> {
        var out: Set<String> = []
        func walk(_ schema: JSONValue, _ path: String) {
            guard case .object(let o) = schema else { return }
            if case .object(let props)? = o["properties"] {
                for (name, sub) in props {
                    out.insert("\(path)/properties/\(name)")
                    walk(sub, "\(path)/properties/\(name)")
                }
            }
            if case .object(let defs)? = o["$defs"] {
                for (name, sub) in defs { walk(sub, "#/$defs/\(name)") }
            }
            if let items = o["items"] { walk(items, "\(path)/items") }
        }
        walk(root, "#")
        return out
    }

    private mutating func validate(_ v: JSONValue, against schema: JSONValue, at path: String, schemaPath: String) {
        guard case .object(let s) = schema else { errors.append("\(schemaPath): schema is not an object"); return }
        for key in s.keys where !Self.annotations.contains(key) && !Self.keywords.contains(key) {
            errors.append("\(schemaPath): keyword \(key) not supported by this validator")
        }
        if case .string(let target)? = s["$ref"] {
            let prefix = "#/$defs/"
            guard target.hasPrefix(prefix), let def = root["$defs"]?[String(target.dropFirst(prefix.count))] else {
                errors.append("\(schemaPath): unresolvable $ref \(target)")
                return
            }
            validate(v, against: def, at: path, schemaPath: target)
        }
        if let type = s["type"], !matches(v, type) {
            errors.append("\(path): expected \(type), found \(v)")
            return
        }
        if case .array(let options)? = s["enum"], !options.contains(v) {
            errors.append("\(path): \(v) is not one of \(options)")
        }
        if let minimum = s["minimum"], let n = number(v), let min = number(minimum), n < min {
            errors.append("\(path): \(n) is below the minimum \(min)")
        }
        if case .string("date-time")? = s["format"], case .string(let text) = v, ISO8601DateFormatter().date(from: text) == nil {
            errors.append("\(path): \(text) is not an RFC 3339 date-time")
        }
        if case .object(let o) = v {
            if case .array(let required)? = s["required"] {
                for case .string(let name) in required where o[name] == nil {
                    errors.append("\(path): missing required property \(name)")
                }
            }
            let props: [String: JSONValue] = if case .object(let p)? = s["properties"] { p } else { [:] }
            for (name, value) in o {
                if let sub = props[name] {
                    seen.insert("\(schemaPath)/properties/\(name)")
                    validate(value, against: sub, at: "\(path).\(name)", schemaPath: "\(schemaPath)/properties/\(name)")
                } else if case .bool(false)? = s["additionalProperties"] {
                    errors.append("\(path): property \(name) is not allowed")
                }
            }
        }
        if case .array(let elements) = v, let items = s["items"] {
            for (i, element) in elements.enumerated() {
                validate(element, against: items, at: "\(path)[\(i)]", schemaPath: "\(schemaPath)/items")
            }
        }
    }

    private func matches(_ v: JSONValue, _ type: JSONValue) -> Bool {
        switch type {
        case .string(let t):
            switch (t, v) {
            case ("null", .null), ("boolean", .bool), ("integer", .integer), ("number", .integer), ("number", .number),
                 ("string", .string), ("array", .array), ("object", .object): return true
            default: return false
            }
        case .array(let types): return types.contains { matches(v, $0) }
        default: return false
        }
    }

    private func number(_ v: JSONValue) -> Double? {
        switch v {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
}
