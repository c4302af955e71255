import Foundation
import Testing

@testable import PGDrillSSH

#if canImport(Glibc)
import Glibc
#endif

/// Commands over a real OpenSSH sshd on loopback.
@Suite("SSHSession against a real sshd", .serialized)
struct SSHSessionTests {
    let sshd: TestSSHD
    let session: SSHSession

    init() throws {
        sshd = try TestSSHD()
        session = try SSHSession(target: sshd.target(), logger: TestSSHD.logger)
    }

    @Test("stdout, stderr and exit status come back separately")
    func streamsAndStatus() throws {
        let result = try session.run("echo out; echo err >&2; printf 'no newline'; exit 3", timeout: .seconds(5))
        #expect(result.exitStatus == 3)
        #expect(result.stdout == "out\nno newline")
        #expect(result.stderr == "err\n")
        #expect(result.durationMicros > 0)
    }

    /// `sudo: true`: the long-lived shell and the exec fallback both run under `sudo -n` (sudo sets SUDO_USER;
    /// the test sshd logs in as the user running the tests, for whom sudo needs no password when that is root).
    @Test("with sudo, the shell and exec channels run through sudo -n", .enabled(if: getuid() == 0 && access("/usr/bin/sudo", X_OK) == 0))
    func throughSudo() throws {
        let viaSudo = try SSHSession(target: sshd.target(sudo: true), logger: TestSSHD.logger)
        let shell = try viaSudo.run("echo \"$(id -u) ${SUDO_USER:-none}\"", timeout: .seconds(5))
        #expect(shell.stdout == "0 root\n", "\(shell)")
        let exec = try viaSudo.exec("echo \"${SUDO_USER:-none}\"; echo 'it''s' \"q'uo\"te", timeout: .seconds(5))
        #expect(exec.stdout == "root\nits q'uote\n", "\(exec)")
        #expect(try session.run("echo ${SUDO_USER:-none}", timeout: .seconds(5)).stdout == "none\n", "without sudo nothing changes")
    }

    @Test("single-quoting survives every quote for sh -c")
    func singleQuoting() throws {
        for s in ["plain", "it's", "'", "''", "a'b\"c\"$x`id`\\n", ""] {
            #expect(SSHSession.singleQuoted(s).count >= s.count + 2)
            let r = try session.run("printf %s " + SSHSession.singleQuoted(s), timeout: .seconds(5))
            #expect(r.stdout == s, "\(s) came back as \(r.stdout)")
        }
    }

    @Test("a command cannot read the next one, change the shell's state, or end it")
    func isolation() throws {
        #expect(try session.run("cat", timeout: .seconds(5)).stdout == "")
        #expect(try session.run("cd /tmp && pwd", timeout: .seconds(5)).stdout == "/tmp\n")
        #expect(try session.run("pwd", timeout: .seconds(5)).stdout != "/tmp\n")
        #expect(try session.run("exit 7", timeout: .seconds(5)).exitStatus == 7)
        #expect(try session.run("echo 'still' \"here\" $((1+1))", timeout: .seconds(5)).stdout == "still here 2\n")
        let syntaxError = try session.run("echo 'unbalanced", timeout: .seconds(5))
        #expect(syntaxError.exitStatus != 0)
        #expect(try session.run("echo after", timeout: .seconds(5)).stdout == "after\n")
    }

    @Test("200 commands in a row run on the same remote shell")
    func twoHundred() throws {
        let shellPID = try session.run("echo $$", timeout: .seconds(5)).stdout
        for index in 0..<200 {
            let result = try session.run("echo \(index) $$; echo e\(index) >&2", timeout: .seconds(5))
            #expect(result.stdout == "\(index) \(shellPID)")
            #expect(result.stderr == "e\(index)\n")
            #expect(result.exitStatus == 0)
        }
    }

    @Test("output larger than the channel window arrives whole on both streams")
    func largeOutput() throws {
        let command = "head -c 3000000 /dev/zero | tr '\\0' a; head -c 2500000 /dev/zero | tr '\\0' b >&2"
        for result in [try session.run(command, timeout: .seconds(20)), try session.exec(command, timeout: .seconds(20))] {
            #expect(result.stdout.utf8.count == 3_000_000)
            #expect(result.stderr.utf8.count == 2_500_000)
            #expect(result.stdout.utf8.allSatisfy { $0 == UInt8(ascii: "a") })
            #expect(result.stderr.utf8.allSatisfy { $0 == UInt8(ascii: "b") })
        }
        #expect(try session.run("echo next", timeout: .seconds(5)).stdout == "next\n")
    }

    @Test("a command over its timeout gives .timeout on time, and the next command works")
    func timeoutThenRecover() throws {
        let (error, elapsed) = timed { _ = try session.run("sleep 5", timeout: .milliseconds(300)) }
        #expect(error?.code == .timeout)
        #expect(error?.commandMayHaveRun == true)
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(3), "bounded by the timeout, not hung")
        #expect(try session.run("echo ok", timeout: .seconds(5)).stdout == "ok\n")

        let (execError, execElapsed) = timed { _ = try session.exec("sleep 5", timeout: .milliseconds(300)) }
        #expect(execError?.code == .timeout)
        #expect(execElapsed < .seconds(3))
        #expect(try session.exec("echo ok", timeout: .seconds(5)).stdout == "ok\n")
    }

    @Test("exec runs on its own channel with stdin closed and reports signals as 128+N")
    func exec() throws {
        let result = try session.exec("echo out; echo err >&2; cat; exit 4", timeout: .seconds(5))
        #expect(result.exitStatus == 4)
        #expect(result.stdout == "out\n")
        #expect(result.stderr == "err\n")
        #expect(try session.exec("kill -TERM $$", timeout: .seconds(5)).exitStatus == 143)
        #expect(try session.run("sh -c 'kill -KILL $$'", timeout: .seconds(5)).exitStatus == 137)
    }

    @Test("a remote shell that died is reopened before the next command is sent")
    func shellDied() throws {
        let (error, _) = timed { _ = try session.run("kill -KILL $$", timeout: .seconds(5)) }
        #expect(error?.code == .channelFailed)
        #expect(try session.run("echo back", timeout: .seconds(5)).stdout == "back\n")
    }

    @Test("a host that stops answering mid-session gives .timeout within the bound, then recovers")
    func blackholedSession() throws {
        sshd.signalAll(SIGSTOP)
        let (error, elapsed) = timed { _ = try session.run("true", timeout: .milliseconds(500)) }
        let (execError, execElapsed) = timed { _ = try session.exec("true", timeout: .milliseconds(500)) }
        sshd.signalAll(SIGCONT)
        #expect(error?.code == .timeout)
        #expect(elapsed >= .milliseconds(500) && elapsed < .seconds(3), "bounded by the timeout, not hung")
        #expect(execError?.code == .timeout)
        #expect(execElapsed < .seconds(3))
        #expect(try session.run("echo alive", timeout: .seconds(5)).stdout == "alive\n")
    }

    @Test("after close, calls fail at once and say so")
    func closed() throws {
        session.close()
        #expect(!session.isConnected)
        let (error, elapsed) = timed { _ = try session.run("true", timeout: .seconds(5)) }
        #expect(error?.code == .protocolError)
        #expect(error?.commandMayHaveRun == false)
        #expect(elapsed < .seconds(1))
    }
}
