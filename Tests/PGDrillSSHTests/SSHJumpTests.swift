import Foundation
import Testing

@testable import PGDrillSSH

#if canImport(Glibc)
import Glibc
#endif

/// Sessions tunnelled through a jump host: two real sshds on 127.0.0.1, a bastion and a node.
@Suite("SSH through a jump host", .serialized)
struct SSHJumpTests {
    let bastion: TestSSHD
    let node: TestSSHD

    init() throws {
        bastion = try TestSSHD(extraConfig: ["AllowTcpForwarding yes"])
        node = try TestSSHD()
    }

    private func jump(via server: TestSSHD? = nil, port: Int? = nil, key: String? = nil, knownHosts: String? = nil) -> SSHJump {
        let server = server ?? bastion
        return SSHJump(host: "127.0.0.1", port: port ?? server.port, user: server.user, identityFile: key ?? server.userKey,
                       knownHostsFile: knownHosts ?? server.knownHosts)
    }

    private func nodeTarget(jump: SSHJump? = nil, port: Int? = nil, knownHosts: String? = nil,
                            connectTimeout: Duration = .seconds(3)) -> SSHTarget {
        var target = node.target(knownHosts: knownHosts, port: port, connectTimeout: connectTimeout)
        target.jump = jump ?? self.jump()
        return target
    }

    private func connectError(_ target: SSHTarget) -> (error: SSHError?, elapsed: Duration) {
        timed { _ = try SSHSession(target: target, logger: TestSSHD.logger) }
    }

    /// A known_hosts file holding an impostor's key for `server`.
    private func impostorKnownHosts(for server: TestSSHD) throws -> String {
        try TestSSHD.keygen(path: server.path("impostor_key"))
        let file = server.path("known_hosts_impostor")
        try server.writeKnownHosts(["[127.0.0.1]:\(server.port) \(try TestSSHD.keyField(of: server.path("impostor_key.pub")))"], to: file)
        return file
    }

    @Test("a command runs on the node through the jump host, on the run and exec paths")
    func runThroughJump() throws {
        let session = try SSHSession(target: nodeTarget(), logger: TestSSHD.logger)
        defer { session.close() }
        let result = try session.run("echo $SSH_CONNECTION", timeout: .seconds(5))
        #expect(result.exitStatus == 0)
        // sshd on the node sees the connection arrive from the bastion's forwarding, to its own port.
        #expect(result.stdout.hasSuffix(" \(node.port)\n"))
        #expect(try session.exec("echo via-exec", timeout: .seconds(5)).stdout == "via-exec\n")
        let big = try session.run("head -c 300000 /dev/zero | tr '\\\\0' x", timeout: .seconds(10))
        #expect(big.stdout.utf8.count == 300_000)
    }

