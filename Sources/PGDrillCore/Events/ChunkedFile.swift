#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read front to back in fixed-size chunks, so a probe log of any length is read with a
/// constant amount of memory. Owns its descriptor and its buffer and releases both when released.
final class ChunkedFile {
    static let chunkSize = 64 * 1024

    let path: String
    private let fd: Int32
    private let chunk: UnsafeMutableBufferPointer<UInt8>
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
        chunk = .allocate(capacity: Self.chunkSize)
    }

    deinit {
        chunk.deallocate()
        _ = closeFile(fd)
    }

    /// The next byte, or nil at the end of the file (or after a read error).
    @inline(__always)
    func nextByte() -> UInt8? {
        if position == filled {
            guard refill() else { return nil }
        }
        defer { position += 1 }
        return chunk[position]
    }

    /// Hands the unread bytes of the current chunk (refilled first when empty) to `body`, which returns
    /// how many it consumed. False at the end of the file (or after a read error): `body` was not called.
    ///
    /// The probe log's fast path reads whole rows in place this way instead of a method call per byte.
    @inline(__always)
    func scan(_ body: (UnsafeBufferPointer<UInt8>) -> Int) -> Bool {
        if position == filled {
            guard refill() else { return false }
        }
        let consumed = body(UnsafeBufferPointer(rebasing: chunk[position..<filled]))
        position += consumed
        return true
    }

    private func refill() -> Bool {
        guard !atEnd else { return false }
        while true {
            let n = read(fd, chunk.baseAddress!, chunk.count)
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
