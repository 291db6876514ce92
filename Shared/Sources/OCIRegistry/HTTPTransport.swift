// The HTTP the registry client speaks through: one request, one response, whole bodies, or a success body handed
// on piece by piece as it arrives (blobs of gigabytes go to a file, never into memory). URLSession
// (FoundationNetworking) carries it; tests can put a recording or failing transport in its place.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One HTTP request to a registry or token server. Its descriptions and mirror hide the Authorization value and
/// the query (upload state, signatures), so logging a request leaks no secret.
public struct HTTPRequest: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var method: String
    public var url: URL
    /// Header fields in the order given; `Authorization` is added by the client, never by callers.
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// The most bytes of response body the caller will read; a transport stops reading beyond it and throws
    /// `ResponseTooLarge`. nil: no limit.
    public var maximumResponseSize: Int?

    public init(method: String, url: URL, headers: [(name: String, value: String)] = [], body: Data? = nil,
                maximumResponseSize: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.maximumResponseSize = maximumResponseSize
    }

    /// The value of header `name` (case-insensitive), if set.
    public func header(_ name: String) -> String? {
        headers.last { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    private var redactedHeaders: [String] {
        headers.map { $0.name.caseInsensitiveCompare("Authorization") == .orderedSame ? "\($0.name): <redacted>" : "\($0.name): \($0.value)" }
    }

    public var description: String {
        "HTTPRequest(\(method) \(url.redactedForMessages), headers: \(redactedHeaders), body: \(body.map { "\($0.count) bytes" } ?? "none"))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["method": method, "url": url.redactedForMessages, "headers": redactedHeaders, "body": body.map { "\($0.count) bytes" } ?? "none"])
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

/// Sends requests. Errors thrown are transport failures (connection refused, reset, timeout, `ResponseTooLarge`);
/// HTTP error statuses come back as responses.
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse

    /// Sends `request` and hands the body of a success (2xx) answer to `receive` piece by piece, in order, one
    /// call at a time, as it arrives; the returned response's body is then empty. The body of any other status
    /// (an error document, a 401 challenge) is not handed on: it comes back in the response, read up to
    /// `HTTPStreaming.maximumErrorBodySize` bytes. `maximumResponseSize` bounds the bytes handed on. An error
    /// `receive` throws ends the exchange and is thrown as it is. A transport that does not implement it gets the
    /// default: the whole body read by `send`, then handed on in one piece (for test transports; it holds the
    /// body in memory).
    func send(_ request: HTTPRequest, streamingBodyTo receive: @escaping @Sendable (Data) throws -> Void) async throws -> HTTPResponse
}

/// Limits of streamed exchanges.
public enum HTTPStreaming {
    /// The most bytes of a non-success answer's body read while streaming (error documents are small).
    public static let maximumErrorBodySize = 1024 * 1024
}

extension HTTPTransport {
    public func send(_ request: HTTPRequest, streamingBodyTo receive: @escaping @Sendable (Data) throws -> Void) async throws -> HTTPResponse {
        var response = try await send(request)
        guard (200..<300).contains(response.status) else {
            if response.body.count > HTTPStreaming.maximumErrorBodySize { throw ResponseTooLarge(limit: HTTPStreaming.maximumErrorBodySize) }
            return response
        }
        if let limit = request.maximumResponseSize, response.body.count > limit { throw ResponseTooLarge(limit: limit) }
        if !response.body.isEmpty { try receive(response.body) }
        response.body = Data()
        return response
    }

    /// Sends `request` and writes a success answer's body to `file` (created, or emptied, with mode 0600) as it
    /// arrives; see `send(_:streamingBodyTo:)`. The file is removed when the exchange fails or answers otherwise.
    public func download(_ request: HTTPRequest, to file: URL) async throws -> HTTPResponse {
        let writer = try FileSink(creating: file)
        do {
            let response = try await send(request, streamingBodyTo: { try writer.write($0) })
            try writer.close()
            if !(200..<300).contains(response.status) { try? FileManager.default.removeItem(at: file) }
            return response
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }
}

/// Writes pieces of a body to a file it creates: `open(O_CREAT | O_TRUNC | O_NOFOLLOW)`, mode 0600.
final class FileSink: @unchecked Sendable {
    /// A write that failed (disk full, the file gone): what the system said.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    let file: URL
    private let lock = NSLock()
    private var handle: FileHandle?

    init(creating file: URL) throws {
        self.file = file
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw Failure(description: "cannot create \(file.path): \(String(cString: strerror(errno)))")
        }
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    func write(_ data: Data) throws {
        try lock.withLock {
            guard let handle else { throw Failure(description: "\(file.path) was closed") }
            do { try handle.write(contentsOf: data) } catch {
                throw Failure(description: "cannot write to \(file.path): \((error as NSError).localizedDescription)")
            }
        }
    }

    /// Empties the file (a retried download starts again).
    func truncate() throws {
        try lock.withLock {
            guard let handle else { throw Failure(description: "\(file.path) was closed") }
            do {
                try handle.truncate(atOffset: 0)
                try handle.seek(toOffset: 0)
            } catch {
                throw Failure(description: "cannot empty \(file.path): \((error as NSError).localizedDescription)")
            }
        }
    }

    func close() throws {
        let taken: FileHandle? = lock.withLock { defer { handle = nil }; return handle }
        do { try taken?.close() } catch {
            throw Failure(description: "cannot close \(file.path): \((error as NSError).localizedDescription)")
        }
    }

    deinit { try? handle?.close() }
}

/// A response body went past the request's `maximumResponseSize`; the transport stopped reading it.
public struct ResponseTooLarge: Error, Sendable, Equatable {
    public var limit: Int
    public init(limit: Int) { self.limit = limit }
}

/// URLSession, ephemeral (no cookies, no cache, no stored credentials), with a per-request timeout.
/// Redirects are followed, but a redirect to another host drops the `Authorization` header, and a
/// redirect from HTTPS to plain HTTP is refused (blob downloads are redirected to storage servers).
/// A response body is read only up to the request's `maximumResponseSize`: the task is cancelled as soon as the
/// announced length or the bytes received pass it, so a hostile server cannot fill the memory.
public final class URLSessionTransport: HTTPTransport, @unchecked Sendable {
    private let session: URLSession
    private let delegate = SessionDelegate()

    public init(timeout: TimeInterval = 60) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout * 30, 600)
        configuration.httpCookieStorage = nil
        configuration.urlCredentialStorage = nil
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: nil)
    }

    deinit { session.invalidateAndCancel() }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try await exchange(request, stream: nil)
    }

    /// Each piece of a success body goes to `receive` from the session's delegate queue as it arrives; nothing of
    /// it is kept. The delegate queue is serial, so pieces come in order and one at a time.
    public func send(_ request: HTTPRequest, streamingBodyTo receive: @escaping @Sendable (Data) throws -> Void) async throws -> HTTPResponse {
        try await exchange(request, stream: receive)
    }

    private func exchange(_ request: HTTPRequest, stream: (@Sendable (Data) throws -> Void)?) async throws -> HTTPResponse {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.addValue(value, forHTTPHeaderField: name) }
        if let body = request.body {
            urlRequest.httpBody = body
            if request.header("Content-Length") == nil { urlRequest.setValue(String(body.count), forHTTPHeaderField: "Content-Length") }
        } else if ["PUT", "POST", "PATCH"].contains(request.method) {
            urlRequest.setValue("0", forHTTPHeaderField: "Content-Length")
        }
        let (data, http) = try await perform(urlRequest, limit: request.maximumResponseSize, hasBody: request.method != "HEAD", stream: stream)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// Runs one data task whose events go to the session's delegate (a completion handler would hide the body
    /// until it is complete, so no limit could be applied while reading). A 401 carrying `WWW-Authenticate`
    /// makes URLSession raise an authentication challenge, which the delegate declines (the client answers
    /// challenges itself, and swift-corelibs-foundation 6.3.1 never completes such a task otherwise); the task
    /// then ends "cancelled" with the 401 as its response, which is returned as is.
    /// A HEAD answer's `Content-Length` is the size of what a GET would send (a blob's size), not a body, so it is
    /// not held against the limit (`hasBody` false); any bytes that do arrive still are.
    /// With `stream`, a success body goes there instead of into the returned data.
    private func perform(_ request: URLRequest, limit: Int?, hasBody: Bool, stream: (@Sendable (Data) throws -> Void)?) async throws -> (Data, HTTPURLResponse) {
        let exchange = Exchange(limit: limit, announcementIsABody: hasBody, stream: stream)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>) in
                let task = session.dataTask(with: request)
                exchange.begin(task, continuation)
                delegate.track(exchange, for: task)
                task.resume()
                if exchange.cancelledByCaller { task.cancel() }
            }
        } onCancel: {
            exchange.cancel()
        }
    }

    /// One request in flight: its task, the body so far (or the bytes streamed), and how it ended.
    private final class Exchange: @unchecked Sendable {
        let limit: Int?
        let announcementIsABody: Bool
        /// Where a success body goes, piece by piece; nil: into `body`.
        let stream: (@Sendable (Data) throws -> Void)?
        private let lock = NSLock()
        private var task: URLSessionDataTask?
        private var continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>?
        private var body = Data()
        /// Whether the body is streamed: decided by the status of the answer its first bytes belong to.
        private var streaming: Bool?
        private var streamed: Int64 = 0
        private var cancelled = false
        private var tooLarge = false
        /// The limit that was passed (the request's, or the error-body limit of a streamed exchange).
        private var passedLimit = 0
        /// What `stream` threw: the exchange ends with it.
        private var streamError: (any Error)?

        init(limit: Int?, announcementIsABody: Bool, stream: (@Sendable (Data) throws -> Void)?) {
            self.limit = limit
            self.announcementIsABody = announcementIsABody
            self.stream = stream
        }

        var cancelledByCaller: Bool { lock.withLock { cancelled } }

        func begin(_ task: URLSessionDataTask, _ continuation: CheckedContinuation<(Data, HTTPURLResponse), any Error>) {
            lock.withLock {
                self.task = task
                self.continuation = continuation
            }
        }

        func cancel() {
            let task = lock.withLock { cancelled = true; return self.task }
            task?.cancel()
        }

        /// The most body bytes read for an answer with `status`: a streamed exchange reads a non-success body
        /// (an error document) only up to `HTTPStreaming.maximumErrorBodySize`.
        private func limit(forStatus status: Int?) -> Int? {
            guard stream != nil, !(200..<300).contains(status ?? 0) else { return limit }
            return min(limit ?? Int.max, HTTPStreaming.maximumErrorBodySize)
        }

        /// Whether a body of `length` announced bytes may be read.
        /// Called with each answer's head: the body that follows is streamed when the answer is a success.
        func accepts(announced length: Int64, status: Int?) -> Bool {
            lock.withLock {
                streaming = stream != nil && (200..<300).contains(status ?? 0)
                body = Data()
                streamed = 0
            }
            guard announcementIsABody, let limit = limit(forStatus: status), length > Int64(limit) else {
                // A kept body of announced size gets its buffer at once: grown piece by piece (16 KB at a time) an
                // 8 MiB range left a trail of freed smaller buffers in the allocator's per-thread heaps.
                if announcementIsABody, length > 0, length <= Int64(limit(forStatus: status) ?? Int(length)), length <= 64 << 20 {
                    lock.withLock { if streaming == false { body.reserveCapacity(Int(length)) } }
                }
                return true
            }
            lock.withLock { tooLarge = true; passedLimit = limit }
            return false
        }

        /// Adds received bytes of the answer with `status` (kept, or handed to `stream`); false once the limit is
        /// passed or `stream` failed (the task must then be cancelled).
        func receive(_ data: Data, status: Int?) -> Bool {
            let forward: Bool = lock.withLock {
                guard !tooLarge, streamError == nil else { return false }
                if streaming == nil { streaming = stream != nil && (200..<300).contains(status ?? 0) }
                let limit = limit(forStatus: streaming == true ? 200 : status)
                let held = streaming == true ? streamed : Int64(body.count)
                if let limit, held + Int64(data.count) > Int64(limit) {
                    tooLarge = true
                    passedLimit = limit
                    body = Data()
                    return false
                }
                if streaming == true { streamed += Int64(data.count) } else { body.append(data) }
                return true
            }
            guard forward else { return false }
            guard lock.withLock({ streaming == true }), let stream else { return true }
            // Outside the lock: the delegate queue is serial, and writing to a file may take a while.
            do {
                try stream(data)
                return true
            } catch {
                lock.withLock { streamError = error }
                return false
            }
        }

        func finish(response: URLResponse?, error: (any Error)?) {
            let (continuation, body, cancelled, tooLarge, passedLimit, streamError) = lock.withLock {
                let taken = self.continuation
                self.continuation = nil
                return (taken, self.body, self.cancelled, self.tooLarge, self.passedLimit, self.streamError)
            }
            guard let continuation else { return }
            if let streamError {
                continuation.resume(throwing: streamError)
            } else if tooLarge {
                continuation.resume(throwing: ResponseTooLarge(limit: passedLimit))
            } else if cancelled {
                continuation.resume(throwing: CancellationError())
            } else if error == nil, let response = response as? HTTPURLResponse {
                continuation.resume(returning: (body, response))
            } else if (error as? URLError)?.code == .cancelled, let response = response as? HTTPURLResponse {
                continuation.resume(returning: (body, response))   // a declined authentication challenge
            } else {
                continuation.resume(throwing: error ?? URLError(.badServerResponse))
            }
        }
    }

    /// Routes the session's events to their exchanges; drops credentials on cross-host redirects, refuses
    /// HTTPS → HTTP, and declines authentication challenges (the client answers them with its own header).
    private final class SessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var exchanges: [Int: Exchange] = [:]

        func track(_ exchange: Exchange, for task: URLSessionTask) {
            lock.withLock { exchanges[task.taskIdentifier] = exchange }
        }

        private func exchange(for task: URLSessionTask) -> Exchange? {
            lock.withLock { exchanges[task.taskIdentifier] }
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                        completionHandler: @escaping @Sendable (URLSession.ResponseDisposition) -> Void) {
            if let exchange = exchange(for: dataTask),
               !exchange.accepts(announced: response.expectedContentLength, status: (response as? HTTPURLResponse)?.statusCode) {
                // swift-corelibs-foundation ignores the disposition: cancel the task itself.
                completionHandler(.cancel)
                dataTask.cancel()
                return
            }
            completionHandler(.allow)
        }

        func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
            if let exchange = exchange(for: dataTask), !exchange.receive(data, status: (dataTask.response as? HTTPURLResponse)?.statusCode) {
                dataTask.cancel()
            }
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
            let exchange = lock.withLock { exchanges.removeValue(forKey: task.taskIdentifier) }
            exchange?.finish(response: task.response, error: error)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                        completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
            completionHandler(.cancelAuthenticationChallenge, nil)
        }

        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            // Compared with the original request: the Authorization header was meant for its host alone, whatever
            // hops come between.
            let from = task.originalRequest?.url
            guard let to = request.url else { return completionHandler(nil) }
            if from?.scheme?.lowercased() == "https", to.scheme?.lowercased() != "https" { return completionHandler(nil) }
            var next = request
            if from?.host?.lowercased() != to.host?.lowercased() || from?.port != to.port || from?.scheme != to.scheme {
                next.setValue(nil, forHTTPHeaderField: "Authorization")
            }
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
