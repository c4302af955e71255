import Foundation
import Logging
import PGDrillModel
import PGDrillSSH

/// The runner's live links to one cluster: an SSH session per host (reused for every command, so a fault
/// lands within about a millisecond of the decision) and the Patroni APIs.
public final class ClusterConnection: @unchecked Sendable {
    // @unchecked Sendable: `sessions` and `jumpHost` are guarded by `lock`; SSHSession and JumpHost serialise their own use.
    public let cluster: ClusterTarget
    private let logger: Logger
    private let lock = NSLock()
    private var sessions: [String: SSHSession] = [:]
    /// The one session to `ssh.jump` that every host's session is tunnelled through, made on first need.
    private var jumpHost: JumpHost?

    public init(cluster: ClusterTarget, logger: Logger) {
        self.cluster = cluster
        self.logger = logger
    }

    /// Opens SSH to every host now, so an unreachable host, unknown host key or wrong key is found before
    /// anything is injected. Hosts are tried in parallel; the first error (in host order) is thrown.
    public func connectAll() throws {
        let hosts = cluster.allHosts
        let results = Mutexed<[String: any Error]>([:])
        DispatchQueue.concurrentPerform(iterations: hosts.count) { i in
            do { _ = try session(for: hosts[i].name) } catch { results.mutate { $0[hosts[i].name] = error } }
        }
        let errors = results.value
        if let first = hosts.first(where: { errors[$0.name] != nil }), let error = errors[first.name] {
            throw Self.explain(error, host: first.name)
        }
    }

    /// Runs a fault or rollback script on its host. A non-zero exit is an error carrying the script's stderr.
    @discardableResult
    public func run(_ script: RemoteScript, timeout: Duration = .seconds(60)) throws -> CommandResult {
        let result = try runAllowingFailure(script, timeout: timeout)
        guard result.exitStatus == 0 else {
            let why = [result.stderr, result.stdout].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.first { !$0.isEmpty } ?? "no output"
            throw EngineError(.remote, "\(script.summary): exit \(result.exitStatus) on \(script.host): \(why)")
        }
        return result
    }

    /// Runs a script; the exit status is the caller's to judge. Retries once on a fresh session if the old
    /// one died (an sshd restarted, a connection reset), but never after a timeout: the command may have run.
    public func runAllowingFailure(_ script: RemoteScript, timeout: Duration = .seconds(60)) throws -> CommandResult {
        if script.host == ClusterTarget.localHostName { return try LocalCommand.run(script.script, timeout: timeout) }
        let text = withSecrets(script.script)
        do {
            return try session(for: script.host).run(text, timeout: timeout)
        } catch let error as SSHError where !error.commandMayHaveRun {
            logger.debug("ssh to \(script.host) failed, reconnecting once", metadata: ["error": "\(error)"])
            drop(script.host)
            do {
                return try session(for: script.host).run(text, timeout: timeout)
            } catch {
                throw Self.explain(error, host: script.host)
            }
        } catch let error as SSHError where error.code == .timeout {
            // The transport may be dead (a host that stopped answering): reconnect on next use rather than
            // queue the next command behind it.
            drop(script.host)
            throw Self.explain(error, host: script.host)
        } catch {
            throw Self.explain(error, host: script.host)
        }
    }

    /// Stands in for the Patroni REST API's `Authorization` header in a script that calls the API from a node
    /// (the in-region demotion of a region failover). The journal keeps the script with this marker; the
    /// header is put in only as the script is sent, so a credential never reaches the journal or a log.
    static let patroniAuthorizationMarker = "@@PGDRILL_PATRONI_AUTHORIZATION@@"

    private func withSecrets(_ script: String) -> String { Self.substitutingSecrets(script, patroni: cluster.patroniHTTP) }

