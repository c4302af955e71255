import Foundation
import Testing
@testable import PGDrillEngine
import PGDrillModel

/// Hostile values in every field of a drill or cluster file that reaches a remote command: each is
/// refused at load with `file:line:column` (names, hosts, processes, services, signals, paths, the ssh
/// user), and the templates quote what they are given anyway — run through a real `sh`, a hostile
/// parameter arrives verbatim as one argument and nothing it spells out runs.
@Suite struct InjectionTests {
    /// Touches this file if anything in a hostile value is ever executed.
    static let marker = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-pwned-\(getpid())").path

    static let hostile: [String] = [
        "; rm -rf /",
        "pg1; touch \(marker)",
        "$(touch \(marker))",
        "`touch \(marker)`",
        "pg1\ntouch \(marker)",
        "pg1\0x",
        "pg1\r",
        "pg1 && touch \(marker)",
        "pg1|touch \(marker)",
        "'pg1'",
        "\"pg1\"",
        "-rf",
        "--help",
        "*",
        "pg?",
        "[a-z]*",
        "~root",
        "pg1 pg2",
        "p\u{0261}1",                       // Latin small script g: looks like pg1
        "pg\u{0031}\u{20DD}",              // combining mark
        "pg1\u{202E}",                     // right-to-left override
        "\u{FF50}\u{FF47}1",               // fullwidth pg1
        "\u{1B}]0;owned\u{7}",             // terminal escape
        String(repeating: "a", count: 5000),
        "../../etc/passwd",
        "/var/lib/$(touch \(marker))",
        "/var/lib/`touch \(marker)`",
        "/var/lib/pg; touch \(marker)",
        "/var/lib/pg\ntouch \(marker)",
        "/var/lib/pg/../../../etc",
        "/var/lib/p\u{0261}",
        "/var/lib/*",
        "/var/lib/pg data",
    ]

    /// A value written as a YAML double-quoted scalar, every character escaped that needs it.
    static func yamlQuoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\0": out += "\\0"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\x%02X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A field of a file where a hostile value is put, as a template with `@@` for the value.
    struct Place: Sendable, CustomTestStringConvertible {
        var field: String
        var isCluster: Bool
        var yaml: String
        /// Values this field legitimately accepts from the list (none, for most).
        var accepts: Set<String> = []
        var testDescription: String { field }
    }

    static let cluster = """
    name: lab
    manager: patroni
    ssh: { user: @USER@, identity: /etc/pgdrill/id, known_hosts: /etc/pgdrill/known_hosts }
    nodes:
      - { name: @NODE@, host: @HOST@, patroni: "http://10.0.0.11:8008" }
    proxies: [{ name: @PROXY@, host: 10.0.0.2 }]
    postgres: { data_dir: @DATA@, bin_dir: @BIN@ }
    endpoints:
      write: "host=10.0.0.2 port=5000 dbname=drill user=drill"
    services:
      @SERVICE@: { start: "svc start", stop: "svc stop", status: "svc status" }

    """

    static let drill = """
    name: @NAME@
    description: d
    probe: { endpoint: @ENDPOINT@ }
    fault:
      - kill: { process: @PROCESS@, on: @TARGET@, signal: @SIGNAL@ }
      - fill_disk: { on: primary, path: @PATH@, size: 1MB }
      - stop: { service: @SERVICE@, on: primary }
    observe: { until: [writes_ok], timeout: 60s }

    """

    static func filled(_ template: String, _ placeholder: String) -> String {
        let defaults = ["@USER@": "root", "@NODE@": "pg1", "@HOST@": "10.0.0.11", "@PROXY@": "px", "@DATA@": "/var/lib/pg",
                        "@BIN@": "/usr/bin", "@SERVICE@": "patroni", "@NAME@": "d", "@ENDPOINT@": "write",
                        "@PROCESS@": "postgres", "@TARGET@": "primary", "@SIGNAL@": "KILL", "@PATH@": "pg_wal"]
        var text = template
        for (key, value) in defaults where key != placeholder {
            text = text.replacingOccurrences(of: key, with: value)
        }
        return text
    }

