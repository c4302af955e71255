import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failed HTTP exchange with Patroni or HAProxy. Never carries credentials (the lab's APIs take none).
public struct HTTPError: Error, CustomStringConvertible {
    public var url: String
    public var message: String
    public var description: String { "\(url): \(message)" }
}

/// Minimal synchronous HTTP over URLSession, bounded by a timeout. Plain HTTP to Patroni and the HAProxy
/// stats page is all pgdrill needs, so no HTTP client library is pulled in.
enum HTTP {
    private static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpMaximumConnectionsPerHost = 4
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }()

    static func request(
        _ url: URL, method: String = "GET", body: Data? = nil, timeout: TimeInterval
    ) throws -> (Int, Data) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        let task = session.dataTask(with: request) { data, response, error in
            if let error {
                box.set(.failure(HTTPError(url: url.absoluteString, message: error.localizedDescription)))
            } else {
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                box.set(.success((status, data ?? Data())))
            }
            done.signal()
        }
        task.resume()
        // URLSession's own timeout covers idle time only; this bounds the whole exchange.
        if done.wait(timeout: .now() + timeout + 0.5) == .timedOut {
            task.cancel()
            throw HTTPError(url: url.absoluteString, message: "no answer within \(timeout) s")
        }
        return try box.get()
    }

    /// Hands the completion handler's result to the waiting thread.
    /// `@unchecked Sendable`: the lock guards `result`, and the semaphore orders set before get.
    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<(Int, Data), any Error>?
        func set(_ value: Result<(Int, Data), any Error>) { lock.withLock { result = value } }
        func get() throws -> (Int, Data) {
            try lock.withLock { result ?? .failure(HTTPError(url: "", message: "no result")) }.get()
        }
    }
}
