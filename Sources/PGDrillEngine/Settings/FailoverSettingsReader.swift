import Foundation
import PGDrillCore
import PGDrillPostgres

/// Reads, at pre-flight, the settings that bound a failover (`FailoverSettings`): Patroni's `/config` from the
/// leader's API, the write backend's checks from HAProxy's configuration over ssh, repmgrd's from the
/// primary's `repmgr.conf` over ssh, and the primary's `archive_timeout` and `synchronous_standby_names` over
/// SQL. Never fails: what could not be read is listed in `unread` (its bounds are then unknown, not guessed),
/// and nothing here changes the cluster.
struct FailoverSettingsReader {
    let connection: ClusterConnection
    var cluster: ClusterTarget { connection.cluster }

    func read(leader: String?, writeBackend: String?) -> FailoverSettings {
        var s = FailoverSettings(manager: cluster.manager)
        if cluster.manager == "patroni" { readPatroni(leader: leader, into: &s) }
        if cluster.manager == "repmgr" { readRepmgr(leader: leader, into: &s) }
        readHAProxy(writeBackend: writeBackend, into: &s)
        readPostgres(leader: leader, into: &s)
        return s
    }

    func readPatroni(leader: String?, into s: inout FailoverSettings) {
        let hosts = cluster.nodes.filter { $0.patroni != nil }
        guard let host = hosts.first(where: { $0.name == leader }) ?? hosts.first, let url = host.patroni else {
            s.unread.append("Patroni's /config: no node has a Patroni API in the cluster file")
            return
        }
        let client = PatroniClient(baseURL: url, timeout: 3, access: cluster.patroniHTTP)
        do {
            let config = try client.config()
            let version = (try? client.status())?.patroni?.version
            s.patroni = PatroniTimeouts.inForce(configured: Self.patroniTimeouts(config, version: version))
            s.sources.append("Patroni \(version ?? "(version unknown)"): GET /config on \(host.name)")
        } catch {
            s.unread.append("Patroni's /config on \(host.name): \(error)")
        }
    }

    /// `GET /config` as Patroni returns it; missing keys take Patroni's defaults (`master_start_timeout` is the
    /// name before 3.0).
    static func patroniTimeouts(_ c: [String: Any], version: String?) -> PatroniTimeouts {
        let d = PatroniTimeouts()
        return PatroniTimeouts(
            ttl: number(c["ttl"]) ?? d.ttl, loopWait: number(c["loop_wait"]) ?? d.loopWait,
            retryTimeout: number(c["retry_timeout"]) ?? d.retryTimeout,
            primaryStartTimeout: number(c["primary_start_timeout"]) ?? number(c["master_start_timeout"]) ?? d.primaryStartTimeout,
            synchronousMode: PatroniManager.truthy(c["synchronous_mode"]), synchronousModeStrict: PatroniManager.truthy(c["synchronous_mode_strict"]),
            maximumLagOnFailover: number(c["maximum_lag_on_failover"]).map { Int64($0) } ?? d.maximumLagOnFailover, version: version)
    }

    /// A JSON number, or a number written as a string (`"20"`), as Double.
    static func number(_ value: Any?) -> Double? {
        switch value {
        case let n as NSNumber: n.doubleValue
        case let s as String: Double(s)
        default: nil
        }
    }

    func readRepmgr(leader: String?, into s: inout FailoverSettings) {
        guard let settings = cluster.repmgr, let node = leader ?? cluster.nodes.first?.name else {
            s.unread.append("repmgr.conf: no primary to read it from")
            return
        }
        let path = settings.config(for: node)
        do {
            let text = try readFile(path, on: node)
            s.repmgr = RepmgrConfig.reconnect(in: text)
            s.sources.append("\(path) on \(node)")
        } catch {
            s.unread.append("repmgr.conf \(path) on \(node): \(error)")
        }
    }

    func readHAProxy(writeBackend: String?, into s: inout FailoverSettings) {
        guard cluster.haproxyStats != nil || cluster.haproxyConfig != nil else { return }
        guard let backend = writeBackend else {
            s.unread.append("HAProxy's checks: the write backend is not known (set haproxy.write_backend)")
            return
        }
        guard let place = cluster.haproxyConfig else {
            s.unread.append("HAProxy's checks: no proxy host to read haproxy.cfg from (set haproxy.host to a proxies: name)")
            return
        }
        do {
            switch HAProxyConfig.checks(in: try readFile(place.path, on: place.host), backend: backend) {
            case .success(let checks):
                s.haproxy = checks
                s.sources.append("\(place.path) on \(place.host), backend \(backend)")
            case .failure(let problem):
                s.unread.append("HAProxy's checks: \(place.path) on \(place.host) \(problem)")
            }
        } catch {
            s.unread.append("HAProxy's checks: \(place.path) on \(place.host): \(error) (set haproxy.config to its path)")
        }
    }

    func readPostgres(leader: String?, into s: inout FailoverSettings) {
        guard let leader, let conninfo = cluster.nodeConninfo[leader] else { return }
        do {
            let c = try PGConnection(conninfo: conninfo, timeout: .seconds(5))
            let r = try c.query("SELECT current_setting('archive_mode'), extract(epoch FROM current_setting('archive_timeout')::interval)::float8, current_setting('synchronous_standby_names')",
                                [], timeout: .seconds(5))
            guard let row = r.rows.first, row.count == 3 else { return }
            if row[0] != "off" { s.archiveTimeout = row[1].flatMap(Double.init) }
            s.synchronousStandbyNames = row[2]
            s.sources.append("archive_mode, archive_timeout, synchronous_standby_names on \(leader)")
        } catch {
            s.unread.append("archive_timeout on \(leader): \(error)")
        }
    }

    /// A configuration file's text, read on its host (through sudo where the cluster file says so), at most 1 MiB.
    func readFile(_ path: String, on host: String) throws -> String {
        let script = RemoteScript(host: host, script: "head -c 1048576 -- \(path.shellQuoted)", summary: "read \(path)")
        return try connection.run(script, timeout: .seconds(10)).stdout
    }
}
