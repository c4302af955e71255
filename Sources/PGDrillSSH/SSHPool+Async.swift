import Dispatch

extension SSHPool {
    /// `run` for callers in Swift concurrency: the blocking libssh2 work happens on a dispatch
    /// queue of the host's own, never on the cooperative pool's few threads.
    public func run(_ command: String, on target: SSHTarget, timeout: Duration) async throws -> CommandResult {
        try await onHostQueue(target) { try self.run(command, on: target, timeout: timeout) }
    }

    /// `exec` for callers in Swift concurrency, on the host's own dispatch queue.
    public func exec(_ command: String, on target: SSHTarget, timeout: Duration) async throws -> CommandResult {
        try await onHostQueue(target) { try self.exec(command, on: target, timeout: timeout) }
    }

    private func onHostQueue(
        _ target: SSHTarget, _ work: @escaping @Sendable () throws -> CommandResult
    ) async throws -> CommandResult {
        let queue = slot(for: target).queue
        return try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
