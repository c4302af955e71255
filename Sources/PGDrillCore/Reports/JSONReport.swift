import Foundation

/// Renders and reads `report.json`: the versioned, machine-readable record of a run, with every
/// figure and every cluster event (the probe attempts stay in the CSV sidecars it names).
/// Keys are snake_case and sorted, dates ISO 8601, so reports diff cleanly and other tools can
/// read them without Swift.
public struct JSONReport: Sendable {
    public var redactor: Redactor

    public init(redactor: Redactor = Redactor()) {
        self.redactor = redactor
    }

    /// The report as pretty-printed JSON text.
    public func render(_ report: RunReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        let data = try encoder.encode(report.redacted(by: redactor))
        // Belt and braces: a secret in a field the model-level redaction does not know of.
        return redactor.redact(String(decoding: data, as: UTF8.self)) + "\n"
    }

    /// Reads a report written by `render` (for `pgdrill history`).
    public static func decode(_ data: Data) throws -> RunReport {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(RunReport.self, from: data)
    }
}