    static let places: [Place] = [
        Place(field: "cluster ssh.user", isCluster: true, yaml: filled(cluster, "@USER@").replacingOccurrences(of: "@USER@", with: "@@")),
        Place(field: "cluster node name", isCluster: true, yaml: filled(cluster, "@NODE@").replacingOccurrences(of: "@NODE@", with: "@@")),
        Place(field: "cluster node host", isCluster: true, yaml: filled(cluster, "@HOST@").replacingOccurrences(of: "@HOST@", with: "@@")),
        Place(field: "cluster proxy name", isCluster: true, yaml: filled(cluster, "@PROXY@").replacingOccurrences(of: "@PROXY@", with: "@@")),
        Place(field: "cluster postgres.data_dir", isCluster: true, yaml: filled(cluster, "@DATA@").replacingOccurrences(of: "@DATA@", with: "@@")),
        Place(field: "cluster postgres.bin_dir", isCluster: true, yaml: filled(cluster, "@BIN@").replacingOccurrences(of: "@BIN@", with: "@@")),
        Place(field: "cluster services name", isCluster: true, yaml: filled(cluster, "@SERVICE@").replacingOccurrences(of: "@SERVICE@", with: "@@")),
        Place(field: "drill name", isCluster: false, yaml: filled(drill, "@NAME@").replacingOccurrences(of: "@NAME@", with: "@@")),
        Place(field: "drill probe endpoint", isCluster: false, yaml: filled(drill, "@ENDPOINT@").replacingOccurrences(of: "@ENDPOINT@", with: "@@")),
        Place(field: "drill kill process", isCluster: false, yaml: filled(drill, "@PROCESS@").replacingOccurrences(of: "@PROCESS@", with: "@@")),
        Place(field: "drill kill target", isCluster: false, yaml: filled(drill, "@TARGET@").replacingOccurrences(of: "@TARGET@", with: "@@")),
        Place(field: "drill kill signal", isCluster: false, yaml: filled(drill, "@SIGNAL@").replacingOccurrences(of: "@SIGNAL@", with: "@@")),
        Place(field: "drill fill_disk path", isCluster: false, yaml: filled(drill, "@PATH@").replacingOccurrences(of: "@PATH@", with: "@@")),
        Place(field: "drill stop service", isCluster: false, yaml: filled(drill, "@SERVICE@").replacingOccurrences(of: "@SERVICE@", with: "@@")),
    ]

    /// Every hostile value in every field is refused at load, pointing at the value's own line.
    @Test(arguments: places)
    func hostileValuesAreRefusedAtLoad(_ place: Place) throws {
        let lines = place.yaml.split(separator: "\n", omittingEmptySubsequences: false)
        let line = try #require(lines.firstIndex { $0.contains("@@") }) + 1
        var refused = 0
        for value in Self.hostile where !place.accepts.contains(value) {
            let yaml = place.yaml.replacingOccurrences(of: "@@", with: Self.yamlQuoted(value))
            let file = place.isCluster ? "cluster.yaml" : "drill.yaml"
            do {
                if place.isCluster { _ = try ClusterLoader.load(yaml: yaml, file: file) } else { _ = try DrillLoader.load(yaml: yaml, file: file) }
                Issue.record("\(place.field) accepted \(DrillFileError.printable(value))")
            } catch {
                refused += 1
                #expect(error.line == line, "\(place.field) = \(DrillFileError.printable(value)): \(error)")
                #expect(error.column > 0)
                // The message may quote the value, but only escaped: one line, no control characters.
                #expect(!error.description.contains { $0 == "\r" || $0 == "\u{1B}" || $0 == "\0" }, "\(error)")
                #expect(error.description.split(separator: "\n").count <= 2, "\(error)")
            }
        }
        #expect(refused == Self.hostile.count - place.accepts.count)
        #expect(!FileManager.default.fileExists(atPath: Self.marker))
    }

    // MARK: templates through a real sh

    /// Shell stand-ins for the commands the templates call, printing each argument in <>, so the test can
    /// see exactly what arrived — and a scratch directory so nothing real is touched.
    static let stubs = """
    iptables() { printf '<%s>' "$@" >> "$LOG"; echo >> "$LOG"; }
    pkill() { printf '<%s>' "$@" >> "$LOG"; echo >> "$LOG"; return 1; }
    df() { printf '<%s>' "$@" >> "$LOG"; echo >> "$LOG"; echo header; echo "fs 1 1 1048576 1% /"; }
    dd() { printf '<%s>' "$@" >> "$LOG"; echo >> "$LOG"; }
    stat() { echo 0; }

    """

