// The URLSession transport against an HTTP server in the test process: credentials do not follow a redirect to
// another host, a body is not read past its limit, a request to a server that never answers ends when cancelled,
// and a 401 challenge comes back as a response.
import Foundation
import OCIRegistry
import Testing

@Suite struct URLSessionTransportTests {
    @Test func aRedirectToAnotherHostDropsTheAuthorizationAndOneToTheSameHostKeepsIt() async throws {
        let storage = try TinyHTTPServer { _ in .respond(status: 200, headers: [:], body: Data("from storage".utf8)) }
        defer { storage.stop() }
        let registry = try TinyHTTPServer { request in
            switch request.target {
            case "/v2/app/blobs/cross": return .respond(status: 307, headers: ["Location": "http://localhost:\(storage.port)/blob?sig=1"], body: Data())
            case "/v2/app/blobs/same": return .respond(status: 307, headers: ["Location": "/v2/app/blobs/final"], body: Data())
            default: return .respond(status: 200, headers: [:], body: Data("from the registry".utf8))
            }
        }
        defer { registry.stop() }
        let transport = URLSessionTransport(timeout: 10)
        let authorization = ("Authorization", "Bearer do-not-forward")

        let crossed = try await transport.send(HTTPRequest(method: "GET", url: registry.baseURL.appendingPathComponent("v2/app/blobs/cross"),
                                                           headers: [authorization]))
        #expect(crossed.status == 200 && crossed.body == Data("from storage".utf8))
        #expect(storage.requests.count == 1)
        #expect(storage.requests.first?.headers["authorization"] == nil, "the token stays with the registry")

        let same = try await transport.send(HTTPRequest(method: "GET", url: registry.baseURL.appendingPathComponent("v2/app/blobs/same"),
                                                        headers: [authorization]))
        #expect(same.status == 200 && same.body == Data("from the registry".utf8))
        #expect(registry.requests.last?.target == "/v2/app/blobs/final")
        #expect(registry.requests.last?.headers["authorization"] == "Bearer do-not-forward")
    }

    @Test(arguments: [true, false])
    func aBodyPastItsLimitIsCutOffWhileReading(announced: Bool) async throws {
        let server = try TinyHTTPServer { request in
            if request.target == "/small" { return .respond(status: 200, headers: [:], body: Data(count: 1000)) }
            return .stream(status: 200, headers: announced ? ["Content-Length": String(1 << 30)] : [:])
        }
        defer { server.stop() }
        let transport = URLSessionTransport(timeout: 10)
        let small = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("small"), maximumResponseSize: 1 << 20))
        #expect(small.body.count == 1000)
        await #expect(throws: ResponseTooLarge(limit: 1 << 20)) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("huge"), maximumResponseSize: 1 << 20))
        }
        // No wall-clock bound: beside the parity cases the task pool is busy and a 0.5 s read can take 100 s. That the
        // client stopped early is shown by the server: it sent far less than the 1 GiB it would have.
        // The client closed the connection: the server's writes fail and its count stops growing.
        try await Task.sleep(for: .milliseconds(500))
        let sent = server.bytesStreamed
        try await Task.sleep(for: .milliseconds(300))
        #expect(server.bytesStreamed == sent && sent < 1 << 30, "\(sent) bytes sent, then \(server.bytesStreamed)")
    }

    @Test func cancellingARequestToAServerThatNeverAnswersEndsItAtOnce() async throws {
        let server = try TinyHTTPServer { _ in .hang }
        defer { server.stop() }
        let transport = URLSessionTransport(timeout: 60)
        let task = Task { try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("v2/"))) }
        // Waits for the request to arrive rather than a fixed time: on a busy machine 300 ms was not enough.
        let deadline = Date().addingTimeInterval(30)
        while server.requests.isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(server.requests.count == 1, "the request reached the server")
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        // Not ended by cancellation, the request would end after 60 s with a timeout, not CancellationError (checked
        // above); no wall-clock bound, which a busy task pool breaks.
    }

    @Test func aChallengeComesBackAsA401ResponseWithItsHeader() async throws {
        let server = try TinyHTTPServer { _ in
            .respond(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="http://127.0.0.1:1/token",service="s""#, "Content-Type": "application/json"],
                     body: Data(#"{"errors":[{"code":"UNAUTHORIZED"}]}"#.utf8))
        }
        defer { server.stop() }
        let response = try await URLSessionTransport(timeout: 10).send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("v2/")))
        #expect(response.status == 401)
        #expect(response.header("www-authenticate")?.hasPrefix("Bearer realm=") == true)
    }
}