    /// `script` with the marker replaced by the basic-auth header of `access` (empty without credentials).
    static func substitutingSecrets(_ script: String, patroni access: HTTPCredentials) -> String {
        guard script.contains(Self.patroniAuthorizationMarker) else { return script }
        var header = ""
        if let user = access.username, let password = access.password {
            header = "Basic " + Data("\(user):\(password.value)".utf8).base64EncodedString()
        }
        return script.replacingOccurrences(of: Self.patroniAuthorizationMarker, with: header)
    }

    /// The cluster's HA manager (Patroni, repmgr or plain streaming), acting through this connection.
    public var manager: any HAManager { makeManager(timeout: 1.5) }

    /// A manager whose single calls are bounded by `timeout` seconds (the monitor polls with less).
    public func makeManager(timeout: TimeInterval) -> any HAManager {
        let observer = NodeSQLObserver(
            nodes: cluster.nodes.compactMap { n in cluster.nodeConninfo[n.name].map { (name: n.name, host: n.address, conninfo: $0) } },
            timeout: .milliseconds(Int(timeout * 1000)))
        let remote: RemoteRunner = { [weak self] script, limit in
            guard let self else { throw EngineError(.unreachable, "the cluster connection is closed") }
            return try self.runAllowingFailure(script, timeout: limit)
        }
        switch cluster.manager {
        case "repmgr" where cluster.repmgr != nil:
            return RepmgrManager(observer: observer, settings: cluster.repmgr!, remote: remote)
        case "streaming":
            return StreamingManager(observer: observer, binDir: cluster.binDir, pgPort: cluster.pgPort, remote: remote)
        default:
            func apis(_ hosts: [ClusterTarget.Host]) -> [(node: String, client: PatroniClient)] {
                hosts.compactMap { n in n.patroni.map { (node: n.name, client: PatroniClient(baseURL: $0, timeout: timeout, access: cluster.patroniHTTP)) } }
            }
            return PatroniManager(apis: apis(cluster.nodes), standby: cluster.standbyCluster.map { (name: $0.name, apis: apis($0.nodes)) },
                                  sql: observer)
        }
    }

    /// Runs a script that must not wait long on a dead link (rollbacks): first checks that the host's
    /// session answers a no-op within `probe`, reconnecting (bounded by the cluster's ssh connect timeout)
    /// if it does not, so a host whose sshd stopped answering costs seconds instead of `timeout`.
    @discardableResult
    public func runChecked(_ script: RemoteScript, timeout: Duration, probe: Duration = .seconds(5)) throws -> CommandResult {
        // The runner's own machine (scratch hosts for restores) has no ssh link to test.
        if script.host == ClusterTarget.localHostName { return try run(script, timeout: timeout) }
        // A host with no session yet is tested by connecting (bounded by the connect timeout); only a session
        // that already existed is tested with a no-op, and reopened once if that does not answer.
        let existing: SSHSession
        do { existing = try session(for: script.host) } catch { throw Self.explain(error, host: script.host) }
        do {
            _ = try existing.run("true", timeout: probe)
        } catch {
            logger.debug("ssh to \(script.host) did not answer a no-op; reconnecting", metadata: ["error": "\(error)"])
            drop(script.host)
            do { _ = try session(for: script.host) } catch { throw Self.explain(error, host: script.host) }
        }
        return try run(script, timeout: timeout)
    }

    /// The cluster as its manager sees it now.
    public func clusterView() throws -> ClusterView {
        let m = manager
        if let patroni = m as? PatroniManager { return try patroni.configuredView() }
        return try m.view()
    }

    public func closeAll() {
        lock.withLock {
            sessions.values.forEach { $0.close() }
            sessions.removeAll()
            jumpHost?.close()
        }
    }

    private func drop(_ host: String) {
        let s = lock.withLock { sessions.removeValue(forKey: host) }
        s?.close()
    }

