// The client against real registries on 127.0.0.1 (docker-registry, without auth and with htpasswd basic auth):
// blobs both ways, manifests by tag and digest, pagination, deletes, copies within and across registries, a
// multi-platform index that skopeo resolves per architecture, a registry killed mid-upload and restarted, and
// credentials that never appear in errors.
import Foundation
import OCIRegistry
import Testing
import TestSupport

@Suite(.serialized, .enabled(if: LoopbackRegistry.shouldRun))
struct RegistryClientLoopbackTests {
    static let account = LoopbackRegistry.Account(username: "publisher", password: "canary-7Hq2-do-not-print")

    static func client(_ credentials: CredentialStore = CredentialStore(entries: [:]), onRetry: @escaping @Sendable (String) -> Void = { _ in })
        -> RegistryClient {
        var options = RegistryClientOptions()
        options.backoff = { _ in .milliseconds(300) }
        options.onRetry = onRetry
        return RegistryClient(credentials: credentials, options: options)
    }

    /// A single-platform image: a config naming the platform and one small layer; pushed under `tag`.
    static func pushImage(_ client: RegistryClient, to reference: ImageReference, architecture: String,
                          layer: Data) async throws -> Digest {
        let config = try canonicalJSON(["architecture": architecture, "os": "linux"])
        let configDescriptor = try await client.uploadBlob(config, mediaType: MediaType.ociConfig, to: reference)
        let layerDescriptor = try await client.uploadBlob(layer, mediaType: MediaType.ociLayerGzip, to: reference)
        let manifest = ImageManifest(config: configDescriptor, layers: [layerDescriptor])
        return try await client.putManifest(try canonicalJSON(manifest), mediaType: MediaType.ociManifest, to: reference)
    }

