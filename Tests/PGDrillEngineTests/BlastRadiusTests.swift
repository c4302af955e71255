import Foundation
import Testing
@testable import PGDrillEngine

/// What a fault may touch, measured by running its real template: `fill_disk` writes one file inside its
/// directory, within its cap, and its rollback removes exactly that file; a partition adds and removes
/// rules only in its own `PGDRILL-<tag>-…` chains, leaving every other rule byte for byte as it was.
@Suite(.serialized, .enabled(if: getuid() == 0, "needs root: a scratch tmpfs and a network namespace"))
struct BlastRadiusTests {
    // MARK: fill_disk in a scratch 16 MiB tmpfs

    /// A tmpfs of its own with a target directory and bystanders around it: a file beside the target, a
    /// file inside it, another run's filler, and a file in a sibling directory.
    struct Scratch {
        let root: String
        var target: String { root + "/target" }

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-blast-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let (status, out) = try shell("mount -t tmpfs -o size=16m pgdrill-blast \(root.shellQuoted)")
            guard status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: out]) }
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: root + "/sibling", withIntermediateDirectories: true)
            try Data(repeating: 0x61, count: 1000).write(to: URL(fileURLWithPath: root + "/beside"))
            try Data(repeating: 0x62, count: 2000).write(to: URL(fileURLWithPath: target + "/000000010000000000000001"))
            try Data(repeating: 0x63, count: 3000).write(to: URL(fileURLWithPath: target + "/.pgdrill-filler-otherrun"))
            try Data(repeating: 0x64, count: 4000).write(to: URL(fileURLWithPath: root + "/sibling/keep"))
        }

        func remove() {
            _ = try? shell("umount \(root.shellQuoted)")
            try? FileManager.default.removeItem(atPath: root)
        }

        /// Every path under the tmpfs with its size and a checksum of its bytes, except `excluding`.
        func snapshot(excluding: String? = nil) throws -> [String: String] {
            var result: [String: String] = [:]
            let enumerator = FileManager.default.enumerator(atPath: root)
            while let relative = enumerator?.nextObject() as? String {
                let path = root + "/" + relative
                guard path != excluding else { continue }
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                if attributes[.type] as? FileAttributeType == .typeRegular {
                    let data = try Data(contentsOf: URL(fileURLWithPath: path))
                    result[relative] = "\(data.count):\(data.reduce(0) { ($0 &* 31) &+ Int($1) })"
                } else {
                    result[relative] = "\(attributes[.type] ?? "?")"
                }
            }
            return result
        }

        func available() throws -> Int64 {
            let (_, out) = try shell("df -P -B1 \(root.shellQuoted) | awk 'NR==2 {print $4}'")
            return Int64(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        }

        func fillerSize(_ tag: String) -> Int? {
            (try? FileManager.default.attributesOfItem(atPath: FaultTemplates.fillerPath(directory: target, tag: tag)))?[.size] as? Int
        }
    }

    enum Amount: Sendable, CustomTestStringConvertible {
        case size(Int64), full, fullLeaving(Int64)
        var testDescription: String {
            switch self {
            case .size(let b): "size \(b >> 20) MiB"
            case .full: "until full"
            case .fullLeaving(let l): "until full, leave \(l >> 20) MiB"
            }
        }
    }

    /// Applies and rolls back `fill_disk`: everything outside the filler is unchanged by the apply and by
    /// the rollback, the filler is within its cap (or leaves what `leave` says), and afterwards is gone.
    @Test(arguments: [Amount.size(3 << 20), .size(64 << 20), .full, .fullLeaving(5 << 20)])
    func fillDiskWritesOnlyItsFileWithinItsCap(_ amount: Amount) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let tag = "blast01"
        let filler = FaultTemplates.fillerPath(directory: scratch.target, tag: tag)
        let before = try scratch.snapshot()
        let availableBefore = try scratch.available()
        let (bytes, leave): (Int64?, Int64?) = switch amount {
        case .size(let b): (b, nil)
        case .full: (nil, nil)
        case .fullLeaving(let l): (nil, l)
        }
        let (status, out) = try shell(FaultTemplates.fillDisk(directory: scratch.target, tag: tag, bytes: bytes, leave: leave))
        #expect(status == 0, "\(out)")
        #expect(try scratch.snapshot(excluding: filler) == before, "fill_disk changed something besides its filler")
        let written = Int64(try #require(scratch.fillerSize(tag)))
        let left = try scratch.available()
        switch amount {
        case .size(let cap):
            // A cap larger than the filesystem stops at full; never beyond the cap.
            #expect(written <= cap)
            #expect(written == min(cap, availableBefore) || left == 0, "wrote \(written) of \(availableBefore), \(left) left")
        case .full:
            #expect(left < 1 << 20, "not full: \(left) bytes left")
        case .fullLeaving(let l):
            #expect(left >= l && left < l + (1 << 20), "\(left) bytes left, asked to leave \(l)")
        }
        let (undo, undone) = try shell(FaultTemplates.removeFiller(directory: scratch.target, tag: tag))
        #expect(undo == 0, "\(undone)")
        #expect(try scratch.snapshot() == before, "rollback did not restore the directory exactly")
        // Idempotent: `pgdrill recover` may replay it.
        #expect(try shell(FaultTemplates.removeFiller(directory: scratch.target, tag: tag)).0 == 0)
        #expect(try scratch.snapshot() == before)
    }

    /// A symlink planted at the filler's name (a world-writable target such as /tmp) must not be followed:
    /// the apply fails and the file it points at keeps its bytes; the rollback removes the link only.
    @Test func fillDiskNeverWritesThroughAPlantedSymlink() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let tag = "blast02"
        let filler = FaultTemplates.fillerPath(directory: scratch.target, tag: tag)
        try FileManager.default.createSymbolicLink(atPath: filler, withDestinationPath: scratch.root + "/sibling/keep")
        let before = try scratch.snapshot()
        let (status, out) = try shell(FaultTemplates.fillDisk(directory: scratch.target, tag: tag, bytes: 2 << 20, leave: nil))
        #expect(status == 3, "\(out)")
        #expect(try scratch.snapshot() == before)
        #expect(try shell(FaultTemplates.removeFiller(directory: scratch.target, tag: tag)).0 == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.root + "/sibling/keep")) == Data(repeating: 0x64, count: 4000))
        #expect(!FileManager.default.fileExists(atPath: filler))
    }

    /// The postgres user owns the directory, so it can swap the filler for a symlink after root created it
    /// (between the create and the writes). A `fallocate` that does exactly that first stands in for the race:
    /// the writes must still land in the file pgdrill created, never in the file the link points at.
    @Test func fillDiskWritesThroughItsDescriptorWhenTheNameIsSwapped() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let tag = "blast04"
        let filler = FaultTemplates.fillerPath(directory: scratch.target, tag: tag)
        let victim = scratch.root + "/sibling/keep"
        let shim = scratch.root + "/bin"
        try FileManager.default.createDirectory(atPath: shim, withIntermediateDirectories: true)
        try """
        #!/bin/sh
        mv \(filler.shellQuoted) \((scratch.root + "/moved").shellQuoted) && ln -s \(victim.shellQuoted) \(filler.shellQuoted)
        exec /usr/bin/fallocate "$@"

        """.write(toFile: shim + "/fallocate", atomically: true, encoding: .utf8)
        _ = chmod(shim + "/fallocate", 0o755)
        let (status, out) = try shell("PATH=\(shim.shellQuoted):$PATH; export PATH\n"
            + FaultTemplates.fillDisk(directory: scratch.target, tag: tag, bytes: 3 << 20, leave: nil))
        #expect(status == 0, "\(out)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == Data(repeating: 0x64, count: 4000),
                "root wrote through the symlink swapped in at the filler's name")
        let moved = try FileManager.default.attributesOfItem(atPath: scratch.root + "/moved")[.size] as? Int
        #expect(moved == 3 << 20, "the filler pgdrill created holds \(moved ?? -1) bytes")
    }

    /// A target directory that does not exist: exit 3, nothing created anywhere.
    @Test func fillDiskOfAMissingDirectoryCreatesNothing() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let before = try scratch.snapshot()
        let (status, out) = try shell(FaultTemplates.fillDisk(directory: scratch.root + "/absent", tag: "blast03", bytes: 1 << 20, leave: nil))
        #expect(status == 3)
        #expect(out.contains("no directory"))
        #expect(try scratch.snapshot() == before)
    }

    // MARK: partition and loss in a throwaway network namespace

    /// Rules that are not pgdrill's, plus another run's chains, in a fresh namespace.
    static let unrelatedRules = [
        "iptables -w 5 -N APP-FILTER",
        "iptables -w 5 -A APP-FILTER -s 192.0.2.7/32 -j DROP",
        "iptables -w 5 -A APP-FILTER -p tcp --dport 5432 -j ACCEPT",
        "iptables -w 5 -A INPUT -j APP-FILTER",
        "iptables -w 5 -A INPUT -p tcp --dport 8008 -j ACCEPT",
        "iptables -w 5 -A OUTPUT -d 198.51.100.0/24 -j REJECT",
        "iptables -w 5 -A FORWARD -j DROP",
        "iptables -w 5 -N PGDRILL-otherrun-IN",
        "iptables -w 5 -A PGDRILL-otherrun-IN -j DROP",
        "iptables -w 5 -I INPUT 1 -j PGDRILL-otherrun-IN",
    ]

    /// `iptables-save` of the namespace without its comment lines and with counters zeroed.
    static func rules(in namespace: String) throws -> [String] {
        let (status, out) = try shell("ip netns exec \(namespace) iptables-save")
        #expect(status == 0, "\(out)")
        return out.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
            .map { $0.replacingOccurrences(of: #"\[\d+:\d+\]"#, with: "[0:0]", options: .regularExpression) }
    }

    @Test func partitionAndLossTouchOnlyTheirOwnChains() throws {
        let namespace = "pgdrill-fuzzns-\(getpid())"
        let (created, out) = try shell("ip netns add \(namespace) && ip -n \(namespace) link set lo up")
        try #require(created == 0, "\(out)")
        defer { _ = try? shell("ip netns del \(namespace)") }
        for rule in Self.unrelatedRules {
            let (status, text) = try shell("ip netns exec \(namespace) \(rule)")
            try #require(status == 0, "\(rule): \(text)")
        }
        let before = try Self.rules(in: namespace)
        var scripts: [(String, String, String)] = FaultTemplates.PartitionScope.allCases.map { scope in
            let tag = "b\(scope.rawValue)"
            return (tag, FaultTemplates.partition(tag: tag, scope: scope, peers: ["10.77.250.12", "10.77.250.13"], pgPort: 5432, sshPort: 22),
                    "partition from \(scope)")
        }
        scripts.append(("bloss", FaultTemplates.loss(tag: "bloss", probability: 0.3, sshPort: 22), "loss 30%"))
        for (tag, apply, what) in scripts {
            let (applied, text) = try shell("ip netns exec \(namespace) sh -c \(apply.shellQuoted)")
            #expect(applied == 0, "\(what): \(text)")
            let during = try Self.rules(in: namespace)
            let (input, output) = FaultTemplates.chains(tag: tag)
            // Everything that does not mention this fault's chains is exactly as before, in order.
            let others = during.filter { !$0.contains(input) && !$0.contains(output) }
            #expect(others == before, "\(what) changed rules outside its chains")
            #expect(during.contains("-A INPUT -j \(input)") && during.contains("-A OUTPUT -j \(output)"), "\(what): no jump rules")
            #expect(during.count > before.count)
            let (undone, undoText) = try shell("ip netns exec \(namespace) sh -c \(FaultTemplates.removeChains(tag: tag).shellQuoted)")
            #expect(undone == 0, "\(what) rollback: \(undoText)")
            #expect(try Self.rules(in: namespace) == before, "\(what): rollback did not restore the rules byte for byte")
            // Idempotent, for `pgdrill recover`.
            #expect(try shell("ip netns exec \(namespace) sh -c \(FaultTemplates.removeChains(tag: tag).shellQuoted)").0 == 0)
            #expect(try Self.rules(in: namespace) == before)
        }
    }
}

extension BlastRadiusTests {
    /// Two throwaway namespaces on a veth pair, dual-stack (10.231.77.1/2 and fd77:231::1/2); the node listens
    /// on `ports` on both families. `body` gets the node's namespace and a reachability check
    /// (address, port) from the client.
    func withNodeAndClient(_ ports: [Int], _ body: (_ node: String, _ reachable: (String, Int) throws -> Bool) throws -> Void) throws {
        let (node, client) = ("pgdrill-sshn-\(getpid())", "pgdrill-sshc-\(getpid())")
        let (n, c) = ("pgdsn\(getpid() % 10000)", "pgdsc\(getpid() % 10000)")
        let setup = """
        ip netns add \(node) && ip netns add \(client) &&
        ip link add \(n) netns \(node) type veth peer name \(c) netns \(client) &&
        ip -n \(node) addr add 10.231.77.1/24 dev \(n) && ip -n \(client) addr add 10.231.77.2/24 dev \(c) &&
        ip -n \(node) -6 addr add fd77:231::1/64 dev \(n) nodad && ip -n \(client) -6 addr add fd77:231::2/64 dev \(c) nodad &&
        ip -n \(node) link set \(n) up && ip -n \(client) link set \(c) up &&
        ip -n \(node) link set lo up && ip -n \(client) link set lo up
        """
        let (created, out) = try shell(setup)
        defer { _ = try? shell("ip netns del \(node); ip netns del \(client)") }
        try #require(created == 0, "\(out)")
        // Listeners as daemons of their own (a long-lived child of the test process keeps Foundation from
        // reaping later children, and an inherited pipe end would keep another test's reader from EOF); each
        // writes its pid, and is killed by it.
        var listeners: [Int32] = []
        defer { for pid in listeners { kill(pid, SIGKILL) } }
        for port in ports {
            for (family, address) in [("AF_INET", "10.231.77.1"), ("AF_INET6", "fd77:231::1")] {
                let pidFile = NSTemporaryDirectory() + "pgdrill-listener-\(getpid())-\(port)-\(family)"
                // The pid file appears whole (renamed into place) once the socket listens; up to 10 s on a busy machine.
                let program = "import os, socket\nos.closerange(3, 65536)\n"
                    + "s=socket.socket(socket.\(family)); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('\(address)', \(port))); s.listen(16)\n"
                    + "open('\(pidFile).tmp', 'w').write(str(os.getpid())); os.rename('\(pidFile).tmp', '\(pidFile)')\n"
                    + "while True:\n    c, _ = s.accept(); c.close()"
                let (started, text) = try shell("ip netns exec \(node) python3 -c \(program.shellQuoted) </dev/null >/dev/null 2>&1 &")
                try #require(started == 0, "\(text)")
                for _ in 0..<200 where !FileManager.default.fileExists(atPath: pidFile) { Thread.sleep(forTimeInterval: 0.05) }
                if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = Int32(text) { listeners.append(pid) }
                try? FileManager.default.removeItem(atPath: pidFile)
            }
        }
        try #require(listeners.count == 2 * ports.count, "the listeners did not start")
        func reachable(_ address: String, _ port: Int) throws -> Bool {
            try shell("ip netns exec \(client) python3 -c 'import socket; socket.create_connection((\"\(address)\", \(port)), timeout=1)' 2>/dev/null").0 == 0
        }
        var up = false
        for _ in 0..<50 where !up {
            up = try ports.allSatisfy { try reachable("10.231.77.1", $0) && reachable("fd77:231::1", $0) }
            if !up { Thread.sleep(forTimeInterval: 0.1) }
        }
        try #require(up, "listeners in the node namespace did not come up")
        try body(node, reachable)
    }

    /// sshd on a port other than 22: a partition cutting "all" and a total packet loss on the node keep that
    /// port reachable (the runner's session, its rollback and `recover` need it) and cut everything else —
    /// over IPv6 too, the node having a global IPv6 address.
    @Test(arguments: ["partition", "loss"])
    func faultsLeaveTheClustersSSHPortOpen(_ kind: String) throws {
        try withNodeAndClient([2222, 5432]) { node, reachable in
            let tag = "bssh\(kind.prefix(1))"
            let apply = kind == "partition"
                ? FaultTemplates.partition(tag: tag, scope: .all, peers: ["10.231.77.3"], pgPort: 5432, sshPort: 2222)
                : FaultTemplates.loss(tag: tag, probability: 1, sshPort: 2222)
            let (applied, text) = try shell("ip netns exec \(node) sh -c \(apply.shellQuoted)")
            try #require(applied == 0, "\(text)")
            for address in ["10.231.77.1", "fd77:231::1"] {
                #expect(try reachable(address, 2222), "\(kind) cut the runner's ssh port 2222 on \(address)")
                #expect(try !reachable(address, 5432), "\(kind) did not cut PostgreSQL's port on \(address)")
            }
            let (undone, undoText) = try shell("ip netns exec \(node) sh -c \(FaultTemplates.removeChains(tag: tag).shellQuoted)")
            #expect(undone == 0, "\(undoText)")
            #expect(try reachable("10.231.77.1", 5432) && reachable("fd77:231::1", 5432))
            let (_, left) = try shell("ip netns exec \(node) sh -c 'iptables-save; ip6tables-save' | grep -c PGDRILL || true")
            #expect(left.trimmingCharacters(in: .whitespacesAndNewlines) == "0", "chains left: \(left)")
        }
    }

    /// Issue 20, item 10: partitions were IPv4 only. A peer given by its IPv6 address is cut over IPv6 (by
    /// ip6tables), and only that peer: the IPv4 path stays as it was.
    @Test func anIPv6PeerIsCutOverIPv6() throws {
        try withNodeAndClient([5432]) { node, reachable in
            let apply = FaultTemplates.partition(tag: "bv6p", scope: .peers, peers: ["fd77:231::2"], pgPort: 5432, sshPort: 22)
            let (applied, text) = try shell("ip netns exec \(node) sh -c \(apply.shellQuoted)")
            try #require(applied == 0, "\(text)")
            #expect(text.contains("(IPv4 and IPv6)"), "\(text)")
            #expect(try !reachable("fd77:231::1", 5432), "the IPv6 peer still reaches the node")
            #expect(try reachable("10.231.77.1", 5432), "an IPv6 peer's partition cut IPv4")
            let (undone, undoText) = try shell("ip netns exec \(node) sh -c \(FaultTemplates.removeChains(tag: "bv6p").shellQuoted)")
            #expect(undone == 0, "\(undoText)")
            #expect(try reachable("fd77:231::1", 5432))
        }
    }
}

/// Runs `script` with `/bin/sh -c`, stdout and stderr together.
func shell(_ script: String) throws -> (Int32, String) {
    let result = try CLITool.run("/bin/sh", ["-c", script], environment: [:])
    return (result.status, result.output)
}

/// Runs `body` with a directory holding the given executables (name → shell script body), for putting stubs
/// first on `PATH`; the directory is removed afterwards.
func withStubs<T>(_ stubs: [String: String], _ body: (String) throws -> T) throws -> T {
    let dir = NSTemporaryDirectory() + "pgdrill-stubs-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    // Written through an O_CLOEXEC descriptor: a child another test forks meanwhile (one runs for 20 s) must not
    // inherit it open for writing, or exec'ing the stub fails with ETXTBSY ("Text file busy") — seen in CI.
    for (name, script) in stubs {
        let fd = open(dir + "/" + name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown) }
        let bytes = Array(("#!/bin/sh\n" + script).utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw CocoaError(.fileWriteUnknown) }
    }
    return try body(dir)
}
