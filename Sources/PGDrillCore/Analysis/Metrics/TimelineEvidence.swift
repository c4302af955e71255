/// The outage as the database itself recorded it: the server-side `clock_timestamp()` of the last
/// acknowledged row on the old timeline and of the first on a newer one. A cross-check of the
/// client-side RTO that does not depend on the probe's clock.
public struct TimelineEvidence: Codable, Sendable, Equatable {
    /// Timeline of the last row acknowledged before t0.
    public var oldTimeline: Int
    /// Lowest newer timeline that acknowledged a row; nil when the timeline never changed.
    public var newTimeline: Int?
    /// Server time of the last acknowledged row on the old timeline, µs since the Unix epoch.
    public var lastOldRow: Int64
    /// Server time of the first acknowledged row on any newer timeline, µs since the Unix epoch.
    public var firstNewRow: Int64?

    public init(oldTimeline: Int, newTimeline: Int?, lastOldRow: Int64, firstNewRow: Int64?) {
        self.oldTimeline = oldTimeline
        self.newTimeline = newTimeline
        self.lastOldRow = lastOldRow
        self.firstNewRow = firstNewRow
    }

    /// `firstNewRow - lastOldRow`, µs (server clocks; equal on one machine).
    public var gap: Int64? { firstNewRow.map { $0 - lastOldRow } }
}
