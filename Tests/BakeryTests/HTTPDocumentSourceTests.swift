// HTTPDocumentSource against a real HTTP server on 127.0.0.1 (Tests/Fixtures/version-sources/http/document-server.py,
// serving the fixture documents as a sources mirror): the freshness window, revalidation, retries, stale copies,
// offline mode, the mirror, corrupt and concurrent cache entries, the size cap, HEAD probes and the --offline flag.
import Bakery
import Foundation
import Logging
import OCIRegistry
import Testing
import TestSupport

/// Log records kept for assertions.
final class LogRecord: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [(level: Logger.Level, message: String)] = []

    func append(_ level: Logger.Level, _ message: String) { lock.withLock { stored.append((level, message)) } }
    var entries: [(level: Logger.Level, message: String)] { lock.withLock { stored } }
    func messages(_ level: Logger.Level) -> [String] { entries.filter { $0.level == level }.map(\.message) }

    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(record: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let record: LogRecord
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { record.append(event.level, "\(event.message)") }
    }
}

/// A transport that counts what goes through it to the real one.
final class CountingTransport: HTTPTransport, @unchecked Sendable {
    private let inner = URLSessionTransport(timeout: 5)
    private let lock = NSLock()
    private var sent = 0
    var count: Int { lock.withLock { sent } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { sent += 1 }
        return try await inner.send(request)
    }
}

@Suite struct HTTPDocumentSourceTests {
    static let rVersions = URL(string: "https://cdn.posit.co/r/versions.json")!
    static let rPath = "/cdn.posit.co/r/versions.json"
    static let quarto = URL(string: "https://quarto.org/docs/download/_download.json")!
    static let changing = URL(string: "https://cdn.posit.co/connect/latest-packages.json")!
    static let changingPath = "/cdn.posit.co/connect/latest-packages.json"

    /// A fresh cache folder (not yet created: the source creates it) under a temporary folder; `remove()` it in a
    /// `defer` (which also keeps it alive until the test's fetches are done).
    struct Scratch {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-doccache-\(UUID().uuidString)")
        var cache: URL { root.appendingPathComponent("cache/http") }
        func remove() { try? FileManager.default.removeItem(at: root) }
    }

    /// A source through `server` as mirror, with short backoffs so retries take milliseconds.
    func source(_ scratch: Scratch, server: DocumentServer?, freshness: TimeInterval = 3600, offline: Bool = false,
                attempts: Int = 3, log: LogRecord = LogRecord(), transport: (any HTTPTransport)? = nil,
                configure: (inout HTTPDocumentSource.Configuration) -> Void = { _ in }) -> HTTPDocumentSource {
        var configuration = HTTPDocumentSource.Configuration(cacheFolder: scratch.cache)
        configuration.freshness = freshness
        configuration.offline = offline
        configuration.mirror = server?.baseURL ?? URL(string: "http://127.0.0.1:9")!
        configuration.attempts = attempts
        configuration.initialBackoff = .milliseconds(20)
        configuration.maximumBackoff = .milliseconds(80)
        configuration.connectTimeout = 5
        configuration.overallTimeout = 20
        configure(&configuration)
        return HTTPDocumentSource(configuration: configuration, logger: log.logger, transport: transport)
    }

    func fixture(_ path: String) throws -> Data {
        try Data(contentsOf: DocumentServer.documents.appendingPathComponent(String(path.dropFirst())))
    }

