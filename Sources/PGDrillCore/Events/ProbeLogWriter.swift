#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Streams probe attempts to a CSV file while a drill runs, so memory stays flat however long the
/// probe runs at full rate (DESIGN §7: hundreds of thousands of attempts per drill).
///
/// Thread-safe: every probe writer thread calls `record` on the same instance; a `Mutex` guards the
/// buffer and the file descriptor. Rows are formatted by hand into a buffer that is written out once
/// it holds ~64 KiB, so `record` costs a lock and a few hundred bytes of copying.
///
/// `record` never throws: the probe must not stall or die mid-drill because the report disk had a
/// problem. The first write error is kept, later rows are counted as dropped, and `close()` throws
/// it, so the drill report can say the probe log is incomplete.
public final class ProbeLogWriter: Sendable {
    /// Buffer size at which rows are written to the file.
    public static let flushThreshold = 64 * 1024

    /// Path of the log file.
    public let path: String
    private let state: Mutex<State>

    private struct State {
        var fd: Int32
        var buffer: [UInt8]
        var recorded = 0
        /// Rows known to be on disk (or in the kernel's page cache).
        var flushed = 0
        var dropped = 0
        var failure: ProbeLogError?
        var closed = false
    }

    /// Creates (or truncates) the file at `path` and writes the header.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ProbeLogError(code: .openFailed, path: path, errno: errno, message: "cannot create the probe log")
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Self.flushThreshold + 4096)
        buffer.append(contentsOf: ProbeLogFormat.header.utf8)
        buffer.append(ProbeLogFormat.newline)
        state = Mutex(State(fd: fd, buffer: buffer))
    }

    deinit {
        // Best effort: a writer dropped without `close()` still leaves its rows on disk.
        state.withLock { state in
            guard !state.closed else { return }
            Self.drain(&state, path: path)
            _ = closeFile(state.fd)
            state.closed = true
        }
    }

    /// Appends one attempt. Cheap; writes to disk only when the buffer is full.
    public func record(_ attempt: ProbeAttempt) {
        state.withLock { state in
            guard !state.closed, state.failure == nil else {
                state.dropped += 1
                if state.closed, state.failure == nil {
                    state.failure = ProbeLogError(code: .recordAfterClose, path: path, message: "a row was recorded after the log was closed")
                }
                return
            }
            ProbeLogFormat.append(attempt, to: &state.buffer)
            state.recorded += 1
            if state.buffer.count >= Self.flushThreshold { Self.drain(&state, path: path) }
        }
    }

    /// Number of rows accepted so far (not counting dropped ones).
    public var recordedCount: Int { state.withLock { $0.recorded } }

    /// Number of rows dropped because of an earlier write error or a record after close.
    public var droppedCount: Int { state.withLock { $0.dropped } }

    /// Writes out whatever is buffered; throws the first error seen so far.
    public func flush() throws {
        let failure: ProbeLogError? = state.withLock { state in
            if !state.closed { Self.drain(&state, path: path) }
            return state.failure
        }
        if let failure { throw failure }
    }

    /// Flushes and closes the file. Idempotent; throws the first error seen during the run.
    public func close() throws {
        let failure: ProbeLogError? = state.withLock { state in
            guard !state.closed else { return state.failure }
            Self.drain(&state, path: path)
            state.closed = true
            if closeFile(state.fd) != 0, state.failure == nil {
                state.failure = ProbeLogError(code: .closeFailed, path: path, errno: errno, message: "closing the probe log failed")
            }
            if var failure = state.failure, state.dropped > 0 {
                failure.message += "; \(state.dropped) rows dropped"
                state.failure = failure
            }
            return state.failure
        }
        if let failure { throw failure }
    }

    /// Writes the whole buffer to the file (retrying short writes and EINTR); on error keeps it in
    /// `state.failure` and discards the buffer; the message says how many rows made it to disk.
    private static func drain(_ state: inout State, path: String) {
        guard !state.buffer.isEmpty, state.failure == nil else {
            state.buffer.removeAll(keepingCapacity: true)
            return
        }
        let fd = state.fd
        let error: Int32? = state.buffer.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += n
            }
            return nil
        }
        state.buffer.removeAll(keepingCapacity: true)
        if error == nil { state.flushed = state.recorded }
        if let error {
            state.failure = ProbeLogError(
                code: .writeFailed, path: path, errno: error,
                message: "writing the probe log failed; only the first \(state.flushed) rows are on disk"
            )
        }
    }
}

/// `close(2)`, named apart from `ProbeLogWriter.close()`.
func closeFile(_ fd: Int32) -> Int32 {
    #if canImport(Glibc)
    Glibc.close(fd)
    #else
    Darwin.close(fd)
    #endif
}
