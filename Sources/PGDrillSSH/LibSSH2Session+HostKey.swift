import CLibSSH2

extension LibSSH2Session {
    /// Refuses the connection unless known_hosts holds exactly this host's key.
    ///
    /// Plain, hashed (`ssh-keygen -H`) and `[host]:port` entries are all understood by
    /// `libssh2_knownhost_checkp`. The key type is part of the lookup, so a host listed with
    /// several key types is matched against the key of the type it presented. Keys are never
    /// added: an unknown or changed key is a decision for a human, not for a drill runner.
    func verifyHostKey() throws {
        let hostDescription = target.description
        var keyLength = 0
        var keyType: Int32 = 0
        guard let key = libssh2_session_hostkey(pointer, &keyLength, &keyType) else {
            throw failure(libssh2_session_last_errno(pointer), while: "reading the host key")
        }
        guard let knownHosts = libssh2_knownhost_init(pointer) else {
            throw failure(libssh2_session_last_errno(pointer), while: "initialising known_hosts")
        }
        defer { libssh2_knownhost_free(knownHosts) }

        let file = target.knownHostsFile
        let read = libssh2_knownhost_readfile(knownHosts, file, LIBSSH2_KNOWNHOST_FILE_OPENSSH)
        if read < 0 {
            throw SSHError(
                code: .keyFileUnreadable, host: hostDescription,
                message: "cannot parse known_hosts file \(file)",
                hint: "it must be in OpenSSH format (plain or hashed lines)",
                underlying: failure(read, while: "reading known_hosts").underlying)
        }

        let typeMask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | Self.knownHostKeyBits(keyType)
        let check = libssh2_knownhost_checkp(
            knownHosts, target.host, Int32(target.port), key, keyLength, typeMask, nil)
        switch check {
        case LIBSSH2_KNOWNHOST_CHECK_MATCH:
            return
        case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
            throw SSHError(
                code: .hostKeyMismatch, host: hostDescription,
                message: "host key differs from the one in known_hosts (\(file)); refusing to connect",
                hint: "if the host was rebuilt, verify its new key and replace its line in \(file); otherwise suspect an impostor")
        case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
            throw SSHError(
                code: .hostKeyUnknown, host: hostDescription,
                message: "host key not in known_hosts (\(file))",
                hint: "verify the host's key fingerprint, then add it, e.g. ssh-keyscan -p \(target.port) \(target.host) >> \(file)")
        default:
            throw SSHError(
                code: .protocolError, host: hostDescription,
                message: "cannot check the host key against \(file)",
                hint: "the server's key type may be unsupported by libssh2")
        }
    }

    /// The `LIBSSH2_KNOWNHOST_KEY_*` bits for a `LIBSSH2_HOSTKEY_TYPE_*` value.
    private static func knownHostKeyBits(_ hostKeyType: Int32) -> Int32 {
        switch hostKeyType {
        case LIBSSH2_HOSTKEY_TYPE_RSA: LIBSSH2_KNOWNHOST_KEY_SSHRSA
        case LIBSSH2_HOSTKEY_TYPE_DSS: LIBSSH2_KNOWNHOST_KEY_SSHDSS
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: LIBSSH2_KNOWNHOST_KEY_ECDSA_256
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: LIBSSH2_KNOWNHOST_KEY_ECDSA_384
        case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: LIBSSH2_KNOWNHOST_KEY_ECDSA_521
        case LIBSSH2_HOSTKEY_TYPE_ED25519: LIBSSH2_KNOWNHOST_KEY_ED25519
        default: LIBSSH2_KNOWNHOST_KEY_UNKNOWN
        }
    }
}
