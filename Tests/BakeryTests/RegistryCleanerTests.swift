// RegistryCleaner in process: the repositories it derives, how it dates images, and what it deletes from a real
// docker-registry on 127.0.0.1 (indexes and their children, shared children kept, siblings untouched, dry runs,
// a registry that refuses deletes). The ghcr.io path is tested through the binary (CleanCommandTests).
import Bakery
import Foundation
import OCIRegistry
import Testing
import TestSupport

@Suite struct RegistryCleanerTests {
    // MARK: - Pure parts

    @Test func timestampsInTheFormsRegistriesAndBakeryWrite() throws {
        let utc = try #require(RegistryCleaner.timestamp("2026-01-02T03:04:05Z"))
        #expect(utc.timeIntervalSince1970 == 1_767_323_045)
        #expect(RegistryCleaner.timestamp("2026-01-02T03:04:05.123456789Z")!.timeIntervalSince(utc) - 0.123456789 < 1e-6)
        #expect(RegistryCleaner.timestamp("2026-01-02T05:04:05+02:00") == utc)
        #expect(RegistryCleaner.timestamp("2026-01-01T22:04:05-0500") == utc)
        #expect(RegistryCleaner.timestamp("2026-01-02 03:04:05") == utc, "no zone (posit-bakery's local time): read as UTC")
        #expect(RegistryCleaner.timestamp("2026-01-02T03:04") == utc.addingTimeInterval(-5))
        #expect(RegistryCleaner.timestamp("2026-01-02") == utc.addingTimeInterval(-(3 * 3600 + 4 * 60 + 5)))
        for bad in ["", "yesterday", "2026-13-01", "2026-02-30", "2026-01-02T25:00:00Z", "2026-01-02T03:04:05Q", "2026-01-02T03:04:05.Z"] {
            #expect(RegistryCleaner.timestamp(bad) == nil, "\(bad)")
        }
    }

    @Test func ghcrPackagesAreOrganizationAndPackageName() throws {
        let package = try GitHubPackages.Package(reference: "ghcr.io/posit-dev/workbench/cache")
        #expect(package.organization == "posit-dev" && package.name == "workbench/cache")
        for bad in ["ghcr.io/posit-dev", "ghcr.io//x/tmp", "ghcr.io/o r g/x/tmp", "docker.io/a/b", "ghcr.io/org/x:tag"] {
            #expect(throws: BakeryError.self, "\(bad)") { try GitHubPackages.Package(reference: bad) }
            do { _ = try GitHubPackages.Package(reference: bad) } catch { #expect(error.message == "Invalid GHCR registry format: \(bad)") }
        }
    }

    @Test func apiOverridesMustBeHTTPSOrLoopback() throws {
        #expect(try GitHubPackages.apiBase(environment: [:]).absoluteString == "https://api.github.com")
        #expect(try GitHubPackages.apiBase(environment: [GitHubPackages.baseVariable: "http://127.0.0.1:8080/"]).absoluteString == "http://127.0.0.1:8080")
        #expect(try GitHubPackages.apiBase(environment: [GitHubPackages.baseVariable: "https://ghe.example.com/api/v3"]).absoluteString
                == "https://ghe.example.com/api/v3")
        #expect(try DockerHubReadme.base(environment: [DockerHubReadme.baseVariable: "http://localhost:9"]).absoluteString == "http://localhost:9")
        for bad in ["http://example.com", "http://10.0.0.1:80", "ftp://127.0.0.1", "http://127.0.0.1.example.com", "not a url", "https://u:p@x.example"] {
            #expect(throws: BakeryError.self, "\(bad)") { try GitHubPackages.apiBase(environment: [GitHubPackages.baseVariable: bad]) }
        }
    }

