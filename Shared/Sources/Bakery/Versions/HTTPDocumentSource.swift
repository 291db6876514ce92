// Version documents over HTTP: one client (timeouts, retries with backoff, a user agent, a size cap), an on-disk
// cache with a freshness window and conditional revalidation, an offline mode, and a mirror for air-gapped runs
// and tests. What to fetch is the version sources' business; how, and whether the network is used at all, is this
// file's.
import Foundation
import Logging
import OCIRegistry

/// A `DocumentSource` that reads version documents over HTTP through `URLSessionTransport`, keeping them in a
/// `DocumentCache`.
///
///     let source = try HTTPDocumentSource.fromEnvironment(ProcessInfo.processInfo.environment, logger: logger)
///     let data = try source.document(URL(string: "https://cdn.posit.co/r/versions.json")!)
///     let fetched = try await source.fetch(url)          // .body, and .origin: network, cache, revalidated, stale
///
/// A document fetched less than `freshness` ago is read from the cache with no request. After that, the cached
/// copy's ETag / Last-Modified go out as `If-None-Match` / `If-Modified-Since`; a 304 renews it. When the network
/// fails (after the retries: no connection, timeouts, 5xx, 429), a cached copy of any age is used, with a warning;
/// a 4xx answer is reported instead (the document moved or is refused, which an old copy would hide), and so is an
/// answer over the size cap. Offline, only the cache is read.
///
/// HEAD probes (`exists`) are never stored on disk: they ask whether an artifact is there now (a daily build
/// appears, a pulled one disappears), which a remembered answer cannot tell. Within one source (one bakery run),
/// every answer, document or probe, failure included, is remembered, so a run reads each document once and sees
/// one version of it throughout, and a dead URL costs its retries once.
public struct HTTPDocumentSource: DocumentSource {
    /// How documents are fetched and kept. The defaults are the ones `fromEnvironment` starts from.
    public struct Configuration: Sendable {
        /// Where the documents are cached (created with mode 0700 when first written).
        public var cacheFolder: URL
        /// How long after a fetch a cached document is used without asking the server (seconds; 0: always ask).
        public var freshness: TimeInterval = HTTPDocumentSource.defaultFreshness
        /// Cache only: never the network.
        public var offline = false
        /// When set, `https://HOST/PATH` is fetched as `<mirror>/HOST/PATH` (see `mirrored(_:through:)`).
        public var mirror: URL?
        /// Seconds to connect, and at most between two reads of a response (URLSession's request timeout).
        public var connectTimeout: TimeInterval = 15
        /// Seconds one attempt may take, start to end of the body.
        public var overallTimeout: TimeInterval = 120
        /// Attempts per request: transient failures (5xx, 408, 429, refused or dropped connections, timeouts) are
        /// retried until this many have been made.
        public var attempts = 4
        /// The wait after the first failed attempt, doubled after each further one, and its cap. A `Retry-After`
        /// of whole seconds from the server replaces it (up to the cap).
        public var initialBackoff: Duration = .seconds(1)
        public var maximumBackoff: Duration = .seconds(8)
        /// The largest document read, in bytes. Version documents are small (the largest, uv's download
        /// metadata, is a few megabytes); anything far bigger is not one (a portal page, a wrong mirror path).
        public var maximumDocumentSize = 32 * 1024 * 1024

        public init(cacheFolder: URL) { self.cacheFolder = cacheFolder }
    }

    /// Where a document came from.
    public enum Origin: String, Sendable, Equatable {
        /// A 200 answer (stored in the cache).
        case network
        /// The cache, without a request: fresh, or offline.
        case cache
        /// The cache, after the server answered 304 Not Modified.
        case revalidated
        /// The cache, past its freshness, because the network failed (a warning says so).
        case stale
    }

    /// A document and where it came from.
    public struct Fetched: Sendable, Equatable {
        public var body: Data
        public var origin: Origin

        public init(body: Data, origin: Origin) {
            self.body = body
            self.origin = origin
        }
    }

    /// One hour: version lists change a few times a day at most, and a run usually reads each document many times.
    public static let defaultFreshness: TimeInterval = 3600
    /// The User-Agent of every request.
    public static let userAgent = "bakery/\(BakeryVersion.current)"

    public let configuration: Configuration
    public let cache: DocumentCache
    private let transport: any HTTPTransport
    private let logger: Logger
    private let memory = Memory()

