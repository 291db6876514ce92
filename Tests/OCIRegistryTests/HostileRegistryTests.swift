// The client against registries that bend or break the distribution spec (an in-memory registry with knobs, and
// scripted transports): upload Locations of every shape, PATCH answers that keep fewer bytes, 200 for 201/202,
// lying digests, oversized manifests, looping tag pages, tokens that expire, a Basic challenge after a Bearer
// one, mount scopes, HEAD without Content-Length, lost upload sessions, and registries that echo secrets.
import Foundation
import OCIRegistry
import Testing

@Suite struct HostileRegistryTests {
    static let layer = Data((0..<10_000).map { UInt8($0 % 241) })

    static func options(retries: @escaping @Sendable (String) -> Void = { _ in }) -> RegistryClientOptions {
        var options = RegistryClientOptions()
        options.sleep = { _ in }
        options.onRetry = retries
        return options
    }

    static func client(_ transport: any HTTPTransport, credentials: CredentialStore = CredentialStore(entries: [:]),
                       options: RegistryClientOptions = options()) -> RegistryClient {
        RegistryClient(credentials: credentials, options: options, transport: transport)
    }

    static let robot = RegistryCredential(username: "robot", password: "hunter2-canary")
    static let basicValue = "Basic " + Data("robot:hunter2-canary".utf8).base64EncodedString()

    // MARK: Upload locations

    @Test(arguments: [InMemoryRegistry.LocationStyle.absolute, .rootRelative, .bareRelative], [nil, 3_000] as [Int?])
    func theUploadStateInALocationComesBackByteForByte(style: InMemoryRegistry.LocationStyle, chunkSize: Int?) async throws {
        let registry = InMemoryRegistry()
        registry.configure { $0.locationStyle = style }
        let client = Self.client(registry)
        let reference = try ImageReference(parsing: "registry.example.com/team/app:1")
        let descriptor = try await client.uploadBlob(Self.layer, to: reference, chunkSize: chunkSize)
        #expect(registry.blob(descriptor.digest, in: "team/app") == Self.layer)
        let steps = registry.requests.filter { ["PATCH", "PUT"].contains($0.method) }
        #expect(steps.count == (chunkSize == nil ? 1 : 5))
        for step in steps {
            #expect(step.url.host == "registry.example.com" && step.url.path.hasPrefix("/v2/team/app/blobs/uploads/upload-"), "\(step.url)")
            #expect(step.url.query?.hasPrefix("_state=a%2Bb%2Fc%3D%3D&partner=x%26y") == true, "\(step.url)")
        }
    }

    @Test func anUploadLocationOnAnotherHostGetsNoCredentials() async throws {
        let registry = InMemoryRegistry()
        registry.configure {
            $0.locationStyle = .otherHost("storage.example.net")
            $0.gate = { request in
                guard request.url.host == "registry.example.com", request.header("Authorization") != Self.basicValue else { return nil }
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="r""#])
            }
        }
        let client = Self.client(registry, credentials: CredentialStore(entries: ["registry.example.com": Self.robot]))
        let descriptor = try await client.uploadBlob(Self.layer, to: try ImageReference(parsing: "registry.example.com/team/app"), chunkSize: 4_000)
        #expect(registry.blob(descriptor.digest, in: "team/app") == Self.layer)
        let elsewhere = registry.requests.filter { $0.url.host == "storage.example.net" }
        #expect(elsewhere.count == 4, "three PATCHes and the closing PUT")
        #expect(elsewhere.allSatisfy { $0.header("Authorization") == nil }, "credentials stay with the registry's own host")
    }

    @Test(arguments: ["http://127.attacker.example/upload/1", "http://registry.example.com/v2/team/app/blobs/uploads/1"])
    func aPlainHTTPLocationFromATLSRegistryIsRefused(location: String) async throws {
        let registry = InMemoryRegistry()
        registry.configure {
            $0.gate = { request in
                request.method == "POST" ? HTTPResponse(status: 202, headers: ["Location": location]) : nil
            }
        }
        let client = Self.client(registry, credentials: CredentialStore(entries: ["registry.example.com": Self.robot]))
        do {
            _ = try await client.uploadBlob(Self.layer, to: try ImageReference(parsing: "registry.example.com/team/app"))
            Issue.record("a downgrade to plain HTTP must be refused")
        } catch {
            #expect(error.code == .insecureRefused, "\(error)")
        }
        #expect(!registry.requests.contains { $0.url.scheme == "http" })
    }

