extension LibSSH2Channel {
    /// Reads stdout and stderr as they arrive until `isDone()`, the remote EOF, or the deadline.
    ///
    /// Both streams are read on every turn: they share one channel window, so a command that
    /// floods one stream while we wait on the other would otherwise stall. Returns true when
    /// `isDone()` became true, false on EOF first; throws `.timeout` at the deadline.
    func pump(
        deadline: Deadline, action: String,
        consume: (_ isStderr: Bool, _ bytes: ArraySlice<UInt8>) -> Void,
        isDone: () -> Bool
    ) throws -> Bool {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            var progressed = false
            for isStderr in [false, true] {
                while true {
                    let count = try readAvailable(stderr: isStderr, into: &buffer, action: action)
                    if count == 0 { break }
                    consume(isStderr, buffer[..<count])
                    progressed = true
                }
            }
            if isDone() { return true }
            if isAtEOF { return false }
            if progressed {
                if deadline.hasPassed { throw session.timedOut(action, deadline: deadline) }
            } else {
                try session.waitForSocket(action, deadline: deadline)
            }
        }
    }
}
