/// How the write probe loads the cluster while the drill runs: the instrument every figure comes from.
public struct ProbeSettings: Sendable, Hashable {
    /// The cluster endpoint the writers use; `write` by default.
    public var endpoint: String
    /// Concurrent connections per endpoint, 1…256; 4 by default.
    public var writers: Int
    /// Cap in writes per second per endpoint; 0 means as fast as acknowledgements come.
    public var rate: Int
    /// Other endpoints probed side by side (read endpoints get a read probe).
    public var also: [String]
    /// Client-side limit on one attempt; the connection is closed (never cancelled) when it passes.
    public var deadline: DrillDuration
    /// Where each endpoint name is in the drill file, for errors found against the cluster.
    var endpointMarks: [String: SourceMark]

    public init(endpoint: String = "write", writers: Int = 4, rate: Int = 0, also: [String] = [],
                deadline: DrillDuration = .seconds(2)) {
        self.endpoint = endpoint
        self.writers = writers
        self.rate = rate
        self.also = also
        self.deadline = deadline
        self.endpointMarks = [:]
    }

    /// The main endpoint followed by `also`.
    public var allEndpoints: [String] { [endpoint] + also }
}
