import Foundation

/// What the first bytes of a private key file say about it, read without libssh2: whether it is encrypted.
///
/// libssh2 offers the `.pub` beside a key first, and when the server accepts it, the failure to decrypt the
/// private key comes back as a refused authentication. Knowing up front keeps the error about the passphrase.
enum PrivateKeyFile {
    /// True for an OpenSSH key whose cipher is not `none`, a PEM key with `Proc-Type: 4,ENCRYPTED`, or a
    /// PKCS#8 `ENCRYPTED PRIVATE KEY`; false when unencrypted or unreadable (libssh2 reports those).
    static func isEncrypted(contents: String) -> Bool {
        if contents.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") || contents.contains("Proc-Type: 4,ENCRYPTED") { return true }
        let begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----"
        guard let b = contents.range(of: begin), let e = contents.range(of: end, range: b.upperBound..<contents.endIndex) else { return false }
        let base64 = contents[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: String(base64)) else { return false }
        // "openssh-key-v1\0", then the cipher name as a uint32 length and bytes.
        let magic = Array("openssh-key-v1".utf8) + [0]
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 4, Array(bytes[0..<magic.count]) == magic else { return false }
        let at = magic.count
        let length = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
        guard length > 0, at + 4 + length <= bytes.count else { return false }
        return String(decoding: bytes[(at + 4)..<(at + 4 + length)], as: UTF8.self) != "none"
    }

    static func isEncrypted(path: String) -> Bool {
        guard let contents = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return isEncrypted(contents: contents)
    }
}