    @Test func dockerHubNumbersAreGroupedByThousands() {
        #expect(DockerHubReadme.grouped(25_069) == "25,069")
        #expect(DockerHubReadme.grouped(69) == "69")
        #expect(DockerHubReadme.grouped(1_234_567) == "1,234,567")
        #expect(DockerHubReadme.Oversize(readme: "/p/README.md", size: 25_069).message
                == "/p/README.md is 25,069 bytes, exceeding Docker Hub's 25,000-byte README limit by 69 bytes")
    }

    // MARK: - Against a docker-registry

    static let day: TimeInterval = 86_400
    static let now = Date()

    static func stamp(_ daysAgo: Double) -> String {
        let formatter = ISO8601DateFormatter()
        return formatter.string(from: now.addingTimeInterval(-daysAgo * day))
    }

    static func plainClient() -> RegistryClient {
        var options = RegistryClientOptions()
        options.backoff = { _ in .milliseconds(200) }
        return RegistryClient(credentials: CredentialStore(entries: [:]), options: options)
    }

    /// An image whose config carries `label` as org.opencontainers.image.created (or only `created`), pushed by digest
    /// or under `tag`.
    static func pushImage(_ client: RegistryClient, _ repository: ImageReference, tag: String?, label: String?, created: String? = nil,
                          architecture: String = "amd64", seed: String) async throws -> Descriptor {
        var config: [String: Any] = ["architecture": architecture, "os": "linux",
                                     "rootfs": ["type": "layers", "diff_ids": [String]()]]
        if let label { config["config"] = ["Labels": [RegistryCleaner.createdKey: label]] }
        if let created { config["created"] = created }
        let configData = try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys])
        let configDescriptor = try await client.uploadBlob(configData, mediaType: MediaType.ociConfig, to: repository)
        let layer = try await client.uploadBlob(Data("layer \(seed)".utf8), mediaType: MediaType.ociLayerGzip, to: repository)
        let manifest = try canonicalJSON(ImageManifest(config: configDescriptor, layers: [layer]))
        let target = tag.map { repository.with(tag: $0) } ?? repository.with(tag: nil).with(digest: Digest.sha256(of: manifest))
        let digest = try await client.putManifest(manifest, mediaType: MediaType.ociManifest, to: target)
        return Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: Int64(manifest.count),
                          platform: Platform(architecture: architecture, os: "linux"))
    }

    /// An index of `children` under `tag`, with the created annotation when given.
    static func pushIndex(_ client: RegistryClient, _ repository: ImageReference, tag: String, children: [Descriptor],
                          annotation: String?) async throws -> Digest {
        let index = ImageIndex(manifests: children, annotations: annotation.map { [RegistryCleaner.createdKey: $0] })
        return try await client.putManifest(try canonicalJSON(index), mediaType: MediaType.ociIndex, to: repository.with(tag: tag))
    }

    func cleaner(_ options: RegistryCleaner.Options, client: RegistryClient? = nil, printed: Printed = Printed()) throws -> RegistryCleaner {
        RegistryCleaner(options: options, access: try RegistryAccess(environment: [:], home: "/nonexistent"), environment: [:],
                        client: client) { printed.append($0) }
    }

    final class Printed: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ s: String) { lock.withLock { items.append(s) } }
        var all: [String] { lock.withLock { items } }
    }

    func exists(_ client: RegistryClient, _ repository: ImageReference, _ digest: Digest) async throws -> Bool {
        try await client.manifestDescriptor(repository.with(tag: nil).with(digest: digest)) != nil
    }

    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func oldTagsGoWithTheChildrenNoKeptIndexUses() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let client = Self.plainClient()
        let tmp = try ImageReference(parsing: "\(registry.host)/example-image/tmp")
        // Old: a labelled image, an image dated only by its config's created, and an annotated index of two children,
        // one of which a recent index also holds. Recent: an image, that index. Undated: an image with neither.
        let oldLabel = try await Self.pushImage(client, tmp, tag: "old-label", label: Self.stamp(10), seed: "1")
        let oldCreated = try await Self.pushImage(client, tmp, tag: "old-created", label: nil, created: Self.stamp(5), seed: "2")
        let shared = try await Self.pushImage(client, tmp, tag: nil, label: Self.stamp(9), architecture: "arm64", seed: "3")
        let onlyOld = try await Self.pushImage(client, tmp, tag: nil, label: Self.stamp(9), seed: "4")
        let oldIndex = try await Self.pushIndex(client, tmp, tag: "old-index", children: [onlyOld, shared], annotation: Self.stamp(9))
        let recentChild = try await Self.pushImage(client, tmp, tag: nil, label: Self.stamp(1), seed: "5")
        let recentIndex = try await Self.pushIndex(client, tmp, tag: "recent-index", children: [recentChild, shared], annotation: nil)
        let recent = try await Self.pushImage(client, tmp, tag: "recent", label: Self.stamp(0.5), seed: "6")
        _ = try await client.putManifest(try await client.manifest(tmp.with(tag: "recent")).data, mediaType: MediaType.ociManifest,
                                         to: tmp.with(tag: "recent-alias"))
        let undated = try await Self.pushImage(client, tmp, tag: "undated", label: nil, seed: "7")
        // Siblings a careless cleaner could reach: the image's own repository and another one below it.
        let sibling = try ImageReference(parsing: "\(registry.host)/example-image")
        let other = try ImageReference(parsing: "\(registry.host)/example-image/other")
        _ = try await Self.pushImage(client, sibling, tag: "old", label: Self.stamp(30), seed: "8")
        _ = try await Self.pushImage(client, other, tag: "old", label: Self.stamp(30), seed: "9")

        let printed = Printed()
        let dry = try cleaner(.init(olderThan: 3, dryRun: true, now: Self.now), client: client, printed: printed)
        #expect(try await dry.clean([tmp.description]) == 0)
        #expect(try await client.tags(tmp).sorted() == ["old-created", "old-index", "old-label", "recent", "recent-alias", "recent-index", "undated"],
                "a dry run deletes nothing")
        let first = try #require(printed.all.first)
        let listing = try #require(JSONValue.parse(first))
        guard case .array(let versions)? = listing["versions"] else { Issue.record("no versions: \(printed.all)"); return }
        #expect(versions.map { $0["name"] } == [oldCreated.digest, oldIndex, oldLabel.digest, onlyOld.digest].map { .string($0.description) })
        #expect(versions[1]["metadata"] == .object([("package_type", .string("container")), ("container", .object([("tags", .array([.string("old-index")]))]))]))
        #expect(versions[0]["url"] == .string("http://\(registry.host)/v2/example-image/tmp/manifests/\(oldCreated.digest)"))
        #expect(versions[0]["created_at"] == .string(Self.stamp(5)) && versions[3]["created_at"] == nil && versions[0]["updated_at"] == nil)

        let real = try cleaner(.init(olderThan: 3, now: Self.now), client: client)
        #expect(try await real.clean([tmp.description]) == 0)
        #expect(try await client.tags(tmp).sorted() == ["recent", "recent-alias", "recent-index", "undated"])
        for gone in [oldLabel.digest, oldCreated.digest, oldIndex, onlyOld.digest] { #expect(try await !exists(client, tmp, gone), "\(gone)") }
        for kept in [shared.digest, recentChild.digest, recentIndex, recent.digest, undated.digest] { #expect(try await exists(client, tmp, kept), "\(kept)") }
        #expect(try await client.tags(sibling) == ["old"])
        #expect(try await client.tags(other) == ["old"])

        // Nothing old is left: a second run removes nothing.
        #expect(try await real.clean([tmp.description]) == 0)
        #expect(try await client.tags(tmp).count == 4)
    }

    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func withoutOlderThanNothingIsSelected() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let client = Self.plainClient()
        let tmp = try ImageReference(parsing: "\(registry.host)/img/tmp")
        _ = try await Self.pushImage(client, tmp, tag: "ancient", label: Self.stamp(400), seed: "a")
        #expect(try await cleaner(.init(untagged: true, now: Self.now), client: client).clean([tmp.description]) == 0)
        #expect(try await client.tags(tmp) == ["ancient"])
        // A repository that does not exist has nothing to remove.
        #expect(try await cleaner(.init(olderThan: 1, now: Self.now), client: client).clean(["\(registry.host)/nothing/tmp"]) == 0)
    }

    /// Answers DELETE as a registry with deletes disabled does; everything else goes to the real registry.
    struct RefusingDeletes: HTTPTransport {
        let inner = URLSessionTransport()
        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            if request.method == "DELETE" {
                return HTTPResponse(status: 405, headers: ["Content-Type": "application/json"],
                                    body: Data(#"{"errors":[{"code":"UNSUPPORTED","message":"The operation is unsupported."}]}"#.utf8))
            }
            return try await inner.send(request)
        }
    }

    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func aRegistryThatRefusesDeletesIsNamedWithWhatToEnable() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let tmp = try ImageReference(parsing: "\(registry.host)/img/tmp")
        _ = try await Self.pushImage(Self.plainClient(), tmp, tag: "old", label: Self.stamp(10), seed: "r")
        let refusing = RegistryClient(credentials: CredentialStore(entries: [:]), transport: RefusingDeletes())
        let refused = try cleaner(.init(olderThan: 3, now: Self.now), client: refusing)
        do {
            _ = try await refused.clean([tmp.description])
            Issue.record("no error")
        } catch {
            #expect(error.code == .registry)
            #expect(error.message.contains("\(registry.host) does not allow deleting manifests (405 UNSUPPORTED)"), "\(error.message)")
            #expect(error.hint?.contains("storage.delete.enabled") == true)
        }
        #expect(try await Self.plainClient().tags(tmp) == ["old"])
    }

    @Test func badRepositoriesAndAMissingTokenFailBeforeAnythingIsRead() async throws {
        let missingToken = try cleaner(.init(olderThan: 1))
        do { _ = try await missingToken.clean(["ghcr.io/posit-dev/x/tmp"]); Issue.record("no error") } catch {
            #expect(error.message.contains("GITHUB_TOKEN is not set"))
        }
        do { _ = try await missingToken.clean(["127.0.0.1:1/x/tmp", "ghcr.io/posit-dev"]); Issue.record("no error") } catch {
            #expect(error.message == "Invalid GHCR registry format: ghcr.io/posit-dev")
        }
        do { _ = try await missingToken.clean(["127.0.0.1:1/UPPER/tmp"]); Issue.record("no error") } catch {
            #expect(error.code == .invalidValue)
        }
    }
}
