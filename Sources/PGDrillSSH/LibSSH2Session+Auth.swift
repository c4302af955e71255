#if canImport(Glibc)
import Glibc
#endif
import CLibSSH2

extension LibSSH2Session {
    /// Public-key authentication: the ssh-agent's keys (`target.agent`), or the identity file, decrypted
    /// with `target.passphrase` when it is encrypted (OpenSSH or PEM format).
    func authenticate(deadline: Deadline) throws {
        if target.agent { return try authenticateWithAgent(deadline: deadline) }
        let privateKey = target.identityFile
        let publicKey = privateKey + ".pub"
        let passphrase = target.passphrase?.value
        let encrypted = PrivateKeyFile.isEncrypted(path: privateKey)
        if encrypted, passphrase == nil {
            throw SSHError(code: .keyFileUnreadable, host: target.description,
                           message: "identity \(privateKey) is encrypted and the cluster file names no passphrase for it",
                           hint: "set ssh.passphrase_file or ssh.passphrase_env in the cluster file, or use your ssh-agent (ssh.agent: true)")
        }
        // An encrypted key is loaded without its `.pub`: libssh2 then derives the public key from the decrypted
        // private key, and a wrong passphrase fails as the key file, not as a refusal after the `.pub` was accepted.
        let hasPublicKey = !encrypted && access(publicKey, R_OK) == 0
        do {
            try drive("public key authentication as \(target.user)", deadline: deadline) {
                cssh2_userauth_publickey_fromfile(
                    pointer, target.user, hasPublicKey ? publicKey : nil, privateKey, passphrase)
            }
        } catch var error as SSHError where error.code == .authenticationFailed || error.code == .keyFileUnreadable {
            if error.code == .authenticationFailed {
                error.message = "authentication as \(target.user) with \(privateKey) was refused"
            } else if passphrase != nil {
                error.message = "cannot decrypt identity \(privateKey) with the passphrase the cluster file names (wrong passphrase, or not a private key libssh2 reads)"
                error.hint = "check ssh.passphrase_file / ssh.passphrase_env; `ssh-keygen -y -f \(privateKey)` asks for the passphrase and proves it"
            } else {
                error.message = "cannot load identity \(privateKey) (encrypted, or not a private key libssh2 understands)"
                error.hint = "an encrypted key needs ssh.passphrase_file or ssh.passphrase_env in the cluster file, or use your ssh-agent (ssh.agent: true)"
            }
            throw error
        }
    }

    /// Tries each key the agent holds, in its order, until the server accepts one.
    ///
    /// The agent exchange runs with the session blocking (bounded by the deadline through libssh2's
    /// timeout): libssh2's agent signing does not resume cleanly after EAGAIN. Non-blocking again after.
    private func authenticateWithAgent(deadline: Deadline) throws {
        let socketPath = target.agentSocket ?? (getenv("SSH_AUTH_SOCK").map { String(cString: $0) } ?? "")
        guard !socketPath.isEmpty else {
            throw SSHError(code: .authenticationFailed, host: target.description,
                           message: "ssh.agent is set but SSH_AUTH_SOCK is not: no ssh-agent to ask",
                           hint: "start ssh-agent and `ssh-add` your key in the shell that runs pgdrill (or forward your agent), or name a key file in ssh.identity")
        }
        guard let agent = libssh2_agent_init(pointer) else { throw failure(libssh2_session_last_errno(pointer), while: "starting the ssh-agent client") }
        defer {
            libssh2_agent_disconnect(agent)
            libssh2_agent_free(agent)
        }
        libssh2_agent_set_identity_path(agent, socketPath)
        guard libssh2_agent_connect(agent) == 0 else {
            throw SSHError(code: .authenticationFailed, host: target.description,
                           message: "cannot reach the ssh-agent at \(socketPath)",
                           hint: "is the agent running (`ssh-add -l`)? A forwarded agent ends with the login that forwarded it")
        }
        guard libssh2_agent_list_identities(agent) == 0 else {
            throw SSHError(code: .authenticationFailed, host: target.description,
                           message: "the ssh-agent at \(socketPath) did not list its keys", hint: "check it with `ssh-add -l`")
        }
        let remainingMillis = Int(max(1, deadline.pollMillis(cap: .seconds(3_600))))
        libssh2_session_set_timeout(pointer, remainingMillis)
        libssh2_session_set_blocking(pointer, 1)
        defer {
            libssh2_session_set_blocking(pointer, 0)
            libssh2_session_set_timeout(pointer, 0)
        }
        var previous: UnsafeMutablePointer<libssh2_agent_publickey>?
        var tried = 0
        while true {
            var identity: UnsafeMutablePointer<libssh2_agent_publickey>?
            let rc = libssh2_agent_get_identity(agent, &identity, previous)
            if rc == 1 { break }  // no more keys
            guard rc == 0, let identity else { throw failure(rc, while: "reading the ssh-agent's keys") }
            tried += 1
            let auth = libssh2_agent_userauth(agent, target.user, identity)
            if auth == 0 { return }
            let error = failure(auth, while: "agent authentication as \(target.user)")
            // A refused key: try the next. Anything else (the connection, a timeout) ends the attempt.
            guard error.code == .authenticationFailed else { throw error }
            previous = identity
        }
        throw SSHError(code: .authenticationFailed, host: target.description,
                       message: tried == 0
                           ? "the ssh-agent at \(socketPath) holds no key"
                           : "none of the ssh-agent's \(tried) key(s) was accepted for \(target.user)",
                       hint: tried == 0
                           ? "`ssh-add` the key this cluster's hosts accept (`ssh-add -l` lists what the agent holds)"
                           : "put the right public key (ssh-add -L) into ~\(target.user)/.ssh/authorized_keys on the host, or `ssh-add` the key it accepts")
    }
}
