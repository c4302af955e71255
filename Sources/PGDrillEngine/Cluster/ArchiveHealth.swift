import Foundation

/// The WAL archiver as the primary reports it (`pg_stat_archiver`), and what it means for recovery from
/// backup. Pure: parsed from one row, judged without a cluster.
public struct ArchiverStatus: Sendable, Equatable {
    public var node: String
    /// `archive_mode` (`off` means nothing is archived at all).
    public var archiveMode: String
    public var archivedCount: Int
    public var failedCount: Int
    public var lastArchivedWAL: String?
    /// Seconds since the last successful archive, when there was one.
    public var lastArchivedAge: Double?
    public var lastFailedWAL: String?
    public var lastFailedAge: Double?

    /// The query behind `init(node:row:)`, run on the primary.
    public static let sql = """
        SELECT current_setting('archive_mode'), archived_count, failed_count, last_archived_wal,
               extract(epoch FROM now() - last_archived_time), last_failed_wal,
               extract(epoch FROM now() - last_failed_time)
        FROM pg_stat_archiver
        """

    public init(node: String, archiveMode: String, archivedCount: Int, failedCount: Int, lastArchivedWAL: String?,
                lastArchivedAge: Double?, lastFailedWAL: String?, lastFailedAge: Double?) {
        self.node = node
        self.archiveMode = archiveMode
        self.archivedCount = archivedCount
        self.failedCount = failedCount
        self.lastArchivedWAL = lastArchivedWAL
        self.lastArchivedAge = lastArchivedAge
        self.lastFailedWAL = lastFailedWAL
        self.lastFailedAge = lastFailedAge
    }

    /// Reads one row of `sql`.
    public init?(node: String, row: [String?]) {
        guard row.count == 7, let mode = row[0], let archived = row[1].flatMap({ Int($0) }),
              let failed = row[2].flatMap({ Int($0) }) else { return nil }
        self.init(node: node, archiveMode: mode, archivedCount: archived, failedCount: failed,
                  lastArchivedWAL: row[3], lastArchivedAge: row[4].flatMap(Double.init),
                  lastFailedWAL: row[5], lastFailedAge: row[6].flatMap(Double.init))
    }

    /// The latest attempt failed: the last failure is newer than the last success. A failure count alone
    /// says nothing (pgBackRest refuses archive-push until its stanza exists, so a fresh cluster has some).
    public var isFailing: Bool {
        guard let failedAge = lastFailedAge else { return false }
        guard let archivedAge = lastArchivedAge else { return true }
        return failedAge < archivedAge
    }

    /// Why recovery from backup would be at risk, each with what to do; empty when archiving works.
    public var problems: [String] {
        var problems: [String] = []
        if archiveMode == "off" {
            problems.append("WAL archiving is off on the primary \(node) (archive_mode = off): no restore can go past the last backup")
        }
        if isFailing {
            problems.append("WAL archiving is failing on the primary \(node): the last attempt (\(lastFailedWAL ?? "?"), "
                            + "\(Self.age(lastFailedAge)) ago) failed; \(failedCount) failure(s) in all, last success "
                            + (lastArchivedWAL.map { "\($0) \(Self.age(lastArchivedAge)) ago" } ?? "never")
                            + " — check archive_command and the repository (PostgreSQL's log on \(node) has the command's error)")
        }
        return problems
    }

    /// One line for `check`.
    public var summary: String {
        "WAL archiving on \(node): archive_mode \(archiveMode), \(archivedCount) archived, last "
            + (lastArchivedWAL.map { "\($0) \(Self.age(lastArchivedAge)) ago" } ?? "never")
            + ", \(failedCount) failed" + (isFailing ? " — FAILING" : "")
    }

    static func age(_ seconds: Double?) -> String {
        guard let seconds else { return "?" }
        if seconds < 120 { return String(format: "%.1f s", seconds) }
        if seconds < 7200 { return String(format: "%.0f min", seconds / 60) }
        return String(format: "%.1f h", seconds / 3600)
    }
}

/// What pgBackRest's repository holds for the stanza, from `pgbackrest info --output=json`.
public struct BackupInventory: Sendable, Equatable {
    public struct Backup: Sendable, Equatable {
        public var label: String
        public var type: String
        /// Unix time the backup finished.
        public var stop: Double
    }

    public var stanza: String
    /// pgBackRest's stanza status: 0 ok, 2 no valid backups, others an error with `statusMessage`.
    public var statusCode: Int
    public var statusMessage: String
    public var backups: [Backup]
    /// The newest archived WAL segment in the repository.
    public var archiveMax: String?

    /// Parses the JSON `info` prints for one stanza.
    public init(json: Data, stanza: String) throws {
        guard let stanzas = try JSONSerialization.jsonObject(with: json) as? [[String: Any]] else {
            throw EngineError(.remote, "pgbackrest info: not a JSON list of stanzas")
        }
        guard let entry = stanzas.first(where: { $0["name"] as? String == stanza }) else {
            throw EngineError(.remote, "pgbackrest info: the repository has no stanza '\(stanza)' (stanzas: \(stanzas.compactMap { $0["name"] as? String }.joined(separator: ", ")))",
                              hint: "create it with `pgbackrest --stanza=\(stanza) stanza-create` on the repository host")
        }
        let status = entry["status"] as? [String: Any]
        self.stanza = stanza
        statusCode = (status?["code"] as? NSNumber)?.intValue ?? -1
        statusMessage = status?["message"] as? String ?? "?"
        backups = (entry["backup"] as? [[String: Any]] ?? []).compactMap { b in
            guard let label = b["label"] as? String, let stop = ((b["timestamp"] as? [String: Any])?["stop"] as? NSNumber)?.doubleValue
            else { return nil }
            return Backup(label: label, type: b["type"] as? String ?? "?", stop: stop)
        }
        archiveMax = (entry["archive"] as? [[String: Any]])?.compactMap { $0["max"] as? String }.max()
    }

    /// The newest backup, when there is one.
    public var latest: Backup? { backups.max { $0.stop < $1.stop } }

    /// Seconds since the newest backup finished.
    public func latestAge(now: Date = Date()) -> Double? {
        latest.map { now.timeIntervalSince1970 - $0.stop }
    }

    /// Why a drill that needs a backup no older than `maxAge` seconds must not start; nil when it may.
    public func refusal(maxAge: Double, now: Date = Date()) -> String? {
        guard let latest, let age = latestAge(now: now) else {
            return "the repository holds no backup of stanza '\(stanza)' (\(statusMessage)); take one first (`pgbackrest --stanza=\(stanza) backup`, on the lab `lab/lab.sh backup`)"
        }
        guard age <= maxAge else {
            return "the newest backup of stanza '\(stanza)' (\(latest.label)) is \(ArchiverStatus.age(age)) old, the drill allows \(ArchiverStatus.age(maxAge)); take a fresh one first"
        }
        return nil
    }

    /// One line for `check`.
    public func summary(now: Date = Date()) -> String {
        "pgBackRest stanza \(stanza): \(statusMessage), \(backups.count) backup(s)"
            + (latest.map { ", newest \($0.label) (\($0.type)) \(ArchiverStatus.age(latestAge(now: now))) ago" } ?? "")
            + (archiveMax.map { ", WAL archived up to \($0)" } ?? "")
    }
}
