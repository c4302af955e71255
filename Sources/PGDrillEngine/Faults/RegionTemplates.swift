import Foundation

/// Remote commands of a region failover that must run inside the cut-off region (its APIs are unreachable
/// from the runner then). Python 3 because every Patroni host has it; values are JSON-encoded into the
/// program text and the program is passed on stdin of a quoted heredoc, so nothing is interpreted by a shell.
enum RegionTemplates {
    /// Makes the cut-off cluster a standby cluster of `leaderHost:port` (PATCH of its DCS configuration
    /// through any of its own members' APIs) and waits until none of its members runs as a primary, so that
    /// healing the partition can never put two primaries behind the write endpoint. Idempotent.
    ///
    /// An HTTPS API is verified against `caPEM` (the cluster file's `patroni_api.cafile`, its text: public,
    /// so it may be journalled) or the node's system CAs; with `restapi.authentication` the PATCH carries
    /// `ClusterConnection.patroniAuthorizationMarker`, replaced by the header only when the script is sent.
    static func demoteRegion(apis: [URL], leaderHost: String, port: Int, caPEM: String? = nil, timeoutSeconds: Int = 90) -> String {
        let config: [String: Any] = ["standby_cluster": ["host": leaderHost, "port": port, "create_replica_methods": ["basebackup"]]]
        let body = String(decoding: try! JSONSerialization.data(withJSONObject: config, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        let urls = String(decoding: try! JSONSerialization.data(withJSONObject: apis.map(\.absoluteString), options: [.withoutEscapingSlashes]), as: UTF8.self)
        return """
        command -v python3 >/dev/null || { echo 'python3 is not installed on this host (Patroni hosts have it)' >&2; exit 3; }
        python3 - <<'PGDRILL_PY'
        import json, ssl, sys, time, urllib.error, urllib.request
        apis = json.loads(\(pythonString(urls)))
        body = \(pythonString(body)).encode()
        ca = \(pythonString(caPEM ?? ""))
        context = ssl.create_default_context(cadata=ca) if ca else ssl.create_default_context()
        authorization = \(pythonString(ClusterConnection.patroniAuthorizationMarker))
        def call(url, method="GET", data=None):
            headers = {"Content-Type": "application/json"}
            if authorization and method != "GET":
                headers["Authorization"] = authorization
            req = urllib.request.Request(url, data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(req, timeout=3, context=context) as r:
                    return r.status
            except urllib.error.HTTPError as e:
                return e.code
            except Exception:
                return None
        answers = [call(a.rstrip("/") + "/config", "PATCH", body) for a in apis]
        if 200 not in answers:
            print("no member API of this region accepted the standby_cluster configuration (HTTP status per member: "
                  + ", ".join(str(a) for a in answers) + "; 401/403: patroni_api credentials, None: unreachable or TLS refused)", file=sys.stderr)
            sys.exit(1)
        deadline = time.time() + \(timeoutSeconds)
        while time.time() < deadline:
            if not any(call(a.rstrip("/") + "/primary") == 200 for a in apis):
                print("this region is a standby cluster of " + json.loads(body)["standby_cluster"]["host"] + " now: none of its members accepts writes")
                sys.exit(0)
            time.sleep(0.5)
        print("a member of this region still runs as a primary after \(timeoutSeconds) s", file=sys.stderr)
        sys.exit(1)
        PGDRILL_PY
        """
    }

    /// A Python string literal holding `text` exactly (JSON string syntax is valid Python here: ASCII-escaped).
    private static func pythonString(_ text: String) -> String {
        let data = try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes])
        let array = String(decoding: data, as: UTF8.self)
        return String(array.dropFirst().dropLast()).unicodeScalars.map { $0.isASCII ? String($0) : String(format: "\\u%04x", $0.value) }.joined()
    }
}