    /// A HEAD of a blob larger than any body the client reads announces the blob's size, which is not a body: the
    /// size is read, and a copy of an image with such a layer to another registry works (a real image's base layer
    /// is tens of megabytes; the first multi-platform publish of Examples/03 failed on exactly this).
    @Test func aBlobLargerThanTheBodyLimitIsStillSizedAndCopied() async throws {
        let source = try await LoopbackRegistry.start()
        defer { source.stop() }
        let destination = try await LoopbackRegistry.start()
        defer { destination.stop() }
        let client = Self.client()
        let from = try ImageReference(parsing: "\(source.host)/big/image:1")
        let big = Data((0..<(20 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        let digest = try await Self.pushImage(client, to: from, architecture: "amd64", layer: big)
        let layer = try ImageManifest.decode(try await client.manifest(from).data).layers[0]
        #expect(try await client.blobSize(layer.digest, in: from) == Int64(big.count))
        let to = try ImageReference(parsing: "\(destination.host)/big/image:1")
        #expect(try await client.copy(from, to: to).digest == digest)
        #expect(try await client.blobSize(layer.digest, in: to) == Int64(big.count))
    }

    @Test func blobsManifestsTagsAndDeletesOnAPlainRegistry() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let client = Self.client()
        let repository = try ImageReference(parsing: "\(registry.host)/bakery/sample:1.0")

        // Monolithic and chunked uploads give the same blob back.
        let small = Data("a small layer".utf8)
        let large = Data((0..<300_000).map { UInt8($0 % 251) })
        let first = try await client.uploadBlob(small, to: repository)
        let second = try await client.uploadBlob(large, to: repository, chunkSize: 64 * 1024)
        #expect(try await client.blobSize(first.digest, in: repository) == Int64(small.count))
        #expect(try await client.blob(second.digest, in: repository) == large)
        // A blob that is there is not uploaded again.
        let before = await client.statistics.requests
        _ = try await client.uploadBlob(large, to: repository, chunkSize: 64 * 1024)
        #expect(await client.statistics.requests == before + 1, "one HEAD")

        let digest = try await Self.pushImage(client, to: repository, architecture: "amd64", layer: small)
        let byTag = try await client.manifest(repository)
        let byDigest = try await client.manifest(repository.with(tag: nil).with(digest: digest))
        #expect(byTag.digest == digest && byDigest.data == byTag.data)
        #expect(byTag.mediaType == MediaType.ociManifest)
        #expect(try await client.manifestDescriptor(repository)?.digest == digest)
        #expect(try await client.platform(of: repository) == Platform(architecture: "amd64", os: "linux"))

        // Twelve tags, read back in pages of five.
        for n in 0..<11 { try await client.putManifest(byTag.data, mediaType: byTag.mediaType, to: repository.with(tag: "t\(n)")) }
        let tags = try await client.tags(repository, pageSize: 5)
        #expect(Set(tags) == Set(["1.0"] + (0..<11).map { "t\($0)" }) && tags.count == 12)
        #expect(try await client.tags(try ImageReference(parsing: "\(registry.host)/bakery/nothing-here")) == [])

        // Deleting the manifest takes every tag naming it.
        try await client.deleteManifest(repository.with(tag: nil).with(digest: digest))
        #expect(try await client.manifestDescriptor(repository) == nil)
        await #expect(throws: RegistryError.self) { try await client.manifest(repository) }
    }

    @Test func basicAuthIsRequiredAndTheCredentialsNeverShow() async throws {
        let registry = try await LoopbackRegistry.start(account: Self.account)
        defer { registry.stop() }
        let reference = try ImageReference(parsing: "\(registry.host)/bakery/private:1.0")
        do {
            _ = try await Self.client().uploadBlob(Data("x".utf8), to: reference)
            Issue.record("an anonymous push must be refused")
        } catch {
            #expect(error.code == .unauthorized && error.message.contains("needs credentials"), "\(error)")
        }
        let wrong = CredentialStore(entries: [registry.host: RegistryCredential(username: Self.account.username, password: "wrong-\(Self.account.password)")])
        do {
            _ = try await Self.client(wrong).uploadBlob(Data("x".utf8), to: reference)
            Issue.record("a wrong password must be refused")
        } catch {
            #expect(error.code == .unauthorized, "\(error)")
            #expect(!"\(error)".contains(Self.account.password), "the password must not appear in errors")
        }
        let right = CredentialStore(entries: [registry.host: RegistryCredential(username: Self.account.username, password: Self.account.password)])
        let client = Self.client(right)
        let digest = try await Self.pushImage(client, to: reference, architecture: "amd64", layer: Data("private layer".utf8))
        #expect(try await client.manifest(reference).digest == digest)
        #expect(try await client.tags(reference) == ["1.0"])
    }

    /// Per-architecture images in a temporary registry become one index in an authenticated destination,
    /// with annotations; skopeo then resolves each architecture to its image and shows the annotations.
    @Test func anIndexMergedFromTwoArchitecturesResolvesPerPlatform() async throws {
        let temporary = try await LoopbackRegistry.start()
        defer { temporary.stop() }
        let destination = try await LoopbackRegistry.start(account: Self.account)
        defer { destination.stop() }
        let credentials = CredentialStore(entries: [destination.host: RegistryCredential(username: Self.account.username, password: Self.account.password)])
        let client = Self.client(credentials)
        let temp = try ImageReference(parsing: "\(temporary.host)/example/tmp")
        let amd64 = try await Self.pushImage(client, to: temp.with(tag: "amd64"), architecture: "amd64", layer: Data("amd64 layer".utf8))
        let arm64 = try await Self.pushImage(client, to: temp.with(tag: "arm64"), architecture: "arm64", layer: Data("arm64 layer".utf8))

        // The index in the temporary registry (sources by digest), then copied to the destination's tags.
        let annotations = ["org.opencontainers.image.title": "Example", "org.opencontainers.image.version": "1.0.0"]
        let index = try await client.createIndex(from: [temp.with(digest: amd64), temp.with(digest: arm64)], annotations: annotations,
                                                 at: temp.with(tag: "merged"))
        let published = try ImageReference(parsing: "\(destination.host)/example/image:1.0.0")
        let copied = try await client.copy(temp.with(tag: "merged"), to: published)
        #expect(copied.digest == index.digest, "a copy keeps the bytes, so the digest")
        try await client.putManifest(try await client.manifest(published).data, mediaType: MediaType.ociIndex, to: published.with(tag: "latest"))

        let fetched = try ImageIndex.decode(try await client.manifest(published).data)
        #expect(fetched.annotations == annotations)
        #expect(fetched.manifests.map(\.digest) == [amd64, arm64])
        #expect(fetched.manifests.map { $0.platform?.architecture } == ["amd64", "arm64"])

        // skopeo, a client that is not ours, agrees.
        if let skopeo = ExternalTool.locate("skopeo") {
            // skopeo's Digest is the index's; per architecture it resolves the image: its architecture and layer.
            for (architecture, layer) in [("amd64", "amd64 layer"), ("arm64", "arm64 layer")] {
                let result = try BakeryBinary.execute(skopeo, ["inspect", "--tls-verify=false", "--creds", "\(Self.account.username):\(Self.account.password)",
                                                               "--override-arch", architecture, "--format", "{{.Digest}} {{.Architecture}} {{.Layers}}",
                                                               "docker://\(published)"],
                                                      in: URL(fileURLWithPath: NSTemporaryDirectory()))
                #expect(result.status == 0, "\(result.stderr)")
                let expected = "\(copied.digest) \(architecture) [\(Digest.sha256(of: Data(layer.utf8)))]"
                #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "\(architecture)")
            }
            let raw = try BakeryBinary.execute(skopeo, ["inspect", "--raw", "--tls-verify=false", "--creds", "\(Self.account.username):\(Self.account.password)",
                                                        "docker://\(published.with(tag: "latest"))"], in: URL(fileURLWithPath: NSTemporaryDirectory()))
            #expect(raw.stdout.contains("\"org.opencontainers.image.title\":\"Example\""), "\(raw.stdout)")
        } else if ExternalTool.toolsRequired {
            Issue.record("skopeo is required (BAKERY_REQUIRE_TOOLS=1)")
        }
    }

    @Test func copiesWithinARegistryMountTheBlobs() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let client = Self.client()
        let source = try ImageReference(parsing: "\(registry.host)/example/tmp:build")
        let digest = try await Self.pushImage(client, to: source, architecture: "arm64", layer: Data((0..<200_000).map { UInt8($0 % 13) }))
        let uploaded = await client.statistics.bytesUploaded
        let target = try ImageReference(parsing: "\(registry.host)/example/image:2.0")
        #expect(try await client.copy(source, to: target).digest == digest)
        #expect(await client.statistics.bytesUploaded == uploaded, "mounted, not uploaded again")
        #expect(try await client.platform(of: target) == Platform(architecture: "arm64", os: "linux"))
    }

    /// The registry dies in the middle of a publish and comes back: the retries finish the job.
    @Test func aRegistryKilledMidPublishIsRetriedUntilItIsBack() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let reference = try ImageReference(parsing: "\(registry.host)/example/flaky:1.0")
        let restarted = Box(false)
        let retries = Box<[String]>([])
        let client = Self.client { line in
            retries.mutate { $0.append(line) }
            if !restarted.value {
                restarted.mutate { $0 = true }
                try? registry.restart()
            }
        }
        _ = try await client.uploadBlob(Data("before".utf8), to: reference)
        registry.kill()
        let digest = try await Self.pushImage(client, to: reference, architecture: "amd64", layer: Data("after the crash".utf8))
        #expect(restarted.value)
        #expect(retries.value.first?.contains("hit a transient registry error (attempt 1/5)") == true, "\(retries.value)")
        #expect(retries.value.first?.contains("connection refused") == true, "\(retries.value)")
        #expect(try await client.manifest(reference).digest == digest)
    }
}

