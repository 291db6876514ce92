// A client of the OCI distribution API: manifests and indexes, blobs (monolithic, chunked, cross-repository
// mount), tags with pagination, referrers and deletes; authentication (anonymous, basic, the bearer-token flow
// a WWW-Authenticate challenge starts); retries with backoff on transient failures; plain HTTP only where
// allowed. It knows nothing about bakery. This file holds the client's state, manifests, tags and the request loop;
// blobs and uploads are in RegistryClient+Blobs.swift, authentication in +Auth.swift, copies and indexes in +Copy.swift.
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
    /// The current time (tests move it to expire tokens).
    public var now: @Sendable () -> Date = { Date() }
    /// Sent as User-Agent.
    public var userAgent = "bakery-oci-registry"
    /// Blobs larger than this many bytes are copied between registries through a temporary file, never whole in
    /// memory; smaller ones are held in memory.
    public var streamingThreshold: Int64 = 8 * 1024 * 1024
    /// The PATCH chunk size of uploads from a file (also the most bytes of it in memory at a time).
    public var streamingChunkSize = 8 * 1024 * 1024
    /// Where copies make their private temporary folders (nil: the system's, `TMPDIR`).
    public var temporaryDirectory: URL?

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
public actor RegistryClient: CustomReflectable {
    public let options: RegistryClientOptions
    let credentials: CredentialStore
    let transport: any HTTPTransport
    /// "<registry> <scope>" → bearer token, with the challenge that led to it (to renew it before it expires).
    var tokens: [String: BearerToken] = [:]
    /// Token fetches in flight, by token key, with the requests waiting for them.
    var tokenFetches: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]
    /// registry → credential known to be asked for by Basic.
    var basic: [String: RegistryCredential] = [:]
    /// Every secret this client has sent or received (passwords, identity tokens, Basic values, bearer tokens):
    /// text from a registry or a transport passes `redact` before it reaches an error or a retry line.
    var secrets: Set<String> = []
    public internal(set) var statistics = RegistryStatistics()

    /// The largest manifest or index read (distribution spec: registries should accept manifests of at least
    /// 4 MiB, and clients should not push larger ones). A registry sending more is cut off while reading.
    public static let maximumManifestSize = 4 * 1024 * 1024
    /// The largest tag-list page, referrers index, upload answer or error body read.
    static let maximumDocumentSize = 16 * 1024 * 1024

    public init(credentials: CredentialStore, options: RegistryClientOptions = RegistryClientOptions(),
                transport: any HTTPTransport = URLSessionTransport()) {
        self.credentials = credentials
        self.options = options
        self.transport = transport
    }

    /// `dump` and reflection see the options and the credential store (which redacts itself), never the tokens.
    public nonisolated var customMirror: Mirror {
        Mirror(self, children: ["options.insecureRegistries": options.insecureRegistries, "credentials": credentials.description],
               displayStyle: .class)
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

    /// GET a manifest or index (at most `maximumManifestSize` bytes). `retryNotFound` also retries 404 (a
    /// just-pushed digest a registry has not made visible yet: eventual consistency).
    public func manifest(_ reference: ImageReference, retryNotFound: Bool = false) async throws(RegistryError) -> FetchedManifest {
        let target = try manifestTarget(reference)
        let response = try await send("GET", reference, path: "manifests/\(target)", scope: .pull,
                                      headers: [("Accept", MediaType.manifestAccept.joined(separator: ", "))],
                                      expect: [200], retryNotFound: retryNotFound, limit: Self.maximumManifestSize, what: "manifest \(reference)")
        guard response.body.count <= Self.maximumManifestSize else { throw Self.manifestTooLarge(reference) }
        let digest = Digest.sha256(of: response.body)
        if let wanted = reference.digest, !wanted.verifies(response.body) {
            throw RegistryError(.digestMismatch, "\(reference): the registry sent a manifest whose digest is \(digest), not \(wanted)")
        }
        if let announced = response.header("Docker-Content-Digest"), let parsed = try? Digest(parsing: announced),
           parsed.algorithm == "sha256", parsed != digest {
            throw RegistryError(.digestMismatch, "\(reference): the manifest's bytes hash to \(digest), the registry announced \(parsed)")
        }
        return FetchedManifest(data: response.body, mediaType: Self.mediaType(of: response), digest: digest)
    }

    /// HEAD a manifest: its descriptor, or nil when the registry does not have it. When the answer lacks the
    /// digest or the size, the manifest is fetched to know them (a descriptor never says size 0 for "unknown").
    public func manifestDescriptor(_ reference: ImageReference, retryNotFound: Bool = false) async throws(RegistryError) -> Descriptor? {
        let target = try manifestTarget(reference)
        let response = try await send("HEAD", reference, path: "manifests/\(target)", scope: .pull,
                                      headers: [("Accept", MediaType.manifestAccept.joined(separator: ", "))],
                                      expect: retryNotFound ? [200] : [200, 404], retryNotFound: retryNotFound, what: "manifest \(reference)")
        guard response.status == 200 else { return nil }
        let announced = response.header("Docker-Content-Digest").flatMap { try? Digest(parsing: $0) }
        if let announced, let wanted = reference.digest, announced != wanted {
            throw RegistryError(.digestMismatch, "\(reference): the registry answered for the manifest \(announced)")
        }
        guard let digest = announced, let size = response.header("Content-Length").flatMap({ Int64($0) }), size > 0,
              let mediaType = Self.mediaType(response).flatMap({ MediaType.isIndex($0) || MediaType.isManifest($0) ? $0 : nil }) else {
            return try await manifest(reference).descriptor
        }
        return Descriptor(mediaType: mediaType, digest: digest, size: size)
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
                                      headers: [("Content-Type", mediaType)], body: data, expect: Self.success, what: "manifest \(reference)")
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
        _ = try await send("DELETE", reference, path: "manifests/\(digest)", scope: .delete, expect: Self.success, what: "manifest \(reference)")
    }

    static func manifestTooLarge(_ reference: ImageReference) -> RegistryError {
        RegistryError(.invalidDocument, "\(reference): the registry sent a manifest larger than 4 MiB (\(maximumManifestSize) bytes), the most "
                      + "the distribution spec asks registries to accept; it was not read")
    }

    // MARK: - Tags and referrers

    /// Every tag of the repository, following `Link` pagination (`pageSize` per page); empty when the
    /// repository has none or does not exist. A next link that repeats a page already read is an error (it
    /// would never end), and so is one that leaves TLS.
    public func tags(_ reference: ImageReference, pageSize: Int = 100) async throws(RegistryError) -> [String] {
        var all: [String] = []
        var next: URL? = try endpoint(reference, path: "tags/list", query: [("n", String(pageSize))])
        var visited = Set<String>()
        while let url = next {
            guard visited.insert(url.absoluteString).inserted else {
                throw RegistryError(.invalidDocument, "\(reference.registry)/\(reference.repository): the tag list links to \(url.redactedForMessages) "
                                    + "again after \(visited.count) pages; the registry's pagination loops")
            }
            guard visited.count <= 10_000 else {
                throw RegistryError(.invalidDocument, "\(reference.registry)/\(reference.repository): the tag list does not end (10,000 pages)")
            }
            try checkScheme(url, reference: reference)
            let response = try await sendTo(url, "GET", reference, scope: .pull, headers: [("Accept", "application/json")], body: nil,
                                            expect: [200, 404], attempts: options.maxAttempts, what: "tags of \(reference.repository)")
            if response.status == 404 { return all }
            struct TagList: Decodable { var tags: [String]? }
            guard let page = try? JSONDecoder().decode(TagList.self, from: response.body) else {
                throw RegistryError(.invalidDocument, "\(reference.registry)/\(reference.repository): the tag list is not {\"name\", \"tags\"} JSON")
            }
            all += page.tags ?? []
            next = LinkHeader.next(response.header("Link"), relativeTo: url)
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

    /// Statuses that mean success for a write whose answer carries nothing more (registries differ: 200, 201, 202, 204).
    static let success: Set<Int> = [200, 201, 202, 204]

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

    /// Whether `url` is on the registry's own API host and port (where its credentials may go).
    func isRegistryOrigin(_ url: URL, of reference: ImageReference) -> Bool {
        guard let base = try? endpoint(reference, path: "") else { return false }
        func origin(_ url: URL) -> String {
            let scheme = url.scheme?.lowercased() ?? ""
            let host = (url.host ?? "").lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            return "\(scheme)://\(host):\(url.port ?? (scheme == "https" ? 443 : 80))"
        }
        return origin(url) == origin(base)
    }

    /// Credentials never travel over plain HTTP to a host that is neither loopback nor marked insecure.
    func checkScheme(_ url: URL, reference: ImageReference) throws(RegistryError) {
        guard url.scheme?.lowercased() != "https" else { return }
        let host = url.host ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        let hostPort = url.port.map { "\(bracketed):\($0)" } ?? bracketed
        guard ImageReference.isLoopbackHost(bracketed) || options.insecureRegistries.contains(hostPort) || options.insecureRegistries.contains(bracketed) else {
            throw RegistryError(.insecureRefused, "\(reference.registry) sent the client to plain-HTTP \(url.redactedForMessages); only loopback registries and ones marked insecure are spoken to without TLS")
        }
    }

    func send(_ method: String, _ reference: ImageReference, path: String, query: [(String, String)] = [], scope access: Access,
              extraScopes: [String] = [], headers: [(String, String)] = [], body: Data? = nil, expect: Set<Int>,
              retryNotFound: Bool = false, limit: Int? = maximumDocumentSize, streamingTo writer: BlobWriter? = nil,
              what: String) async throws(RegistryError) -> HTTPResponse {
        let url = try endpoint(reference, path: path, query: query)
        return try await sendTo(url, method, reference, scope: access, extraScopes: extraScopes, headers: headers, body: body, expect: expect,
                                attempts: options.maxAttempts, retryNotFound: retryNotFound, limit: limit, streamingTo: writer, what: what)
    }

    /// Sends with authentication and retries: a 401 is answered once per call (basic credentials, or a bearer
    /// token for the scope; an expired token is renewed before it is sent); transient failures (§15.5) are
    /// retried with backoff up to `attempts` times. Credentials go only to the registry's own host and port;
    /// a body is read up to `limit` bytes. With `writer`, a success body goes to it as it arrives (emptied before
    /// every attempt, so a retried download starts again) instead of into the response.
    func sendTo(_ url: URL, _ method: String, _ reference: ImageReference, scope access: Access, extraScopes: [String] = [],
                headers: [(String, String)], body: Data?, expect: Set<Int>, attempts: Int, retryNotFound: Bool = false,
                limit: Int? = maximumDocumentSize, streamingTo writer: BlobWriter? = nil, what: String) async throws(RegistryError) -> HTTPResponse {
        let scope = ([Self.scope(reference.repository, access)] + extraScopes).joined(separator: " ")
        let ownHost = isRegistryOrigin(url, of: reference)
        var attempt = 1
        var answeredChallenge = false
        while true {
            if Task.isCancelled { throw RegistryError(.cancelled, "\(what): cancelled") }
            var request = HTTPRequest(method: method, url: url, headers: headers.map { (name: $0.0, value: $0.1) } + [("User-Agent", options.userAgent)],
                                      body: body, maximumResponseSize: limit)
            var sentAuthorization: String?
            if ownHost {
                await renewExpiringToken(for: reference, scope: scope)
                sentAuthorization = authorization(for: reference, scope: scope)
                if let sentAuthorization { request.headers.append(("Authorization", sentAuthorization)) }
            }
            let response: HTTPResponse
            do {
                statistics.requests += 1
                if let writer {
                    try writer.reset()
                    response = try await transport.send(request, streamingBodyTo: { try writer.write($0) })
                } else {
                    response = try await transport.send(request)
                }
            } catch let error as RegistryError {
                throw error
            } catch let error as FileSink.Failure {
                throw RegistryError(.localFile, "\(what): \(error.description); free some space or set TMPDIR to a writable folder")
            } catch is CancellationError {
                throw RegistryError(.cancelled, "\(what): cancelled")
            } catch let error as ResponseTooLarge {
                throw RegistryError(.invalidDocument, "\(method) \(url.redactedForMessages) (\(what)): the registry sent more than \(error.limit) bytes, "
                                    + "the most read for this answer; it was not read")
            } catch {
                let failure = RegistryError(.unavailable, "\(method) \(url.redactedForMessages) (\(what)) failed: \(redact(Self.describe(error)))")
                if Task.isCancelled { throw RegistryError(.cancelled, "\(what): cancelled") }
                guard attempt < attempts, TransientFailure.isTransient(status: nil, message: failure.message) else { throw failure }
                try await pause(attempt: attempt, what: what, error: failure)
                attempt += 1
                continue
            }
            if response.status == 401, ownHost, !answeredChallenge {
                answeredChallenge = true
                try await answerChallenge(response, reference: reference, scope: scope, sent: sentAuthorization, what: what)
                continue
            }
            if expect.contains(response.status) { return response }
            let failure = failure(response, method: method, url: url, what: what, reference: reference)
            // A 404 is an answer unless the caller waits for a just-pushed digest (eventual consistency).
            let transient = response.status == 404 ? retryNotFound : TransientFailure.isTransient(status: response.status, message: failure.message)
            guard attempt < attempts, transient, failure.code != .unauthorized else { throw failure }
            try await pause(attempt: attempt, what: what, error: failure)
            attempt += 1
        }
    }

    func pause(attempt: Int, what: String, error: RegistryError) async throws(RegistryError) {
        let wait = options.backoff(attempt)
        statistics.retries += 1
        let seconds = Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18
        options.onRetry(redact("\(what) hit a transient registry error (attempt \(attempt)/\(options.maxAttempts)); retrying in \(String(format: "%.1f", seconds))s. Error: \(error.message)"))
        do { try await options.sleep(wait) } catch { throw RegistryError(.cancelled, "\(what): cancelled") }
    }

    static func scope(_ repository: String, _ access: Access) -> String {
        switch access {
        case .pull: return "repository:\(repository):pull"
        case .push: return "repository:\(repository):pull,push"
        case .delete: return "repository:\(repository):delete"
        }
    }

    /// A failed response as an error: the registry's error codes (`{"errors":[{"code","message"}]}`) when it sent
    /// them, with every secret this client knows redacted (a hostile registry may echo the Authorization header).
    func failure(_ response: HTTPResponse, method: String, url: URL, what: String, reference: ImageReference) -> RegistryError {
        struct Errors: Decodable { struct Entry: Decodable { var code: String?; var message: String? }; var errors: [Entry]? }
        let detail = (try? JSONDecoder().decode(Errors.self, from: response.body))?.errors?
            .map { [$0.code, $0.message].compactMap { $0 }.joined(separator: ": ") }.joined(separator: "; ")
        let text = "\(method) \(url.redactedForMessages) (\(what)): HTTP \(response.status)" + (detail.map { $0.isEmpty ? "" : " — \(redact($0))" } ?? "")
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

    /// The media type of a fetched manifest: the document's own `mediaType` (the spec requires it to equal the
    /// Content-Type when present), else a Content-Type naming a manifest or index, else what the document's shape
    /// says (`manifests` → OCI index, otherwise OCI manifest). Registries that answer `application/json` or
    /// `text/plain` are thereby read right, and a copy pushes the type the document really has.
    static func mediaType(of response: HTTPResponse) -> String {
        struct Shape: Decodable { var mediaType: String?; var manifests: [AnyDecodable]?; var config: AnyDecodable? }
        struct AnyDecodable: Decodable { init(from decoder: any Decoder) throws {} }
        let shape = try? JSONDecoder().decode(Shape.self, from: response.body)
        if let declared = shape?.mediaType, !declared.isEmpty { return declared }
        if let header = mediaType(response), MediaType.isIndex(header) || MediaType.isManifest(header) { return header }
        if shape?.manifests != nil { return MediaType.ociIndex }
        if shape?.config != nil { return MediaType.ociManifest }
        return mediaType(response) ?? MediaType.ociManifest
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
    /// The URL with `name=value` added to its query, the query it had kept byte for byte: upload locations carry
    /// state the registry signed or encoded (`_state=…%2B…%3D`), and decoding and re-encoding it would turn `%2B`
    /// into `+`, which the registry reads as a space.
    func appendingQuery(_ name: String, _ value: String) -> URL {
        guard var parts = URLComponents(url: self, resolvingAgainstBaseURL: true) else { return self }
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:")
        let pair = "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value)"
        parts.percentEncodedQuery = parts.percentEncodedQuery.map { $0.isEmpty ? pair : "\($0)&\(pair)" } ?? pair
        return parts.url ?? self
    }
}
