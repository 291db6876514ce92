// `bakery ci publish` / `ci merge` / `imagetools merge` against real registries on 127.0.0.1: per-platform images
// pushed by digest to a temporary registry without auth, metadata files in buildx's shape (as `bakery build
// --metadata-file` writes them), and a destination with htpasswd basic auth. The images are made with the registry
// client so this suite needs no container engine; the lab suite `MultiPlatformPublishTests` builds them for real.
import Bakery
import Foundation
import OCIRegistry
import Testing
import TestSupport

@Suite(.serialized, .enabled(if: LoopbackRegistry.shouldRun))
struct CIPublishCommandTests {
    static let account = LoopbackRegistry.Account(username: "publisher", password: "canary-Zq81-never-print")

    /// Two registries, a project whose tags go to the destination, and the per-platform images of its targets.
    final class Setup: @unchecked Sendable {
        let temp: LoopbackRegistry
        let destination: LoopbackRegistry
        let project: URL
        let client: RegistryClient
        /// uid → platform → pushed digest.
        var pushed: [String: [String: Digest]] = [:]

        init() async throws {
            temp = try await LoopbackRegistry.start()
            destination = try await LoopbackRegistry.start(account: CIPublishCommandTests.account)
            project = FileManager.default.temporaryDirectory.appendingPathComponent("publish-\(UUID().uuidString)")
            let credentials = CredentialStore(entries: [destination.host: RegistryCredential(username: CIPublishCommandTests.account.username,
                                                                                            password: CIPublishCommandTests.account.password)])
            client = RegistryClient(credentials: credentials)
            try writeProject()
        }

        func stop() {
            temp.stop()
            destination.stop()
            try? FileManager.default.removeItem(at: project)
        }

