import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The rollback journal: before a fault is applied, how to undo it is written here and synced to disk.
/// A runner killed mid-fault leaves its pending rollbacks behind for `pgdrill recover`.
///
/// One journal per cluster (by cluster name) in the state directory; an exclusive `flock` on a lock file
/// beside it keeps two runners from drilling the same cluster at once.
public final class Journal: @unchecked Sendable {
    // @unchecked Sendable: every access to `entries` and the file goes through `lock`.

    /// One undo action, recorded before its fault.
    public struct Entry: Codable, Sendable, Equatable {
        public enum State: String, Codable, Sendable { case pending, done, failed }
        public var id: Int
        public var runID: String
        public var drill: String
        /// Host name from the cluster file (a node or proxy).
        public var host: String
        /// What the fault did, for people reading `recover`'s output.
        public var fault: String
        /// The shell script that undoes it; idempotent (safe to run twice).
        public var rollback: String
        public var state: State
        public var recordedAt: String
        public var error: String?
        /// The address `host` had in the cluster file the entry was written with (nil in journals older than
        /// this field): a rollback is replayed only where its fault was applied.
        public var hostAddress: String?
        /// The rollback starts PostgreSQL by hand: replayed only while no other node is primary.
        public var startsPostgres: Bool?
    }

    private struct File: Codable {
        var version = 1
        var cluster: String
        var entries: [Entry]
    }

    public let path: String
    public let cluster: String
    /// Host name → address in the cluster file this journal was opened with.
    public let addresses: [String: String]
    private let lock = NSLock()
    private var entries: [Entry]
    private var lockFD: Int32 = -1

