/// One write (or read) attempt of the probe: the unit every RTO, error-rate and lost-write figure is
/// derived from. Times are microseconds on the run's monotonic clock (`RunClock`), never wall-clock.
public struct ProbeAttempt: Codable, Sendable, Equatable {
    /// What the client can know about an attempt (DESIGN §6).
    public enum Outcome: String, Codable, Sendable {
        /// The commit was acknowledged.
        case ok
        /// Certainly not committed: refused, read-only, error before the commit was sent.
        case fail
        /// The connection was lost (or the deadline passed) after the commit was sent: may go either way.
        case indeterminate
    }

    /// Endpoint name from the cluster file (`write`, `pooled`, `read`, …).
    public var endpoint: String
    /// Writer index within the endpoint, 0-based.
    public var writer: Int
    /// Per-writer sequence number, 1-based, strictly increasing; the row key is (endpoint, writer, seq).
    public var seq: Int64
    /// Monotonic start of the attempt, µs since the run epoch.
    public var start: Int64
    /// Monotonic end of the attempt (ack, error or deadline), µs since the run epoch.
    public var end: Int64
    public var outcome: Outcome
    /// SQLSTATE of an error, when the server sent one.
    public var sqlstate: String?
    /// Error text (server message or connection error), first line only, no secrets.
    public var error: String?
    /// `inet_server_addr():port` of the server that acknowledged, for ok attempts.
    public var server: String?
    /// Server-side `clock_timestamp()` of the row, µs since the Unix epoch, for ok attempts.
    public var serverTime: Int64?
    /// Timeline of the server's current WAL file when the row was written, for ok attempts.
    public var timeline: Int?

    public init(
        endpoint: String, writer: Int, seq: Int64, start: Int64, end: Int64, outcome: Outcome,
        sqlstate: String? = nil, error: String? = nil, server: String? = nil,
        serverTime: Int64? = nil, timeline: Int? = nil
    ) {
        self.endpoint = endpoint
        self.writer = writer
        self.seq = seq
        self.start = start
        self.end = end
        self.outcome = outcome
        self.sqlstate = sqlstate
        self.error = error
        self.server = server
        self.serverTime = serverTime
        self.timeline = timeline
    }

    /// The identity of the row this attempt tried to write.
    public var key: WriteKey { WriteKey(endpoint: endpoint, writer: writer, seq: seq) }
}

/// Identity of one probe row: the probe table's primary key, less the run id.
public struct WriteKey: Hashable, Codable, Sendable, Comparable {
    public var endpoint: String
    public var writer: Int
    public var seq: Int64

    public init(endpoint: String, writer: Int, seq: Int64) {
        self.endpoint = endpoint
        self.writer = writer
        self.seq = seq
    }

    public static func < (a: WriteKey, b: WriteKey) -> Bool {
        (a.endpoint, a.writer, a.seq) < (b.endpoint, b.writer, b.seq)
    }
}