    /// A source with `configuration`; `transport` defaults to a `URLSessionTransport` with the connect timeout.
    public init(configuration: Configuration, logger: Logger, transport: (any HTTPTransport)? = nil) {
        self.configuration = configuration
        self.cache = DocumentCache(folder: configuration.cacheFolder)
        self.transport = transport ?? URLSessionTransport(timeout: configuration.connectTimeout)
        self.logger = logger
    }

    // MARK: DocumentSource

    public func document(_ url: URL) throws(BakeryError) -> Data {
        try Blocking.wait { () async throws(BakeryError) -> Data in try await fetch(url).body }
    }

    public func exists(_ url: URL) throws(BakeryError) -> Bool {
        try Blocking.wait { () async throws(BakeryError) -> Bool in try await probe(url) }
    }

    // MARK: Fetching

    /// The document at `url` and where it came from.
    public func fetch(_ url: URL) async throws(BakeryError) -> Fetched {
        if let known = memory.document(url) {
            logger.debug("GET \(url.absoluteString): already read in this run")
            return try known.get()
        }
        let result = await load(url)
        memory.remember(url, result)
        return try result.get()
    }

    /// Whether `url` exists: a HEAD request; 2xx is true, 404 and 410 false, anything else an error.
    public func probe(_ url: URL) async throws(BakeryError) -> Bool {
        if let known = memory.probe(url) { return try known.get() }
        let result = await head(url)
        memory.remember(url, result)
        return try result.get()
    }

    private func load(_ url: URL) async -> Result<Fetched, BakeryError> {
        var cached: DocumentCache.Entry?
        switch cache.lookup(url) {
        case .success(let entry): cached = entry
        case .failure(.absent): break
        case .failure(.unreadable(let reason)):
            logger.debug("GET \(url.absoluteString): ignoring its cache entry (\(reason)); fetching it again")
        }

        if configuration.offline {
            guard let cached else { return .failure(offlineMiss(url)) }
            logger.debug("GET \(url.absoluteString): cache (offline; fetched \(age(of: cached)))")
            return .success(Fetched(body: cached.body, origin: .cache))
        }
        if let cached, isFresh(cached) {
            logger.debug("GET \(url.absoluteString): cache (fetched \(age(of: cached)))")
            return .success(Fetched(body: cached.body, origin: .cache))
        }

        var headers = baseHeaders
        if let etag = cached?.etag { headers.append((name: "If-None-Match", value: etag)) }
        if let lastModified = cached?.lastModified { headers.append((name: "If-Modified-Since", value: lastModified)) }
        let target = address(of: url)
        let request = HTTPRequest(method: "GET", url: target, headers: headers, maximumResponseSize: configuration.maximumDocumentSize)

        let outcome = await exchange(request, for: url)
        if case .success(let response) = outcome, response.status == 304, var entry = cached {
            entry.fetchedAt = Date()
            if let etag = response.header("ETag") { entry.etag = etag }
            if let lastModified = response.header("Last-Modified") { entry.lastModified = lastModified }
            keep { () throws(BakeryError) in try cache.touch(entry) }
            logger.debug("GET \(url.absoluteString): revalidated\(via(target)) (304, \(entry.body.count) bytes from the cache)")
            return .success(Fetched(body: entry.body, origin: .revalidated))
        }
        switch outcome {
        case .success(let response) where response.status == 200:
            let entry = DocumentCache.Entry(url: url, body: response.body, etag: response.header("ETag"),
                                            lastModified: response.header("Last-Modified"), fetchedAt: Date())
            keep { () throws(BakeryError) in try cache.store(entry) }
            logger.debug("GET \(url.absoluteString): network\(via(target)) (200, \(response.body.count) bytes)")
            return .success(Fetched(body: response.body, origin: .network))
        case .success(let response):
            let error = statusError(url, target: target, method: "GET", status: response.status)
            if Self.isTransient(status: response.status), let cached { return .success(stale(cached, because: error)) }
            return .failure(error)
        case .failure(let failure):
            let error = transportError(url, target: target, failure)
            if case .tooLarge = failure { return .failure(error) }
            if let cached { return .success(stale(cached, because: error)) }
            return .failure(error)
        }
    }

