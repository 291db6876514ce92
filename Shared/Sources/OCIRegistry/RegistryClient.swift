// A client of the OCI distribution API: manifests and indexes, blobs (monolithic, chunked, cross-repository
// mount), tags with pagination, referrers and deletes; authentication (anonymous, basic, the bearer-token flow
// a WWW-Authenticate challenge starts); retries with backoff on transient failures; plain HTTP only where
// allowed. It knows nothing about bakery.
import Foundation

/// How the client behaves: which registries may be spoken to over plain HTTP, how many attempts a transient
/// failure gets, how it waits between them, and what it tells the caller about retries.
public struct RegistryClientOptions: Sendable {
    /// Registries (`host[:port]`) the user marked insecure: plain HTTP is used for them. Loopback registries
    /// (127.0.0.0/8, ::1, localhost) always use plain HTTP.
    public var insecureRegistries: Set<String> = []
    /// Attempts per request on transient failures (reference §15.5: 5).
    public var maxAttempts = 5
    /// The wait before attempt `n + 1` (default: 2 s × 2^(n−1), at most 32 s).
    public var backoff: @Sendable (Int) -> Duration = { TransientFailure.backoff(attempt: $0) }
    /// Sleeps (tests make it instant).
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// Told about each retry: a sentence without secrets.
    public var onRetry: @Sendable (String) -> Void = { _ in }
    /// Sent as User-Agent.
    public var userAgent = "bakery-oci-registry"

    public init() {}
}

/// Counts what the client did (for summaries and the closing figures: requests per publish).
public struct RegistryStatistics: Sendable, Equatable {
    public var requests = 0
    public var retries = 0
    public var bytesUploaded: Int64 = 0
    public var bytesDownloaded: Int64 = 0
    public init() {}
}

