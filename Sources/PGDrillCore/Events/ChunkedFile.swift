#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read front to back in fixed-size chunks, so a probe log of any length is read with a
/// constant amount of memory. Owns its descriptor and closes it when released.
final class ChunkedFile {
    static let chunkSize = 64 * 1024

    let path: String
    private let fd: Int32
    private var chunk: [UInt8]
    private var position = 0
    private var filled = 0
    private var atEnd = false
    /// The first read error, if any; reading stops there.
    private(set) var failure: ProbeLogError?

    init(path: String) throws {
        self.path = path
        fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw ProbeLogError(code: .openFailed, path: path, errno: errno, message: "cannot open the probe log")
        }
        chunk = [UInt8](repeating: 0, count: Self.chunkSize)
    }

    deinit { _ = closeFile(fd) }

    /// The next byte, or nil at the end of the file (or after a read error).
    @inline(__always)
    func nextByte() -> UInt8? {
        if position == filled {
            guard refill() else { return nil }
        }
        defer { position += 1 }
        return chunk[position]
    }

    private func refill() -> Bool {
        guard !atEnd else { return false }
        let fd = fd
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = ProbeLogError(code: .readFailed, path: path, errno: errno, message: "reading the probe log failed")
                atEnd = true
                return false
            }
            if n == 0 {
                atEnd = true
                return false
            }
            position = 0
            filled = n
            return true
        }
    }
}