    private func head(_ url: URL) async -> Result<Bool, BakeryError> {
        if configuration.offline {
            return .failure(BakeryError(.versionResolution,
                "cannot check whether \(url.absoluteString) exists: bakery is offline (--offline or BAKERY_OFFLINE), and availability checks are not cached",
                hint: "run without --offline (a mirror set with BAKERY_SOURCES_MIRROR will do), or leave the version out of --dev-spec"))
        }
        let target = address(of: url)
        let request = HTTPRequest(method: "HEAD", url: target, headers: baseHeaders, maximumResponseSize: configuration.maximumDocumentSize)
        switch await exchange(request, for: url) {
        case .success(let response):
            logger.debug("HEAD \(url.absoluteString): network\(via(target)) (\(response.status))")
            if (200...299).contains(response.status) { return .success(true) }
            if response.status == 404 || response.status == 410 { return .success(false) }
            return .failure(statusError(url, target: target, method: "HEAD", status: response.status))
        case .failure(let failure):
            return .failure(transportError(url, target: target, failure))
        }
    }

    private var baseHeaders: [(name: String, value: String)] {
        [(name: "User-Agent", value: Self.userAgent), (name: "Accept", value: "*/*")]
    }

    private func isFresh(_ entry: DocumentCache.Entry) -> Bool {
        let age = Date().timeIntervalSince(entry.fetchedAt)
        return age >= 0 && age < configuration.freshness   // a fetched-at in the future (clock change) is not trusted
    }

    private func age(of entry: DocumentCache.Entry) -> String {
        "\(Int(Date().timeIntervalSince(entry.fetchedAt).rounded())) s ago"
    }

    private func stale(_ entry: DocumentCache.Entry, because error: BakeryError) -> Fetched {
        logger.warning("Using the cached copy of \(entry.url.absoluteString) fetched \(age(of: entry)): \(error.message)")
        return Fetched(body: entry.body, origin: .stale)
    }

    /// Runs a cache write; a failure costs the cache, not the run (warned about once per source).
    private func keep(_ write: () throws(BakeryError) -> Void) {
        do { try write() } catch {
            if memory.firstCacheFailure() {
                logger.warning("Cannot cache version documents: \(error.message)\(error.hint.map { " (\($0))" } ?? "")")
            }
        }
    }

    // MARK: The mirror

    /// Where `url` is fetched from: itself, or its mirrored address.
    public func address(of url: URL) -> URL {
        guard let mirror = configuration.mirror else { return url }
        return Self.mirrored(url, through: mirror)
    }

    /// `https://HOST[:PORT]/PATH[?QUERY]` as `<base>/HOST[:PORT]/PATH[?QUERY]` (plain `http` URLs too, so a mirror
    /// really holds everything); other URLs are returned unchanged.
    ///
    ///     mirrored(https://cdn.posit.co/r/versions.json, through: http://127.0.0.1:8000/m)
    ///         == http://127.0.0.1:8000/m/cdn.posit.co/r/versions.json
    public static func mirrored(_ url: URL, through base: URL) -> URL {
        guard let parts = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = parts.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = parts.host, !host.isEmpty else { return url }
        var text = base.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        text += "/" + host.lowercased() + (parts.port.map { ":\($0)" } ?? "")
        let path = parts.percentEncodedPath
        text += path.isEmpty ? "/" : (path.hasPrefix("/") ? path : "/" + path)
        if let query = parts.percentEncodedQuery { text += "?" + query }
        return URL(string: text) ?? url
    }

    private func via(_ target: URL) -> String {
        configuration.mirror == nil ? "" : " via \(Self.shown(target))"
    }