/// The client under load, cancellation and a canary secret, against real registries on 127.0.0.1.
@Suite(.serialized, .enabled(if: LoopbackRegistry.shouldRun))
struct RegistryClientLoopbackStressTests {
    static let account = LoopbackRegistry.Account(username: "canary-user", password: "canary-Zq8v+/=-never-print")

    /// Wraps the real transport: records upload Locations (their `_state`) and can act on each request.
    final class Recording: HTTPTransport, @unchecked Sendable {
        let inner = URLSessionTransport(timeout: 30)
        let onRequest: @Sendable (HTTPRequest) -> Void
        private let lock = NSLock()
        private var locations: [String] = []
        init(onRequest: @escaping @Sendable (HTTPRequest) -> Void = { _ in }) { self.onRequest = onRequest }
        var seenLocations: [String] { lock.withLock { locations } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            onRequest(request)
            let response = try await inner.send(request)
            if let location = response.header("Location") { lock.withLock { locations.append(location) } }
            return response
        }
    }

    static func client(_ registry: LoopbackRegistry, password: String = account.password, transport: any HTTPTransport = URLSessionTransport(timeout: 30),
                       onRetry: @escaping @Sendable (String) -> Void = { _ in }) -> RegistryClient {
        var options = RegistryClientOptions()
        options.backoff = { _ in .milliseconds(200) }
        options.onRetry = onRetry
        let credentials = CredentialStore(entries: [registry.host: RegistryCredential(username: account.username, password: password)])
        return RegistryClient(credentials: credentials, options: options, transport: transport)
    }