        func writeProject() throws {
            let config = """
            repository:
              url: "github.com/example/images"
              vendor: "Example Inc."
              maintainer: "Example Images <images@example.com>"
            registries:
              - host: "\(destination.host)"
                namespace: "team"
            images:
              - name: hello
                versions:
                  - name: 1.0.0
                    latest: true
                    os:
                      - name: Ubuntu 24.04
                        primary: true
                        platforms: [linux/amd64, linux/arm64]
                  - name: 0.9.0
                    os:
                      - name: Ubuntu 24.04
                        primary: true
                        platforms: [linux/amd64, linux/arm64]

            """
            for version in ["1.0.0", "0.9.0"] {
                let folder = project.appendingPathComponent("hello/\(version)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try "FROM docker.io/library/ubuntu:24.04\n".write(to: folder.appendingPathComponent("Containerfile.ubuntu2404"), atomically: true, encoding: .utf8)
            }
            try config.write(to: project.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        }

        /// Pushes a one-layer image per target and platform by digest to `<temp>/hello/tmp`, and writes
        /// `<arch>.json` metadata files as `bakery build --metadata-file` does.
        func pushImages(uids: [String] = ["hello-1-0-0-ubuntu-24-04", "hello-0-9-0-ubuntu-24-04"],
                        architectures: [String] = ["amd64", "arm64"], layerSuffix: String = "") async throws {
            let repository = try ImageReference(parsing: "\(temp.host)/hello/tmp")
            for architecture in architectures {
                var entries: [String] = []
                for uid in uids {
                    let config = try canonicalJSON(["architecture": architecture, "os": "linux", "created": "2026-12-01T10:00:00Z"])
                    let configDescriptor = try await client.uploadBlob(config, mediaType: MediaType.ociConfig, to: repository)
                    let layer = try await client.uploadBlob(Data("\(uid) on \(architecture)\(layerSuffix)".utf8), mediaType: MediaType.ociLayerGzip, to: repository)
                    let manifest = try canonicalJSON(ImageManifest(config: configDescriptor, layers: [layer]))
                    let digest = Digest.sha256(of: manifest)
                    _ = try await client.putManifest(manifest, mediaType: MediaType.ociManifest, to: repository.with(digest: digest))
                    pushed[uid, default: [:]][architecture] = digest
                    entries.append("""
                      "\(uid)": {"containerimage.digest": "\(digest)", "containerimage.descriptor": {"mediaType": "\(MediaType.ociManifest)", \
                    "digest": "\(digest)", "size": \(manifest.count), "platform": {"architecture": "\(architecture)", "os": "linux"}}, \
                    "image.name": "\(temp.host)/hello/tmp"}
                    """)
                }
                try "{\n\(entries.joined(separator: ",\n"))\n}\n".write(to: project.appendingPathComponent("\(architecture).json"), atomically: true, encoding: .utf8)
            }
        }

        var environment: [String] {
            ["/usr/bin/env", "BAKERY_REGISTRY_HOST=\(destination.host)", "BAKERY_REGISTRY_USERNAME=\(CIPublishCommandTests.account.username)",
             "BAKERY_REGISTRY_PASSWORD=\(CIPublishCommandTests.account.password)", "BAKERY_MAX_CONCURRENCY=2"]
        }

        func bakery(_ arguments: [String]) throws -> BakeryBinary.Result {
            try BakeryBinary.run(arguments, in: project, prefix: environment)
        }

        /// The plan's tags of `uid` (what publishing must produce).
        func tags(_ uid: String) throws -> [String] {
            let plan = try BakeryBinary.run(["build", "--plan"], in: project)
            guard let json = JSONValue.parse(plan.stdout), case .array(let tags)? = json["target"]?[uid]?["tags"] else { return [] }
            return tags.compactMap { if case .string(let s) = $0 { s } else { nil } }
        }
    }

    @Test func publishesEachTargetAsAnIndexOfItsPlatformsToEveryTag() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        try await setup.pushImages()
        let result = try setup.bakery(["ci", "publish", "*.json", "--temp-registry", setup.temp.host, "--summary", "--summary-format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Found 2 targets"))
        #expect(result.stderr.contains("✅ Published 2 target(s)"))
        #expect(result.stderr.contains("registry request(s)"), "the figures line")

        for uid in ["hello-1-0-0-ubuntu-24-04", "hello-0-9-0-ubuntu-24-04"] {
            let tags = try setup.tags(uid)
            #expect(!tags.isEmpty)
            var digests = Set<Digest>()
            for tag in tags {
                let fetched = try await setup.client.manifest(try ImageReference(parsing: tag))
                digests.insert(fetched.digest)
                let index = try ImageIndex.decode(fetched.data)
                // One child per platform, each the image pushed for it.
                let children = Dictionary(uniqueKeysWithValues: index.manifests.map { ($0.platform?.architecture ?? "?", $0.digest) })
                #expect(children == setup.pushed[uid], "\(tag)")
                // The target's labels are the index's annotations.
                #expect(index.annotations?["org.opencontainers.image.version"] == (uid.contains("1-0-0") ? "1.0.0" : "0.9.0"))
                #expect(index.annotations?["org.opencontainers.image.title"] != nil)
            }
            #expect(digests.count == 1, "every tag of \(uid) names the same index")
            #expect(result.stderr.contains("Verified 'ImageTarget(image='hello', version='\(uid.contains("1-0-0") ? "1.0.0" : "0.9.0")', os='Ubuntu 24.04')'"))
        }
        // Push order: the latest version's tags land last.
        let copied = result.stderr.components(separatedBy: "\n").filter { $0.contains("Copied '") }
        #expect(copied.count == 2 && copied.last?.contains("version='1.0.0'") == true, "\(copied)")
        // The summary measured the registry sizes.
        let summary = try #require(JSONValue.parse(result.stdout), "\(result.stdout)")
        #expect(summary["build_targets"] == .int(2) && summary["platform_builds"] == .int(4))
        if case .int(let bytes)? = summary["registry_size_bytes"] { #expect(bytes > 0) } else { Issue.record("no registry size: \(result.stdout)") }
        // The password is in bakery's environment only.
        #expect(!(result.stdout + result.stderr).contains(Self.account.password))
        // The temporary index is kept, tagged <uid><10 hex digits>.
        let temporary = try await setup.client.tags(try ImageReference(parsing: "\(setup.temp.host)/hello/tmp"))
        #expect(temporary.contains { $0.hasPrefix("hello-1-0-0-ubuntu-24-04") && $0.count == "hello-1-0-0-ubuntu-24-04".count + 10 }, "\(temporary)")
    }

    /// A per-platform build with --skip-unchanged writes no entry for an unchanged platform: publishing what was
    /// rebuilt keeps the other platform's published image instead of dropping it from the tags.
    @Test func aPlatformTheMetadataDoesNotGiveIsKeptFromThePublishedIndex() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        let uid = "hello-1-0-0-ubuntu-24-04"
        try await setup.pushImages(uids: [uid])
        let first = try setup.bakery(["ci", "publish", "amd64.json", "arm64.json", "--temp-registry", setup.temp.host])
        #expect(first.status == 0, "\(first.stderr)")
        let arm64 = try #require(setup.pushed[uid]?["arm64"])
        // Only amd64 is rebuilt (a new image); arm64 was unchanged and is not in the metadata.
        try await setup.pushImages(uids: [uid], architectures: ["amd64"], layerSuffix: " rebuilt")
        let amd64 = try #require(setup.pushed[uid]?["amd64"])
        let second = try setup.bakery(["ci", "publish", "amd64.json", "--temp-registry", setup.temp.host])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("Keeping the published linux/arm64 image of 'ImageTarget(image='hello', version='1.0.0', os='Ubuntu 24.04')' (\(arm64))"),
                "\(second.stderr)")
        for tag in try setup.tags(uid) {
            let index = try ImageIndex.decode(try await setup.client.manifest(try ImageReference(parsing: tag)).data)
            let children = Dictionary(uniqueKeysWithValues: index.manifests.map { ($0.platform?.architecture ?? "?", $0.digest) })
            #expect(children == ["amd64": amd64, "arm64": arm64], "\(tag)")
        }
    }