    /// A URL for messages: without user info (a mirror's address may carry credentials).
    static func shown(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false), parts.user != nil || parts.password != nil else {
            return url.absoluteString
        }
        parts.user = nil
        parts.password = nil
        return parts.string ?? url.absoluteString
    }

    // MARK: Requests, retries and timeouts

    /// Why no response came back.
    enum TransportFailure: Error, Sendable {
        case tooLarge(limit: Int)
        case timedOut(seconds: TimeInterval)
        case cancelled
        /// No answer: the reason in words, and whether a retry cannot help (a name that does not resolve, no
        /// network at all, a refused certificate, an unsupported URL).
        case unreachable(String, permanent: Bool)
    }

    /// Sends `request`, retrying transient failures with backoff; the last response (any status) or failure.
    private func exchange(_ request: HTTPRequest, for url: URL) async -> Result<HTTPResponse, TransportFailure> {
        let attempts = max(configuration.attempts, 1)
        for attempt in 1...attempts {
            let outcome = await sendOnce(request)
            let retryAfter: Duration?
            switch outcome {
            case .success(let response):
                guard Self.isTransient(status: response.status), attempt < attempts else { return outcome }
                retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { .seconds($0) }
                logger.debug("\(request.method) \(url.absoluteString): HTTP \(response.status) (attempt \(attempt) of \(attempts)); retrying")
            case .failure(let failure):
                guard Self.isTransient(failure), attempt < attempts else { return outcome }
                retryAfter = nil
                logger.debug("\(request.method) \(url.absoluteString): \(Self.describe(failure)) (attempt \(attempt) of \(attempts)); retrying")
            }
            let wait = min(retryAfter ?? backoff(after: attempt), configuration.maximumBackoff)
            do { try await Task.sleep(for: wait) } catch { return .failure(.cancelled) }
        }
        return .failure(.cancelled)   // not reached: the last attempt returns above
    }

    /// The wait after failed attempt `attempt` (1-based): the initial backoff doubled attempt − 1 times, capped.
    func backoff(after attempt: Int) -> Duration {
        var wait = configuration.initialBackoff
        for _ in 1..<max(attempt, 1) where wait < configuration.maximumBackoff { wait *= 2 }
        return min(wait, configuration.maximumBackoff)
    }

    /// One attempt, bounded by the overall timeout (the transport's own timeout bounds connecting and each read).
    private func sendOnce(_ request: HTTPRequest) async -> Result<HTTPResponse, TransportFailure> {
        let transport = self.transport
        let limit = configuration.overallTimeout
        let outcome: Result<HTTPResponse, TransportFailure>? = await withTaskGroup(of: Result<HTTPResponse, TransportFailure>?.self) { group in
            group.addTask {
                do {
                    return .success(try await transport.send(request))
                } catch let error as ResponseTooLarge {
                    return .failure(.tooLarge(limit: error.limit))
                } catch is CancellationError {
                    return .failure(.cancelled)
                } catch {
                    return .failure(Self.classify(error))
                }
            }
            group.addTask {
                do { try await Task.sleep(for: .seconds(limit)) } catch { return nil }
                return .failure(.timedOut(seconds: limit))
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        return outcome ?? .failure(.cancelled)
    }

    /// A transport error as a failure to report: URLSession's codes named in words.
    static func classify(_ error: any Error) -> TransportFailure {
        if let error = error as? URLError {
            switch error.code {
            case .timedOut: return .timedOut(seconds: 0)
            case .cancelled: return .cancelled
            default: return .unreachable(URLErrorWording.describe(error), permanent: URLErrorWording.isPermanent(error))
            }
        }
        return .unreachable("\(error)", permanent: false)
    }

    /// Whether an HTTP status is worth another attempt: the server is failing or asking us to slow down.
    static func isTransient(status: Int) -> Bool {
        (500...599).contains(status) || status == 429 || status == 408
    }

    /// Whether a transport failure is worth another attempt: timeouts, refused or dropped connections. An answer
    /// over the size limit, a name that does not resolve, no network at all or a bad certificate will not change
    /// in a few seconds.
    static func isTransient(_ failure: TransportFailure) -> Bool {
        switch failure {
        case .tooLarge, .cancelled: return false
        case .timedOut: return true
        case .unreachable(_, let permanent): return !permanent
        }
    }

    static func describe(_ failure: TransportFailure) -> String {
        switch failure {
        case .tooLarge(let limit): return "the answer is larger than the \(limit)-byte limit for version documents"
        case .timedOut(let seconds): return seconds > 0 ? "no complete answer within \(String(format: "%g", seconds)) s" : "the connection timed out"
        case .cancelled: return "the request was cancelled"
        case .unreachable(let reason, _): return reason
        }
    }

    // MARK: Errors

    /// " (after N attempts)" when retries were made.
    private var attemptsMade: String {
        configuration.attempts > 1 ? " (after \(configuration.attempts) attempts)" : ""
    }

    private func offlineMiss(_ url: URL) -> BakeryError {
        BakeryError(.versionResolution,
            "bakery is offline (--offline or BAKERY_OFFLINE) and \(url.absoluteString) is not in the cache (\(cache.folder.path))",
            hint: "run the same command once without --offline to fill the cache, or set BAKERY_SOURCES_MIRROR to a mirror "
                + "that serves it as <mirror>/\(url.host ?? "HOST")\(url.path)")
    }

    private func statusError(_ url: URL, target: URL, method: String, status: Int) -> BakeryError {
        let tries = Self.isTransient(status: status) ? attemptsMade : ""
        let hint: String
        switch status {
        case 404, 410: hint = configuration.mirror == nil ? "the document may have moved; check the URL"
                                                           : "the mirror does not hold this document; copy it there"
        case 401, 403: hint = "the server refuses bakery; check proxies and the mirror's access rules"
        default: hint = Self.isTransient(status: status) ? "the server is failing; try again later, or run with --offline to use the cache"
                                                         : "the server refused the request"
        }
        return BakeryError(.versionResolution, "\(method) \(url.absoluteString)\(via(target)) answered HTTP \(status)\(tries)", hint: hint)
    }

    private func transportError(_ url: URL, target: URL, _ failure: TransportFailure) -> BakeryError {
        let tries = Self.isTransient(failure) ? attemptsMade : ""
        let hint: String
        if case .tooLarge = failure {
            hint = "nothing was cached; check the URL\(configuration.mirror == nil ? "" : " and the mirror's copy")"
        } else {
            hint = "check the network connection\(configuration.mirror == nil ? "" : " and the mirror (BAKERY_SOURCES_MIRROR)"); "
                + "without a network, fill the cache once while online and run with --offline, or serve the documents from a mirror"
        }
        return BakeryError(.versionResolution, "cannot fetch \(url.absoluteString)\(via(target)): \(Self.describe(failure))\(tries)", hint: hint)
    }
}

// MARK: Configuration from the environment

extension HTTPDocumentSource {
    /// A source configured by the environment:
    /// - `BAKERY_CACHE_DIR` (else `$XDG_CACHE_HOME/bakery`, else `~/.cache/bakery`): the cache; documents go in its
    ///   `http` folder;
    /// - `BAKERY_CACHE_TTL`: the freshness window in whole seconds (default 3600). `BAKERY_CACHE_EXPIRE_AFTER`, the
    ///   name posit-bakery reads, is honoured when `BAKERY_CACHE_TTL` is unset (an invalid value: a warning and the
    ///   default, as there);
    /// - `BAKERY_OFFLINE` (`1`/`true`/`yes`, or `0`/`false`/`no`/empty): the cache only;
    /// - `BAKERY_SOURCES_MIRROR`: a base URL every source URL is fetched through: https, or http on a loopback host.
    public static func fromEnvironment(_ env: [String: String], logger: Logger) throws(BakeryError) -> HTTPDocumentSource {
        var configuration = Configuration(cacheFolder: cacheRoot(env).appendingPathComponent("http", isDirectory: true))
        configuration.offline = try flag(env, "BAKERY_OFFLINE")
        if let text = env["BAKERY_CACHE_TTL"] {
            guard let seconds = seconds(text) else {
                throw BakeryError(.invalidArgument, "BAKERY_CACHE_TTL is '\(text)', not a number of seconds",
                                  hint: "set it to a whole number of seconds (0 revalidates every document; the default is 3600), or unset it")
            }
            configuration.freshness = seconds
        } else if let text = env["BAKERY_CACHE_EXPIRE_AFTER"] {
            if let seconds = seconds(text) {
                configuration.freshness = seconds
            } else {
                logger.warning("BAKERY_CACHE_EXPIRE_AFTER is '\(text)', not a number of seconds; using \(Int(defaultFreshness))")
            }
        }
        if let text = env["BAKERY_SOURCES_MIRROR"], !text.isEmpty {
            configuration.mirror = try mirror(text)
        }
        return HTTPDocumentSource(configuration: configuration, logger: logger)
    }

    /// The bakery cache folder: `$BAKERY_CACHE_DIR`, else `$XDG_CACHE_HOME/bakery` (an absolute XDG_CACHE_HOME only, as
    /// the XDG base directory specification says), else `~/.cache/bakery`.
    public static func cacheRoot(_ env: [String: String]) -> URL {
        if let dir = env["BAKERY_CACHE_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir, isDirectory: true).standardizedFileURL
        }
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("bakery", isDirectory: true)
        }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0, isDirectory: true) }
            ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/bakery", isDirectory: true)
    }

    /// A validated mirror base URL: absolute, with a host; https, or http when the host is a loopback address.
    public static func mirror(_ text: String) throws(BakeryError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw BakeryError(.invalidArgument, "BAKERY_SOURCES_MIRROR is '\(redactedSetting(text))', not an absolute URL",
                              hint: "set it to a base URL such as https://mirror.example.com/sources (the mirror serves https://HOST/PATH as <base>/HOST/PATH)")
        }
        switch scheme {
        case "https":
            return url
        case "http" where ImageReference.isLoopback(urlHost: host):
            return url
        case "http":
            throw BakeryError(.invalidArgument, "BAKERY_SOURCES_MIRROR uses plain http on \(host), which is not a loopback address",
                              hint: "use https for a mirror on another machine (documents decide what gets built); plain http is allowed for 127.0.0.1, ::1 and localhost only")
        default:
            throw BakeryError(.invalidArgument, "BAKERY_SOURCES_MIRROR has scheme '\(scheme)'; only https (or http on loopback) is supported",
                              hint: "set it to a base URL such as https://mirror.example.com/sources")
        }
    }

    /// A mirror setting for messages: whatever stands before the last `@` of its authority (user and password)
    /// replaced by `***`, whether or not the setting parses as a URL.
    public static func redactedSetting(_ text: String) -> String {
        let start = text.range(of: "://")?.upperBound ?? text.startIndex
        let end = text[start...].firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? text.endIndex
        guard let at = text[start..<end].lastIndex(of: "@") else { return text }
        return String(text[..<start]) + "***" + String(text[at...])
    }

    static func flag(_ env: [String: String], _ name: String) throws(BakeryError) -> Bool {
        guard let text = env[name] else { return false }
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "", "0", "false", "no", "off": return false
        default:
            throw BakeryError(.invalidArgument, "\(name) is '\(text)', not a yes/no value",
                              hint: "set \(name)=1 to turn it on, or unset it")
        }
    }

    static func seconds(_ text: String) -> TimeInterval? {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else { return nil }
        return TimeInterval(value)
    }
}

