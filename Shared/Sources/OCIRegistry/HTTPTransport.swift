// The HTTP the registry client speaks through: one request, one response, whole bodies. URLSession
// (FoundationNetworking) carries it; tests can put a recording or failing transport in its place.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request to a registry or token server.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: URL
    /// Header fields in the order given; `Authorization` is added by the client, never by callers.
    public var headers: [(name: String, value: String)]
    public var body: Data?

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The value of header `name` (case-insensitive), if set.
    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A response: status, header fields (names lowercased) and the whole body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// Sends requests. Errors thrown are transport failures (connection refused, reset, timeout); HTTP error
/// statuses come back as responses.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// URLSession, ephemeral (no cookies, no cache, no stored credentials), with a per-request timeout.
/// Redirects are followed, but a redirect to another host drops the `Authorization` header, and a
/// redirect from HTTPS to plain HTTP is refused (blob downloads are redirected to storage servers).
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    private let session: URLSession

    public init(timeout: TimeInterval = 60) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout * 30, 600)
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: RedirectPolicy(), delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        if let body = request.body {
            urlRequest.httpBody = body
            if request.header("Content-Length") == nil { urlRequest.setValue(String(body.count), forHTTPHeaderField: "Content-Length") }
        } else if ["PUT", "POST", "PATCH"].contains(request.method) {
            urlRequest.setValue("0", forHTTPHeaderField: "Content-Length")
        }
        let (data, http) = try await perform(urlRequest)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// Runs one data task. A 401 carrying `WWW-Authenticate` makes URLSession raise an authentication challenge,
    /// which the delegate declines (the client answers challenges itself, and swift-corelibs-foundation 6.3.1
    /// never completes such a task otherwise); the task then ends "cancelled" with the 401 as its response,
    /// which is returned as is (without its body).
    private func perform(_ request: URLRequest) async throws -> (Data, HTTPURLResponse) {
        let holder = TaskHolder()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>) in
                let task = session.dataTask(with: request) { data, response, error in
                    if error == nil, let response = response as? HTTPURLResponse {
                        continuation.resume(returning: (data ?? Data(), response))
                    } else if (error as? URLError)?.code == .cancelled, !holder.cancelledByCaller,
                              let response = holder.task?.response as? HTTPURLResponse {
                        continuation.resume(returning: (data ?? Data(), response))
                    } else if holder.cancelledByCaller {
                        continuation.resume(throwing: CancellationError())
                    } else {
                        continuation.resume(throwing: error ?? URLError(.badServerResponse))
                    }
                }
                holder.task = task
                task.resume()
                if holder.cancelledByCaller { task.cancel() }
            }
        } onCancel: {
            holder.cancel()
        }
    }

    /// The running task, for the cancellation handler and for reading the response of a declined challenge.
    private final class TaskHolder: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: URLSessionDataTask?
        private var cancelled = false

        var task: URLSessionDataTask? {
            get { lock.withLock { stored } }
            set { lock.withLock { stored = newValue } }
        }

        var cancelledByCaller: Bool { lock.withLock { cancelled } }

        func cancel() {
            let task = lock.withLock { cancelled = true; return stored }
            task?.cancel()
        }
    }

    /// Drops credentials on cross-host redirects, refuses HTTPS → HTTP, and declines authentication
    /// challenges (the client answers them with its own Authorization header).
    private final class RedirectPolicy: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
            completionHandler(.cancelAuthenticationChallenge, nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            let from = task.originalRequest?.url
            guard let to = request.url else { return completionHandler(nil) }
            if from?.scheme == "https", to.scheme != "https" { return completionHandler(nil) }
            var next = request
            if from?.host != to.host || from?.port != to.port { next.setValue(nil, forHTTPHeaderField: "Authorization") }
            completionHandler(next)
        }
    }
}

extension URL {
    /// The URL for messages and logs: no user info, no query (upload locations carry state tokens).
    var redactedForMessages: String {
        guard var parts = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "<url>" }
        parts.user = nil
        parts.password = nil
        parts.query = nil
        return parts.string ?? "<url>"
    }
}
