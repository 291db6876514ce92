// Blobs streamed through files instead of memory: the URLSession transport hands a success body on piece by piece
// (redirects, limits, error bodies, a failing receiver, cancellation), downloads verify their digest while writing
// and leave nothing behind when they fail, uploads from a file go in PATCH chunks read one at a time, and a copy
// between two real registries moves a large layer through a private temporary folder that is gone afterwards.
// (The bounded peak memory of a 300 MB copy is measured on the bakery binary: BlobStreamingCLITests.)
import Foundation
import OCIRegistry
import Testing
import TestSupport

@Suite struct BlobStreamingTests {
    /// Pieces handed to a receiver, kept for the test to look at.
    final class Pieces: @unchecked Sendable {
        private let lock = NSLock()
        private var pieces: [Data] = []
        func add(_ data: Data) { lock.withLock { pieces.append(data) } }
        var all: [Data] { lock.withLock { pieces } }
        var joined: Data { all.reduce(Data(), +) }
    }

    /// A private folder for a test's temporary files; `entries` lists what is left in it.
    struct Scratch {
        let url: URL
        init() throws {
            url = FileManager.default.temporaryDirectory.appendingPathComponent("blob-streaming-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        }
        var entries: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? ["<unreadable>"] }
        func remove() { try? FileManager.default.removeItem(at: url) }
    }

    static func options(temporary: URL, threshold: Int64 = 1024, chunk: Int = 4096) -> RegistryClientOptions {
        var options = RegistryClientOptions()
        options.sleep = { _ in }
        options.streamingThreshold = threshold
        options.streamingChunkSize = chunk
        options.temporaryDirectory = temporary
        return options
    }

    static let layer = Data((0..<50_000).map { (i: Int) -> UInt8 in UInt8(truncatingIfNeeded: i * 7 + i / 251) })

    /// An image in `registry` at `team/app:1` with a config and `layer`; returns the layer's descriptor.
    static func pushImage(_ layer: Data, to registry: InMemoryRegistry) throws -> Descriptor {
        let config = try canonicalJSON(["architecture": "amd64", "os": "linux"])
        registry.store(blob: config, in: "team/app")
        registry.store(blob: layer, in: "team/app")
        let layerDescriptor = Descriptor(mediaType: MediaType.ociLayerGzip, content: layer)
        let manifest = try canonicalJSON(ImageManifest(config: Descriptor(mediaType: MediaType.ociConfig, content: config), layers: [layerDescriptor]))
        registry.store(manifest: manifest, type: MediaType.ociManifest, in: "team/app", tag: "1")
        return layerDescriptor
    }

    // MARK: The transport