    @Test func twentyConcurrentUploadsThroughOneClientAllLand() async throws {
        let registry = try await LoopbackRegistry.start(account: Self.account)
        defer { registry.stop() }
        let client = Self.client(registry)
        let reference = try ImageReference(parsing: "\(registry.host)/load/many:1")
        let blobs: [Data] = (0..<20).map { (n: Int) -> Data in
            Data((0..<(1_000 + n * 7_919)).map { (i: Int) -> UInt8 in UInt8((i * (n + 3)) % 251) })
        }
        let descriptors = try await withThrowingTaskGroup(of: (Int, Descriptor).self) { group in
            for (n, blob) in blobs.enumerated() {
                group.addTask { (n, try await client.uploadBlob(blob, to: reference, chunkSize: n.isMultiple(of: 2) ? 16 * 1024 : nil)) }
            }
            var result = [Descriptor?](repeating: nil, count: blobs.count)
            for try await (n, descriptor) in group { result[n] = descriptor }
            return result.compactMap { $0 }
        }
        #expect(descriptors.count == 20)
        for (blob, descriptor) in zip(blobs, descriptors) {
            #expect(try await client.blob(descriptor.digest, in: reference) == blob)
        }
        let manifest = ImageManifest(config: descriptors[0], layers: Array(descriptors.dropFirst()))
        let digest = try await client.putManifest(try canonicalJSON(manifest), mediaType: MediaType.ociManifest, to: reference)
        #expect(try await client.manifestDescriptor(reference)?.digest == digest)
        let total = blobs.reduce(0) { $0 + $1.count }
        #expect(await client.statistics.bytesUploaded == Int64(total))
    }

    @Test func cancellingAChunkedUploadMidwayEndsPromptlyAndTheClientStaysUsable() async throws {
        let registry = try await LoopbackRegistry.start(account: Self.account)
        defer { registry.stop() }
        let patches = Box(0)
        let (third, reached) = AsyncStream<Void>.makeStream()
        let transport = Recording { request in
            guard request.method == "PATCH" else { return }
            patches.mutate { $0 += 1 }
            if patches.value == 3 { reached.yield() }
        }
        let client = Self.client(registry, transport: transport)
        let reference = try ImageReference(parsing: "\(registry.host)/load/cancelled")
        let big = Data(repeating: 7, count: 32 << 20)
        let upload = Task { try await client.uploadBlob(big, to: reference, chunkSize: 256 * 1024) }
        for await _ in third { break }
        let cancelled = Date()
        upload.cancel()
        do {
            _ = try await upload.value
            Issue.record("a cancelled upload must not finish")
        } catch let error as RegistryError {
            #expect(error.code == .cancelled, "\(error)")
        }
        _ = cancelled   // promptness is the chunk count below, not a wall-clock bound a busy task pool breaks
        #expect(patches.value < 16, "\(patches.value) of 128 chunks were sent")
        #expect(try await client.blobSize(Digest.sha256(of: big), in: reference) == nil)
        // Nothing is left locked or waiting: the same client uploads at once.
        let after = try await client.uploadBlob(Data("after the cancellation".utf8), to: reference, chunkSize: 8)
        #expect(try await client.blob(after.digest, in: reference) == Data("after the cancellation".utf8))
    }