    @Test("the jump host's changed key is refused, naming the jump host")
    func jumpHostKeyMismatch() throws {
        let file = try impostorKnownHosts(for: bastion)
        let error = try #require(connectError(nodeTarget(jump: jump(knownHosts: file))).error)
        #expect(error.code == .hostKeyMismatch)
        #expect(error.jumpHost == "127.0.0.1:\(bastion.port)")
        #expect(error.description.hasPrefix(
            "ssh to 127.0.0.1:\(node.port) via jump host 127.0.0.1:\(bastion.port): at the jump host: host key differs"))
        #expect(error.description.contains(file))
    }

    @Test("the node's changed key is refused, naming the node")
    func nodeHostKeyMismatch() throws {
        let file = try impostorKnownHosts(for: node)
        let error = try #require(connectError(nodeTarget(knownHosts: file)).error)
        #expect(error.code == .hostKeyMismatch)
        #expect(error.description.hasPrefix(
            "ssh to 127.0.0.1:\(node.port) via jump host 127.0.0.1:\(bastion.port): host key differs"))
    }

    @Test("a jump host with AllowTcpForwarding no gives forwardingRefused with the sshd_config fix")
    func forwardingRefused() throws {
        let strict = try TestSSHD(extraConfig: ["AllowTcpForwarding no"])
        let (error, elapsed) = connectError(nodeTarget(jump: jump(via: strict)))
        let refused = try #require(error)
        #expect(refused.code == .forwardingRefused)
        #expect(refused.description.contains("administratively prohibited"))
        #expect(refused.description.contains("AllowTcpForwarding"))
        #expect(elapsed < .seconds(2))
    }

    @Test("a node port closed behind the jump host gives connectFailed at once, naming the node")
    func nodePortClosed() throws {
        let (error, elapsed) = connectError(nodeTarget(port: try TestSSHD.freePort()))
        let failure = try #require(error)
        #expect(failure.code == .connectFailed)
        #expect(failure.description.contains("the jump host cannot connect to the node"))
        #expect(elapsed < .seconds(2), "must not wait for the connect timeout")
    }

    @Test("an unreachable jump host gives connectFailed at the jump host")
    func jumpHostUnreachable() throws {
        let (error, elapsed) = connectError(nodeTarget(jump: jump(port: try TestSSHD.freePort())))
        let failure = try #require(error)
        #expect(failure.code == .connectFailed)
        #expect(failure.description.contains("at the jump host: cannot connect"))
        #expect(failure.hint.contains("ssh.jump"))
        #expect(elapsed < .seconds(2))
    }

    @Test("a key the jump host refuses gives authenticationFailed at the jump host")
    func jumpHostAuthRefused() throws {
        try TestSSHD.keygen(path: bastion.path("stranger_key"))
        let error = try #require(connectError(nodeTarget(jump: jump(key: bastion.path("stranger_key")))).error)
        #expect(error.code == .authenticationFailed)
        #expect(error.description.contains("at the jump host: authentication as \(bastion.user) with \(bastion.path("stranger_key")) was refused"))
    }

    @Test("a jump host that accepts but never answers times out within connectTimeout")
    func jumpHostBlackholed() throws {
        kill(bastion.listenerPID, SIGSTOP)
        defer { kill(bastion.listenerPID, SIGCONT) }
        let (error, elapsed) = connectError(nodeTarget(connectTimeout: .milliseconds(500)))
        #expect(error?.code == .timeout)
        #expect(error?.description.contains("at the jump host") == true)
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(3))
    }

    @Test("a node that accepts but never answers behind the jump host times out within connectTimeout, naming the node")
    func nodeBlackholed() throws {
        kill(node.listenerPID, SIGSTOP)
        defer { kill(node.listenerPID, SIGCONT) }
        let (error, elapsed) = connectError(nodeTarget(connectTimeout: .milliseconds(500)))
        let failure = try #require(error)
        #expect(failure.code == .timeout)
        #expect(failure.description.hasPrefix("ssh to 127.0.0.1:\(node.port) via jump host 127.0.0.1:\(bastion.port): timed out"))
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(3))
    }

    @Test("pool sessions share one jump host session; closing one node's session leaves the other's tunnel up")
    func sharedJumpHost() throws {
        let pool = SSHPool(logger: TestSSHD.logger)
        let first = nodeTarget()
        var second = nodeTarget()
        second.connectTimeout = .seconds(4)  // another pool key, so another node session, to the same sshd
        _ = try pool.run("true", on: first, timeout: .seconds(5))
        let bastionProcesses = bastion.descendants().count
        let other = try pool.session(for: second)
        #expect(try other.run("echo two", timeout: .seconds(5)).stdout == "two\n")
        #expect(bastion.descendants().count == bastionProcesses, "no second login on the jump host")
        #expect(pool.jumpHost(for: first) === pool.jumpHost(for: second))

        try pool.session(for: first).close()
        #expect(try other.run("echo still", timeout: .seconds(5)).stdout == "still\n")
        #expect(try pool.run("echo again", on: first, timeout: .seconds(5)).stdout == "again\n")

        pool.closeAll()
        #expect(!other.isConnected || (try? other.run("true", timeout: .seconds(2))) == nil)
    }

    /// CPU seconds this process used while `body` ran.
    private func cpuSeconds(_ body: () -> Void) -> Double {
        func now() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        }
        let start = now()
        body()
        return now() - start
    }

    @Test("a jump host session that dropped is replaced on next use, and an idle one costs no CPU")
    func droppedJumpHost() throws {
        let pool = SSHPool(logger: TestSSHD.logger)
        defer { pool.closeAll() }
        let target = nodeTarget()
        #expect(try pool.run("echo one", on: target, timeout: .seconds(5)).stdout == "one\n")
        try pool.session(for: target).close()  // the jump host's session stays, with no tunnel in it
        #expect(cpuSeconds { usleep(1_000_000) } < 0.3, "the idle pump must sleep, not spin")

        bastion.descendants().forEach { kill($0, SIGKILL) }  // the jump host drops us while idle
        usleep(100_000)
        #expect(cpuSeconds { usleep(500_000) } < 0.3, "a dead jump host connection must not make the pump spin")
        #expect(try pool.run("echo two", on: target, timeout: .seconds(5)).stdout == "two\n")

        bastion.descendants().forEach { kill($0, SIGKILL) }  // and now while a tunnel is in use
        usleep(100_000)
        #expect(try pool.run("echo three", on: target, timeout: .seconds(5)).stdout == "three\n")
    }

    @Test("opening a session through the jump host vs directly (median of 5)")
    func openLatency() throws {
        func median(_ body: () throws -> Void) rethrows -> Duration {
            var samples: [Duration] = []
            for _ in 0..<5 {
                let start = ContinuousClock.now
                try body()
                samples.append(ContinuousClock.now - start)
            }
            return samples.sorted()[2]
        }
        let direct = try median { try SSHSession(target: node.target(), logger: TestSSHD.logger).close() }
        let viaFreshJump = try median { try SSHSession(target: nodeTarget(), logger: TestSSHD.logger).close() }
        let shared = JumpHost(jump: jump(), connectTimeout: .seconds(3), logger: TestSSHD.logger)
        defer { shared.close() }
        _ = try SSHSession(target: nodeTarget(), logger: TestSSHD.logger, jumpHost: shared)
        let viaSharedJump = try median { try SSHSession(target: nodeTarget(), logger: TestSSHD.logger, jumpHost: shared).close() }
        let session = try SSHSession(target: nodeTarget(), logger: TestSSHD.logger, jumpHost: shared)
        let runDirect = try SSHSession(target: node.target(), logger: TestSSHD.logger)
        let commandViaJump = try median { _ = try session.run("true", timeout: .seconds(5)) }
        let commandDirect = try median { _ = try runDirect.run("true", timeout: .seconds(5)) }
        print("ssh open: direct \(direct), via new jump session \(viaFreshJump), via shared jump session \(viaSharedJump); run(true): direct \(commandDirect), via jump \(commandViaJump)")
        #expect(viaSharedJump < .seconds(3))
    }
}
