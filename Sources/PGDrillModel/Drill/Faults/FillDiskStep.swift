/// `fill_disk`: write a filler file until a size or until the filesystem is full (minus `leave`).
///
/// Filling pg_wal to ENOSPC makes heap writes fail first (WAL segments are preallocated); leaving some
/// room and then generating WAL (`wal_burst`) gives a real WAL PANIC. Both are useful drills.
public struct FillDiskStep: Sendable, Hashable {
    /// Where the filler file goes.
    public enum Location: Sendable, Hashable, CustomStringConvertible {
        /// `pg_wal` under the data directory.
        case walDirectory
        /// The data directory itself.
        case dataDirectory
        /// Any absolute directory on the node.
        case path(String)

        public var description: String {
            switch self {
            case .walDirectory: "pg_wal"
            case .dataDirectory: "data"
            case .path(let path): path
            }
        }
    }

    /// How much to write.
    public enum Amount: Sendable, Hashable, CustomStringConvertible {
        /// Exactly this much.
        case size(ByteSize)
        /// Until the filesystem is full, leaving this much free (zero: to ENOSPC).
        case untilFull(leave: ByteSize)

        public var description: String {
            switch self {
            case .size(let size): "\(size)"
            case .untilFull(let leave): leave == .zero ? "until full" : "until \(leave) are left"
            }
        }
    }

    public var target: Target
    public var location: Location
    public var amount: Amount
    public var rollbackAfter: DrillDuration?
    public var mark: SourceMark

    public init(target: Target, location: Location, amount: Amount, rollbackAfter: DrillDuration? = nil, mark: SourceMark) {
        self.target = target
        self.location = location
        self.amount = amount
        self.rollbackAfter = rollbackAfter
        self.mark = mark
    }
}