    @Test func aSuccessBodyIsHandedOnInPiecesAndNotReturned() async throws {
        let body = Data((0..<3_000_000).map { UInt8($0 % 253) })
        let storage = try TinyHTTPServer { _ in .respond(status: 200, headers: ["Content-Length": "\(body.count)"], body: body) }
        defer { storage.stop() }
        let registry = try TinyHTTPServer { request in
            switch request.target {
            case "/v2/app/blobs/redirected": .respond(status: 307, headers: ["Location": "http://localhost:\(storage.port)/blob?sig=1"], body: Data())
            case "/v2/app/blobs/missing":
                .respond(status: 404, headers: [:], body: Data(#"{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}"#.utf8))
            default: .respond(status: 200, headers: [:], body: body)
            }
        }
        defer { registry.stop() }
        let transport = URLSessionTransport(timeout: 10)
        for path in ["v2/app/blobs/direct", "v2/app/blobs/redirected"] {
            let pieces = Pieces()
            let request = HTTPRequest(method: "GET", url: registry.baseURL.appendingPathComponent(path), maximumResponseSize: body.count)
            let response = try await transport.send(request, streamingBodyTo: { pieces.add($0) })
            #expect(response.status == 200 && response.body.isEmpty, "\(path)")
            #expect(pieces.joined == body, "\(path): every byte, in order")
            #expect(pieces.all.count > 1, "\(path): several pieces, not the body at once")
        }
        // An error answer is not streamed: its body comes back for the error message.
        let pieces = Pieces()
        let missing = try await transport.send(HTTPRequest(method: "GET", url: registry.baseURL.appendingPathComponent("v2/app/blobs/missing")),
                                               streamingBodyTo: { pieces.add($0) })
        #expect(missing.status == 404 && String(decoding: missing.body, as: UTF8.self).contains("BLOB_UNKNOWN"))
        #expect(pieces.all.isEmpty)
    }

    @Test func aStreamedBodyPastItsLimitOrAFailingReceiverEndsTheExchange() async throws {
        let server = try TinyHTTPServer { request in
            request.target == "/error" ? .stream(status: 500, headers: [:]) : .stream(status: 200, headers: [:])
        }
        defer { server.stop() }
        let transport = URLSessionTransport(timeout: 10)
        await #expect(throws: ResponseTooLarge(limit: 2 << 20)) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("blob"), maximumResponseSize: 2 << 20),
                                         streamingBodyTo: { _ in })
        }
        // An error body is read up to the error-body limit, whatever the request's limit.
        await #expect(throws: ResponseTooLarge(limit: HTTPStreaming.maximumErrorBodySize)) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("error"), maximumResponseSize: 1 << 30),
                                         streamingBodyTo: { _ in })
        }
        struct DiskFull: Error, Equatable {}
        let pieces = Pieces()
        await #expect(throws: DiskFull()) {
            _ = try await transport.send(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("blob")), streamingBodyTo: { data in
                pieces.add(data)
                if pieces.all.count == 3 { throw DiskFull() }
            })
        }
        #expect(pieces.all.count == 3, "nothing is handed on after the receiver failed")
        // No wall-clock bound (a busy machine breaks it): the server sent far less than the 1 GiB it would have.
        #expect(server.bytesStreamed < 1 << 30, "\(server.bytesStreamed) bytes sent")
    }

    @Test func aCancelledDownloadEndsAtOnceAndRemovesItsFile() async throws {
        let server = try TinyHTTPServer { _ in .stream(status: 200, headers: [:]) }
        defer { server.stop() }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let file = scratch.url.appendingPathComponent("blob")
        let transport = URLSessionTransport(timeout: 30)
        let task = Task { try await transport.download(HTTPRequest(method: "GET", url: server.baseURL.appendingPathComponent("blob")), to: file) }
        var size = 0
        for _ in 0..<100 where size < 1 << 20 {
            try await Task.sleep(for: .milliseconds(50))
            size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        }
        #expect(size >= 1 << 20, "the body went to the file as it arrived")
        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o600)
        task.cancel()
        // The server never ends the body: only cancellation ends this download (a 30 s timeout would be another error).
        await #expect(throws: CancellationError.self) { _ = try await task.value }
        #expect(scratch.entries.isEmpty, "\(scratch.entries)")
    }

    // MARK: Downloads and uploads through files

    @Test func aDownloadVerifiesWhileWritingAndAWrongBlobLeavesNoFile() async throws {
        let registry = InMemoryRegistry()
        let scratch = try Scratch()
        defer { scratch.remove() }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(temporary: scratch.url), transport: registry)
        let reference = try ImageReference(parsing: "registry.example.com/team/app:1")
        registry.store(blob: Self.layer, in: "team/app")
        let digest = Digest.sha256(of: Self.layer)
        let file = scratch.url.appendingPathComponent("layer")
        let written = try await client.downloadBlob(digest, in: reference, size: Int64(Self.layer.count), to: file)
        #expect(written == Int64(Self.layer.count))
        #expect(try Data(contentsOf: file) == Self.layer)
        #expect(await client.statistics.bytesDownloaded == Int64(Self.layer.count))

        // The registry sends other bytes under the digest: a mismatch, and the file is gone.
        registry.configure { behaviour in
            behaviour.gate = { request in
                request.method == "GET" && request.url.path.hasSuffix(digest.description)
                    ? HTTPResponse(status: 200, headers: ["Content-Length": "\(Self.layer.count)"], body: Data(Self.layer.reversed())) : nil
            }
        }
        let other = scratch.url.appendingPathComponent("other")
        let error = await #expect(throws: RegistryError.self) {
            try await client.downloadBlob(digest, in: reference, size: Int64(Self.layer.count), to: other)
        }
        #expect(error?.code == .digestMismatch, "\(String(describing: error))")
        #expect(scratch.entries == ["layer"], "\(scratch.entries)")
        #expect(await client.statistics.bytesDownloaded == Int64(Self.layer.count), "a rejected blob is not counted")

        // More bytes than the descriptor's size are not read.
        registry.configure { behaviour in
            behaviour.gate = { request in
                request.method == "GET" && request.url.path.hasSuffix(digest.description)
                    ? HTTPResponse(status: 200, body: Self.layer + Data(count: 10)) : nil
            }
        }
        let tooMuch = await #expect(throws: RegistryError.self) {
            try await client.downloadBlob(digest, in: reference, size: Int64(Self.layer.count), to: other)
        }
        #expect(tooMuch?.code == .invalidDocument, "\(String(describing: tooMuch))")
        #expect(scratch.entries == ["layer"], "\(scratch.entries)")
    }

    @Test func anUploadFromAFileGoesInChunksAndStartsAgainFromTheFileWhenASessionIsLost() async throws {
        let registry = InMemoryRegistry()
        let scratch = try Scratch()
        defer { scratch.remove() }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(temporary: scratch.url), transport: registry)
        let reference = try ImageReference(parsing: "registry.example.com/team/app:1")
        let file = scratch.url.appendingPathComponent("layer")
        try Self.layer.write(to: file)

        registry.configure { $0.loseUploads = 1 }
        let descriptor = try await client.uploadBlob(from: file, mediaType: MediaType.ociLayerGzip, to: reference, chunkSize: 16_384)
        #expect(descriptor == Descriptor(mediaType: MediaType.ociLayerGzip, content: Self.layer))
        #expect(registry.blob(descriptor.digest, in: "team/app") == Self.layer)
        let patches = registry.requests.filter { $0.method == "PATCH" }
        #expect(patches.allSatisfy { ($0.body?.count ?? 0) <= 16_384 })
        // The first session was lost at its first chunk; the second sent all four.
        #expect(patches.count == 5, "\(patches.map { $0.header("Content-Range") ?? "-" })")
        #expect(patches.last?.header("Content-Range") == "49152-49999")
        #expect(await client.statistics.bytesUploaded == Int64(Self.layer.count))

        // A size that is not the file's is refused before anything is sent.
        let before = registry.requests.count
        let error = await #expect(throws: RegistryError.self) { try await client.uploadBlob(from: file, size: 10, to: reference.with(tag: "2")) }
        #expect(error?.code == .localFile, "\(String(describing: error))")
        #expect(registry.requests.count == before)
        // A small file goes in one PUT.
        let small = scratch.url.appendingPathComponent("small")
        try Data("tiny".utf8).write(to: small)
        let tiny = try await client.uploadBlob(from: small, to: reference)
        #expect(registry.blob(tiny.digest, in: "team/app") == Data("tiny".utf8))
        #expect(registry.requests.last?.method == "PUT" && registry.requests.last?.body == Data("tiny".utf8))
    }

    @Test func aCopyStreamsLargeBlobsThroughAPrivateFolderAndKeepsSmallOnesInMemory() async throws {
        let source = InMemoryRegistry(host: "source.example.com")
        let destination = InMemoryRegistry(host: "destination.example.com")
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Watches the temporary folder while the layer is on its way up.
        final class Router: HTTPTransport, @unchecked Sendable {
            let source: InMemoryRegistry, destination: InMemoryRegistry, scratch: URL
            private let lock = NSLock()
            private var seen: [String: Int] = [:]
            init(_ source: InMemoryRegistry, _ destination: InMemoryRegistry, scratch: URL) {
                self.source = source
                self.destination = destination
                self.scratch = scratch
            }
            var folders: [String: Int] { lock.withLock { seen } }
            func send(_ request: HTTPRequest) async throws -> HTTPResponse {
                if request.method == "PATCH" {
                    for name in (try? FileManager.default.contentsOfDirectory(atPath: scratch.path)) ?? [] {
                        let mode = (try? FileManager.default.attributesOfItem(atPath: scratch.appendingPathComponent(name).path)[.posixPermissions]) as? Int
                        lock.withLock { seen[name] = mode ?? -1 }
                    }
                }
                return try await (request.url.host == source.host ? source : destination).send(request)
            }
        }
        let router = Router(source, destination, scratch: scratch.url)
        let layer = try Self.pushImage(Self.layer, to: source)
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(temporary: scratch.url), transport: router)
        let copied = try await client.copy(try ImageReference(parsing: "source.example.com/team/app:1"),
                                           to: try ImageReference(parsing: "destination.example.com/team/app:1"))
        #expect(destination.manifest("1", in: "team/app")?.data == source.manifest("1", in: "team/app")?.data)
        #expect(copied.digest == Digest.sha256(of: try #require(source.manifest("1", in: "team/app")?.data)))
        #expect(destination.blob(layer.digest, in: "team/app") == Self.layer)
        // The layer (over the threshold) went up in chunks from a 0700 folder; the config (under it) in one PUT.
        let patches = destination.requests.filter { $0.method == "PATCH" }
        #expect(patches.count == (Self.layer.count + 4095) / 4096)
        #expect(router.folders.count == 1 && router.folders.keys.first?.hasPrefix("bakery-blob-") == true && router.folders.values.first == 0o700,
                "\(router.folders)")
        #expect(scratch.entries.isEmpty, "the folder is removed afterwards: \(scratch.entries)")
        let statistics = await client.statistics
        let config = try #require(try ImageManifest.decode(try #require(source.manifest("1", in: "team/app")?.data)).config)
        #expect(statistics.bytesDownloaded == Int64(Self.layer.count) + config.size)
        #expect(statistics.bytesUploaded == Int64(Self.layer.count) + config.size)
    }

    @Test func aCopyWhoseSourceSendsAWrongLayerFailsAndLeavesNoTemporaryFile() async throws {
        let source = InMemoryRegistry(host: "source.example.com")
        let destination = InMemoryRegistry(host: "destination.example.com")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let layer = try Self.pushImage(Self.layer, to: source)
        source.configure { behaviour in
            behaviour.gate = { request in
                request.method == "GET" && request.url.path.hasSuffix(layer.digest.description)
                    ? HTTPResponse(status: 200, body: Data(Self.layer.reversed())) : nil
            }
        }
        final class Router: HTTPTransport, @unchecked Sendable {
            let source: InMemoryRegistry, destination: InMemoryRegistry
            init(_ source: InMemoryRegistry, _ destination: InMemoryRegistry) { self.source = source; self.destination = destination }
            func send(_ request: HTTPRequest) async throws -> HTTPResponse {
                try await (request.url.host == source.host ? source : destination).send(request)
            }
        }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(temporary: scratch.url),
                                    transport: Router(source, destination))
        let error = await #expect(throws: RegistryError.self) {
            try await client.copy(try ImageReference(parsing: "source.example.com/team/app:1"), to: try ImageReference(parsing: "destination.example.com/team/app:1"))
        }
        #expect(error?.code == .digestMismatch && error?.message.contains(layer.digest.description) == true, "\(String(describing: error))")
        #expect(scratch.entries.isEmpty, "\(scratch.entries)")
        #expect(destination.blob(layer.digest, in: "team/app") == nil)
        #expect(!destination.requests.contains { $0.method == "PATCH" }, "nothing of the wrong layer was uploaded")
    }

    @Test func aCancelledCopyLeavesNoTemporaryFile() async throws {
        let source = InMemoryRegistry(host: "source.example.com")
        let destination = InMemoryRegistry(host: "destination.example.com")
        let scratch = try Scratch()
        defer { scratch.remove() }
        let layer = try Self.pushImage(Self.layer, to: source)
        /// Hands on the first half of the layer, then waits (a slow registry) until the copy is cancelled.
        final class Stalling: HTTPTransport, @unchecked Sendable {
            let source: InMemoryRegistry, destination: InMemoryRegistry, layer: Digest
            init(_ source: InMemoryRegistry, _ destination: InMemoryRegistry, layer: Digest) {
                self.source = source
                self.destination = destination
                self.layer = layer
            }
            func send(_ request: HTTPRequest) async throws -> HTTPResponse {
                try await (request.url.host == source.host ? source : destination).send(request)
            }
            func send(_ request: HTTPRequest, streamingBodyTo receive: @escaping @Sendable (Data) throws -> Void) async throws -> HTTPResponse {
                guard request.url.path.hasSuffix(layer.description) else {
                    let response = try await send(request)
                    try receive(response.body)
                    return HTTPResponse(status: response.status, headers: response.headers)
                }
                let response = try await source.send(request)
                try receive(response.body.prefix(response.body.count / 2))
                try await Task.sleep(for: .seconds(60))
                return response
            }
        }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: Self.options(temporary: scratch.url),
                                    transport: Stalling(source, destination, layer: layer.digest))
        let copy = Task {
            try await client.copy(try ImageReference(parsing: "source.example.com/team/app:1"), to: try ImageReference(parsing: "destination.example.com/team/app:1"))
        }
        // Wait for the half-written file in the private folder.
        var written: [String] = []
        for _ in 0..<200 where written.isEmpty {
            try await Task.sleep(for: .milliseconds(10))
            if let folder = scratch.entries.first {
                written = (try? FileManager.default.contentsOfDirectory(atPath: scratch.url.appendingPathComponent(folder).path)) ?? []
            }
        }
        #expect(written == ["blob"])
        copy.cancel()
        let error = await #expect(throws: RegistryError.self) { _ = try await copy.value }
        #expect(error?.code == .cancelled, "\(String(describing: error))")
        #expect(scratch.entries.isEmpty, "\(scratch.entries)")
    }

    // MARK: Two real registries

    /// Whether two files hold the same bytes, read 4 MiB at a time.
    static func sameContents(_ a: URL, _ b: URL) throws -> Bool {
        let first = try FileHandle(forReadingFrom: a), second = try FileHandle(forReadingFrom: b)
        defer { try? first.close(); try? second.close() }
        while true {
            let x = try first.read(upToCount: 4 << 20) ?? Data(), y = try second.read(upToCount: 4 << 20) ?? Data()
            if x != y { return false }
            if x.isEmpty { return true }
        }
    }

    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func aLargeLayerMovesBetweenTwoRealRegistriesThroughAFile() async throws {
        let account = LoopbackRegistry.Account(username: "streamer", password: "canary-stream-Qx7-never-print")
        let sourceRegistry = try await LoopbackRegistry.start()
        defer { sourceRegistry.stop() }
        let destinationRegistry = try await LoopbackRegistry.start(account: account)
        defer { destinationRegistry.stop() }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let temporary = scratch.url.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        var options = RegistryClientOptions()
        options.temporaryDirectory = temporary
        let client = RegistryClient(credentials: CredentialStore(entries: [destinationRegistry.host: RegistryCredential(username: account.username,
                                                                                                                          password: account.password)]),
                                    options: options, transport: URLSessionTransport(timeout: 60))
        let size = 40 << 20 + 12_345
        let file = scratch.url.appendingPathComponent("layer")
        try SeededRandom.writeFile(size: size, seed: 17, to: file)
        let source = try ImageReference(parsing: "\(sourceRegistry.host)/team/app:1")
        // Hashed from the file, then sent in chunks of the default size.
        let layer = try await client.uploadBlob(from: file, mediaType: MediaType.ociLayerGzip, to: source)
        let digest = layer.digest
        #expect(layer.size == Int64(size))
        let config = try await client.uploadBlob(try canonicalJSON(["architecture": "amd64", "os": "linux"]), mediaType: MediaType.ociConfig, to: source)
        let manifest = try canonicalJSON(ImageManifest(config: config, layers: [layer]))
        try await client.putManifest(manifest, mediaType: MediaType.ociManifest, to: source)
        let before = await client.statistics

        let destination = try ImageReference(parsing: "\(destinationRegistry.host)/team/app:1")
        try await client.copy(source, to: destination)
        #expect(try await client.blobSize(digest, in: destination) == Int64(size))
        #expect(try await client.manifest(destination).data == manifest)
        let after = await client.statistics
        #expect(after.bytesDownloaded - before.bytesDownloaded == Int64(size) + config.size)
        #expect(after.bytesUploaded - before.bytesUploaded == Int64(size) + config.size)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty)

        // Downloaded again into a file, it is the layer.
        let back = scratch.url.appendingPathComponent("back")
        #expect(try await client.downloadBlob(digest, in: destination, size: Int64(size), to: back) == Int64(size))
        #expect(try Self.sameContents(file, back))
    }
}
