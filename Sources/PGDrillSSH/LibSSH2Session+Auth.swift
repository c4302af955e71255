#if canImport(Glibc)
import Glibc
#endif
import CLibSSH2

extension LibSSH2Session {
    /// Public-key authentication from the identity file (OpenSSH format, no passphrase).
    ///
    /// The `.pub` beside the key is passed when it exists; otherwise libssh2 derives the public
    /// key from the private one.
    func authenticate(deadline: Deadline) throws {
        let privateKey = target.identityFile
        let publicKey = privateKey + ".pub"
        let hasPublicKey = access(publicKey, R_OK) == 0
        do {
            try drive("public key authentication as \(target.user)", deadline: deadline) {
                cssh2_userauth_publickey_fromfile(
                    pointer, target.user, hasPublicKey ? publicKey : nil, privateKey, nil)
            }
        } catch var error as SSHError where error.code == .authenticationFailed || error.code == .keyFileUnreadable {
            error.message = error.code == .authenticationFailed
                ? "authentication as \(target.user) with \(privateKey) was refused"
                : "cannot load identity \(privateKey) (encrypted, or not a private key libssh2 understands)"
            throw error
        }
    }
}