    /// A canary password through a real htpasswd registry: a publish that survives the registry dying in the
    /// middle of a chunked upload, then every kind of failure. No error, retry line or statistic holds the
    /// password, its Basic encoding, or the `_state` of an upload Location.
    @Test func aCanaryPasswordNeverShowsInAnythingTheClientSays() async throws {
        let registry = try await LoopbackRegistry.start(account: Self.account)
        defer { registry.stop() }
        let patches = Box(0)
        let transport = Recording { request in
            guard request.method == "PATCH" else { return }
            patches.mutate { $0 += 1 }
            if patches.value == 2 { registry.kill() }     // the second chunk meets a dead registry
        }
        let lines = Box<[String]>([])
        let client = Self.client(registry, transport: transport) { line in
            lines.mutate { $0.append(line) }
            if !registry.isRunning { try? registry.restart() }
        }
        let reference = try ImageReference(parsing: "\(registry.host)/canary/image:1")
        let layer = Data((0..<100_000).map { UInt8($0 % 199) })
        let config = try await client.uploadBlob(try canonicalJSON(["architecture": "amd64", "os": "linux"]), to: reference)
        let uploaded = try await client.uploadBlob(layer, to: reference, chunkSize: 16 * 1024)
        #expect(try await client.blob(uploaded.digest, in: reference) == layer)
        #expect(lines.value.contains { $0.contains("PATCH") && $0.contains("connection") }, "\(lines.value)")
        try await client.putManifest(try canonicalJSON(ImageManifest(config: config, layers: [uploaded])), mediaType: MediaType.ociManifest, to: reference)

        var texts = lines.value
        func note(_ error: any Error) { texts += ["\(error)", String(reflecting: error)] }
        do { _ = try await client.manifest(reference.with(tag: "missing")) } catch { note(error) }
        do { _ = try await client.blob(Digest.sha256(of: Data("absent".utf8)), in: reference) } catch { note(error) }
        do { try await client.putManifest(Data("not a manifest".utf8), mediaType: MediaType.ociManifest, to: reference) } catch { note(error) }
        do { try await client.deleteManifest(reference.with(tag: nil).with(digest: Digest.sha256(of: Data("absent".utf8)))) } catch { note(error) }
        let wrong = Self.client(registry, password: "wrong-password")
        do { _ = try await wrong.uploadBlob(Data("x".utf8), to: reference) } catch { note(error) }
        do { _ = try await wrong.tags(reference) } catch { note(error) }
        texts.append("\(await client.statistics)")
        #expect(texts.count >= 13, "\(texts)")

        let states = transport.seenLocations.compactMap { URLComponents(string: $0)?.percentEncodedQueryItems?.first { $0.name == "_state" }?.value }
        #expect(!states.isEmpty, "docker-registry keeps upload state in _state: \(transport.seenLocations)")
        let canaries = [Self.account.password, Data("\(Self.account.username):\(Self.account.password)".utf8).base64EncodedString(),
                        Data("\(Self.account.username):wrong-password".utf8).base64EncodedString()]
            + states + states.compactMap { $0.removingPercentEncoding }
        for text in texts {
            for canary in canaries { #expect(!text.contains(canary), "\(text)") }
        }
    }
}
