import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real PostgreSQL 15 on loopback for this test process: initdb into a temp dir, started as `postgres`,
/// stopped by PID when the process exits. `PGDRILL_TEST_PG_PORT` reuses one that is already running.
enum LocalPostgres {
    static let bin = "/usr/lib/postgresql/15/bin"
    static let password = "s3cret-Pa55-\(getpid())"

    struct Server {
        var port: Int
        var dir: String
        /// Superuser over loopback, trust.
        var conninfo: String { "host=127.0.0.1 port=\(port) dbname=postgres user=postgres" }
        /// A password-authenticated user (scram), as production does it.
        var drillConninfo: String { "host=127.0.0.1 port=\(port) dbname=postgres user=drill password=\(LocalPostgres.password)" }
    }

    static let shared: Result<Server, any Error> = Result { try start() }

    static func server() throws -> Server { try shared.get() }

    static var available: Bool { FileManager.default.fileExists(atPath: bin + "/initdb") && getuid() == 0 }

    private static func start() throws -> Server {
        if let p = ProcessInfo.processInfo.environment["PGDRILL_TEST_PG_PORT"], let port = Int(p) {
            return Server(port: port, dir: "")
        }
        let dir = "/tmp/pgdrill-pqtest-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let port = 20000 + Int(getpid() % 20000)
        try sh("chown postgres:postgres \(dir) && cd / && setpriv --reuid postgres --regid postgres --init-groups \(bin)/initdb -D \(dir)/data -A trust -U postgres >/dev/null")
        try """
        listen_addresses = '127.0.0.1'
        port = \(port)
        unix_socket_directories = '\(dir)'
        fsync = off
        password_encryption = 'scram-sha-256'
        """.write(toFile: "\(dir)/data/postgresql.auto.conf", atomically: true, encoding: .utf8)
        try "host all drill 127.0.0.1/32 scram-sha-256\nhost all all 127.0.0.1/32 trust\nlocal all all trust\n"
            .write(toFile: "\(dir)/data/pg_hba.conf", atomically: true, encoding: .utf8)
        try sh("chown -R postgres:postgres \(dir) && cd / && setpriv --reuid postgres --regid postgres --init-groups \(bin)/pg_ctl -D \(dir)/data -l \(dir)/log -w -t 30 start >/dev/null")
        try sh("\(bin)/psql -X -q -h 127.0.0.1 -p \(port) -U postgres -d postgres -c \"CREATE ROLE drill LOGIN PASSWORD '\(password)' SUPERUSER\"")
        atexit {
            let d = "/tmp/pgdrill-pqtest-\(getpid())"
            if let pid = try? String(contentsOfFile: d + "/data/postmaster.pid", encoding: .utf8).split(separator: "\n").first.flatMap({ Int32($0) }) {
                kill(pid, SIGQUIT)
                for _ in 0..<50 where kill(pid, 0) == 0 { usleep(100_000) }
            }
            try? FileManager.default.removeItem(atPath: d)
        }
        return Server(port: port, dir: dir)
    }

    /// Runs a shell command with `system(3)`: Foundation's `Process` can hang for good once a daemon it
    /// started (the postmaster) inherits the descriptor it watches the child with.
    @discardableResult
    static func sh(_ command: String) throws -> String {
        let out = "/tmp/pgdrill-pqtest-\(getpid())-\(UUID().uuidString.prefix(8)).out"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let status = system("(\(command)) >\(out) 2>&1 </dev/null")
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ShellError(command: command, output: text) }
        return text
    }

    struct ShellError: Error, CustomStringConvertible {
        var command: String
        var output: String
        var description: String { "`\(command)` failed: \(output)" }
    }
}
