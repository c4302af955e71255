#if canImport(Glibc)
import Glibc
#endif

/// Scheduling priority of the runner's own thread.
///
/// The thread that decides and sends faults shares the machine with the probe's writer threads, which
/// keep every core busy; at the default priority a fault can wait tens of milliseconds in the run
/// queue between the decision and the bytes leaving for the node. On Linux `setpriority` with a thread
/// id changes that thread only, so the probe keeps its normal priority.
public enum ThreadPriority {
    /// Raises the calling thread's priority to nice -10 where allowed (root or CAP_SYS_NICE); otherwise
    /// leaves it as it is. Returns the nice value in effect afterwards.
    @discardableResult
    public static func raiseCurrentThread(to nice: Int32 = -10) -> Int32 {
        guard let tid = currentThreadID() else { return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid, nice)
        errno = 0
        return getpriority(__priority_which_t(PRIO_PROCESS.rawValue), tid)
    }

    /// The kernel's id of the calling thread, from `/proc/thread-self` (`PID/task/TID`): Swift's Glibc
    /// module does not export `gettid`.
    static func currentThreadID() -> id_t? {
        var buffer = [CChar](repeating: 0, count: 64)
        let n = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let link = String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return link.split(separator: "/").last.flatMap { id_t($0) }
    }
}