// MARK: Per-run memory

extension HTTPDocumentSource {
    /// What this source already answered (shared by its copies), and whether a cache failure was warned about.
    final class Memory: @unchecked Sendable {
        private let lock = NSLock()
        private var documents: [String: Result<Fetched, BakeryError>] = [:]
        private var probes: [String: Result<Bool, BakeryError>] = [:]
        private var cacheFailureWarned = false

        func document(_ url: URL) -> Result<Fetched, BakeryError>? { lock.withLock { documents[url.absoluteString] } }
        func probe(_ url: URL) -> Result<Bool, BakeryError>? { lock.withLock { probes[url.absoluteString] } }
        func remember(_ url: URL, _ result: Result<Fetched, BakeryError>) { lock.withLock { documents[url.absoluteString] = result } }
        func remember(_ url: URL, _ result: Result<Bool, BakeryError>) { lock.withLock { probes[url.absoluteString] = result } }

        /// True the first time only.
        func firstCacheFailure() -> Bool {
            lock.withLock {
                defer { cacheFailureWarned = true }
                return !cacheFailureWarned
            }
        }
    }

    /// URLSession's error codes in words, and which of them will not go away with a retry.
    enum URLErrorWording {
        static func isPermanent(_ error: URLError) -> Bool {
            switch error.code {
            case .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .secureConnectionFailed, .serverCertificateUntrusted,
                 .serverCertificateHasBadDate, .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot, .unsupportedURL, .badURL:
                return true
            default:
                return false
            }
        }

        static func describe(_ error: URLError) -> String {
            switch error.code {
            case .cannotConnectToHost: return "the connection was refused"
            case .networkConnectionLost: return "the connection was dropped"
            case .cannotFindHost, .dnsLookupFailed: return "the host name could not be resolved"
            case .notConnectedToInternet: return "there is no network connection"
            case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate,
                 .serverCertificateNotYetValid, .serverCertificateHasUnknownRoot:
                return "the TLS certificate or handshake was refused (\(error.code.rawValue))"
            case .unsupportedURL, .badURL: return "the URL is not supported"
            case .badServerResponse: return "the server sent an invalid answer"
            default: return "the request failed (URL error \(error.code.rawValue))"
            }
        }
    }
}