    @Test func aDryRunSaysWhatItWouldDoAndContactsNoRegistry() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        try await setup.pushImages()
        let before = try String(contentsOf: setup.temp.logFile, encoding: .utf8).components(separatedBy: "response completed").count
        let result = try setup.bakery(["ci", "publish", "amd64.json", "arm64.json", "--temp-registry", setup.temp.host, "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("[DRY RUN] Would create index \(setup.temp.host)/hello/tmp:hello-") }.count == 2, "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("[DRY RUN] Would copy ") && $0.contains("\(setup.destination.host)/team/hello:") && $0.contains("latest") })
        #expect(lines.filter { $0.hasPrefix("[DRY RUN] Would wait for ") }.count == 4)
        let after = try String(contentsOf: setup.temp.logFile, encoding: .utf8).components(separatedBy: "response completed").count
        #expect(before == after, "the temporary registry was asked nothing")
        #expect(try await setup.client.tags(try ImageReference(parsing: "\(setup.destination.host)/team/hello")).isEmpty)
    }

    @Test func failuresAreListedByTargetAndStage() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        try await setup.pushImages()
        // No temporary registry: every target fails at the merge, nothing is copied.
        let noTemp = try setup.bakery(["ci", "publish", "amd64.json", "arm64.json"])
        #expect(noTemp.status == 1)
        #expect(noTemp.stderr.contains("publish failed (2 target/operation failure(s)):"), "\(noTemp.stderr)")
        #expect(noTemp.stderr.contains("[stage1:create]: Cannot publish 'ImageTarget(image='hello', version='0.9.0', os='Ubuntu 24.04')': temp_registry not configured"))

        // An image that never arrives: the wait gives up and names it; the other target is published.
        let missing = "sha256:" + String(repeating: "ab", count: 32)
        var text = try String(contentsOf: setup.project.appendingPathComponent("arm64.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: setup.pushed["hello-0-9-0-ubuntu-24-04"]!["arm64"]!.description, with: missing)
        try text.write(to: setup.project.appendingPathComponent("arm64.json"), atomically: true, encoding: .utf8)
        let waited = try setup.bakery(["ci", "publish", "amd64.json", "arm64.json", "--temp-registry", setup.temp.host, "--wait-timeout", "0"])
        #expect(waited.status == 1)
        #expect(waited.stderr.contains("publish failed (1 target/operation failure(s)):"), "\(waited.stderr)")
        #expect(waited.stderr.contains("version='0.9.0', os='Ubuntu 24.04') [stage1:wait]: \(setup.temp.host)/hello/tmp@\(missing) did not resolve"))
        #expect(waited.stderr.contains("Verified 'ImageTarget(image='hello', version='1.0.0'"))

        // Unreadable metadata: every bad file is named, nothing is published.
        try "not json".write(to: setup.project.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        let bad = try setup.bakery(["ci", "publish", "bad.json", "gone.json", "--temp-registry", setup.temp.host])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("Failed to load metadata from file 'bad.json'"))
        #expect(bad.stderr.contains("Failed to load metadata from file 'gone.json': Metadata file"), "\(bad.stderr)")

        // Wrong credentials: the copy fails as unauthorized, and no password is printed.
        let wrong = try BakeryBinary.run(["ci", "publish", "amd64.json", "--temp-registry", setup.temp.host, "--image-name", "hello"], in: setup.project,
                                         prefix: ["/usr/bin/env", "BAKERY_REGISTRY_HOST=\(setup.destination.host)", "BAKERY_REGISTRY_USERNAME=publisher",
                                                  "BAKERY_REGISTRY_PASSWORD=wrong-canary-QQ"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("[index-copy]"), "\(wrong.stderr)")
        #expect(!(wrong.stdout + wrong.stderr).contains("wrong-canary-QQ"))
    }

    @Test func aDestinationThatGoesDownMidPublishIsRetriedUntilItIsBack() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        try await setup.pushImages(uids: ["hello-1-0-0-ubuntu-24-04"])
        setup.destination.kill()
        let child = try ChildProcess.start(BakeryBinary.path, ["ci", "publish", "amd64.json", "arm64.json", "--temp-registry", setup.temp.host],
                                           in: setup.project, environment: [
                                               "BAKERY_REGISTRY_HOST": setup.destination.host, "BAKERY_REGISTRY_USERNAME": Self.account.username,
                                               "BAKERY_REGISTRY_PASSWORD": Self.account.password])
        // The destination comes back once the client has said it is retrying, not after a fixed time a busy
        // machine can outlast.
        #expect(child.waitForStderr(containing: "retrying", timeout: 120), "the client never retried")
        try await setup.destination.restart()
        let ending = child.finish(timeout: 120)
        #expect(ending.status == 0, "\(ending.stderr)")
        #expect(ending.stderr.contains("retrying"), "the client retried while the destination was down: \(ending.stderr)")
        #expect(ending.stderr.contains("✅ Published 1 target(s)"))
        #expect(!(ending.stdout + ending.stderr).contains(Self.account.password))
        let tags = try setup.tags("hello-1-0-0-ubuntu-24-04")
        for tag in tags {
            #expect(try await setup.client.manifestDescriptor(try ImageReference(parsing: tag)) != nil, "\(tag)")
        }
    }

    /// On a terminal the targets are shown live (a status line each, a counter line), log lines scrolling above.
    @Test(.enabled(if: ExternalTool.locate("script") != nil)) func onATerminalTheTargetsShowLive() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        try await setup.pushImages()
        let command = ([BakeryBinary.path, "ci", "publish", "amd64.json", "arm64.json", "--temp-registry", setup.temp.host])
            .map { "'\($0)'" }.joined(separator: " ")
        let result = try BakeryBinary.execute("/usr/bin/env", ["-u", "CI", "-u", "NO_COLOR", "TERM=xterm", "COLUMNS=200",
                                                               "BAKERY_REGISTRY_HOST=\(setup.destination.host)",
                                                               "BAKERY_REGISTRY_USERNAME=\(Self.account.username)",
                                                               "BAKERY_REGISTRY_PASSWORD=\(Self.account.password)",
                                                               "script", "-qfec", command, "/dev/null"], in: setup.project)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("✓ hello-1-0-0-ubuntu-24-04"), "\(result.stdout)")
        #expect(result.stdout.contains("[2 published, 0 failed, 2 total]"))
        #expect(result.stdout.contains("INFO: Verified 'ImageTarget(image='hello', version='1.0.0'"))
        #expect(result.stdout.contains("\u{1B}["), "the status lines are redrawn in place")
        #expect(!result.stdout.contains(Self.account.password))
    }

    @Test func imagetoolsMergeMergesAndCopiesWithoutVerifying() async throws {
        let setup = try await Setup()
        defer { setup.stop() }
        try await setup.pushImages(uids: ["hello-0-9-0-ubuntu-24-04"])
        let result = try setup.bakery(["imagetools", "merge", "amd64.json", "arm64.json", "--temp-registry", setup.temp.host])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("✅ Index merge completed"))
        #expect(!result.stderr.contains("Verified"))
        let tag = try #require(try setup.tags("hello-0-9-0-ubuntu-24-04").first)
        let index = try ImageIndex.decode(try await setup.client.manifest(try ImageReference(parsing: tag)).data)
        #expect(Set(index.manifests.compactMap { $0.platform?.architecture }) == ["amd64", "arm64"])

        let noTemp = try setup.bakery(["imagetools", "merge", "amd64.json"])
        #expect(noTemp.status == 1)
        #expect(noTemp.stderr.contains("❌ Index merge(s) failed"))
        try "[]".write(to: setup.project.appendingPathComponent("list.json"), atomically: true, encoding: .utf8)
        let invalid = try setup.bakery(["imagetools", "merge", "list.json"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("One or more metadata files are invalid, aborting merge."))
    }
}
