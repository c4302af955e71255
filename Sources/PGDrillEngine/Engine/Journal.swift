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
    }

    private struct File: Codable {
        var version = 1
        var cluster: String
        var entries: [Entry]
    }

    public let path: String
    public let cluster: String
    private let lock = NSLock()
    private var entries: [Entry]
    private var lockFD: Int32 = -1

    /// Opens (or creates) the journal of `cluster` under `directory`, taking the cluster's run lock.
    public init(directory: String, cluster: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        self.cluster = cluster
        self.path = (directory as NSString).appendingPathComponent("\(cluster).journal.json")
        let lockPath = (directory as NSString).appendingPathComponent("\(cluster).lock")
        lockFD = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else {
            throw EngineError(.io, "cannot open the run lock \(lockPath): \(String(cString: strerror(errno)))")
        }
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            close(lockFD)
            throw EngineError(
                .busy, "another pgdrill run holds the lock for cluster '\(cluster)' (\(lockPath))",
                hint: "wait for it to finish; a killed run leaves no lock behind, only its journal")
        }
        if let data = FileManager.default.contents(atPath: path) {
            do {
                entries = try JSONDecoder().decode(File.self, from: data).entries
            } catch {
                throw EngineError(.io, "journal \(path) is unreadable: \(error)", hint: "inspect it by hand; move it aside only once the cluster is known to be clean")
            }
        } else {
            entries = []
        }
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
    public func record(runID: String, drill: String, host: String, fault: String, rollback: String) throws -> Int {
        try lock.withLock {
            let id = (entries.map(\.id).max() ?? 0) + 1
            entries.append(Entry(
                id: id, runID: runID, drill: drill, host: host, fault: fault, rollback: rollback,
                state: .pending, recordedAt: ISO8601DateFormatter().string(from: Date()), error: nil))
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
        let fd = open(tmp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
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
