/// A named way the application reaches the database (`write`, `read`, `pooled`): a libpq conninfo
/// without a password, and whether the probe writes or reads through it. The probe measures what each
/// endpoint's clients see.
public struct Endpoint: Sendable, Hashable {
    /// What the probe does through an endpoint: writes (verified afterwards) or reads (availability only).
    public enum Kind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case write, read
        public var description: String { rawValue }
    }

    public var name: String
    /// As written in the cluster file; use `ClusterSpec.conninfo(endpoint:)` to connect (adds passfile)
    /// and `Conninfo.redacted(_:)` to print.
    public var conninfo: String
    /// Stated in the cluster file (`{ conninfo: …, kind: read }`), or `write` for a plain conninfo whose
    /// name does not suggest reads. Never guessed from the name: an endpoint whose name contains "read"
    /// must say its kind.
    public var kind: Kind
    public var mark: SourceMark?

    public init(name: String, conninfo: String, kind: Kind = .write, mark: SourceMark? = nil) {
        self.name = name
        self.conninfo = conninfo
        self.kind = kind
        self.mark = mark
    }
}