/// Talks to registries. One client can serve several registries; tokens are kept per registry and scope.
///
///     let client = RegistryClient(credentials: try CredentialStore.load(environment: env, home: home))
///     let reference = try ImageReference(parsing: "127.0.0.1:5000/example/image:1.0")
///     let pushed = try await client.uploadBlob(layer, to: reference)
///     let digest = try await client.putManifest(manifestData, mediaType: MediaType.ociManifest, to: reference)
public actor RegistryClient {
    public let options: RegistryClientOptions
    private let credentials: CredentialStore
    private let transport: any HTTPTransport
    private var tokens: [String: String] = [:]          // "<registry> <scope>" → bearer token
    private var basic: [String: RegistryCredential] = [:] // registry → credential known to be asked for by Basic
    public private(set) var statistics = RegistryStatistics()

    public init(credentials: CredentialStore, options: RegistryClientOptions = RegistryClientOptions(),
                transport: any HTTPTransport = URLSessionTransport()) {
        self.credentials = credentials
        self.options = options
        self.transport = transport
    }

    // MARK: - Manifests

    /// A manifest or index fetched by tag or digest, with its media type and digest (verified against the
    /// bytes when the reference names a digest, and against `Docker-Content-Digest` when the registry sends one).
    public struct FetchedManifest: Sendable {
        public var data: Data
        public var mediaType: String
        public var digest: Digest
        public var descriptor: Descriptor { Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count)) }
    }

    /// GET a manifest or index. `retryNotFound` also retries 404 (a just-pushed digest a registry has not made
    /// visible yet: eventual consistency).
    public func manifest(_ reference: ImageReference, retryNotFound: Bool = false) async throws(RegistryError) -> FetchedManifest {
        let target = try manifestTarget(reference)
        let response = try await send("GET", reference, path: "manifests/\(target)", scope: .pull,
                                      headers: [("Accept", MediaType.manifestAccept.joined(separator: ", "))],
                                      expect: [200], retryNotFound: retryNotFound, what: "manifest \(reference)")
        let digest = Digest.sha256(of: response.body)
        if let wanted = reference.digest, !wanted.verifies(response.body) {
            throw RegistryError(.digestMismatch, "\(reference): the registry sent a manifest whose digest is \(digest), not \(wanted)")
        }
        if let announced = response.header("Docker-Content-Digest"), let parsed = try? Digest(parsing: announced),
           parsed.algorithm == "sha256", parsed != digest {
            throw RegistryError(.digestMismatch, "\(reference): the manifest's bytes hash to \(digest), the registry announced \(parsed)")
        }
        let mediaType = Self.mediaType(response) ?? Self.mediaType(inDocument: response.body) ?? MediaType.ociManifest
        return FetchedManifest(data: response.body, mediaType: mediaType, digest: digest)
    }

    /// HEAD a manifest: its descriptor, or nil when the registry does not have it.
    public func manifestDescriptor(_ reference: ImageReference, retryNotFound: Bool = false) async throws(RegistryError) -> Descriptor? {
        let target = try manifestTarget(reference)
        let response = try await send("HEAD", reference, path: "manifests/\(target)", scope: .pull,
                                      headers: [("Accept", MediaType.manifestAccept.joined(separator: ", "))],
                                      expect: retryNotFound ? [200] : [200, 404], retryNotFound: retryNotFound, what: "manifest \(reference)")
        guard response.status == 200 else { return nil }
        guard let text = response.header("Docker-Content-Digest"), let digest = try? Digest(parsing: text) else {
            // Without the header, the digest needs the bytes.
            return try await manifest(reference).descriptor
        }
        let size = Int64(response.header("Content-Length") ?? "") ?? 0
        return Descriptor(mediaType: Self.mediaType(response) ?? MediaType.ociManifest, digest: digest, size: size)
    }

    /// PUT a manifest or index under a tag or its digest; returns its digest (checked against the registry's).
    @discardableResult
    public func putManifest(_ data: Data, mediaType: String, to reference: ImageReference) async throws(RegistryError) -> Digest {
        let digest = Digest.sha256(of: data)
        if let wanted = reference.digest, wanted != digest {
            throw RegistryError(.digestMismatch, "\(reference): the manifest to push hashes to \(digest)")
        }
        let target = reference.digest?.description ?? reference.tag ?? digest.description
        let response = try await send("PUT", reference, path: "manifests/\(target)", scope: .push,
                                      headers: [("Content-Type", mediaType)], body: data, expect: [201, 200], what: "manifest \(reference)")
        if let announced = response.header("Docker-Content-Digest"), let parsed = try? Digest(parsing: announced),
           parsed.algorithm == "sha256", parsed != digest {
            throw RegistryError(.digestMismatch, "\(reference): the registry stored the manifest as \(parsed), expected \(digest)")
        }
        return digest
    }

    /// DELETE a manifest by digest (the distribution API deletes manifests by digest only; tags go with them).
    public func deleteManifest(_ reference: ImageReference) async throws(RegistryError) {
        guard let digest = reference.digest else {
            throw RegistryError(.invalidReference, "\(reference): manifests are deleted by digest; resolve the tag first")
        }
        _ = try await send("DELETE", reference, path: "manifests/\(digest)", scope: .delete, expect: [202, 200], what: "manifest \(reference)")
    }

    // MARK: - Blobs

    /// HEAD a blob: its size, or nil when the repository does not have it.
    public func blobSize(_ digest: Digest, in reference: ImageReference) async throws(RegistryError) -> Int64? {
        let response = try await send("HEAD", reference, path: "blobs/\(digest)", scope: .pull, expect: [200, 404], what: "blob \(digest)")
        guard response.status == 200 else { return nil }
        return Int64(response.header("Content-Length") ?? "") ?? 0
    }

    /// GET a blob, verified against its digest.
    public func blob(_ digest: Digest, in reference: ImageReference) async throws(RegistryError) -> Data {
        let response = try await send("GET", reference, path: "blobs/\(digest)", scope: .pull, expect: [200], what: "blob \(digest)")
        guard digest.verifies(response.body) else {
            throw RegistryError(.digestMismatch, "\(reference.registry)/\(reference.repository): blob \(digest) arrived with other content (\(response.body.count) bytes)")
        }
        statistics.bytesDownloaded += Int64(response.body.count)
        return response.body
    }

    /// Uploads a blob unless the repository has it already. `chunkSize` uploads in PATCH chunks of that many
    /// bytes (the chunked flow); nil uploads in one PUT (monolithic). Returns the blob's descriptor.
    @discardableResult
    public func uploadBlob(_ data: Data, mediaType: String = "application/octet-stream", to reference: ImageReference,
                           chunkSize: Int? = nil) async throws(RegistryError) -> Descriptor {
        let digest = Digest.sha256(of: data)
        let descriptor = Descriptor(mediaType: mediaType, digest: digest, size: Int64(data.count))
        if try await blobSize(digest, in: reference) != nil { return descriptor }
        // The whole upload session is one unit: a transient failure in the middle starts a new session.
        var attempt = 1
        while true {
            do {
                try await uploadSession(data, digest: digest, to: reference, chunkSize: chunkSize)
                statistics.bytesUploaded += Int64(data.count)
                return descriptor
            } catch let error where error.code == .unavailable && attempt < options.maxAttempts {
                try await pause(attempt: attempt, what: "upload of blob \(digest) to \(reference.registry)/\(reference.repository)", error: error)
                attempt += 1
            }
        }
    }

    private func uploadSession(_ data: Data, digest: Digest, to reference: ImageReference, chunkSize: Int?) async throws(RegistryError) {
        let start = try await send("POST", reference, path: "blobs/uploads/", scope: .push, expect: [202], what: "upload to \(reference.repository)")
        var location = try uploadLocation(start, reference: reference)
        if let chunkSize, chunkSize > 0, data.count > chunkSize {
            var offset = 0
            while offset < data.count {
                let end = min(offset + chunkSize, data.count)
                let chunk = data.subdata(in: offset..<end)
                let patched = try await sendTo(location, "PATCH", reference, scope: .push,
                                               headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(offset)-\(end - 1)")],
                                               body: chunk, expect: [202], attempts: 1, what: "chunk \(offset)-\(end - 1) of blob \(digest)")
                location = try uploadLocation(patched, reference: reference)
                offset = end
            }
            let closed = try await sendTo(location.appendingQuery("digest", digest.description), "PUT", reference, scope: .push,
                                          headers: [], body: nil, expect: [201], attempts: 1, what: "blob \(digest)")
            _ = closed
        } else {
            _ = try await sendTo(location.appendingQuery("digest", digest.description), "PUT", reference, scope: .push,
                                 headers: [("Content-Type", "application/octet-stream")], body: data, expect: [201], attempts: 1, what: "blob \(digest)")
        }
    }

    /// Asks the registry to mount `digest` from another repository of the same registry (no bytes move).
    /// Returns false when it cannot (the registry then offered an upload, which is cancelled; upload instead).
    public func mountBlob(_ digest: Digest, from source: String, to reference: ImageReference) async throws(RegistryError) -> Bool {
        let response = try await send("POST", reference, path: "blobs/uploads/", query: [("mount", digest.description), ("from", source)],
                                      scope: .push, extraScopes: ["repository:\(source):pull"], expect: [201, 202], what: "mount of \(digest)")
        if response.status == 201 { return true }
        if let location = try? uploadLocation(response, reference: reference) {
            _ = try? await sendTo(location, "DELETE", reference, scope: .push, headers: [], body: nil, expect: [204, 202, 200, 404], attempts: 1,
                                  what: "cancelled upload")
        }
        return false
    }

    /// DELETE a blob.
    public func deleteBlob(_ digest: Digest, in reference: ImageReference) async throws(RegistryError) {
        _ = try await send("DELETE", reference, path: "blobs/\(digest)", scope: .delete, expect: [202, 200], what: "blob \(digest)")
    }

    // MARK: - Tags and referrers

    /// Every tag of the repository, following `Link` pagination (`pageSize` per page); empty when the
    /// repository has none or does not exist.
    public func tags(_ reference: ImageReference, pageSize: Int = 100) async throws(RegistryError) -> [String] {
        var all: [String] = []
        var next: URL? = try endpoint(reference, path: "tags/list", query: [("n", String(pageSize))])
        var pages = 0
        while let url = next {
            pages += 1
            guard pages <= 10_000 else { throw RegistryError(.invalidDocument, "\(reference.registry)/\(reference.repository): the tag list does not end (10,000 pages)") }
            let response = try await sendTo(url, "GET", reference, scope: .pull, headers: [("Accept", "application/json")], body: nil,
                                            expect: [200, 404], attempts: options.maxAttempts, what: "tags of \(reference.repository)")
            if response.status == 404 { return all }
            struct TagList: Decodable { var tags: [String]? }
            guard let page = try? JSONDecoder().decode(TagList.self, from: response.body) else {
                throw RegistryError(.invalidDocument, "\(reference.registry)/\(reference.repository): the tag list is not {\"name\", \"tags\"} JSON")
            }
            all += page.tags ?? []
            next = LinkHeader.next(response.header("Link")).flatMap { URL(string: $0, relativeTo: url)?.absoluteURL }
        }
        return all
    }

    /// The referrers of a manifest (`subject` pointing at `digest`), filtered by artifact type: the referrers API,
    /// or, where the registry does not offer it (404), the tag schema fallback (`sha256-<hex>`).
    public func referrers(of digest: Digest, in reference: ImageReference, artifactType: String? = nil) async throws(RegistryError) -> [Descriptor] {
        let query = artifactType.map { [("artifactType", $0)] } ?? []
        let response = try await send("GET", reference, path: "referrers/\(digest)", query: query, scope: .pull,
                                      headers: [("Accept", MediaType.ociIndex)], expect: [200, 404], what: "referrers of \(digest)")
        var manifests: [Descriptor]
        if response.status == 200 {
            manifests = try ImageIndex.decode(response.body).manifests
        } else {
            let fallback = reference.with(digest: nil).with(tag: "\(digest.algorithm)-\(digest.encoded)")
            guard try await manifestDescriptor(fallback) != nil else { return [] }
            manifests = try ImageIndex.decode(try await manifest(fallback).data).manifests
        }
        if let artifactType { manifests = manifests.filter { $0.artifactType == artifactType } }
        return manifests
    }

    // MARK: - Requests

    enum Access { case pull, push, delete }

    private func manifestTarget(_ reference: ImageReference) throws(RegistryError) -> String {
        if let digest = reference.digest { return digest.description }
        if let tag = reference.tag { return tag }
        throw RegistryError(.invalidReference, "\(reference) names neither a tag nor a digest")
    }

    /// http for loopback and insecure registries, https otherwise.
    func scheme(for reference: ImageReference) -> String {
        reference.isLoopback || options.insecureRegistries.contains(reference.registry) ? "http" : "https"
    }

    func endpoint(_ reference: ImageReference, path: String, query: [(String, String)] = []) throws(RegistryError) -> URL {
        var parts = URLComponents()
        parts.scheme = scheme(for: reference)
        let host = reference.apiHost
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]"), let port = Int(host[host.index(after: colon)...]) {
            parts.host = String(host[..<colon])
            parts.port = port
        } else {
            parts.host = host
        }
        parts.percentEncodedPath = "/v2/\(reference.repository)/\(path)"
        if !query.isEmpty { parts.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        // '+' in a query value (none in digests) and ':' stay as URLComponents encodes them.
        guard let url = parts.url else { throw RegistryError(.invalidReference, "\(reference): cannot form a URL for \(path)") }
        return url
    }

    private func uploadLocation(_ response: HTTPResponse, reference: ImageReference) throws(RegistryError) -> URL {
        guard let text = response.header("Location"), let base = try? endpoint(reference, path: "blobs/uploads/"),
              let url = URL(string: text, relativeTo: base)?.absoluteURL else {
            throw RegistryError(.invalidDocument, "\(reference.registry): an upload answer without a usable Location header")
        }
        try checkScheme(url, reference: reference)
        return url
    }

    /// Credentials never travel over plain HTTP to a host that is neither loopback nor marked insecure.
    private func checkScheme(_ url: URL, reference: ImageReference) throws(RegistryError) {
        guard url.scheme?.lowercased() != "https" else { return }
        let host = url.host ?? ""
        let hostPort = url.port.map { "\(host):\($0)" } ?? host
        let loopback = host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
        guard loopback || options.insecureRegistries.contains(hostPort) || options.insecureRegistries.contains(host) else {
            throw RegistryError(.insecureRefused, "\(reference.registry) sent the client to plain-HTTP \(url.redactedForMessages); only loopback registries and ones marked insecure are spoken to without TLS")
        }
    }

    private func send(_ method: String, _ reference: ImageReference, path: String, query: [(String, String)] = [], scope access: Access,
                      extraScopes: [String] = [], headers: [(String, String)] = [], body: Data? = nil, expect: Set<Int>,
                      retryNotFound: Bool = false, what: String) async throws(RegistryError) -> HTTPResponse {
        let url = try endpoint(reference, path: path, query: query)
        return try await sendTo(url, method, reference, scope: access, extraScopes: extraScopes, headers: headers, body: body, expect: expect,
                                attempts: options.maxAttempts, retryNotFound: retryNotFound, what: what)
    }

    /// Sends with authentication and retries: a 401 is answered once per challenge (basic credentials, or a
    /// bearer token for the scope); transient failures (§15.5) are retried with backoff up to `attempts` times.
    private func sendTo(_ url: URL, _ method: String, _ reference: ImageReference, scope access: Access, extraScopes: [String] = [],
                        headers: [(String, String)], body: Data?, expect: Set<Int>, attempts: Int, retryNotFound: Bool = false,
                        what: String) async throws(RegistryError) -> HTTPResponse {
        let scope = ([Self.scope(reference.repository, access)] + extraScopes).joined(separator: " ")
        var attempt = 1
        var answeredChallenge = false
        while true {
            if Task.isCancelled { throw RegistryError(.cancelled, "\(what): cancelled") }
            var request = HTTPRequest(method: method, url: url, headers: headers.map { (name: $0.0, value: $0.1) } + [("User-Agent", options.userAgent)],
                                      body: body)
            if let authorization = authorization(for: reference, scope: scope) { request.headers.append(("Authorization", authorization)) }
            let response: HTTPResponse
            do {
                statistics.requests += 1
                response = try await transport.send(request)
            } catch let error as RegistryError {
                throw error
            } catch is CancellationError {
                throw RegistryError(.cancelled, "\(what): cancelled")
            } catch {
                let failure = RegistryError(.unavailable, "\(method) \(url.redactedForMessages) (\(what)) failed: \(Self.describe(error))")
                if Task.isCancelled { throw RegistryError(.cancelled, "\(what): cancelled") }
                guard attempt < attempts, TransientFailure.isTransient(status: nil, message: failure.message) else { throw failure }
                try await pause(attempt: attempt, what: what, error: failure)
                attempt += 1
                continue
            }
            if response.status == 401, !answeredChallenge {
                answeredChallenge = true
                try await answerChallenge(response, reference: reference, scope: scope, what: what)
                continue
            }
            if expect.contains(response.status) { return response }
            let failure = Self.failure(response, method: method, url: url, what: what, reference: reference)
            // A 404 is an answer unless the caller waits for a just-pushed digest (eventual consistency).
            let transient = response.status == 404 ? retryNotFound : TransientFailure.isTransient(status: response.status, message: failure.message)
            guard attempt < attempts, transient, failure.code != .unauthorized else { throw failure }
            try await pause(attempt: attempt, what: what, error: failure)
            attempt += 1
        }
    }

    private func pause(attempt: Int, what: String, error: RegistryError) async throws(RegistryError) {
        let wait = options.backoff(attempt)
        statistics.retries += 1
        let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        options.onRetry("\(what) hit a transient registry error (attempt \(attempt)/\(options.maxAttempts)); retrying in \(String(format: "%.1f", seconds))s. Error: \(error.message)")
        do { try await options.sleep(wait) } catch { throw RegistryError(.cancelled, "\(what): cancelled") }
    }

    static func scope(_ repository: String, _ access: Access) -> String {
        switch access {
        case .pull: return "repository:\(repository):pull"
        case .push: return "repository:\(repository):pull,push"
        case .delete: return "repository:\(repository):delete"
        }
    }

    private func authorization(for reference: ImageReference, scope: String) -> String? {
        if let token = tokens["\(reference.registry) \(scope)"] { return "Bearer \(token)" }
        if let credential = basic[reference.registry] {
            return "Basic " + Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()
        }
        return nil
    }

    /// Answers a 401: Basic → the stored credential for the registry; Bearer → a token from the realm for the scope.
    private func answerChallenge(_ response: HTTPResponse, reference: ImageReference, scope: String, what: String) async throws(RegistryError) {
        let challenges = AuthChallenge.parse(response.header("WWW-Authenticate") ?? "")
        let credential = credentials.credential(for: reference.registry, repository: reference.repository)
        if let bearer = challenges.first(where: { $0.scheme.lowercased() == "bearer" }) {
            tokens["\(reference.registry) \(scope)"] = try await fetchToken(bearer, scope: scope, credential: credential, reference: reference)
            return
        }
        if challenges.contains(where: { $0.scheme.lowercased() == "basic" }) {
            guard let credential else {
                throw RegistryError(.unauthorized, "\(reference.registry) needs credentials for \(what), and none are configured for it",
                                    status: 401)
            }
            basic[reference.registry] = credential
            return
        }
        throw RegistryError(.unauthorized, "\(reference.registry) refused \(what) (401) without a Basic or Bearer challenge", status: 401)
    }

    /// The bearer-token flow: GET <realm>?service=…&scope=… (with basic credentials when there are some).
    private func fetchToken(_ challenge: AuthChallenge, scope: String, credential: RegistryCredential?,
                            reference: ImageReference) async throws(RegistryError) -> String {
        guard let realm = challenge.parameters["realm"], var parts = URLComponents(string: realm), parts.scheme != nil else {
            throw RegistryError(.unauthorized, "\(reference.registry) asked for a bearer token without a usable realm", status: 401)
        }
        var items = parts.queryItems ?? []
        if let service = challenge.parameters["service"] { items.append(URLQueryItem(name: "service", value: service)) }
        for part in (challenge.parameters["scope"].map { [$0] } ?? []) + scope.split(separator: " ").map(String.init) {
            if !items.contains(where: { $0.name == "scope" && $0.value == part }) { items.append(URLQueryItem(name: "scope", value: part)) }
        }
        parts.queryItems = items
        guard let url = parts.url else { throw RegistryError(.unauthorized, "\(reference.registry): the token realm is not a URL", status: 401) }
        if credential != nil { try checkScheme(url, reference: reference) }
        var request = HTTPRequest(method: "GET", url: url, headers: [("User-Agent", options.userAgent), ("Accept", "application/json")])
        if let credential {
            request.headers.append(("Authorization", "Basic " + Data("\(credential.username):\(credential.password)".utf8).base64EncodedString()))
        }
        let response: HTTPResponse
        do {
            statistics.requests += 1
            response = try await transport.send(request)
        } catch {
            throw RegistryError(.unavailable, "the token server of \(reference.registry) (\(url.redactedForMessages)) did not answer: \(Self.describe(error))")
        }
        guard response.status == 200 else {
            throw RegistryError(response.status == 401 || response.status == 403 ? .unauthorized : .unexpectedStatus,
                                "the token server of \(reference.registry) refused \(scope) (HTTP \(response.status))" +
                                (credential == nil ? "; no credentials are configured for \(reference.registry)" : "; check the credentials for \(reference.registry)"),
                                status: response.status)
        }
        struct TokenResponse: Decodable { var token: String?; var access_token: String? }
        guard let decoded = try? JSONDecoder().decode(TokenResponse.self, from: response.body), let token = decoded.token ?? decoded.access_token,
              !token.isEmpty else {
            throw RegistryError(.invalidDocument, "the token server of \(reference.registry) answered without a token")
        }
        return token
    }

    /// A failed response as an error: the registry's error codes (`{"errors":[{"code","message"}]}`) when it sent them.
    static func failure(_ response: HTTPResponse, method: String, url: URL, what: String, reference: ImageReference) -> RegistryError {
        struct Errors: Decodable { struct Entry: Decodable { var code: String?; var message: String? }; var errors: [Entry]? }
        let detail = (try? JSONDecoder().decode(Errors.self, from: response.body))?.errors?
            .map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
        let text = "\(method) \(url.redactedForMessages) (\(what)): HTTP \(response.status)" + (detail.map { $0.isEmpty ? "" : " — \($0)" } ?? "")
        switch response.status {
        case 401, 403:
            return RegistryError(.unauthorized, text + "; check the credentials for \(reference.registry)", status: response.status)
        case 404:
            return RegistryError(.notFound, text, status: 404)
        case 429, 500...599:
            return RegistryError(.unavailable, text, status: response.status)
        default:
            return RegistryError(.unexpectedStatus, text, status: response.status)
        }
    }

    static func mediaType(_ response: HTTPResponse) -> String? {
        response.header("Content-Type")?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    static func mediaType(inDocument data: Data) -> String? {
        struct Typed: Decodable { var mediaType: String? }
        return (try? JSONDecoder().decode(Typed.self, from: data))?.mediaType
    }

    /// A transport failure in words the retry policy (reference §15.5) and a user understand.
    static func describe(_ error: any Error) -> String {
        if let error = error as? URLError {
            switch error.code {
            case .cannotConnectToHost: return "connection refused"
            case .networkConnectionLost: return "connection reset (the registry closed the connection)"
            case .timedOut: return "timed out"
            case .cannotFindHost, .dnsLookupFailed: return "cannot find the host (DNS)"
            case .notConnectedToInternet: return "no network"
            case .badServerResponse: return "bad server response (unexpected EOF)"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
                 .serverCertificateHasUnknownRoot, .clientCertificateRejected:
                return "TLS failed (\(error.code.rawValue)); a registry without TLS must be marked insecure"
            default: break
            }
        }
        let text = (error as NSError).localizedDescription
        return text.isEmpty ? String(describing: error) : text
    }
}

extension URL {
    /// The URL with `name=value` added to its query (upload locations carry their own state parameters).
    func appendingQuery(_ name: String, _ value: String) -> URL {
        guard var parts = URLComponents(url: self, resolvingAgainstBaseURL: true) else { return self }
        parts.queryItems = (parts.queryItems ?? []) + [URLQueryItem(name: name, value: value)]
        // A digest's ':' is fine in a query; '+' would not be, and none occurs.
        return parts.url ?? self
    }
}
