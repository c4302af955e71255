import CLibCurl
import Foundation
import PGDrillModel
import PGDrillSSH

/// A failed HTTP exchange with Patroni or HAProxy: what failed and what to set. Never carries credentials.
public struct HTTPError: Error, CustomStringConvertible {
    public var url: String
    public var message: String
    /// What to do, when pgdrill knows (a cluster-file setting to add or fix).
    public var hint: String? = nil
    /// TLS or authentication refused the exchange: retrying will not help, the cluster file must change.
    public var isAccessProblem = false
    public var description: String { "\(url): \(message)" + (hint.map { " — \($0)" } ?? "") }
}

/// How to reach one HTTP API: the cluster file's `HTTPAccess` with the password read.
public struct HTTPCredentials: Sendable, Equatable {
    public var setting: String
    public var caFile: String?
    public var certFile: String?
    public var keyFile: String?
    public var username: String?
    public var password: Secret?

    public init(setting: String, caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil,
                username: String? = nil, password: Secret? = nil) {
        self.setting = setting
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
        self.username = username
        self.password = password
    }

    /// The cluster file's section, as messages name it.
    var settingName: String { setting.isEmpty ? "the cluster file" : setting }

    /// Plain access: no CA of its own, no client certificate, no credentials.
    public static let none = HTTPCredentials(setting: "")

    /// The cluster file's settings, the password read from its file or variable now (an error names the source).
    public init(_ access: HTTPAccess) throws {
        self.init(setting: access.setting, caFile: access.caFile, certFile: access.certFile, keyFile: access.keyFile,
                  username: access.username,
                  password: try access.password.map { try SecretReader.read($0, setting: access.setting + ".password", of: "the \(access.setting) password") })
    }
}

