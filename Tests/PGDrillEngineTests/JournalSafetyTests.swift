import Foundation
import Testing
@testable import PGDrillEngine

/// The state directory holds the rollbacks a root run replays (issue 20, item 12): it must be the runner's
/// own, nothing in it is opened through a planted link, and an entry is replayed only on the host it was
/// written for.
@Suite struct JournalSafetyTests {
    func freshDirectory(_ name: String) throws -> String {
        let dir = NSTemporaryDirectory() + "pgdrill-journal-\(name)-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return dir
    }

    func refusal(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func aNewStateDirectoryIsPrivate() throws {
        let dir = NSTemporaryDirectory() + "pgdrill-journal-new-\(getpid())/state"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        _ = try Journal(directory: dir, cluster: "c")
        let mode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    @Test func aStateDirectoryOthersCanWriteIsRefused() throws {
        let dir = try freshDirectory("mode")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chmod(dir, 0o777)
        let why = try #require(refusal { _ = try Journal(directory: dir, cluster: "c") })
        #expect(why.contains("writable by anyone") && why.contains("chmod 700"), "\(why)")
        chmod(dir, 0o770)
        #expect(refusal { _ = try Journal(directory: dir, cluster: "c") }?.contains("writable by its group") == true)
        chmod(dir, 0o755)
        #expect(refusal { _ = try Journal(directory: dir, cluster: "c") } == nil)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to give the directory away"))
    func aStateDirectoryOfAnotherUserIsRefused() throws {
        let dir = try freshDirectory("owner")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        chown(dir, 65534, 65534)
        let why = try #require(refusal { _ = try Journal(directory: dir, cluster: "c") })
        #expect(why.contains("belongs to uid 65534"), "\(why)")
    }

    @Test func noFileIsOpenedThroughASymlink() throws {
        let dir = try freshDirectory("links")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let victim = dir + "/victim"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        // The lock and the journal as links: refused, the target untouched.
        symlink(victim, dir + "/c.lock")
        #expect(refusal { _ = try Journal(directory: dir, cluster: "c") }?.contains("symbolic link") == true)
        unlink(dir + "/c.lock")
        symlink(victim, dir + "/c.journal.json")
        #expect(refusal { _ = try Journal(directory: dir, cluster: "c") }?.contains("symbolic link") == true)
        unlink(dir + "/c.journal.json")
        // A planted .tmp link: the journal is written as a new file beside it, never through it.
        symlink(victim, dir + "/c.journal.json.tmp")
        let journal = try Journal(directory: dir, cluster: "c")
        try journal.record(runID: "r", drill: "d", host: "pg1", fault: "f", rollback: "true")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
        #expect(journal.pending.count == 1)
        var st = stat()
        #expect(lstat(dir + "/c.journal.json", &st) == 0 && st.st_mode & S_IFMT == S_IFREG)
    }

    @Test func anEntryIsReplayedOnlyWhereItWasWritten() throws {
        let dir = try freshDirectory("hosts")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let journal = try Journal(directory: dir, cluster: "c", addresses: ["pg1": "10.0.0.1", "pg2": "10.0.0.2"])
            try journal.record(runID: "r", drill: "d", host: "pg1", fault: "partition", rollback: "true")
        }
        // One journal open at a time: each holds the cluster's lock.
        func opened(_ addresses: [String: String]) throws -> (Journal.Entry, (Journal.Entry) -> String?) {
            let journal = try Journal(directory: dir, cluster: "c", addresses: addresses)
            let entry = try #require(journal.pending.first)
            let reason = journal.foreignHost(entry)
            return (entry, { _ in reason })
        }
        let (entry, same) = try opened(["pg1": "10.0.0.1"])
        #expect(entry.hostAddress == "10.0.0.1")
        #expect(same(entry) == nil)
        #expect(try opened(["pg1": "192.0.2.9"]).1(entry)?.contains("written for pg1 at 10.0.0.1; this cluster file has pg1 at 192.0.2.9") == true)
        #expect(try opened(["pg7": "10.0.0.7"]).1(entry)?.contains("does not list") == true)
        // Journals from before the field: replayed as before.
        var old = entry
        old.hostAddress = nil
        #expect(try Journal(directory: dir, cluster: "c", addresses: ["pg1": "192.0.2.9"]).foreignHost(old) == nil)
    }
}
