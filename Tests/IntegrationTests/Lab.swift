import Foundation
import Testing

/// The lab cluster the integration tests drive, configured by environment variables the way postgres-nio's
/// integration tests are (`make test` sets them after `lab/lab.sh up`).
enum Lab {
    static let env = ProcessInfo.processInfo.environment
    /// `lab/state/cluster.yaml`; nil when no lab is up (the tests are then skipped, and say so).
    static let clusterPath: String? = env["PGDRILL_CLUSTER"].flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    static var isUp: Bool { clusterPath != nil }
    static var stateDir: String { (clusterPath! as NSString).deletingLastPathComponent }
    /// The port the lab's sshd listens on (`lab.sh up --ssh-port N`; 22 by default).
    static var sshPort: Int {
        guard isUp, let text = try? String(contentsOfFile: stateDir + "/ssh-port", encoding: .utf8) else { return 22 }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 22
    }
    static var root: String { ((stateDir as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent }
    static var binary: String { env["PGDRILL_BIN"] ?? root + "/.build/debug/pgdrill" }
    static var drills: String { root + "/drills" }
    /// The lab's subnet prefix (`10.77.N`, N = the lab instance), read from the cluster file's proxy address.
    static var netPrefix: String {
        let text = (try? String(contentsOfFile: clusterPath!, encoding: .utf8)) ?? ""
        if let r = text.range(of: #"10\.77\.[0-9]+\."#, options: .regularExpression) { return String(text[r].dropLast()) }
        return "10.77.0"
    }
    /// The lab flavour's manager (`patroni` or `repmgr`), from the cluster file's `manager:` line.
    static var manager: String? {
        guard let path = clusterPath, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return text.split(separator: "\n").first { $0.hasPrefix("manager:") }
            .map { $0.dropFirst("manager:".count).trimmingCharacters(in: .whitespaces) }
    }
    /// Address of a lab node: `pg1`…`pg3` (`.11`…`.13`) or the proxy `px` (`.2`).
    static func address(_ node: String) -> String {
        node == "px" ? "\(netPrefix).2" : "\(netPrefix).1\(node.last!)"
    }

    /// The network namespace of a lab node (`pgdrillN-NODE`; instance 0 keeps `pgdrill-NODE`).
    static func namespace(_ node: String) -> String {
        let id = netPrefix.split(separator: ".").last.map(String.init) ?? "0"
        return "pgdrill\(id == "0" ? "" : id)-\(node)"
    }

    /// The lab's Prometheus and Alertmanager, from the cluster file's `monitoring:` (nil: up --no-monitoring).
    static var monitoring: (prometheus: String, alertmanager: String)? {
        guard let text = try? String(contentsOfFile: clusterPath ?? "", encoding: .utf8) else { return nil }
        func value(_ key: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix("  \(key): ") }
                .map { $0.dropFirst(key.count + 4).trimmingCharacters(in: CharacterSet(charactersIn: "\" ")) }
        }
        guard text.contains("\nmonitoring:"), let p = value("prometheus"), let a = value("alertmanager") else { return nil }
        return (p, a)
    }

    /// The runner's own address on the lab bridge (`10.77.N.1`).
    static var runnerAddress: String { "\(netPrefix).1" }
    /// Where a node sees the runner's ssh come from: the bastion behind one (`up --bastion`), else the runner.
    static var sshSourceAddress: String { flavour("via-bastion", default: "0") == "1" ? "\(netPrefix).4" : runnerAddress }

    /// Runs `iptables` inside a node's namespace from the host (test set-up only: cutting the runner's links).
    @discardableResult
    static func iptables(_ node: String, _ args: [String]) throws -> CLIResult {
        try CLI.run("/usr/sbin/ip", ["netns", "exec", namespace(node), "iptables", "-w", "5"] + args, timeout: 30)
    }

    /// A scratch directory for one test's reports and journal.
    static func scratch(_ name: String) -> String {
        let dir = NSTemporaryDirectory() + "pgdrill-it-\(name)-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        // Private whatever the umask: pgdrill refuses a state directory others may write.
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return dir
    }

    /// Runs a shell command as root on a lab host with the lab's key and strict host key checking (test set-up
    /// only; pgdrill itself uses libssh2). Where the lab refuses root (the operator shape, the default), as the
    /// operator through `sudo -n`, as pgdrill does.
    @discardableResult
    static func ssh(_ host: String, _ command: String) throws -> CLIResult {
        let operatorLogin = flavour("operator", default: "0") == "1"
        let remote = operatorLogin ? "sudo -n /bin/sh -c '" + command.replacingOccurrences(of: "'", with: #"'\''"#) + "'" : command
        return try CLI.run("/usr/bin/ssh", sshOptions(through: flavour("via-bastion", default: "0") == "1") + [
            "-p", "\(sshPort)", (operatorLogin ? "pgdrill-op@" : "root@") + host, remote,
        ], timeout: 60)
    }

    /// OpenSSH's options for a lab host: the lab's key and known_hosts, strict; behind the bastion, a
    /// ProxyCommand through it with the same key and known_hosts (`-J` would not pass them to the first hop).
    static func sshOptions(through bastion: Bool) -> [String] {
        let common = ["-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o", "ConnectTimeout=5",
                      "-o", "UserKnownHostsFile=\(stateDir)/ssh/known_hosts", "-i", "\(stateDir)/ssh/id_ed25519"]
        guard bastion else { return common }
        let login = flavour("operator", default: "0") == "1" ? "pgdrill-op" : "root"
        return common + ["-o", "ProxyCommand=/usr/bin/ssh " + common.joined(separator: " ") + " -W %h:%p \(login)@\(netPrefix).4"]
    }

    /// Every password of the lab pgdrill holds: the database password (pgpass), and in the production shape
    /// Patroni's REST API password and HAProxy's stats password (state/secrets), each with what it is.
    static func passwords() throws -> [(value: String, what: String)] {
        let pgpass = try String(contentsOfFile: stateDir + "/pgpass", encoding: .utf8)
        var found = Set(pgpass.split(separator: "\n").compactMap { $0.split(separator: ":").last.map(String.init) }.filter { $0.count >= 6 })
            .map { (value: $0, what: "the lab's database password") }
        for (file, what) in [("patroni-api", "the Patroni REST API password"), ("haproxy-stats", "the HAProxy stats password")] {
            guard let text = try? String(contentsOfFile: stateDir + "/secrets/" + file, encoding: .utf8) else { continue }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if value.count >= 6 { found.append((value, what)) }
        }
        return found
    }

    /// `curl` to a node's Patroni REST API (`path` as `/cluster`) as the lab serves it: HTTPS with the lab CA
    /// and basic auth in the production shape (the credentials from a curl config file, never argv), plain
    /// HTTP in the simple one. `arguments` go before the URL (`-X`, `-d`, …).
    static func patroniCurl(_ node: String, _ path: String, _ arguments: [String] = [], timeout: TimeInterval = 10) throws -> CLIResult {
        var access: [String] = []
        var scheme = "http"
        if flavour("https", default: "0") == "1" {
            scheme = "https"
            access = ["--cacert", stateDir + "/tls/ca.crt", "-K", stateDir + "/secrets/patroni-api.curlrc"]
        }
        return try CLI.run("/usr/bin/curl", access + arguments + ["\(scheme)://\(address(node)):8008\(path)"], timeout: timeout)
    }
}

struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a process to completion with a timeout, capturing its output (swift-argument-parser's
/// `AssertExecuteCommand` pattern, for a binary that talks to a real cluster).
enum CLI {
    static func pgdrill(_ args: [String], stateDir: String, timeout: TimeInterval = 600, env: [String: String] = [:],
                        signal: (Int32, after: (String) -> Bool)? = nil,
                        action: (after: (String) -> Bool, run: () -> Void)? = nil) throws -> CLIResult {
        try run(Lab.binary, args, env: ["PGDRILL_STATE_DIR": stateDir, "NO_COLOR": "1"].merging(env) { $1 },
                timeout: timeout, signal: signal, action: action)
    }

    /// `signal`: send this signal once the process's stderr so far satisfies the predicate; `action`: run this
    /// (once) when its predicate holds, e.g. cut a link mid-drill.
    static func run(_ path: String, _ args: [String], env: [String: String] = [:], timeout: TimeInterval,
                    signal: (Int32, after: (String) -> Bool)? = nil,
                    action: (after: (String) -> Bool, run: () -> Void)? = nil) throws -> CLIResult {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let outFile = NSTemporaryDirectory() + "pgdrill-cli-\(UUID().uuidString)"
        FileManager.default.createFile(atPath: outFile + ".out", contents: nil)
        FileManager.default.createFile(atPath: outFile + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outFile + ".out")
            try? FileManager.default.removeItem(atPath: outFile + ".err")
        }
        p.standardOutput = FileHandle(forWritingAtPath: outFile + ".out")
        p.standardError = FileHandle(forWritingAtPath: outFile + ".err")
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let start = Date()
        var signalled = false
        var acted = false
        while p.isRunning {
            if let action, !acted, let err = try? String(contentsOfFile: outFile + ".err", encoding: .utf8), action.after(err) {
                acted = true
                action.run()
            }
            if let signal, !signalled,
               let err = try? String(contentsOfFile: outFile + ".err", encoding: .utf8), signal.after(err) {
                kill(p.processIdentifier, signal.0)
                signalled = true
            }
            if Date().timeIntervalSince(start) > timeout {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
                Issue.record("\(path) \(args.joined(separator: " ")) did not finish within \(timeout) s")
                break
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        p.waitUntilExit()
        let out = (try? String(contentsOfFile: outFile + ".out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: outFile + ".err", encoding: .utf8)) ?? ""
        return CLIResult(status: p.terminationStatus, stdout: out, stderr: err)
    }
}

/// Every suite that drives the lab is nested here: one cluster, so one test at a time, across suites too.
@Suite(.serialized, .enabled(if: Lab.isUp, "no lab: run `make test` (it brings the lab up)"))
enum LabIntegration {}
