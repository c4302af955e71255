import Foundation
import Testing
@testable import PGDrillEngine

/// The cluster lease's rules, and its scripts run for real against a scratch directory: taken when free or
/// stale, refused (by the runner) when another live run holds it, written only if unchanged since read,
/// released only by its holder.
@Suite struct ClusterLeaseTests {
    @Test func livenessFollowsExpiryAndTheLocalRunner() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        let lease = ClusterLease(runID: "r1", runnerHost: "ci-7", pid: 4242, expires: 1_000_060)
        #expect(lease.isLive(now: now, localHost: "laptop", processAlive: { _ in false }), "another machine's runner cannot be checked: the lease binds until it expires")
        #expect(!lease.isLive(now: Date(timeIntervalSince1970: 1_000_061), localHost: "laptop", processAlive: { _ in true }), "expired")
        #expect(!lease.isLive(now: now, localHost: "ci-7", processAlive: { _ in false }), "its runner on this machine is dead")
        #expect(lease.isLive(now: now, localHost: "ci-7", processAlive: { $0 == 4242 }))
        #expect(ClusterLease(line: lease.line) == lease)
        #expect(ClusterLease(line: "garbage") == nil && ClusterLease(line: "a b c d") == nil)
        #expect(lease.holder.contains("run r1 on ci-7 (pid 4242"))
    }

    @Test func scriptsTakeCompareAndReleaseOnlyTheirOwn() throws {
        let dir = NSTemporaryDirectory() + "pgdrill-lease-\(getpid())/run"
        defer { try? FileManager.default.removeItem(atPath: (dir as NSString).deletingLastPathComponent) }
        try FileManager.default.createDirectory(atPath: (dir as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let a = ClusterLease(runID: "runA", runnerHost: "h", pid: 1, expires: 9_999_999_999)
        let b = ClusterLease(runID: "runB", runnerHost: "h", pid: 2, expires: 9_999_999_999)
        #expect(try shell(ClusterLease.write(a, ifCurrentIs: "", directory: dir)).0 == 0)
        #expect(try shell(ClusterLease.read(directory: dir)).1.trimmingCharacters(in: .whitespacesAndNewlines) == a.line)
        // B read the lease when it was free, A took it since: B's write must not land.
        let (raced, text) = try shell(ClusterLease.write(b, ifCurrentIs: "", directory: dir))
        #expect(raced == 4 && text.contains("PGDRILL-LEASE-CHANGED"), "\(text)")
        #expect(try shell(ClusterLease.read(directory: dir)).1.contains("runA"))
        // Only the holder releases.
        #expect(try shell(ClusterLease.release(runID: "runB", directory: dir)).1.contains("not held by this run"))
        #expect(try shell(ClusterLease.read(directory: dir)).1.contains("runA"))
        #expect(try shell(ClusterLease.release(runID: "runA", directory: dir)).0 == 0)
        #expect(try shell(ClusterLease.read(directory: dir)).1.isEmpty)
        // A lease directory that is a symlink (someone else's) is refused.
        let link = dir + "-link"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir)
        #expect(try shell(ClusterLease.write(a, ifCurrentIs: "", directory: link)).0 == 3)
    }
}
