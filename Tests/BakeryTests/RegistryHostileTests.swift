// The registry commands' library parts against hostile input: a build context whose links lead out of it or
// into folders, a GitHub or Docker Hub API that lies about counts, nests JSON without end or echoes the token
// back, package names with `.` and `..`, a cleaner that must not break an index it keeps, and a temporary tag
// overwritten between merging and copying. Each test names the finding it proves (see the review report).
@testable import Bakery
import Foundation
import Logging
import OCIRegistry
import Testing
import TestSupport

@Suite struct RegistryHostileTests {
    // MARK: - Helpers

    /// Answers every request through `answer`, recording each one.
    final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var sent: [HTTPRequest] = []
        let answer: @Sendable (HTTPRequest) throws -> HTTPResponse

        init(_ answer: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) { self.answer = answer }

        var requests: [HTTPRequest] { lock.withLock { sent } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            lock.withLock { sent.append(request) }
            return try answer(request)
        }
    }

    static func json(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: ["content-type": "application/json"], body: Data(text.utf8))
    }

    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("registry-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    static func digest(_ context: URL, _ sources: [String]) throws -> InputDigest {
        InputDigest(.init(containerfile: Data(), contextFiles: try InputDigest.contextFiles(in: context, sources: sources, wholeContext: false),
                          platforms: ["linux/amd64"]))
    }

    // MARK: - The input digest and links

    /// Finding: the input digest read the file a context link points at on the host, outside the context.
    @Test func aLinkLeavingTheContextIsNeverReadThrough() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let context = root.appendingPathComponent("context")
        let outside = root.appendingPathComponent("outside.txt")
        try Self.write("secret one", outside)
        try Self.write("FROM scratch", context.appendingPathComponent("Containerfile"))
        try FileManager.default.createSymbolicLink(atPath: context.appendingPathComponent("absolute").path, withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(atPath: context.appendingPathComponent("relative").path, withDestinationPath: "../outside.txt")
        let before = try Self.digest(context, ["absolute", "relative"])
        for file in try InputDigest.contextFiles(in: context, sources: ["absolute", "relative"], wholeContext: false) {
            if case .link(_, let reached) = file.content { #expect(reached == nil, "\(file.path) was hashed through a link out of the context") }
        }
        try Self.write("secret two", outside)
        #expect(try Self.digest(context, ["absolute", "relative"]) == before,
                "a file outside the context changed the digest: it was read")
    }

    /// Finding: an absolute link is resolved inside the context by the engines (the context is its root), so the
    /// file it reaches there is an input; the digest followed it on the host instead and missed the change.
    @Test func anAbsoluteLinkReachesTheFileInsideTheContextAsTheEngineDoes() throws {
        let context = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: context) }
        try Self.write("v1", context.appendingPathComponent("etc/app.conf"))
        try FileManager.default.createSymbolicLink(atPath: context.appendingPathComponent("conf").path, withDestinationPath: "/etc/app.conf")
        let before = try Self.digest(context, ["conf"])
        try Self.write("v2", context.appendingPathComponent("etc/app.conf"))
        #expect(try Self.digest(context, ["conf"]) != before)
    }

    /// Finding: COPY of a link to a folder copies the folder's contents, but the digest hashed only the link, so
    /// a changed nested file left the target "unchanged" and `--skip-unchanged` skipped it.
    @Test func aNestedChangeBehindALinkedFolderChangesTheDigest() throws {
        let context = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: context) }
        try Self.write("one", context.appendingPathComponent("real/nested/deep/file.txt"))
        try Self.write("x", context.appendingPathComponent("unrelated.txt"))
        try FileManager.default.createSymbolicLink(atPath: context.appendingPathComponent("linked").path, withDestinationPath: "real")
        let files = try InputDigest.contextFiles(in: context, sources: ["linked"], wholeContext: false)
        #expect(files.map(\.path).contains("real/nested/deep/file.txt"))
        #expect(!files.map(\.path).contains("unrelated.txt"))
        let before = try Self.digest(context, ["linked"])
        try Self.write("two", context.appendingPathComponent("real/nested/deep/file.txt"))
        #expect(try Self.digest(context, ["linked"]) != before)
    }

    /// Links that loop, or chain through each other, end (no hang, no crash) and are hashed as links.
    @Test func linkLoopsAndChainsEnd() throws {
        let context = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: context) }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: context.appendingPathComponent("a").path, withDestinationPath: "b")
        try fm.createSymbolicLink(atPath: context.appendingPathComponent("b").path, withDestinationPath: "a")
        try fm.createSymbolicLink(atPath: context.appendingPathComponent("self").path, withDestinationPath: ".")
        try fm.createSymbolicLink(atPath: context.appendingPathComponent("up").path, withDestinationPath: "../../../..")
        try Self.write("z", context.appendingPathComponent("z.txt"))
        let files = try InputDigest.contextFiles(in: context, sources: ["a", "self", "up"], wholeContext: false)
        #expect(Set(files.map(\.path)) == ["a", "b", "self", "up", "z.txt"], "self and up reach the context's root: everything")
    }

    /// Finding: `RUN --mount=type=bind,source=…` reads the context, but only COPY/ADD sources were hashed, so a
    /// changed requirements file mounted into a RUN left the target "unchanged" and `--skip-unchanged` skipped it.
    @Test func filesARunMountBindsFromTheContextAreInputs() throws {
        let read = InputDigest.Instructions(parsing: """
            FROM scratch AS builder
            FROM scratch
            RUN --mount=type=bind,source=deps/requirements.txt,target=/r.txt --mount=type=cache,target=/root/.cache pip install -r /r.txt
            RUN --mount=type=bind,from=builder,source=/out,target=/o cp -r /o /app
            RUN --mount=type=secret,id=token true
            RUN --mount=src=tools,dst=/t /t/run
            """)
        #expect(read.contextSources == ["deps/requirements.txt", "tools"])
        #expect(!read.wholeContext)
        #expect(InputDigest.Instructions(parsing: "FROM scratch\nRUN --mount=type=bind,target=/src make -C /src\n").contextSources == ["."])
        #expect(InputDigest.Instructions(parsing: "FROM scratch\nRUN --mount=type=bind,source=$DIR,target=/s true\n").wholeContext)
        let context = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: context) }
        try Self.write("flask==1", context.appendingPathComponent("deps/requirements.txt"))
        let before = try Self.digest(context, read.contextSources)
        try Self.write("flask==2", context.appendingPathComponent("deps/requirements.txt"))
        #expect(try Self.digest(context, read.contextSources) != before)
    }

    // MARK: - GitHub's packages API

    static func github(_ transport: ScriptedTransport, token: String = "ghp_0123456789abcdefSECRET") -> GitHubPackages {
        GitHubPackages(base: URL(string: "http://127.0.0.1:9")!, token: token, transport: transport)
    }

    /// Finding: a version_count near Int.max overflowed the page arithmetic (a Swift trap).
    @Test func anAbsurdVersionCountIsAnErrorNotATrap() async throws {
        let transport = ScriptedTransport { _ in Self.json(#"{"version_count": \#(Int.max)}"#) }
        let package = try GitHubPackages.Package(reference: "ghcr.io/acme/app/tmp")
        await #expect(throws: BakeryError.self) { _ = try await Self.github(transport).versions(of: package) }
    }

    /// Finding: pages that never end (the same full page again and again) were read until version_count pages.
    @Test func aVersionListThatRepeatsItselfStops() async throws {
        let page = "[" + (1...100).map { #"{"id": \#($0), "name": "sha256:x", "metadata": {"container": {"tags": []}}}"# }.joined(separator: ",") + "]"
        let transport = ScriptedTransport { request in
            request.url.path.hasSuffix("/versions") ? Self.json(page) : Self.json(#"{"version_count": 900000}"#)
        }
        let package = try GitHubPackages.Package(reference: "ghcr.io/acme/app/tmp")
        await #expect(throws: BakeryError.self) { _ = try await Self.github(transport).versions(of: package) }
        #expect(transport.requests.count <= 3, "\(transport.requests.count) requests")
    }

    /// Finding: a server nesting JSON a million levels deep overflowed the parser's stack (a crash).
    @Test func deeplyNestedJSONFromTheAPIIsAnErrorNotACrash() async throws {
        let deep = String(repeating: "[", count: 1_000_000)
        let transport = ScriptedTransport { _ in Self.json(deep) }
        let package = try GitHubPackages.Package(reference: "ghcr.io/acme/app/tmp")
        await #expect(throws: BakeryError.self) { _ = try await Self.github(transport).versions(of: package) }
        let hub = DockerHubReadme(base: URL(string: "http://127.0.0.1:9")!, username: "u", password: "hub-password-canary", transport: transport)
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.write("# readme", dir.appendingPathComponent("README.md"))
        let outcome = await hub.push([.init(readme: dir.appendingPathComponent("README.md").path,
                                            repositories: [.init(namespace: "acme", name: "app")], exists: true)])
        #expect(outcome.pushed.isEmpty && outcome.failed.count == 1)
    }

    /// Finding: an error body was cut before the token was searched for, so a token straddling the cut leaked its
    /// first characters (GitHub: 4096 bytes; Docker Hub: 200 characters).
    @Test func anEchoedTokenCutByTheMessageLimitDoesNotLeakItsStart() async throws {
        let token = "ghp_0123456789abcdefSECRET"
        let body = String(repeating: "x", count: 4090) + token + " was refused"
        let transport = ScriptedTransport { _ in HTTPResponse(status: 403, body: Data(body.utf8)) }
        let package = try GitHubPackages.Package(reference: "ghcr.io/acme/app/tmp")
        do {
            _ = try await Self.github(transport, token: token).versions(of: package)
            Issue.record("no error")
        } catch {
            #expect(!error.message.contains("ghp_"), "\(error.message.suffix(80))")
        }
        let password = "hub-password-canary"
        let hubBody = String(repeating: "y", count: 190) + password
        let hubTransport = ScriptedTransport { _ in HTTPResponse(status: 401, body: Data(hubBody.utf8)) }
        let hub = DockerHubReadme(base: URL(string: "http://127.0.0.1:9")!, username: "u", password: password, transport: hubTransport)
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.write("# readme", dir.appendingPathComponent("README.md"))
        let outcome = await hub.push([.init(readme: dir.appendingPathComponent("README.md").path,
                                            repositories: [.init(namespace: "acme", name: "app")], exists: true)])
        #expect(outcome.failed.count == 1)
        for failure in outcome.failed { #expect(!failure.reason.contains("hub-pa"), "\(failure.reason)") }
    }

    /// Finding: `.` and `..` were accepted as the organisation or a package segment; the URL's dot segments are
    /// squashed by the HTTP stack, so requests (DELETE included) went to another path of the API.
    @Test func dotSegmentsInAGHCRPackageAreRefused() {
        for bad in ["ghcr.io/../app/tmp", "ghcr.io/./app/tmp", "ghcr.io/acme/../tmp", "ghcr.io/acme/app/../../x/tmp",
                    "ghcr.io/acme/./tmp", "ghcr.io/acme/app//tmp", "ghcr.io/acme/app/tmp/"] {
            #expect(throws: BakeryError.self, "\(bad)") { try GitHubPackages.Package(reference: bad) }
        }
        #expect(throws: Never.self) { try GitHubPackages.Package(reference: "ghcr.io/acme/app.v1/tmp") }
    }

    /// Hostile registries and image names never reach a request: `..`, `%2F`, `?`, `#`, uppercase, a URL scheme.
    @Test func hostileRepositoriesAreRefusedBeforeAnyRequest() async throws {
        let transport = ScriptedTransport { _ in Self.json("{}") }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), transport: transport)
        let cleaner = RegistryCleaner(options: .init(olderThan: 1), access: try RegistryAccess(environment: [:], home: "/nonexistent"),
                                      environment: [:], client: client) { _ in }
        for bad in ["127.0.0.1:5000/ns/../img/tmp", "127.0.0.1:5000/img%2Fother/tmp", "127.0.0.1:5000/img/tmp?n=1", "127.0.0.1:5000/img/tmp#x",
                    "127.0.0.1:5000/IMG/tmp", "http://127.0.0.1:5000/img/tmp", "127.0.0.1:5000/img/tmp:tag", "127.0.0.1:5000//img/tmp"] {
            await #expect(throws: BakeryError.self, "\(bad)") { _ = try await cleaner.clean([bad]) }
        }
        #expect(transport.requests.isEmpty, "\(transport.requests.map(\.url))")
    }

    /// Finding: tag names from a registry's tag list went into request paths as they came, so a hostile registry
    /// listing `../../../other/tmp/manifests/x` (or a tag with `?`, `#`, a space) steered the cleaner's requests
    /// out of the repository. Now a tag list holding a name that is no tag leaves the repository untouched.
    @Test func tagNamesFromAHostileRegistryNeverBecomePaths() async throws {
        let transport = ScriptedTransport { request in
            let path = request.url.path
            if path.hasSuffix("/tags/list") {
                return Self.json(#"{"name": "img/tmp", "tags": ["ok", "../../../other/tmp/manifests/latest", "a b", "q?x", "h#y", "UPPER-is-fine"]}"#)
            }
            if path == "/v2/" || path == "/v2" { return Self.json("{}") }
            return HTTPResponse(status: 404, body: Data(#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"unknown"}]}"#.utf8))
        }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), transport: transport)
        let cleaner = RegistryCleaner(options: .init(olderThan: 1), access: try RegistryAccess(environment: [:], home: "/nonexistent"),
                                      environment: [:], client: client) { _ in }
        #expect(try await cleaner.clean(["127.0.0.1:5000/img/tmp"]) == 1, "an untrustworthy tag list is an error for that repository")
        for request in transport.requests {
            #expect(request.url.path.hasPrefix("/v2/img/tmp/") || request.url.path == "/v2/" || request.url.path == "/v2", "\(request.method) \(request.url)")
            #expect(!request.url.absoluteString.contains(".."), "\(request.url)")
            #expect(request.method == "GET", "\(request.method) \(request.url)")
        }
    }

    /// Finding: a Docker Hub tag with `..` as its namespace or name, or a third path level, became a PATCH to
    /// `/v2/namespaces/../repositories/x`, which the HTTP stack squashes to another endpoint of Hub's API.
    @Test func dockerHubRepositoriesAreTwoPlainPathComponents() {
        #expect(DockerHubReadme.hubRepository("docker.io/posit/connect:2024.05") == .init(namespace: "posit", name: "connect"))
        #expect(DockerHubReadme.hubRepository("docker.io/posit/package-manager.x_y@sha256:" + String(repeating: "a", count: 64)) != nil)
        for bad in ["docker.io/../connect:1", "docker.io/posit/..:1", "docker.io/./connect:1", "docker.io/posit/a/b:1", "docker.io/Posit/connect:1",
                    "docker.io/posit/connect%2F..:1", "docker.io/posit/-x:1", "docker.io//connect:1"] {
            #expect(DockerHubReadme.hubRepository(bad) == nil, "\(bad)")
        }
    }

    // MARK: - Against a docker-registry

    /// Finding: an old tagged image was deleted although a kept (recent) index still holds it as a platform.
    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func anOldImageAKeptIndexHoldsIsKept() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let client = RegistryCleanerTests.plainClient()
        let tmp = try ImageReference(parsing: "\(registry.host)/img/tmp")
        let old = try await RegistryCleanerTests.pushImage(client, tmp, tag: "old-amd64", label: RegistryCleanerTests.stamp(10), seed: "o")
        let fresh = try await RegistryCleanerTests.pushImage(client, tmp, tag: nil, label: RegistryCleanerTests.stamp(0.1),
                                                             architecture: "arm64", seed: "f")
        let index = try await RegistryCleanerTests.pushIndex(client, tmp, tag: "recent", children: [old, fresh],
                                                             annotation: RegistryCleanerTests.stamp(0.1))
        let gone = try await RegistryCleanerTests.pushImage(client, tmp, tag: "ancient", label: RegistryCleanerTests.stamp(20), seed: "g")
        let printed = RegistryCleanerTests.Printed()
        let dry = RegistryCleaner(options: .init(olderThan: 3, dryRun: true, now: RegistryCleanerTests.now),
                                  access: try RegistryAccess(environment: [:], home: "/nonexistent"), environment: [:], client: client) { printed.append($0) }
        #expect(try await dry.clean([tmp.description]) == 0)
        #expect(printed.all.count == 1 && !(printed.all.first ?? "").contains(old.digest.description), "\(printed.all)")
        let cleaner = RegistryCleaner(options: .init(olderThan: 3, now: RegistryCleanerTests.now),
                                      access: try RegistryAccess(environment: [:], home: "/nonexistent"), environment: [:], client: client) { _ in }
        #expect(try await cleaner.clean([tmp.description]) == 0)
        #expect(try await client.manifestDescriptor(tmp.with(digest: old.digest)) != nil, "the kept index lost its amd64 image")
        #expect(try await client.manifestDescriptor(tmp.with(tag: "recent"))?.digest == index)
        #expect(try await client.manifestDescriptor(tmp.with(digest: gone.digest)) == nil)
    }

    /// Overwrites the temporary tag right after it is pushed, as a concurrent CI run with another index would.
    final class OverwritingTransport: HTTPTransport, @unchecked Sendable {
        let inner = URLSessionTransport()
        let temporaryPath: String
        let other: Data
        private let lock = NSLock()
        private var done = false

        init(temporaryPath: String, other: Data) {
            self.temporaryPath = temporaryPath
            self.other = other
        }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            let response = try await inner.send(request)
            let first = lock.withLock { () -> Bool in
                guard request.method == "PUT", request.url.path == temporaryPath, !done else { return false }
                done = true
                return true
            }
            if first {
                _ = try await inner.send(HTTPRequest(method: "PUT", url: request.url, headers: [("Content-Type", MediaType.ociIndex)], body: other))
            }
            return response
        }
    }

    /// Finding: stage 2 copied the temporary index by its tag, so a tag moved after stage 1 (another run with the
    /// same UID, a hostile writer) put someone else's index on every destination tag (then failed verification).
    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func theCopyTakesTheIndexMergedNotWhatTheTemporaryTagNamesLater() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let plain = RegistryCleanerTests.plainClient()
        let tmp = try ImageReference(parsing: "\(registry.host)/app/tmp")
        let amd = try await RegistryCleanerTests.pushImage(plain, tmp, tag: nil, label: nil, seed: "amd")
        let arm = try await RegistryCleanerTests.pushImage(plain, tmp, tag: nil, label: nil, architecture: "arm64", seed: "arm")
        let targets = try HadolintTests.targets(PublishTargetTests.yaml).filter { $0.image.name == "app" }
        let plan = try PublishTargetTests.plan(targets)
        var target = try #require(PublishTarget.make(targets, plan: plan, metadata: [PublishTargetTests.metadata([targets[0].uid], platform: "linux/amd64")]).first)
        target.sources = [.init(platform: "linux/amd64", reference: "\(tmp)@\(amd.digest)", file: "a.json"),
                          .init(platform: "linux/arm64", reference: "\(tmp)@\(arm.digest)", file: "b.json")]
        target.tags = ["\(registry.host)/app:1", "\(registry.host)/app:latest"]
        let temporary = try ImageReference(parsing: target.temporaryTag(registry: registry.host))
        let other = try canonicalJSON(ImageIndex(manifests: [arm], annotations: ["who": "someone else"]))
        let transport = OverwritingTransport(temporaryPath: "/v2/app/tmp/manifests/\(temporary.tag ?? "")", other: other)
        var clientOptions = RegistryClientOptions()
        clientOptions.backoff = { _ in .milliseconds(10) }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]), options: clientOptions, transport: transport)
        var options = Publisher.Options()
        options.temporaryRegistry = registry.host
        options.verifyAttempts = 2
        options.backoff = { _ in .milliseconds(10) }
        let report = await Publisher(client: client, options: options, logger: .init(label: "test") { _ in SwiftLogNoOpLogHandler() }).publish([target])
        #expect(report.failures.isEmpty, "\(report.failures)")
        let merged = try #require(report.published.first?.digest)
        for tag in target.tags {
            #expect(try await plain.manifestDescriptor(try ImageReference(parsing: tag))?.digest == merged, "\(tag)")
        }
    }
}
