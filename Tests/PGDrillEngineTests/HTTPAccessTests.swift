import Foundation
import Testing
@testable import PGDrillEngine

#if canImport(Glibc)
import Glibc
#endif

/// Patroni's REST API as production runs it (issue 14): HTTPS signed by the team's own CA, basic auth
/// (`restapi.authentication`), sometimes client certificates (`restapi.verify_client`). A real TLS server
/// (Python's ssl, certificates made by openssl here) on 127.0.0.1; every refusal names the setting to fix
/// and no error carries the password.
@Suite(.serialized) struct HTTPAccessTests {
    static let password = "s3cret-api-pass"

    /// A CA, a server certificate for 127.0.0.1 signed by it, a client certificate signed by it, and a
    /// second CA that signed nothing here.
    final class PKI {
        let dir: String
        init() throws {
            dir = NSTemporaryDirectory() + "pgdrill-http-\(getpid())-\(UUID().uuidString.prefix(6))"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try sh("""
                set -e; cd '\(dir)'
                for ca in ca other; do openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $ca.key -out $ca.crt -days 2 -subj "/CN=pgdrill test $ca" ; done
                openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1
                printf 'subjectAltName=IP:127.0.0.1\\n' > san
                openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 -extfile san
                openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout client.key -out client.csr -subj /CN=pgdrill
                openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2
                """)
        }
        func path(_ name: String) -> String { dir + "/" + name }
        deinit { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// `python3` serving `/cluster` over TLS on a free port; `auth` demands basic auth, `verifyClient`
    /// a client certificate signed by the CA.
    final class Server {
        let process = Process()
        let port: Int
        init(_ pki: PKI, auth: Bool, verifyClient: Bool) throws {
            port = CLITool.freePort()
            let script = """
                import base64, http.server, ssl, sys
                ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain('\(pki.path("server.crt"))', '\(pki.path("server.key"))')
                if \(verifyClient ? "True" : "False"):
                    ctx.load_verify_locations('\(pki.path("ca.crt"))'); ctx.verify_mode = ssl.CERT_REQUIRED
                want = 'Basic ' + base64.b64encode(b'pgdrill:\(HTTPAccessTests.password)').decode()
                class H(http.server.BaseHTTPRequestHandler):
                    def log_message(self, *a): pass
                    def do_GET(self):
                        if \(auth ? "True" : "False") and self.headers.get('Authorization') != want:
                            self.send_response(401); self.send_header('WWW-Authenticate', 'Basic realm="patroni"'); self.end_headers(); return
                        body = b'{"members": []}'
                        self.send_response(200); self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
                s = http.server.HTTPServer(('127.0.0.1', \(port)), H); s.socket = ctx.wrap_socket(s.socket, server_side=True)
                print('ready', flush=True); s.serve_forever()
                """
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-c", script]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            _ = out.fileHandleForReading.availableData  // "ready": listening
        }
        var url: URL { URL(string: "https://127.0.0.1:\(port)")! }
        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func sh(_ script: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw HTTPError(url: "sh", message: "exited \(p.terminationStatus): \(script)") }
    }

    func cluster(_ server: Server, _ access: HTTPCredentials) -> Result<ClusterView, HTTPError> {
        Result { try PatroniClient(baseURL: server.url, timeout: 3, access: access).cluster() }.mapError { $0 as! HTTPError }
    }

    @Test func aCertificateFromAnUnknownCAIsRefusedNamingCafile() throws {
        let pki = try PKI()
        let server = try Server(pki, auth: false, verifyClient: false)
        guard case .failure(let unknown) = cluster(server, HTTPCredentials(setting: "patroni_api")) else { Issue.record("verified without the CA"); return }
        #expect(unknown.isAccessProblem && unknown.message.contains("not trusted"), "\(unknown)")
        #expect(unknown.hint?.contains("patroni_api.cafile") == true, "\(unknown)")
        guard case .failure(let wrong) = cluster(server, HTTPCredentials(setting: "patroni_api", caFile: pki.path("other.crt"))) else {
            Issue.record("verified with another CA"); return
        }
        #expect(wrong.hint?.contains(pki.path("other.crt")) == true, "\(wrong)")
        #expect(try cluster(server, HTTPCredentials(setting: "patroni_api", caFile: pki.path("ca.crt"))).get().members.isEmpty)
    }

    @Test func basicAuthRefusalsSayWhatToSetAndNeverShowThePassword() throws {
        let pki = try PKI()
        let server = try Server(pki, auth: true, verifyClient: false)
        let ca = pki.path("ca.crt")
        guard case .failure(let none) = cluster(server, HTTPCredentials(setting: "patroni_api", caFile: ca)) else { Issue.record("no 401"); return }
        #expect(none.message == "HTTP 401 Unauthorized" && none.isAccessProblem)
        #expect(none.hint?.contains("patroni_api.username") == true && none.hint?.contains("password_file") == true, "\(none)")
        let wrongPassword = "not-" + Self.password
        guard case .failure(let wrong) = cluster(server, HTTPCredentials(setting: "patroni_api", caFile: ca, username: "pgdrill", password: .init(wrongPassword))) else {
            Issue.record("a wrong password was accepted"); return
        }
        #expect(wrong.hint?.contains("refused user 'pgdrill'") == true, "\(wrong)")
        #expect(!"\(wrong)".contains(wrongPassword) && !String(reflecting: wrong).contains(wrongPassword))
        let right = HTTPCredentials(setting: "patroni_api", caFile: ca, username: "pgdrill", password: .init(Self.password))
        #expect(try cluster(server, right).get().members.isEmpty)
        #expect(!"\(right)".contains(Self.password) && !String(reflecting: right).contains(Self.password))
    }

    @Test func anAPIThatVerifiesClientsTakesTheClientCertificate() throws {
        let pki = try PKI()
        let server = try Server(pki, auth: false, verifyClient: true)
        let ca = pki.path("ca.crt")
        guard case .failure(let without) = cluster(server, HTTPCredentials(setting: "patroni_api", caFile: ca)) else { Issue.record("no client certificate needed"); return }
        #expect(without.hint?.contains("patroni_api.certfile") == true, "\(without)")
        let with = HTTPCredentials(setting: "patroni_api", caFile: ca, certFile: pki.path("client.crt"), keyFile: pki.path("client.key"))
        #expect(try cluster(server, with).get().members.isEmpty)
        guard case .failure(let missing) = cluster(server, HTTPCredentials(setting: "patroni_api", caFile: ca, certFile: pki.path("nope.crt"), keyFile: pki.path("client.key"))) else {
            Issue.record("a missing client certificate file was not noticed"); return
        }
        #expect(missing.isAccessProblem && missing.message.contains("client certificate"), "\(missing)")
    }
}
