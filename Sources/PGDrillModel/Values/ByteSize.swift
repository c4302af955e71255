import Foundation

/// An amount of bytes in a drill or cluster file (`64MB`, `512kB`, `1GB`, `1MiB`, `0`).
///
/// Units are binary, as in PostgreSQL's GUCs (`max_wal_size = 1GB` means 1024³ bytes): DBAs write `1MB`
/// and mean 1 MiB, and a lag limit or a WAL size copied from `postgresql.conf` must mean the same here.
/// So `MB` and `MiB` are the same unit (1,048,576 bytes); there is no decimal megabyte. Units are matched
/// without regard to case (`64mb` is 64 MiB); `B` may be omitted only for zero.
public struct ByteSize: DrillValue, Hashable, Comparable {
    public let bytes: Int64

    public static let zero = ByteSize(bytes: 0)

    public init(bytes: Int64) {
        self.bytes = max(bytes, 0)
    }

    public static func mebibytes(_ value: Int64) -> ByteSize {
        ByteSize(bytes: value * 1 << 20)
    }

    public static func < (lhs: ByteSize, rhs: ByteSize) -> Bool {
        lhs.bytes < rhs.bytes
    }
}

extension ByteSize {
    /// Accepted units (lowercased) and their size; `kb` = `kib` = 1024 and so on (PostgreSQL's meaning).
    static let units: [String: Int64] = [
        "b": 1,
        "kb": 1 << 10, "kib": 1 << 10,
        "mb": 1 << 20, "mib": 1 << 20,
        "gb": 1 << 30, "gib": 1 << 30,
        "tb": 1 << 40, "tib": 1 << 40,
    ]

    /// How `description` names each unit: PostgreSQL's spelling.
    static let printedUnits: [(name: String, bytes: Int64)] = [
        ("TB", 1 << 40), ("GB", 1 << 30), ("MB", 1 << 20), ("kB", 1 << 10),
    ]

    public init(parsing text: String) throws(ValueParseError) {
        let shown = ValueParseError.quoted(text)
        switch DecimalText.quantity(text, factor: { Self.units[$0.lowercased()] }) {
        case .value(let bytes):
            self.init(bytes: bytes)
        case .negative:
            throw ValueParseError("must not be negative, got \(shown)")
        case .missingUnit(let number):
            throw ValueParseError("needs a unit, got \(shown)", hint: "write \(number)MB (MB = MiB, as in PostgreSQL), kB, GB or B")
        case .unknownUnit(let unit):
            throw ValueParseError("has an unknown unit '\(unit)' in \(shown)", hint: "units are B, kB, MB, GB, TB (binary, as in PostgreSQL)")
        case .overflow:
            throw ValueParseError("is too large, got \(shown)")
        case .tooPrecise:
            throw ValueParseError("is not a whole number of bytes, got \(shown)")
        case .notANumber:
            throw ValueParseError("must be a size like 512kB, 64MB or 1GB, got \(shown)")
        }
    }

    /// The largest unit that divides exactly, in PostgreSQL's spelling: `64MB`, `512kB`, `1000B`, `0B`.
    public var description: String {
        guard bytes != 0 else { return "0B" }
        let unit = Self.printedUnits.first { bytes % $0.bytes == 0 }
        return unit.map { "\(bytes / $0.bytes)\($0.name)" } ?? "\(bytes)B"
    }
}
