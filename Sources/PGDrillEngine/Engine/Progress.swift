import Foundation
import PGDrillCore
#if canImport(Glibc)
import Glibc
#endif

/// Progress for people watching a drill: one live, rewritten line on a terminal; plain timestamped lines
/// otherwise (CI logs). Always on stderr, so stdout stays for data. Honours NO_COLOR. Every line passes the
/// `Redactor` (remote output quoted in a line may carry a password) and a gone reader never stops the run
/// (`StandardError`).
public final class Progress: @unchecked Sendable {
    // @unchecked Sendable: `lock` serialises every write and the live-line state.
    private let lock = NSLock()
    private let isTTY: Bool
    private let color: Bool
    private var liveLineShown = false
    private let started = Date()
    public var quiet = false

    public init() {
        isTTY = isatty(STDERR_FILENO) == 1
        color = isTTY && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true
    }

    /// A lasting line: a stage change, a fault sent, a result.
    public func say(_ text: String) {
        lock.withLock {
            clearLive()
            emit(stamp() + text + "\n")
        }
    }

    /// A warning, highlighted on a colour terminal.
    public func warn(_ text: String) {
        lock.withLock {
            clearLive()
            emit(stamp() + (color ? "\u{1B}[33m\(text)\u{1B}[0m" : "warning: \(text)") + "\n")
        }
    }

    /// A transient status during a long wait (rewritten in place on a TTY; every ~5 s as a line otherwise).
    private var lastPlainStatus = Date.distantPast
    public func status(_ text: String) {
        lock.withLock {
            if isTTY {
                emit("\r\u{1B}[2K" + stamp() + text)
                liveLineShown = true
            } else if Date().timeIntervalSince(lastPlainStatus) >= 5 {
                lastPlainStatus = Date()
                emit(stamp() + text + "\n")
            }
        }
    }

    /// Ends a live line (before normal output resumes).
    public func endStatus() { lock.withLock { clearLive() } }

    private func clearLive() {
        if liveLineShown {
            emit("\r\u{1B}[2K")
            liveLineShown = false
        }
    }

    private func stamp() -> String {
        if isTTY { return String(format: "[%6.1fs] ", Date().timeIntervalSince(started)) }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date()) + " "
    }

    private func emit(_ s: String) {
        guard !quiet else { return }
        StandardError.write(Redactor().redact(s))
    }
}