/// Synchronous HTTP(S) through libcurl, bounded by a timeout.
///
/// libcurl rather than URLSession: on Linux, Foundation's URLSession verifies servers only against the system
/// CA bundle and offers no client certificate (a CA file through `SSL_CERT_FILE`, `CURL_CA_BUNDLE` or
/// `URLSessionCertificateAuthorityInfoFile` was ignored when tried), and a Patroni REST API is usually signed
/// by the team's own CA. FoundationNetworking is itself libcurl, so nothing new is loaded.
enum HTTP {
    private static let initialised: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static func request(
        _ url: URL, method: String = "GET", body: Data? = nil, timeout: TimeInterval, access: HTTPCredentials = .none
    ) throws -> (Int, Data) {
        guard initialised, let handle = curl_easy_init() else {
            throw HTTPError(url: url.absoluteString, message: "libcurl could not be initialised")
        }
        defer { curl_easy_cleanup(handle) }
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        var headers: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headers) }
        let millis = max(1, Int(timeout * 1000))
        let code: CURLcode = errorBuffer.withUnsafeMutableBufferPointer { errors in
            ccurl_setopt_string(handle, CURLOPT_URL, url.absoluteString)
            ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
            ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, millis)
            ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, millis)
            ccurl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
            ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errors.baseAddress)
            ccurl_setopt_write_function(handle) { data, size, count, context in
                guard let data, let context else { return 0 }
                Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue().data
                    .append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: size * count)
                return size * count
            }
            ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
            if let caFile = access.caFile { ccurl_setopt_string(handle, CURLOPT_CAINFO, caFile) }
            if let certFile = access.certFile, let keyFile = access.keyFile {
                ccurl_setopt_string(handle, CURLOPT_SSLCERT, certFile)
                ccurl_setopt_string(handle, CURLOPT_SSLKEY, keyFile)
            }
            if let username = access.username, let password = access.password {
                ccurl_setopt_long(handle, CURLOPT_HTTPAUTH, 1)  // CURLAUTH_BASIC (a macro Swift does not import)
                ccurl_setopt_string(handle, CURLOPT_USERNAME, username)
                ccurl_setopt_string(handle, CURLOPT_PASSWORD, password.value)
            }
            ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
            headers = curl_slist_append(headers, "Expect:")
            if let body {
                headers = curl_slist_append(headers, "Content-Type: application/json")
                // COPYPOSTFIELDS: libcurl keeps its own copy, so the Data need not outlive this closure.
                ccurl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
                body.withUnsafeBytes { bytes in
                    _ = ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
                }
            }
            ccurl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headers)
            return curl_easy_perform(handle)
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw explain(code, detail: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail, url: url, access: access)
        }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if status == 401 || status == 403 { throw refused(status, url: url, access: access) }
        return (status, sink.data)
    }

    /// A transport failure in words, with the setting that fixes it when it is TLS.
    static func explain(_ code: CURLcode, detail: String, url: URL, access: HTTPCredentials) -> HTTPError {
        let host = url.host ?? url.absoluteString
        let setting = access.settingName
        switch code {
        case CURLE_PEER_FAILED_VERIFICATION:
            return HTTPError(url: url.absoluteString, message: "the TLS certificate of \(host) is not trusted (\(detail))",
                             hint: access.caFile == nil
                                ? "set \(setting).cafile to the CA that signed the API's certificate (Patroni's restapi.cafile)"
                                : "\(setting).cafile \(access.caFile!) did not verify it: is it the CA that signed this certificate, and is \(host) in its subject alternative names?",
                             isAccessProblem: true)
        case CURLE_SSL_CACERT_BADFILE:
            return HTTPError(url: url.absoluteString, message: "cannot read the CA file \(access.caFile ?? "?") (\(detail))",
                             hint: "\(setting).cafile must be a readable PEM file", isAccessProblem: true)
        case CURLE_SSL_CERTPROBLEM:
            return HTTPError(url: url.absoluteString, message: "cannot use the client certificate \(access.certFile ?? "?") (\(detail))",
                             hint: "\(setting).certfile and keyfile must be a readable PEM certificate and its unencrypted key", isAccessProblem: true)
        // A server that refuses the client during the handshake (TLS 1.3 sends its alert after the client's
        // Finished) shows as a failed receive or send, or, when the reset beats curl's own bookkeeping, as
        // getpeername() failing on a socket already closed.
        case _ where url.scheme == "https" && (code == CURLE_SSL_CONNECT_ERROR || code == CURLE_RECV_ERROR || code == CURLE_SEND_ERROR
                                              || (code == CURLE_COULDNT_CONNECT && detail.contains("getpeername"))):
            return HTTPError(url: url.absoluteString, message: "TLS with \(host) failed (\(detail))",
                             hint: access.certFile == nil
                                ? "if the API verifies clients (Patroni's restapi.verify_client), set \(setting).certfile and keyfile"
                                : "check that \(setting).certfile is signed by a CA the API trusts")
        case CURLE_OPERATION_TIMEDOUT:
            return HTTPError(url: url.absoluteString, message: "no answer within the timeout (\(detail))")
        default:
            return HTTPError(url: url.absoluteString, message: detail)
        }
    }

    /// 401 and 403: the API refused pgdrill's credentials (or their absence).
    static func refused(_ status: Int, url: URL, access: HTTPCredentials) -> HTTPError {
        let setting = access.settingName
        let message = status == 401 ? "HTTP 401 Unauthorized" : "HTTP 403 Forbidden"
        let hint: String
        if access.username == nil {
            hint = "the API asks for credentials: set \(setting).username and \(setting).password_file (or password_env) — Patroni's restapi.authentication, HAProxy's stats auth"
        } else if status == 401 {
            hint = "the API refused user '\(access.username!)': check the password in \(setting).password_file / password_env against the API's configuration"
        } else {
            hint = "user '\(access.username!)' is not allowed here (Patroni's restapi.allowlist, or a client certificate the API requires)"
        }
        return HTTPError(url: url.absoluteString, message: message, hint: hint, isAccessProblem: true)
    }

    /// Collects the response body for the write callback. Used by one request on one thread.
    private final class ResponseSink {
        var data = Data()
    }
}

/// Reads a secret the cluster file points at: a file's first line, or an environment variable.
public enum SecretReader {
    /// `setting` names the cluster file's key (`ssh.passphrase`, `patroni_api.password`); `what` the secret.
    public static func read(_ source: SecretSource, setting: String, of what: String) throws -> Secret {
        switch source {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw EngineError(.usage, "cannot read \(what) from \(path) (\(setting)_file)",
                                  hint: "it must be readable by the user running pgdrill, the secret on its first line")
            }
            var line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            if line.hasSuffix("\r") { line.removeLast() }
            return Secret(line)
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
                throw EngineError(.usage, "the environment variable \(name) (\(setting)_env) is not set",
                                  hint: "export it with \(what) where pgdrill runs (a CI secret)")
            }
            return Secret(value)
        }
    }
}