    // MARK: PATCH ranges and statuses

    @Test func aPatchThatKeepsFewerBytesIsResumedWhereTheRegistrySaysItStopped() async throws {
        let registry = InMemoryRegistry()
        registry.configure { $0.patchKeeps = { _, sent in sent / 2 + 1 } }
        let client = Self.client(registry)
        let descriptor = try await client.uploadBlob(Self.layer, to: try ImageReference(parsing: "registry.example.com/team/app"), chunkSize: 4_096)
        #expect(registry.blob(descriptor.digest, in: "team/app") == Self.layer, "every byte, in order")
        let ranges = registry.requests.filter { $0.method == "PATCH" }.compactMap { $0.header("Content-Range") }
        #expect(ranges.first == "0-4095")
        #expect(ranges.dropFirst().first == "2049-6144", "the second chunk starts after the 2049 bytes kept: \(ranges)")
    }

    @Test func aPatchAnswerThatKeepsNothingFailsInsteadOfLooping() async throws {
        let registry = InMemoryRegistry()
        registry.configure { $0.patchKeeps = { _, _ in 0 } }
        let client = Self.client(registry)
        do {
            _ = try await client.uploadBlob(Self.layer, to: try ImageReference(parsing: "registry.example.com/team/app"), chunkSize: 4_096)
            Issue.record("an upload that never advances must fail")
        } catch {
            #expect(error.message.contains("0-4095") && error.message.contains("kept"), "\(error)")
        }
        #expect(registry.requests.count < 20, "\(registry.requests.count) requests")
    }

    @Test func aRegistryAnsweringTwoHundredForCreatedAndAcceptedStillWorks() async throws {
        let registry = InMemoryRegistry()
        registry.configure { $0.okInsteadOfCreated = true }
        let client = Self.client(registry)
        let reference = try ImageReference(parsing: "registry.example.com/team/app:1")
        let config = try await client.uploadBlob(Data("{}".utf8), to: reference)
        let layer = try await client.uploadBlob(Self.layer, to: reference, chunkSize: 4_096)
        let manifest = try canonicalJSON(ImageManifest(config: config, layers: [layer]))
        #expect(try await client.putManifest(manifest, mediaType: MediaType.ociManifest, to: reference) == Digest.sha256(of: manifest))
        // A mount answered with 200 and the blob's own Location is a mount: nothing is uploaded, nothing deleted.
        #expect(try await client.mountBlob(layer.digest, from: "team/app", to: try ImageReference(parsing: "registry.example.com/team/other")))
        #expect(!registry.requests.contains { $0.method == "DELETE" })
        #expect(registry.blob(layer.digest, in: "team/other") == Self.layer)
    }

    @Test func aMountOfferingAnUploadIsCancelledButABlobLocationIsNeverDeleted() async throws {
        let digest = Digest.sha256(of: Self.layer)
        for (location, deletes) in [("/v2/team/app/blobs/uploads/9?_state=s", 1), ("/v2/team/app/blobs/\(digest)", 0)] {
            let registry = InMemoryRegistry()
            registry.configure {
                $0.gate = { request in
                    request.method == "POST" ? HTTPResponse(status: 202, headers: ["Location": location]) : HTTPResponse(status: 204)
                }
            }
            let mounted = try await Self.client(registry).mountBlob(digest, from: "team/source", to: try ImageReference(parsing: "registry.example.com/team/app"))
            #expect(!mounted)
            #expect(registry.requests.filter { $0.method == "DELETE" }.count == deletes, "\(location)")
        }
    }

    // MARK: Digests

    @Test func aLyingDockerContentDigestOnABlobUploadIsRefused() async throws {
        let registry = InMemoryRegistry()
        registry.configure { $0.lyingDigest = true }
        do {
            _ = try await Self.client(registry).uploadBlob(Self.layer, to: try ImageReference(parsing: "registry.example.com/team/app"))
            Issue.record("a registry that stored other bytes must be caught")
        } catch {
            #expect(error.code == .digestMismatch, "\(error)")
        }
    }