    func permissions(_ url: URL) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? NSNumber).intValue
    }

    func failure(_ body: () async throws(BakeryError) -> Void) async -> BakeryError? {
        do { try await body() } catch { return error }
        return nil
    }

    // MARK: Network, cache, revalidation

    @Test(.enabled(if: DocumentServer.shouldRun))
    func theFirstFetchGoesToTheNetworkAndStoresTheDocumentPrivately() async throws {
        let server = try DocumentServer()
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        let log = LogRecord()
        let fetched = try await source(scratch, server: server, log: log).fetch(Self.rVersions)
        #expect(fetched == .init(body: try fixture(Self.rPath), origin: .network))
        let requests = server.requests(to: Self.rPath)
        #expect(requests.count == 1)
        #expect(requests.first?["userAgent"] as? String == "bakery/\(BakeryVersion.current)")
        #expect(requests.first?["ifNoneMatch"] is NSNull)
        #expect(try permissions(scratch.cache) == 0o700)
        #expect(try permissions(scratch.root.appendingPathComponent("cache")) == 0o700)
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.cache.path).filter { $0 != ".lock" }.sorted()
        let key = DocumentCache(folder: scratch.cache).key(for: Self.rVersions)
        #expect(files == ["\(key).body", "\(key).json"])
        for file in files { #expect(try permissions(scratch.cache.appendingPathComponent(file)) == 0o600) }
        #expect(log.messages(.debug).contains { $0.contains(Self.rVersions.absoluteString) && $0.contains(": network via \(server.baseURL.absoluteString)\(Self.rPath)") },
                "\(log.entries)")
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func aFreshCachedDocumentIsReadWithoutARequest() async throws {
        let server = try DocumentServer()
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        _ = try await source(scratch, server: server).fetch(Self.rVersions)
        let log = LogRecord()
        let second = try await source(scratch, server: server, freshness: 3600, log: log).fetch(Self.rVersions)
        #expect(second == .init(body: try fixture(Self.rPath), origin: .cache))
        #expect(server.requests(to: Self.rPath).count == 1)
        #expect(log.messages(.debug).contains { $0.hasPrefix("GET \(Self.rVersions.absoluteString): cache (fetched ") }, "\(log.entries)")
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func anExpiredDocumentIsRevalidatedWithOneConditionalRequest() async throws {
        let server = try DocumentServer()
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        _ = try await source(scratch, server: server).fetch(Self.rVersions)
        let etag = try #require(DocumentCache(folder: scratch.cache).entry(for: Self.rVersions)?.etag)
        let log = LogRecord()
        let second = try await source(scratch, server: server, freshness: 0, log: log).fetch(Self.rVersions)
        #expect(second == .init(body: try fixture(Self.rPath), origin: .revalidated))
        let requests = server.requests(to: Self.rPath)
        #expect(requests.count == 2)
        #expect(requests.last?["ifNoneMatch"] as? String == etag)
        #expect(requests.last?["status"] as? Int == 304)
        #expect(log.messages(.debug).contains { $0.contains(": revalidated via ") && $0.contains("(304, ") }, "\(log.entries)")
        // The 304 renewed the entry: a run within the window asks nothing.
        #expect(try await source(scratch, server: server).fetch(Self.rVersions).origin == .cache)
        #expect(server.requests(to: Self.rPath).count == 2)
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func lastModifiedAloneRevalidatesWhenTheServerSendsNoETag() async throws {
        let modified = "Wed, 01 Oct 2025 08:00:00 GMT"
        let server = try DocumentServer(["documents": [Self.changingPath: ["body": "{\"packages\": []}", "etag": NSNull(), "lastModified": modified]]])
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        #expect(try await source(scratch, server: server).fetch(Self.changing).origin == .network)
        #expect(try await source(scratch, server: server, freshness: 0).fetch(Self.changing).origin == .revalidated)
        let last = try #require(server.requests(to: Self.changingPath).last)
        #expect(last["ifModifiedSince"] as? String == modified)
        #expect(last["ifNoneMatch"] is NSNull)
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func aChangedDocumentReplacesTheCachedCopy() async throws {
        let server = try DocumentServer(["documents": [Self.changingPath: ["body": "first", "etag": "\"v1\""]]])
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        #expect(try await source(scratch, server: server).fetch(Self.changing).body == Data("first".utf8))
        try server.update(["documents": [Self.changingPath: ["body": "second", "etag": "\"v2\""]]])
        let second = try await source(scratch, server: server, freshness: 0).fetch(Self.changing)
        #expect(second == .init(body: Data("second".utf8), origin: .network))
        #expect(server.requests(to: Self.changingPath).last?["ifNoneMatch"] as? String == "\"v1\"")
        let entry = try #require(DocumentCache(folder: scratch.cache).entry(for: Self.changing))
        #expect(entry.body == Data("second".utf8) && entry.etag == "\"v2\"")
        #expect(try await source(scratch, server: nil, offline: true).fetch(Self.changing).body == Data("second".utf8))
    }

    // MARK: Failures

    @Test(.enabled(if: DocumentServer.shouldRun), arguments: [503, 429])
    func transientFailuresAreRetriedUntilTheDocumentComes(status: Int) async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let server = try DocumentServer(["failures": [Self.rPath: ["times": 2, "status": status]]])
        defer { server.stop() }
        let log = LogRecord()
        let fetched = try await source(scratch, server: server, attempts: 3, log: log).fetch(Self.rVersions)
        #expect(fetched == .init(body: try fixture(Self.rPath), origin: .network))
        #expect(server.requests(to: Self.rPath).compactMap { $0["status"] as? Int } == [status, status, 200])
        #expect(log.messages(.debug).filter { $0.contains("HTTP \(status) (attempt ") && $0.hasSuffix("; retrying") }.count == 2)
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func aPermanentErrorIsNotRetriedAndNamesTheURL() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let server = try DocumentServer()
        defer { server.stop() }
        let missing = URL(string: "https://cdn.posit.co/r/no-such.json")!
        let error = await failure { () async throws(BakeryError) in _ = try await source(scratch, server: server).fetch(missing) }
        #expect(error?.code == .versionResolution)
        #expect(error?.message == "GET \(missing.absoluteString) via \(server.baseURL.absoluteString)/cdn.posit.co/r/no-such.json answered HTTP 404")
        #expect(error?.hint?.contains("mirror") == true)
        #expect(server.requests(to: "/cdn.posit.co/r/no-such.json").count == 1)
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func aServerThatStaysDownIsRetriedThenGivesAClearError() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let server = try DocumentServer()
        let mirror = server.baseURL
        server.stop()
        let transport = CountingTransport()
        let log = LogRecord()
        let down = source(scratch, server: nil, attempts: 3, log: log, transport: transport) { $0.mirror = mirror }
        let error = await failure { () async throws(BakeryError) in _ = try await down.fetch(Self.rVersions) }
        #expect(transport.count == 3)
        #expect(error?.code == .versionResolution)
        #expect(error?.message == "cannot fetch \(Self.rVersions.absoluteString) via \(mirror.absoluteString)\(Self.rPath): the connection was refused (after 3 attempts)")
        #expect(error?.hint?.contains("--offline") == true)
        #expect(log.messages(.debug).filter { $0.contains("the connection was refused (attempt") }.count == 2)
        // The failure is remembered for the run: a second read costs no more attempts.
        _ = await failure { () async throws(BakeryError) in _ = try await down.fetch(Self.rVersions) }
        #expect(transport.count == 3)
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func aServerThatIsDownFallsBackToTheCachedCopyWithAWarning() async throws {
        let server = try DocumentServer()
        let scratch = Scratch()
        defer { scratch.remove() }
        _ = try await source(scratch, server: server).fetch(Self.rVersions)
        let mirror = server.baseURL
        server.stop()
        let log = LogRecord()
        let fetched = try await source(scratch, server: nil, freshness: 0, attempts: 2, log: log) { $0.mirror = mirror }.fetch(Self.rVersions)
        #expect(fetched == .init(body: try fixture(Self.rPath), origin: .stale))
        let warnings = log.messages(.warning)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasPrefix("Using the cached copy of \(Self.rVersions.absoluteString) fetched ") == true)
        #expect(warnings.first?.contains("the connection was refused (after 2 attempts)") == true, "\(warnings)")
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func anAttemptPastTheOverallTimeoutIsAbandoned() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let server = try DocumentServer(["delays": [Self.rPath: 30]])
        defer { server.stop() }
        let error = await failure { () async throws(BakeryError) in
            _ = try await source(scratch, server: server, attempts: 1) { $0.overallTimeout = 0.5 }.fetch(Self.rVersions)
        }
        // The timeout's own error, not the server's answer after 30 s. (No wall-clock bound: when the suites run
        // beside hundreds of parity cases, the task pool is busy and the timer fires late, not wrongly.)
        #expect(error?.message == "cannot fetch \(Self.rVersions.absoluteString) via \(server.baseURL.absoluteString)\(Self.rPath): no complete answer within 0.5 s")
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func anAnswerOverTheSizeCapIsRefusedAndNothingIsCached() async throws {
        let big = "/cdn.posit.co/huge.json"
        let server = try DocumentServer(["sizes": [big: 50 * 1024 * 1024]])
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        let url = URL(string: "https://cdn.posit.co/huge.json")!
        let capped = source(scratch, server: server)
        #expect(capped.configuration.maximumDocumentSize < 50 * 1024 * 1024)
        let error = await failure { () async throws(BakeryError) in _ = try await capped.fetch(url) }
        #expect(error?.code == .versionResolution)
        #expect(error?.message.hasSuffix("the answer is larger than the \(capped.configuration.maximumDocumentSize)-byte limit for version documents") == true,
                "\(String(describing: error))")
        #expect(error?.hint?.hasPrefix("nothing was cached") == true)
        #expect(server.requests(to: big).count == 1)   // not retried
        #expect(DocumentCache(folder: scratch.cache).entry(for: url) == nil)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: scratch.cache.path)) ?? []).isEmpty)
    }

    // MARK: Offline

    @Test(.enabled(if: DocumentServer.shouldRun))
    func offlineReadsTheCacheWhateverItsAgeAndNeverTheNetwork() async throws {
        let server = try DocumentServer()
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        _ = try await source(scratch, server: server).fetch(Self.rVersions)
        let log = LogRecord()
        let fetched = try await source(scratch, server: server, freshness: 0, offline: true, log: log).fetch(Self.rVersions)
        #expect(fetched == .init(body: try fixture(Self.rPath), origin: .cache))
        #expect(server.requests.count == 1)
        #expect(log.messages(.debug).contains { $0.contains(": cache (offline; fetched ") })
    }

    @Test
    func offlineWithoutACachedCopyNamesTheDocumentAndHowToFillTheCache() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let transport = CountingTransport()
        let error = await failure { () async throws(BakeryError) in
            _ = try await source(scratch, server: nil, offline: true, transport: transport).fetch(Self.quarto)
        }
        #expect(transport.count == 0)
        #expect(error?.code == .versionResolution)
        #expect(error?.message == "bakery is offline (--offline or BAKERY_OFFLINE) and \(Self.quarto.absoluteString) is not in the cache (\(scratch.cache.path))")
        #expect(error?.hint == "run the same command once without --offline to fill the cache, or set BAKERY_SOURCES_MIRROR to a mirror that serves it as <mirror>/quarto.org/docs/download/_download.json")
        #expect(!FileManager.default.fileExists(atPath: scratch.root.path))
    }

    // MARK: The cache itself

    @Test(.enabled(if: DocumentServer.shouldRun), arguments: ["body", "metadata", "other-url"])
    func aCorruptCacheEntryIsIgnoredAndFetchedAgain(damage: String) async throws {
        let server = try DocumentServer()
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        _ = try await source(scratch, server: server).fetch(Self.rVersions)
        let cache = DocumentCache(folder: scratch.cache)
        let key = cache.key(for: Self.rVersions)
        let metadata = scratch.cache.appendingPathComponent("\(key).json")
        switch damage {
        case "body": try Data("{\"r_versions\": [\"9.9.9\"]}".utf8).write(to: scratch.cache.appendingPathComponent("\(key).body"))
        case "metadata": try Data("{\"format\": 1, \"url\": ".utf8).write(to: metadata)
        default:
            let text = try String(contentsOf: metadata, encoding: .utf8)
            try Data(text.replacingOccurrences(of: "versions.json", with: "other.json").utf8).write(to: metadata)
        }
        #expect(cache.entry(for: Self.rVersions) == nil)
        let log = LogRecord()
        let fetched = try await source(scratch, server: server, log: log).fetch(Self.rVersions)
        #expect(fetched == .init(body: try fixture(Self.rPath), origin: .network))
        let requests = server.requests(to: Self.rPath)
        #expect(requests.count == 2)
        #expect(requests.last?["ifNoneMatch"] is NSNull)   // the damaged entry's validators are not trusted either
        #expect(cache.entry(for: Self.rVersions)?.body == (try fixture(Self.rPath)))
        #expect(log.messages(.debug).contains { $0.contains("ignoring its cache entry") }, "\(log.entries)")
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func twoConcurrentFetchesOfOneURLLeaveOneWholeEntry() async throws {
        let body = String(repeating: "0123456789abcdef", count: 64 * 1024)   // 1 MiB
        let server = try DocumentServer(["documents": [Self.changingPath: ["body": body, "etag": NSNull(), "lastModified": NSNull()]]])
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        for _ in 0..<5 {
            let first = source(scratch, server: server, freshness: 0)
            let second = source(scratch, server: server, freshness: 0)
            async let a = first.fetch(Self.changing)
            async let b = second.fetch(Self.changing)
            let (one, two) = try await (a, b)
            #expect(one.body.count == body.utf8.count && two.body.count == body.utf8.count)
        }
        #expect(DocumentCache(folder: scratch.cache).entry(for: Self.changing)?.body == Data(body.utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.cache.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
    }

    @Test
    func concurrentWritersNeverShowAReaderAMixedEntry() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let cache = DocumentCache(folder: scratch.cache)
        let url = Self.rVersions
        let bodies = [Data(repeating: UInt8(ascii: "a"), count: 512 * 1024), Data(repeating: UInt8(ascii: "b"), count: 300 * 1024)]
        let seen = LogRecord()
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            for round in 0..<40 {
                if worker < 2 {
                    let body = bodies[worker]
                    do { try cache.store(.init(url: url, body: body, etag: "\"\(worker)-\(round)\"", lastModified: nil, fetchedAt: Date())) }
                    catch { seen.append(.error, "store failed: \(error)") }
                } else if let entry = cache.entry(for: url) {
                    seen.append(.info, bodies.contains(entry.body) ? "whole" : "mixed \(entry.body.count)")
                }
            }
        }
        #expect(seen.messages(.error).isEmpty, "\(seen.messages(.error))")
        #expect(!seen.messages(.info).contains { $0.hasPrefix("mixed") })
        #expect(bodies.contains(try #require(cache.entry(for: url)).body))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.cache.path).sorted() == [".lock", "\(cache.key(for: url)).body", "\(cache.key(for: url)).json"])
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func anUnwritableCacheCostsTheCacheNotTheDocument() async throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        try FileManager.default.createDirectory(at: scratch.root, withIntermediateDirectories: true)
        try Data("in the way".utf8).write(to: scratch.root.appendingPathComponent("cache"))
        let server = try DocumentServer()
        defer { server.stop() }
        let log = LogRecord()
        let shared = source(scratch, server: server, log: log)
        #expect(try await shared.fetch(Self.rVersions).origin == .network)
        #expect(try await shared.fetch(Self.quarto).origin == .network)
        #expect(log.messages(.warning).count == 1, "\(log.entries)")
        #expect(log.messages(.warning).first?.hasPrefix("Cannot cache version documents: ") == true)
    }

    // MARK: HEAD probes

    @Test(.enabled(if: DocumentServer.shouldRun))
    func probesAnswerFromTheServerEveryRunAndAreNotCached() async throws {
        let server = try DocumentServer(["failures": ["/cdn.posit.co/broken.deb": ["times": 99, "status": 500]]])
        defer { server.stop() }
        let scratch = Scratch()
        defer { scratch.remove() }
        let artifact = URL(string: "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm-rc-latest.txt")!
        #expect(try await source(scratch, server: server).probe(artifact))
        #expect(try await source(scratch, server: server).probe(artifact))
        #expect(server.requests(to: "/cdn.posit.co/package-manager/deb/amd64/rstudio-pm-rc-latest.txt").map { $0["method"] as? String } == ["HEAD", "HEAD"])
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: scratch.cache.path)) ?? []).isEmpty)
        #expect(try await source(scratch, server: server).probe(URL(string: "https://cdn.posit.co/missing.deb")!) == false)
        let error = await failure { () async throws(BakeryError) in
            _ = try await source(scratch, server: server, attempts: 2).probe(URL(string: "https://cdn.posit.co/broken.deb")!)
        }
        #expect(error?.message.hasPrefix("HEAD https://cdn.posit.co/broken.deb via ") == true)
        #expect(error?.message.hasSuffix("answered HTTP 500 (after 2 attempts)") == true, "\(String(describing: error))")
        let offline = await failure { () async throws(BakeryError) in _ = try await source(scratch, server: server, offline: true).probe(artifact) }
        #expect(offline?.code == .versionResolution)
        #expect(offline?.message.contains("bakery is offline") == true)
    }

    @Test(.enabled(if: DocumentServer.shouldRun))
    func theSynchronousDocumentSourceCallsWork() throws {
        let scratch = Scratch()
        defer { scratch.remove() }
        let server = try DocumentServer()
        defer { server.stop() }
        let documents: any DocumentSource = source(scratch, server: server)
        #expect(try documents.document(Self.quarto) == (try fixture("/quarto.org/docs/download/_download.json")))
        #expect(try documents.exists(Self.quarto))
        #expect(try documents.exists(URL(string: "https://quarto.org/nothing-here")!) == false)
    }

    // MARK: Configuration

    @Test
    func theMirrorRewritesHostAndPathUnderItsBase() {
        let base = URL(string: "http://127.0.0.1:8000/mirror/")!
        let cases: [(String, String)] = [
            ("https://cdn.posit.co/r/versions.json", "http://127.0.0.1:8000/mirror/cdn.posit.co/r/versions.json"),
            ("https://Dailies.RStudio.com/rstudio/latest/index.json", "http://127.0.0.1:8000/mirror/dailies.rstudio.com/rstudio/latest/index.json"),
            ("https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm_2025.09.0%2B12_amd64.deb",
             "http://127.0.0.1:8000/mirror/cdn.posit.co/package-manager/deb/amd64/rstudio-pm_2025.09.0%2B12_amd64.deb"),
            ("https://example.com:8443/a?b=c", "http://127.0.0.1:8000/mirror/example.com:8443/a?b=c"),
            ("file:///etc/passwd", "file:///etc/passwd"),
        ]
        for (source, mirrored) in cases {
            #expect(HTTPDocumentSource.mirrored(URL(string: source)!, through: base).absoluteString == mirrored, "\(source)")
        }
    }

    @Test(arguments: [
        ("https://mirror.example.com/sources", nil),
        ("http://127.0.0.1:8080", nil),
        ("http://localhost:8080/m", nil),
        ("http://[::1]:8080/m", nil),
        ("http://mirror.example.com/sources", "BAKERY_SOURCES_MIRROR uses plain http on mirror.example.com, which is not a loopback address"),
        ("http://127.0.0.1.example.com/", "BAKERY_SOURCES_MIRROR uses plain http on 127.0.0.1.example.com, which is not a loopback address"),
        ("ftp://mirror.example.com/", "BAKERY_SOURCES_MIRROR has scheme 'ftp'; only https (or http on loopback) is supported"),
        ("mirror.example.com", "BAKERY_SOURCES_MIRROR is 'mirror.example.com', not an absolute URL"),
    ] as [(String, String?)])
    func theMirrorMustBeHTTPSUnlessOnLoopback(text: String, message: String?) {
        let log = LogRecord()
        do {
            let source = try HTTPDocumentSource.fromEnvironment(["BAKERY_SOURCES_MIRROR": text, "BAKERY_CACHE_DIR": "/nonexistent"], logger: log.logger)
            #expect(message == nil)
            #expect(source.configuration.mirror?.absoluteString == text)
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message == message)
            #expect(error.hint != nil)
        }
    }

    @Test
    func theEnvironmentChoosesTheCacheFolderFreshnessAndOfflineMode() throws {
        let log = LogRecord()
        func make(_ env: [String: String]) throws(BakeryError) -> HTTPDocumentSource { try HTTPDocumentSource.fromEnvironment(env, logger: log.logger) }
        let plain = try make(["HOME": "/home/u"])
        #expect(plain.configuration.cacheFolder.path == "/home/u/.cache/bakery/http")
        #expect(plain.configuration.freshness == 3600 && !plain.configuration.offline && plain.configuration.mirror == nil)
        #expect(try make(["HOME": "/home/u", "XDG_CACHE_HOME": "/xdg"]).configuration.cacheFolder.path == "/xdg/bakery/http")
        #expect(try make(["HOME": "/home/u", "XDG_CACHE_HOME": "relative"]).configuration.cacheFolder.path == "/home/u/.cache/bakery/http")
        #expect(try make(["XDG_CACHE_HOME": "/xdg", "BAKERY_CACHE_DIR": "/srv/bakery"]).configuration.cacheFolder.path == "/srv/bakery/http")
        #expect(try make(["BAKERY_CACHE_TTL": "0"]).configuration.freshness == 0)
        #expect(try make(["BAKERY_CACHE_EXPIRE_AFTER": "60"]).configuration.freshness == 60)
        #expect(try make(["BAKERY_CACHE_TTL": "120", "BAKERY_CACHE_EXPIRE_AFTER": "60"]).configuration.freshness == 120)
        #expect(log.messages(.warning).isEmpty)
        #expect(try make(["BAKERY_CACHE_EXPIRE_AFTER": "soon"]).configuration.freshness == 3600)
        #expect(log.messages(.warning) == ["BAKERY_CACHE_EXPIRE_AFTER is 'soon', not a number of seconds; using 3600"])
        for (value, offline) in [("1", true), ("true", true), ("YES", true), ("0", false), ("", false), ("no", false)] {
            #expect(try make(["BAKERY_OFFLINE": value]).configuration.offline == offline, "\(value)")
        }
        for env in [["BAKERY_CACHE_TTL": "-5"], ["BAKERY_CACHE_TTL": "1h"], ["BAKERY_OFFLINE": "maybe"]] {
            #expect(throws: BakeryError.self, "\(env)") { try make(env) }
        }
    }

    // MARK: The --offline flag

    @Test
    func everyCommandAcceptsTheOfflineFlag() throws {
        let example = ExampleProjects.folder("01-basic-image")
        let help = try BakeryBinary.run(["get", "tags", "--help"], in: example)
        #expect(help.status == 0)
        #expect(help.stdout.contains("--offline"), "\(help.stdout)")
        let validate = try BakeryBinary.run(["validate", "--offline", "--context", example.path], in: example)
        #expect(validate.status == 0, "\(validate.stderr)")
        let misspelt = try BakeryBinary.run(["validate", "--ofline", "--context", example.path], in: example)
        #expect(misspelt.status == 2)
    }
}