    static func runStubbed(_ script: String) throws -> (status: Int32, output: String, log: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgdrill-inject-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = directory + "/log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let (status, output) = try shell("cd \(directory.shellQuoted) && export LOG=\(log.shellQuoted) && " + "sh -c \((stubs + script).shellQuoted)")
        return (status, output, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    static let templateValues = hostile.filter { !$0.contains("\0") }

    @Test(arguments: templateValues)
    func templatesPassAHostileValueVerbatimAndRunNothing(_ value: String) throws {
        // fill_disk: the directory test fails (no such directory) and the message quotes it verbatim.
        let fill = try Self.runStubbed(FaultTemplates.fillDisk(directory: value, tag: "t1", bytes: 1 << 20, leave: nil))
        #expect(fill.status == 3)
        #expect(fill.output.contains("no directory \(value) on this host"))
        let remove = try Self.runStubbed(FaultTemplates.removeFiller(directory: "/nonexistent/" + value, tag: "t1"))
        // rm is given the path as one argument: it removes nothing else (a 5000-character name is too long for it).
        #expect(remove.status == 0 || remove.output.contains("File name too long"), "\(remove.output)")
        // kill: process names and the data directory, each one argument.
        let kill = try Self.runStubbed(FaultTemplates.kill(processes: [value], signal: "KILL", dataDir: "/nonexistent/" + value))
        #expect(kill.status == 3)
        let postmaster = try Self.runStubbed(FaultTemplates.kill(processes: ["postgres"], signal: "KILL", dataDir: "/nonexistent/" + value))
        let signal = try Self.runStubbed(FaultTemplates.kill(processes: ["postgres", "etcd"], signal: value, dataDir: "/nonexistent"))
        #expect(signal.status == 3)
        #expect(postmaster.output.contains("the first line of /nonexistent/\(value)/postmaster.pid is not the PID of a live postgres process"), "\(postmaster.output)")
        // pause and resume: pkill gets the name as one exact argument.
        let pause = try Self.runStubbed(FaultTemplates.pause(process: value) + "\n" + FaultTemplates.resume(process: value))
        #expect(pause.log.contains("<--signal><STOP><-x><\(value)>"), "\(pause.log)")
        #expect(pause.log.contains("<--signal><CONT><-x><\(value)>"), "\(pause.log)")
        // partition: a peer address arrives as one argument of -s / -d.
        let partition = try Self.runStubbed(FaultTemplates.partition(tag: "t1", scope: .peers, peers: [value], pgPort: 5432, sshPort: 22))
        #expect(partition.log.contains("<-s><\(value)><-j><DROP>"), "\(partition.log)")
        #expect(partition.log.contains("<-d><\(value)><-j><DROP>"), "\(partition.log)")
        // A service without commands in the cluster file falls back to systemctl with the name quoted.
        let context = HostContext(name: "pg1", address: "10.0.0.11", dataDir: "/d", pgPort: 5432, binDir: "/b", peers: [],
                                  services: [:], managerRestartsPostgres: true)
        let stop = try FaultAction.stopService(value, on: .primary).hostFault(on: context, tag: "t1")
        let systemctl = try Self.runStubbed("systemctl() { printf '<%s>' \"$@\" >> \"$LOG\"; }\n" + stop.apply.script)
        #expect(systemctl.log == "<stop><\(value)>")
        #expect(!FileManager.default.fileExists(atPath: Self.marker), "a hostile value was executed")
    }

    /// The `shell` escape hatch runs the operator's own text: pgdrill passes the command and the rollback
    /// through exactly as written (nothing added, nothing re-interpreted), and plans never print them.
    @Test func shellStepsAreCarriedVerbatim() throws {
        let command = "touch /tmp/x; echo \"$(id)\" `date`\nsecond line"
        let rollback = "rm -f /tmp/x # it's 'fine'"
        let yaml = """
        name: d
        description: d
        fault:
          - shell: { on: primary, command: \(Self.yamlQuoted(command)), rollback: \(Self.yamlQuoted(rollback)) }
        observe: { until: [writes_ok], timeout: 60s }

        """
        let spec = try DrillLoader.load(yaml: yaml, file: "d.yaml")
        let step = try #require(DrillPlan(spec: spec).steps.first)
        guard case .shell(let c, let r, _) = step.action else { Issue.record("not a shell step"); return }
        #expect(c == command)
        #expect(r == rollback)
        let context = HostContext(name: "pg1", address: "10.0.0.11", dataDir: "/d", pgPort: 5432, binDir: "/b", peers: [],
                                  services: [:], managerRestartsPostgres: true)
        let fault = try step.action.hostFault(on: context, tag: "t1")
        #expect(fault.apply.script == command)
        #expect(fault.rollback?.script == rollback)
        #expect(spec.fault[0].description == "shell on primary")
    }
}