    private func session(for name: String) throws -> SSHSession {
        if let s = lock.withLock({ sessions[name] }), s.isConnected { return s }
        guard let host = cluster.host(named: name) else {
            throw EngineError(.usage, "no host named \(name) in cluster \(cluster.name)")
        }
        let target = SSHTarget(host: host.address, port: cluster.ssh.port, user: cluster.ssh.user, sudo: cluster.ssh.sudo,
                               identityFile: cluster.ssh.identityFile, passphrase: try cluster.ssh.passphrase.map { try SecretReader.read($0, setting: "ssh.passphrase", of: "the ssh key's passphrase") },
                               agent: cluster.ssh.agent, knownHostsFile: cluster.ssh.knownHostsFile,
                               connectTimeout: cluster.ssh.connectTimeout, jump: try sshJump())
        var hostLogger = logger
        hostLogger[metadataKey: "host"] = "\(name)"
        let s = try SSHSession(target: target, logger: hostLogger, jumpHost: sharedJumpHost(for: target))
        lock.withLock { sessions[name] = s }
        return s
    }

    /// `ssh.jump` as the SSH layer wants it, its key's passphrase read now; nil without a jump host.
    private func sshJump() throws -> SSHJump? {
        guard let jump = cluster.ssh.jump else { return nil }
        return SSHJump(host: jump.host, port: jump.port, user: jump.user, identityFile: jump.identity,
                       passphrase: try jump.passphrase.map { try SecretReader.read($0, setting: "ssh.jump.passphrase", of: "the jump host key's passphrase") },
                       agent: jump.agent, knownHostsFile: jump.knownHosts)
    }

    private func sharedJumpHost(for target: SSHTarget) -> JumpHost? {
        guard let jump = target.jump else { return nil }
        return lock.withLock {
            if let jumpHost, jumpHost.jump == jump { return jumpHost }
            let created = JumpHost(jump: jump, connectTimeout: target.connectTimeout, logger: logger)
            jumpHost = created
            return created
        }
    }

    static func explain(_ error: any Error, host: String) -> EngineError {
        if let e = error as? EngineError { return e }
        if let e = error as? SSHError {
            return EngineError(e.code == .timeout ? .remote : .unreachable, "\(host): \(e.description)")
        }
        return EngineError(.unreachable, "\(host): \(error)")
    }
}

/// A value behind a lock, for results gathered from several threads.
final class Mutexed<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate<R>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&stored) } }
}

extension ClusterConnection {
    /// Polls the manager's view until the cluster is healthy by `criteria`, `timeout` seconds pass, or
    /// `stop` says to give up. `onWait` sees the elapsed seconds and the current problems between polls.
    /// With `giveUpUnreachableAfter`, also gives up once no Patroni API has answered for that long (the result
    /// is then marked `unreachable`: health unknown, not bad).
    /// One loop for pre-flight, recovery and `pgdrill recover`, so "healthy" is waited for the same way.
    public func waitUntilHealthy(
        _ criteria: ClusterHealth.Criteria, timeout: TimeInterval, every interval: TimeInterval,
        giveUpUnreachableAfter: TimeInterval? = nil,
        stop: () -> Bool = { false }, onWait: (TimeInterval, [String]) -> Void
    ) -> (view: ClusterView?, health: ClusterHealth) {
        let start = Date()
        var unreachableSince: Date?
        while true {
            let view: ClusterView?
            let health: ClusterHealth
            do {
                let v = try clusterView()
                view = v
                health = ClusterHealth.evaluate(v, criteria: criteria)
                unreachableSince = nil
            } catch {
                view = nil
                var h = ClusterHealth(problems: ["\(error)"], leader: nil, syncStandby: nil)
                let since = unreachableSince ?? Date()
                unreachableSince = since
                if let limit = giveUpUnreachableAfter, Date().timeIntervalSince(since) >= limit {
                    h.unreachable = true
                    return (nil, h)
                }
                health = h
            }
            let elapsed = Date().timeIntervalSince(start)
            if health.isHealthy || elapsed >= timeout || stop() { return (view, health) }
            onWait(elapsed, health.problems)
            Thread.sleep(forTimeInterval: interval)
        }
    }
}
