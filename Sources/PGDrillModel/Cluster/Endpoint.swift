/// A named way the application reaches the database (`write`, `read`, `pooled`): a libpq conninfo
/// without a password. The probe measures what each endpoint's clients see.
public struct Endpoint: Sendable, Hashable {
    public var name: String
    /// As written in the cluster file; use `ClusterSpec.conninfo(endpoint:)` to connect (adds passfile)
    /// and `Conninfo.redacted(_:)` to print.
    public var conninfo: String
    public var mark: SourceMark?

    public init(name: String, conninfo: String, mark: SourceMark? = nil) {
        self.name = name
        self.conninfo = conninfo
        self.mark = mark
    }
}