    @Test func aLyingDockerContentDigestOnAManifestHeadByDigestIsRefused() async throws {
        let registry = InMemoryRegistry()
        let manifest = Data(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"a","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"#.utf8)
        registry.store(manifest: manifest, type: MediaType.ociManifest, in: "team/app", tag: "1")
        registry.configure { $0.lyingDigest = true }
        let client = Self.client(registry)
        let byDigest = try ImageReference(parsing: "registry.example.com/team/app@\(Digest.sha256(of: manifest))")
        do {
            _ = try await client.manifestDescriptor(byDigest)
            Issue.record("a HEAD answer naming another digest must be refused")
        } catch {
            #expect(error.code == .digestMismatch, "\(error)")
        }
        do {
            _ = try await client.manifest(try ImageReference(parsing: "registry.example.com/team/app:1"))
            Issue.record("a GET whose bytes do not match the announced digest must be refused")
        } catch {
            #expect(error.code == .digestMismatch, "\(error)")
        }
    }

    // MARK: Sizes

    @Test func aManifestLargerThanTheSpecsLimitIsRefused() async throws {
        let huge = Data(repeating: UInt8(ascii: " "), count: RegistryClient.maximumManifestSize + 1)
        let limits = Box<[Int?]>([])
        let transport = ScriptedTransport { request in
            limits.mutate { $0.append(request.maximumResponseSize) }
            return HTTPResponse(status: 200, headers: ["Content-Type": MediaType.ociManifest], body: huge)
        }
        do {
            _ = try await Self.client(transport).manifest(try ImageReference(parsing: "registry.example.com/team/app:1"))
            Issue.record("a 4 MiB + 1 byte manifest must be refused")
        } catch {
            #expect(error.code == .invalidDocument && error.message.contains("4 MiB"), "\(error)")
        }
        #expect(limits.value == [RegistryClient.maximumManifestSize], "the transport is told to stop reading there")
        #expect(RegistryClient.maximumManifestSize == 4 * 1024 * 1024)
    }

    @Test func headAnswersWithoutContentLengthDoNotReportSizeZero() async throws {
        let registry = InMemoryRegistry()
        registry.store(blob: Self.layer, in: "team/app")
        let manifest = try canonicalJSON(ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, content: Data("{}".utf8)), layers: []))
        registry.store(manifest: manifest, type: MediaType.ociManifest, in: "team/app", tag: "1")
        registry.configure { $0.headWithoutContentLength = true }
        let client = Self.client(registry)
        let reference = try ImageReference(parsing: "registry.example.com/team/app:1")
        #expect(try await client.blobSize(Digest.sha256(of: Self.layer), in: reference) == Int64(Self.layer.count))
        #expect(try await client.manifestDescriptor(reference)?.size == Int64(manifest.count))
        // An upload only needs to know the blob is there: one HEAD, no size asked.
        let before = registry.requests.count
        _ = try await client.uploadBlob(Self.layer, to: reference)
        #expect(registry.requests.count == before + 1)
    }

    // MARK: Sessions

    @Test func aLostUploadSessionIsStartedAgain() async throws {
        let registry = InMemoryRegistry()
        registry.configure { $0.loseUploads = 1 }
        let retries = Box<[String]>([])
        let client = Self.client(registry, options: Self.options { line in retries.mutate { $0.append(line) } })
        let descriptor = try await client.uploadBlob(Self.layer, to: try ImageReference(parsing: "registry.example.com/team/app"), chunkSize: 4_096)
        #expect(registry.blob(descriptor.digest, in: "team/app") == Self.layer)
        #expect(registry.requests.filter { $0.method == "POST" }.count == 2)
        #expect(retries.value.count == 1 && retries.value[0].contains("BLOB_UPLOAD_UNKNOWN"), "\(retries.value)")
    }

    // MARK: Tags

    @Test func aTagListWhoseNextLinkLoopsFailsAtTheRepeat() async throws {
        let transport = ScriptedTransport { request in
            HTTPResponse(status: 200, headers: ["Link": "<\(request.url.path)?\(request.url.query ?? "")>; rel=\"next\""],
                         body: Data(#"{"name":"team/app","tags":["a"]}"#.utf8))
        }
        do {
            _ = try await Self.client(transport).tags(try ImageReference(parsing: "registry.example.com/team/app"))
            Issue.record("a page that links to itself must not be read 10,000 times")
        } catch {
            #expect(error.code == .invalidDocument && error.message.contains("again"), "\(error)")
        }
        #expect(transport.recorded.count == 1)
    }

    @Test func aTagPageOnAnotherHostGetsNoCredentialsAndPlainHTTPIsRefused() async throws {
        let transport = ScriptedTransport { request in
            if request.url.host == "registry.example.com", request.header("Authorization") == nil {
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Basic realm="r""#])
            }
            switch request.url.host {
            case "registry.example.com":
                return HTTPResponse(status: 200, headers: ["Link": #"<https://mirror.example.net/v2/team/app/tags/list?last=a>; rel="next""#],
                                    body: Data(#"{"tags":["a"]}"#.utf8))
            default:
                return HTTPResponse(status: 200, headers: ["Link": #"<http://mirror.example.net/v2/team/app/tags/list?last=b>; rel="next""#],
                                    body: Data(#"{"tags":["b"]}"#.utf8))
            }
        }
        let client = Self.client(transport, credentials: CredentialStore(entries: ["registry.example.com": Self.robot]))
        do {
            _ = try await client.tags(try ImageReference(parsing: "registry.example.com/team/app"))
            Issue.record("a next page over plain HTTP must be refused")
        } catch {
            #expect(error.code == .insecureRefused, "\(error)")
        }
        let mirror = transport.recorded.filter { $0.url.host == "mirror.example.net" }
        #expect(mirror.count == 1 && mirror[0].header("Authorization") == nil)
    }

    // MARK: Tokens

    /// A registry honouring the tokens issued since the last `expire()`; its answers take a few milliseconds, so
    /// concurrent requests really interleave.
    final class TokenRegistry: @unchecked Sendable {
        let lock = NSLock()
        var issued = 0
        var valid: Set<String> = []
        var refuseNewTokens = false
        var expiresIn: Int?

        func expire() { lock.withLock { valid = [] } }

        lazy var transport = ScriptedTransport(delay: .milliseconds(5)) { [unowned self] request in
            if request.url.host == "auth.example.com" {
                return self.lock.withLock {
                    self.issued += 1
                    let token = "token-\(self.issued)"
                    if !self.refuseNewTokens { self.valid.insert(token) }
                    let expiry = self.expiresIn.map { #","expires_in":\#($0)"# } ?? ""
                    return HTTPResponse(status: 200, body: Data(#"{"token":"\#(token)"\#(expiry)}"#.utf8))
                }
            }
            let accepted = self.lock.withLock { self.valid.map { "Bearer \($0)" } }
            guard let sent = request.header("Authorization"), accepted.contains(sent) else {
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://auth.example.com/token",service="registry.example.com",error="invalid_token""#])
            }
            return HTTPResponse(status: 200, body: Data(#"{"tags":["1"]}"#.utf8))
        }
    }

    @Test func anExpiredTokenIsReplacedOnceAndARefusedNewOneFailsWithoutLooping() async throws {
        let registry = TokenRegistry()
        let client = Self.client(registry.transport)
        let reference = try ImageReference(parsing: "registry.example.com/team/app")
        #expect(try await client.tags(reference) == ["1"])
        #expect(try await client.tags(reference) == ["1"])
        #expect(registry.issued == 1)
        registry.expire()
        #expect(try await client.tags(reference) == ["1"])
        #expect(registry.issued == 2, "one new token for the stale one")
        registry.lock.withLock { registry.refuseNewTokens = true }
        registry.expire()
        let before = registry.transport.recorded.count
        do {
            _ = try await client.tags(reference)
            Issue.record("a token the registry never honours must fail")
        } catch {
            #expect(error.code == .unauthorized, "\(error)")
        }
        #expect(registry.transport.recorded.count == before + 3, "request, token, request: no loop")
    }

    @Test func aTokenIsRenewedBeforeItsExpiresInRunsOut() async throws {
        let registry = TokenRegistry()
        registry.expiresIn = 300
        let clock = Box(Date(timeIntervalSince1970: 1_000_000))
        var options = Self.options()
        options.now = { clock.value }
        let client = Self.client(registry.transport, options: options)
        let reference = try ImageReference(parsing: "registry.example.com/team/app")
        _ = try await client.tags(reference)
        clock.mutate { $0 += 200 }
        _ = try await client.tags(reference)
        #expect(registry.issued == 1, "still valid after 200 s")
        clock.mutate { $0 += 200 }
        let before = registry.transport.recorded.count
        _ = try await client.tags(reference)
        #expect(registry.issued == 2)
        #expect(registry.transport.recorded.count == before + 2, "a new token, then the request: no 401 round trip")
    }

    @Test func concurrentRequestsShareOneTokenFetch() async throws {
        let registry = TokenRegistry()
        let client = Self.client(registry.transport)
        let reference = try ImageReference(parsing: "registry.example.com/team/app")
        try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<12 { group.addTask { try await client.tags(reference) } }
            for try await tags in group { #expect(tags == ["1"]) }
        }
        #expect(registry.issued == 1, "\(registry.issued) tokens for one scope")
    }

    @Test func aRegistryThatSwitchesFromBearerToBasicGetsBasic() async throws {
        let basicOnly = Box(false)
        let transport = ScriptedTransport { request in
            if request.url.host == "auth.example.com" { return HTTPResponse(status: 200, body: Data(#"{"access_token":"tok"}"#.utf8)) }
            let expected = basicOnly.value ? Self.basicValue : "Bearer tok"
            guard request.header("Authorization") == expected else {
                let challenge = basicOnly.value ? #"Basic realm="r""# : #"Bearer realm="https://auth.example.com/token",service="s""#
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": challenge])
            }
            return HTTPResponse(status: 200, body: Data(#"{"tags":["1"]}"#.utf8))
        }
        let client = Self.client(transport, credentials: CredentialStore(entries: ["registry.example.com": Self.robot]))
        let reference = try ImageReference(parsing: "registry.example.com/team/app")
        _ = try await client.tags(reference)
        basicOnly.mutate { $0 = true }
        #expect(try await client.tags(reference) == ["1"])
        #expect(transport.recorded.last?.header("Authorization") == Self.basicValue)
    }

    @Test func aMountAsksTheTokenServerForPullOnTheSourceRepository() async throws {
        let registry = InMemoryRegistry()
        registry.store(blob: Self.layer, in: "team/source")
        let scopes = Box<[[String]]>([])
        registry.configure {
            $0.gate = { request in
                if request.url.host == "auth.example.com" {
                    let items = URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []
                    scopes.mutate { $0.append(items.filter { $0.name == "scope" }.compactMap(\.value)) }
                    return HTTPResponse(status: 200, body: Data(#"{"token":"t"}"#.utf8))
                }
                return request.header("Authorization") == "Bearer t" ? nil
                    : HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://auth.example.com/token",service="registry.example.com""#])
            }
        }
        let client = Self.client(registry)
        #expect(try await client.mountBlob(Digest.sha256(of: Self.layer), from: "team/source", to: try ImageReference(parsing: "registry.example.com/team/app")))
        #expect(scopes.value == [["repository:team/app:pull,push", "repository:team/source:pull"]])
    }

    @Test func anIdentityTokenIsExchangedAsARefreshToken() async throws {
        let transport = ScriptedTransport { request in
            if request.url.host == "auth.example.com" {
                guard request.method == "POST", let body = request.body.map({ String(decoding: $0, as: UTF8.self) }) else {
                    return HTTPResponse(status: 401)
                }
                let fields = Dictionary(uniqueKeysWithValues: body.split(separator: "&").map { pair -> (String, String) in
                    let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                    return (parts[0], parts.count > 1 ? parts[1] : "")
                })
                let good = fields["grant_type"] == "refresh_token" && fields["refresh_token"] == "refresh+me/=" && fields["service"] == "registry.example.com"
                    && fields["scope"] == "repository:team/app:pull" && request.header("Authorization") == nil
                return good ? HTTPResponse(status: 200, body: Data(#"{"access_token":"from-refresh"}"#.utf8)) : HTTPResponse(status: 400, body: Data(body.utf8))
            }
            guard request.header("Authorization") == "Bearer from-refresh" else {
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://auth.example.com/oauth2/token",service="registry.example.com""#])
            }
            return HTTPResponse(status: 200, body: Data(#"{"tags":["1"]}"#.utf8))
        }
        let credential = RegistryCredential(username: "00000000-0000-0000-0000-000000000000", password: "", identityToken: "refresh+me/=")
        let client = Self.client(transport, credentials: CredentialStore(entries: ["registry.example.com": credential]))
        #expect(try await client.tags(try ImageReference(parsing: "registry.example.com/team/app")) == ["1"])
    }

    // MARK: Secrets

    @Test func secretsAHostileRegistryEchoesAreRedacted() async throws {
        let calls = Counter()
        let transport = ScriptedTransport { request in
            if request.url.host == "auth.example.com" { return HTTPResponse(status: 200, body: Data(#"{"token":"sekrit-token-value"}"#.utf8)) }
            guard let authorization = request.header("Authorization") else {
                return HTTPResponse(status: 401, headers: ["WWW-Authenticate": #"Bearer realm="https://auth.example.com/token",service="s""#])
            }
            let echo = #"{"errors":[{"code":"DENIED","message":"you sent \#(authorization) for \#(request.url.absoluteString)"}]}"#
            return HTTPResponse(status: calls.next() < 3 ? 503 : 403, body: Data(echo.utf8))
        }
        let retries = Box<[String]>([])
        let client = Self.client(transport, credentials: CredentialStore(entries: ["registry.example.com": Self.robot]),
                                 options: Self.options { line in retries.mutate { $0.append(line) } })
        var texts: [String] = []
        do {
            _ = try await client.tags(try ImageReference(parsing: "registry.example.com/team/app"))
            Issue.record("403 must fail")
        } catch {
            texts.append(error.message)
            #expect(error.message.contains("you sent Bearer <redacted>"), "\(error)")
        }
        texts += retries.value
        #expect(retries.value.count == 2)
        for text in texts {
            for secret in ["sekrit-token-value", "hunter2-canary", Data("robot:hunter2-canary".utf8).base64EncodedString()] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
    }

    @Test func dumpingTheClientOrARequestShowsNoSecret() async throws {
        let registry = TokenRegistry()
        let client = Self.client(registry.transport, credentials: CredentialStore(entries: ["registry.example.com": Self.robot]))
        _ = try await client.tags(try ImageReference(parsing: "registry.example.com/team/app"))
        var dumped = ""
        dump(client, to: &dumped)
        let request = try #require(registry.transport.recorded.last)
        dump(request, to: &dumped)
        dumped += "\(request) \(String(reflecting: request))"
        #expect(request.header("Authorization") == "Bearer token-1")
        for secret in ["token-1", "hunter2-canary", Data("robot:hunter2-canary".utf8).base64EncodedString()] {
            #expect(!dumped.contains(secret), "\(dumped)")
        }
    }

    // MARK: Copies and indexes

    static func image(_ registry: InMemoryRegistry, repository: String, architecture: String, variant: String? = nil,
                      osVersion: String? = nil) throws -> (digest: Digest, data: Data) {
        var config: [String: String] = ["architecture": architecture, "os": "linux"]
        if let variant { config["variant"] = variant }
        if let osVersion { config["os.version"] = osVersion }
        let configData = try canonicalJSON(config)
        let layer = Data("layer of \(architecture)".utf8)
        registry.store(blob: configData, in: repository)
        registry.store(blob: layer, in: repository)
        let manifest = try canonicalJSON(ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, content: configData),
                                                       layers: [Descriptor(mediaType: MediaType.ociLayerGzip, content: layer)]))
        registry.store(manifest: manifest, type: MediaType.ociManifest, in: repository, tag: nil)
        return (Digest.sha256(of: manifest), manifest)
    }

    @Test func copyReadsTheMediaTypeFromTheDocumentWhenTheRegistrySaysJSON() async throws {
        let registry = InMemoryRegistry()
        let amd64 = try Self.image(registry, repository: "team/tmp", architecture: "amd64")
        // An index without a mediaType field, served as application/json.
        let index = Data(#"{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(amd64.digest)","size":\#(amd64.data.count),"platform":{"architecture":"amd64","os":"linux"}}]}"#.utf8)
        registry.store(manifest: index, type: MediaType.ociIndex, in: "team/tmp", tag: "merged")
        registry.configure { $0.manifestContentType = "application/json" }
        let client = Self.client(registry)
        let copied = try await client.copy(try ImageReference(parsing: "registry.example.com/team/tmp:merged"),
                                           to: try ImageReference(parsing: "registry.example.com/team/app:1"))
        #expect(copied.digest == Digest.sha256(of: index) && copied.mediaType == MediaType.ociIndex)
        #expect(registry.manifest("1", in: "team/app")?.data == index, "the same bytes")
        #expect(registry.manifest("1", in: "team/app")?.type == MediaType.ociIndex)
        #expect(registry.manifest(amd64.digest.description, in: "team/app")?.type == MediaType.ociManifest)
        #expect(!registry.requests.contains { $0.method == "PATCH" || ($0.method == "PUT" && $0.url.path.contains("/blobs/")) },
                "blobs are mounted within a registry, never uploaded")
    }

    @Test func createIndexKeepsTheAttestationsOfEveryPlatform() async throws {
        let registry = InMemoryRegistry()
        var perArch: [ImageReference] = []
        for architecture in ["amd64", "arm64"] {
            let image = try Self.image(registry, repository: "team/tmp", architecture: architecture)
            let attestation = try canonicalJSON(ImageManifest(config: Descriptor(mediaType: MediaType.ociEmpty, content: Data("{}".utf8)), layers: [],
                                                              annotations: ["of": architecture]))
            registry.store(blob: Data("{}".utf8), in: "team/tmp")
            registry.store(manifest: attestation, type: MediaType.ociManifest, in: "team/tmp", tag: nil)
            let index = try canonicalJSON(ImageIndex(manifests: [
                Descriptor(mediaType: MediaType.ociManifest, digest: image.digest, size: Int64(image.data.count), platform: Platform(architecture: architecture, os: "linux")),
                Descriptor(mediaType: MediaType.ociManifest, digest: Digest.sha256(of: attestation), size: Int64(attestation.count),
                           platform: Platform(architecture: "unknown", os: "unknown"),
                           annotations: ["vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": image.digest.description]),
            ]))
            registry.store(manifest: index, type: MediaType.ociIndex, in: "team/tmp", tag: architecture)
            perArch.append(try ImageReference(parsing: "registry.example.com/team/tmp:\(architecture)"))
        }
        let client = Self.client(registry)
        let merged = try await client.createIndex(from: perArch, annotations: ["org.opencontainers.image.version": "1"],
                                                  at: try ImageReference(parsing: "registry.example.com/team/app:1"))
        let index = try ImageIndex.decode(try #require(registry.manifest(merged.digest.description, in: "team/app")).data)
        #expect(index.manifests.map { $0.platform?.description ?? "-" } == ["linux/amd64", "unknown/unknown", "linux/arm64", "unknown/unknown"])
        #expect(index.annotations == ["org.opencontainers.image.version": "1"])
    }

    @Test func createIndexTakesThePlatformFromTheConfigAndRefusesTwoImagesForOne() async throws {
        let registry = InMemoryRegistry()
        let arm = try Self.image(registry, repository: "team/tmp", architecture: "arm64", variant: "v8", osVersion: "24.04")
        let client = Self.client(registry)
        let source = try ImageReference(parsing: "registry.example.com/team/tmp@\(arm.digest)")
        let merged = try await client.createIndex(from: [source, source], at: try ImageReference(parsing: "registry.example.com/team/app:1"))
        let index = try ImageIndex.decode(try #require(registry.manifest(merged.digest.description, in: "team/app")).data)
        #expect(index.manifests.count == 1, "the same image twice is one entry")
        #expect(index.manifests.first?.platform == Platform(architecture: "arm64", os: "linux", variant: "v8", osVersion: "24.04"))
        registry.store(blob: Data("another arm64 layer".utf8), in: "team/tmp")
        let second = try canonicalJSON(ImageManifest(config: try ImageManifest.decode(arm.data).config,
                                                     layers: [Descriptor(mediaType: MediaType.ociLayerGzip, content: Data("another arm64 layer".utf8))]))
        registry.store(manifest: second, type: MediaType.ociManifest, in: "team/tmp", tag: nil)
        do {
            _ = try await client.createIndex(from: [source, try ImageReference(parsing: "registry.example.com/team/tmp@\(Digest.sha256(of: second))")],
                                             at: try ImageReference(parsing: "registry.example.com/team/app:2"))
            Issue.record("two images for linux/arm64/v8 must be refused")
        } catch {
            #expect(error.code == .invalidDocument && error.message.contains("linux/arm64/v8"), "\(error)")
        }
    }
}
