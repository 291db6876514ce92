// The client's protocol logic against a scripted transport: the bearer-token flow, basic auth, retries and
// their limits, eventual consistency, plain HTTP refused for remote hosts, secrets kept out of errors.
import Foundation
import OCIRegistry
import Testing

/// A transport answering from a script, recording every request.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var handler: @Sendable (HTTPRequest) throws -> HTTPResponse
    private let delay: Duration?
    private(set) var requests: [HTTPRequest] = []

    /// `delay`: how long each answer takes (so that concurrent requests interleave); nil answers at once.
    init(delay: Duration? = nil, _ handler: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) {
        self.handler = handler
        self.delay = delay
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let handler = lock.withLock { requests.append(request); return self.handler }
        if let delay { try await Task.sleep(for: delay) }
        return try handler(request)
    }

    var recorded: [HTTPRequest] { lock.withLock { requests } }
}

/// Counts calls across the handler's invocations.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}

@Suite struct RegistryClientProtocolTests {
    static let manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.utf8)

    static func options(retries: @escaping @Sendable (String) -> Void = { _ in }) -> RegistryClientOptions {
        var options = RegistryClientOptions()
        options.sleep = { _ in }
        options.onRetry = retries
        return options
    }

    static func credentials(_ registry: String) -> CredentialStore {
        CredentialStore(entries: [registry: RegistryCredential(username: "robot", password: "hunter2-secret")])
    }

    @Test func theBearerTokenFlowAsksTheRealmForTheScopeWithTheCredentials() async throws {
        let transport = ScriptedTransport { request in
            if request.url.host == "auth.example.com" {
                #expect(request.header("Authorization") == "Basic " + Data("robot:hunter2-secret".utf8).base64EncodedString())
                let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
                #expect(items.contains(URLQueryItem(name: "service", value: "registry.example.com")))
                #expect(items.contains(URLQueryItem(name: "scope", value: "repository:team/app:pull")))
                return HTTPResponse(status: 200, body: Data(#"{"token":"t0k3n"}"#.utf8))
            }
            guard request.header("Authorization") == "Bearer t0k3n" else {
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:team/app:pull""#])
            }
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: Self.manifest)
        }
        let client = RegistryClient(credentials: Self.credentials("registry.example.com"), options: Self.options(), transport: transport)
        let fetched = try await client.manifest(try ImageReference(parsing: "registry.example.com/team/app:1.0"))
        #expect(fetched.digest == Digest.sha256(of: Self.manifest))
        #expect(fetched.mediaType == "application/vnd.oci.image.manifest.v1+json")
        #expect(transport.recorded.map { $0.url.host ?? "" } == ["registry.example.com", "auth.example.com", "registry.example.com"])
        #expect(transport.recorded.first?.url.scheme == "https", "remote registries are spoken to over TLS")
        // The token is reused for the same scope: one more request, no new token.
        _ = try await client.manifest(try ImageReference(parsing: "registry.example.com/team/app:1.0"))
        #expect(transport.recorded.count == 4)
        let statistics = await client.statistics
        #expect(statistics.requests == 4)
    }

    @Test func basicAuthIsSentAfterTheChallengeAndAWrongPasswordIsReportedWithoutIt() async throws {
        let transport = ScriptedTransport { request in
            HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="bakery-test""#],
                         body: Data(#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#.utf8))
        }
        let client = RegistryClient(credentials: Self.credentials("127.0.0.1:5999"), options: Self.options(), transport: transport)
        do {
            _ = try await client.manifest(try ImageReference(parsing: "127.0.0.1:5999/team/app:1.0"))
            Issue.record("a refused password must fail")
        } catch {
            #expect(error.code == .unauthorized)
            #expect(error.message.contains("UNAUTHORIZED: authentication required"), "\(error)")
            #expect(error.message.contains("check the credentials for 127.0.0.1:5999"))
            #expect(!error.message.contains("hunter2") && !error.message.contains(Data("robot:hunter2-secret".utf8).base64EncodedString()))
        }
        #expect(transport.recorded.count == 2, "one challenge is answered once")
        #expect(transport.recorded.last?.header("Authorization")?.hasPrefix("Basic ") == true)
        #expect(transport.recorded.first?.url.scheme == "http", "loopback registries are spoken to over plain HTTP")
    }

    @Test func noCredentialsForABasicRegistrySaysSo() async throws {
        let transport = ScriptedTransport { _ in HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="x""#]) }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(), transport: transport)
        await #expect(throws: RegistryError.self) { try await client.tags(try ImageReference(parsing: "127.0.0.1:5999/team/app")) }
        do { _ = try await client.tags(try ImageReference(parsing: "127.0.0.1:5999/team/app")) } catch {
            #expect(error.message.contains("needs credentials"), "\(error)")
        }
    }

    @Test func transientFailuresAreRetriedWithBackoffThenSucceed() async throws {
        let calls = Counter()
        let transport = ScriptedTransport { _ in
            switch calls.next() {
            case 1: throw URLError(.networkConnectionLost)
            case 2: return HTTPResponse(status: 503, body: Data("temporarily unavailable".utf8))
            case 3: return HTTPResponse(status: 429)
            default: return HTTPResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: Self.manifest)
            }
        }
        let messages = Box<[String]>([])
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options { line in messages.mutate { $0.append(line) } },
                                    transport: transport)
        _ = try await client.manifest(try ImageReference(parsing: "127.0.0.1:5999/team/app:1.0"))
        #expect(transport.recorded.count == 4)
        #expect(messages.value.count == 3)
        #expect(messages.value.first?.contains("(attempt 1/5); retrying in 2.0s") == true, "\(messages.value)")
        #expect(messages.value.last?.contains("(attempt 3/5); retrying in 8.0s") == true, "\(messages.value)")
        let statistics = await client.statistics
        #expect(statistics.retries == 3)
    }

    @Test func retriesStopAfterFiveAttemptsAndAPermanentErrorFailsAtOnce() async throws {
        let transport = ScriptedTransport { _ in HTTPResponse(status: 502) }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(), transport: transport)
        do {
            _ = try await client.manifest(try ImageReference(parsing: "127.0.0.1:5999/team/app:1.0"))
            Issue.record("502 forever must fail")
        } catch {
            #expect(error.code == .unavailable && error.status == 502)
        }
        #expect(transport.recorded.count == 5)

        let denied = ScriptedTransport { _ in HTTPResponse(status: 400, body: Data(#"{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}"#.utf8)) }
        let client2 = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(), transport: denied)
        do {
            try await client2.putManifest(Self.manifest, mediaType: "application/vnd.oci.image.manifest.v1+json",
                                          to: try ImageReference(parsing: "127.0.0.1:5999/team/app:1.0"))
            Issue.record("400 must fail")
        } catch {
            #expect(error.code == .unexpectedStatus && error.message.contains("MANIFEST_INVALID"), "\(error)")
        }
        #expect(denied.recorded.count == 1)
    }

    @Test func aJustPushedDigestIsWaitedForWhenAsked() async throws {
        let calls = Counter()
        let transport = ScriptedTransport { _ in
            calls.next() < 3 ? HTTPResponse(status: 404)
                : HTTPResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: Self.manifest)
        }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(), transport: transport)
        let reference = try ImageReference(parsing: "127.0.0.1:5999/team/app@\(Digest.sha256(of: Self.manifest))")
        let fetched = try await client.manifest(reference, retryNotFound: true)
        #expect(fetched.digest == reference.digest)
        #expect(transport.recorded.count == 3)
        // Without asking, a 404 is an answer.
        let once = ScriptedTransport { _ in HTTPResponse(status: 404) }
        let client2 = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(), transport: once)
        #expect(try await client2.manifestDescriptor(reference) == nil)
        #expect(once.recorded.count == 1)
        do {
            _ = try await client2.manifest(reference)
            Issue.record("a missing manifest must fail")
        } catch {
            #expect(error.code == .notFound)
        }
        #expect(once.recorded.count == 2, "a 404 is not retried unless asked")
    }

    @Test func contentThatDoesNotMatchItsDigestIsRefused() async throws {
        let transport = ScriptedTransport { _ in
            HTTPResponse(status: 200, headers: ["Content-Type": "application/vnd.oci.image.manifest.v1+json"], body: Data("{}".utf8))
        }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(), transport: transport)
        let reference = try ImageReference(parsing: "127.0.0.1:5999/team/app@\(Digest.sha256(of: Self.manifest))")
        await #expect(throws: RegistryError.self) { try await client.manifest(reference) }
        do { _ = try await client.manifest(reference) } catch { #expect(error.code == .digestMismatch) }
    }

    @Test func credentialsNeverGoToAPlainHTTPTokenRealm() async throws {
        let transport = ScriptedTransport { request in
            HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="http://auth.example.com/token",service="r""#])
        }
        let client = RegistryClient(credentials: Self.credentials("registry.example.com"), options: Self.options(), transport: transport)
        do {
            _ = try await client.tags(try ImageReference(parsing: "registry.example.com/team/app"))
            Issue.record("a plain-HTTP realm must be refused")
        } catch {
            #expect(error.code == .insecureRefused, "\(error)")
        }
        #expect(!transport.recorded.contains { $0.url.host == "auth.example.com" })
    }

    @Test func insecureRegistriesUsePlainHTTPOthersTLS() async throws {
        let transport = ScriptedTransport { _ in HTTPResponse(status: 200, body: Data(#"{"tags":["a"]}"#.utf8)) }
        var options = Self.options()
        options.insecureRegistries = ["registry.internal:5000"]
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: options, transport: transport)
        _ = try await client.tags(try ImageReference(parsing: "registry.internal:5000/team/app"))
        _ = try await client.tags(try ImageReference(parsing: "registry.example.com/team/app"))
        _ = try await client.tags(try ImageReference(parsing: "localhost:5000/team/app"))
        #expect(transport.recorded.map { $0.url.scheme ?? "" } == ["http", "https", "http"])
    }

    @Test func tagsFollowLinkPagination() async throws {
        let transport = ScriptedTransport { request in
            let last = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems?.first { $0.name == "last" }?.value
            switch last {
            case nil: return HTTPResponse(status: 200, headers: ["Link": #"</v2/team/app/tags/list?n=2&last=b>; rel="next""#], body: Data(#"{"name":"team/app","tags":["a","b"]}"#.utf8))
            case "b": return HTTPResponse(status: 200, headers: ["Link": #"</v2/team/app/tags/list?n=2&last=d>; rel="next""#], body: Data(#"{"name":"team/app","tags":["c","d"]}"#.utf8))
            default: return HTTPResponse(status: 200, body: Data(#"{"name":"team/app","tags":["e"]}"#.utf8))
            }
        }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(), transport: transport)
        #expect(try await client.tags(try ImageReference(parsing: "127.0.0.1:5999/team/app"), pageSize: 2) == ["a", "b", "c", "d", "e"])
        #expect(transport.recorded.count == 3)
        #expect(transport.recorded.allSatisfy { $0.url.host == "127.0.0.1" && $0.url.port == 5999 })
    }

    @Test func cancellationStopsTheRetries() async throws {
        let transport = ScriptedTransport { _ in HTTPResponse(status: 503) }
        var options = Self.options()
        options.sleep = { duration in try await Task.sleep(for: .seconds(30)) }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: options, transport: transport)
        let task = Task { try await client.tags(try ImageReference(parsing: "127.0.0.1:5999/team/app")) }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        do {
            _ = try await task.value
            Issue.record("cancelled work must fail")
        } catch let error as RegistryError {
            #expect(error.code == .cancelled)
        }
        // Without cancellation the retries would end as .unavailable, not .cancelled (checked above); no wall-clock
        // bound, which a busy task pool breaks.
    }
}

/// A value shared with @Sendable closures in tests.
final class Box<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func mutate(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
