import Foundation
import Logging
import PGDrillSSH

#if canImport(Glibc)
import Glibc
#endif

/// A real OpenSSH sshd on 127.0.0.1 and a free port, started by the test and killed by PID.
///
/// It has its own host key and accepts one freshly generated user key for the current user;
/// everything lives in a temporary directory removed at the end.
final class TestSSHD {
    let directory: URL
    let port: Int
    let user: String
    private let process: ChildProcess

    var userKey: String { path("user_key") }
    var hostPublicKey: String { (try? String(contentsOfFile: path("host_key.pub"), encoding: .utf8)) ?? "" }
    /// known_hosts with this server's key in the `[127.0.0.1]:PORT` form OpenSSH writes.
    var knownHosts: String { path("known_hosts") }

    /// `extraConfig`: further sshd_config lines, e.g. `AllowTcpForwarding no` for a jump host that refuses to forward.
    init(extraConfig: [String] = []) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-sshd-\(UUID().uuidString)")
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        directory = dir
        user = String(cString: getpwuid(getuid())!.pointee.pw_name)
        let port = try Self.freePort()
        self.port = port
        try Self.keygen(path: path("host_key"))
        try Self.keygen(path: path("user_key"))
        try FileManager.default.copyItem(atPath: path("user_key.pub"), toPath: path("authorized_keys"))
        try ("[127.0.0.1]:\(port) \(Self.keyField(of: path("host_key.pub")))\n")
            .write(toFile: path("known_hosts"), atomically: true, encoding: .utf8)
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(path("host_key"))
            PidFile none
            AuthorizedKeysFile \(path("authorized_keys"))
            PermitRootLogin prohibit-password
            StrictModes no
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            MaxSessions 64
            LogLevel ERROR

            """ + extraConfig.map { $0 + "\n" }.joined()
        try config.write(toFile: path("sshd_config"), atomically: true, encoding: .utf8)
        // sshd insists on its privilege separation directory; Debian creates it only when the
        // service starts, which it never does on these machines.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)

        process = try ChildProcess("/usr/sbin/sshd", ["-D", "-e", "-f", path("sshd_config"), "-p", String(port)], stderrPath: path("sshd.log"))
        try waitUntilListening()
    }

    deinit {
        for pid in descendants() + [process.pid] {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
        }
        process.wait()
        try? FileManager.default.removeItem(at: directory)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func target(
        key: String? = nil, knownHosts: String? = nil, port: Int? = nil, sudo: Bool = false,
        connectTimeout: Duration = .seconds(3)
    ) -> SSHTarget {
        SSHTarget(
            host: "127.0.0.1", port: port ?? self.port, user: user, sudo: sudo, identityFile: key ?? userKey,
            knownHostsFile: knownHosts ?? self.knownHosts, connectTimeout: connectTimeout)
    }

    func writeKnownHosts(_ lines: [String], to file: String) throws {
        try (lines.map { $0 + "\n" }.joined()).write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// The listener's PID: SIGSTOP it and new connections are accepted by the kernel but never answered.
    var listenerPID: pid_t { process.pid }

    /// The per-connection sshd processes (and their shells) started by our listener.
    func descendants() -> [pid_t] {
        var parentOf: [pid_t: pid_t] = [:]
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), let fields = procStatFields(pid) else { continue }
            if fields.count > 1, let ppid = pid_t(fields[1]) { parentOf[pid] = ppid }
        }
        var result: [pid_t] = []
        var frontier: Set<pid_t> = [process.pid]
        while !frontier.isEmpty {
            let children = parentOf.filter { frontier.contains($0.value) }.map(\.key)
            result += children
            frontier = Set(children)
        }
        return result
    }

    /// Sends `signal` to the listener and every process it started.
    func signalAll(_ signal: Int32) {
        for pid in [process.pid] + descendants() { kill(pid, signal) }
    }

    static let logger = Logger(label: "pgdrill.ssh.tests")

    static func keygen(path: String) throws {
        try run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pgdrill-test", "-f", path])
    }

    /// `type base64` of a `.pub` file, the part known_hosts lines share.
    static func keyField(of pubFile: String) throws -> String {
        let text = try String(contentsOfFile: pubFile, encoding: .utf8)
        return text.split(separator: " ").prefix(2).joined(separator: " ")
    }

    static func run(_ executable: String, _ arguments: [String]) throws {
        try ChildProcess.run(executable, arguments)
    }

    /// A port nothing listens on right now (bound to 0 and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw -> Bool in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TestFailure("cannot bind a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            guard process.isRunning else { throw TestFailure("sshd exited with \(process.wait())") }
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
                }
            }
            close(fd)
            if connected { return }
            usleep(20_000)
        }
        throw TestFailure("sshd did not listen on port \(port) within 5 s")
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The error `body` threw (nil if none) and how long it took, on the monotonic clock.
func timed(_ body: () throws -> Void) -> (error: SSHError?, elapsed: Duration) {
    let clock = ContinuousClock()
    let start = clock.now
    do {
        try body()
        return (nil, clock.now - start)
    } catch let error as SSHError {
        return (error, clock.now - start)
    } catch {
        return (SSHError(code: .protocolError, host: "?", message: "unexpected \(error)"), clock.now - start)
    }
}