    /// Opens (or creates) the journal of `cluster` under `directory`, taking the cluster's run lock.
    /// `addresses` (host name → address) is stamped on every entry and checked before one is replayed.
    ///
    /// The directory holds root's rollback scripts: it must be the caller's own and writable by nobody else,
    /// and no file in it is opened through a symlink (a planted link would make a root run overwrite, or read
    /// its rollbacks from, a file of somebody else's choosing).
    public init(directory: String, cluster: String, addresses: [String: String] = [:]) throws {
        try Self.secureDirectory(directory)
        self.cluster = cluster
        self.addresses = addresses
        self.path = (directory as NSString).appendingPathComponent("\(cluster).journal.json")
        let lockPath = (directory as NSString).appendingPathComponent("\(cluster).lock")
        lockFD = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lockFD >= 0 else {
            let why = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw EngineError(.io, "cannot open the run lock \(lockPath): \(why)", hint: "remove it; pgdrill creates it again")
        }
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            close(lockFD)
            throw EngineError(
                .busy, "another pgdrill run holds the lock for cluster '\(cluster)' (\(lockPath))",
                hint: "wait for it to finish; a killed run leaves no lock behind, only its journal")
        }
        do {
            if let data = try Self.readIfPresent(path) {
                do {
                    entries = try JSONDecoder().decode(File.self, from: data).entries
                } catch {
                    throw EngineError(.io, "journal \(path) is unreadable: \(error)", hint: "inspect it by hand; move it aside only once the cluster is known to be clean")
                }
            } else {
                entries = []
            }
        } catch {
            close(lockFD)  // no deinit for an object that never finished initialising: the lock would stay held
            throw error
        }
    }

    /// Creates `directory` (mode 0700) if needed and refuses one that is not the caller's or that group or
    /// others may write.
    static func secureDirectory(_ directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        var st = stat()
        guard stat(directory, &st) == 0 else {
            throw EngineError(.io, "cannot read the state directory \(directory): \(String(cString: strerror(errno)))")
        }
        guard st.st_mode & S_IFMT == S_IFDIR else {
            throw EngineError(.io, "the state directory \(directory) is not a directory", hint: "set PGDRILL_STATE_DIR to a directory of your own")
        }
        if st.st_uid != geteuid() {
            throw EngineError(.refused, "the state directory \(directory) belongs to uid \(st.st_uid), not to this user (uid \(geteuid())): its journal holds the rollbacks run as root",
                              hint: "use a directory of your own (PGDRILL_STATE_DIR), or `chown` this one to you")
        }
        if st.st_mode & 0o022 != 0 {
            throw EngineError(.refused, "the state directory \(directory) is writable by \(st.st_mode & 0o002 != 0 ? "anyone" : "its group") (mode \(String(st.st_mode & 0o7777, radix: 8))): somebody else could plant rollbacks in it",
                              hint: "chmod 700 \(directory)")
        }
    }

    /// The file's bytes, nil if it does not exist; never through a symbolic link, regular files only.
    static func readIfPresent(_ path: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        if fd < 0 {
            if errno == ENOENT { return nil }
            let why = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw EngineError(.io, "cannot read journal \(path): \(why)", hint: "inspect it by hand; move it aside only once the cluster is known to be clean")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw EngineError(.io, "journal \(path) is not a regular file", hint: "inspect it by hand")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n < 0, errno == EINTR { continue }
            guard n >= 0 else { throw EngineError(.io, "cannot read journal \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Why `entry` must not be replayed with this cluster file (its host now has another address, or is not
    /// listed); nil when it may (or was written before entries carried addresses).
    public func foreignHost(_ entry: Entry) -> String? {
        guard let written = entry.hostAddress, !addresses.isEmpty else { return nil }
        guard let now = addresses[entry.host] else {
            return "it was written for \(entry.host) at \(written), which this cluster file does not list"
        }
        return now == written ? nil : "it was written for \(entry.host) at \(written); this cluster file has \(entry.host) at \(now)"
    }

    deinit {
        if lockFD >= 0 { close(lockFD) }
    }

    /// Rollbacks not yet done, newest first (the order to undo them in).
    public var pending: [Entry] {
        lock.withLock { entries.filter { $0.state != .done }.reversed() }
    }

    /// Records an undo action and syncs it to disk. Call before the fault is applied.
    @discardableResult
    public func record(runID: String, drill: String, host: String, fault: String, rollback: String, startsPostgres: Bool = false) throws -> Int {
        try lock.withLock {
            let id = (entries.map(\.id).max() ?? 0) + 1
            entries.append(Entry(
                id: id, runID: runID, drill: drill, host: host, fault: fault, rollback: rollback,
                state: .pending, recordedAt: ISO8601DateFormatter().string(from: Date()), error: nil, hostAddress: addresses[host],
                startsPostgres: startsPostgres ? true : nil))
            try persist()
            return id
        }
    }

    /// Marks an entry done (its rollback ran and succeeded) or failed (with the error).
    public func mark(_ id: Int, _ state: Entry.State, error: String? = nil) throws {
        try lock.withLock {
            guard let i = entries.firstIndex(where: { $0.id == id }) else { return }
            entries[i].state = state
            entries[i].error = error
            // Done entries are dropped once nothing is pending: the journal only keeps what is left to do.
            if entries.allSatisfy({ $0.state == .done }) { entries.removeAll() }
            try persist()
        }
    }

    private func persist() throws {
        let data = try JSONEncoder.pretty.encode(File(cluster: cluster, entries: entries))
        let tmp = path + ".tmp"
        // A leftover (a crash between write and rename) or a planted link goes first: unlink removes the link
        // itself, and O_EXCL | O_NOFOLLOW then creates a new file or fails.
        if unlink(tmp) != 0, errno != ENOENT {
            throw EngineError(.io, "cannot remove the stale \(tmp): \(String(cString: strerror(errno)))")
        }
        let fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw EngineError(.io, "cannot write journal \(tmp): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(fd) == 0 else {
            throw EngineError(.io, "cannot write journal \(tmp): \(String(cString: strerror(errno)))", hint: "is the disk full?")
        }
        guard rename(tmp, path) == 0 else {
            throw EngineError(.io, "cannot replace journal \(path): \(String(cString: strerror(errno)))")
        }
        let dir = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }
    }

    /// Default state directory: `$PGDRILL_STATE_DIR`, else `$XDG_STATE_HOME/pgdrill`, else `~/.local/state/pgdrill`.
    public static var defaultDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["PGDRILL_STATE_DIR"], !dir.isEmpty { return dir }
        if let xdg = env["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/pgdrill" }
        return NSHomeDirectory() + "/.local/state/pgdrill"
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
