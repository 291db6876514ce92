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
        let (data, response) = try await session.data(for: urlRequest)
        guard let http = response as? HTTPURLResponse else {
            throw RegistryError(.unexpectedStatus, "\(request.method) \(request.url.redactedForMessages): the answer is not HTTP")
        }
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        return HTTPResponse(status: http.statusCode, headers: headers, body: data)
    }

    /// Drops credentials on cross-host redirects and refuses HTTPS → HTTP.
    private final class RedirectPolicy: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
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
