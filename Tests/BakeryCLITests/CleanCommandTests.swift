// `bakery clean cache-registry|temp-registry` run as a user runs it: on ghcr.io against a fake GitHub packages API
// on 127.0.0.1 (Tests/Fixtures/clean/fake_github_packages.py, which records every request), on any other registry
// against a real docker-registry on 127.0.0.1. Nothing outside <image>/tmp or <image>/cache may be touched.
import Bakery
import Foundation
import OCIRegistry
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A Python stand-in for a web API (a fixture script taking STATE.json LOG.jsonl PORT_FILE), on 127.0.0.1, stopped by
/// its PID. Also used by CIReadmeCommandTests.
final class FakeHTTPService: @unchecked Sendable {
    private let server: PythonFixtureServer
    var port: Int { server.port }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    static var shouldRun: Bool { PythonFixtureServer.shouldRun }

    init(script: URL, state: JSONValue) throws {
        server = try PythonFixtureServer(script: script, state: Data(state.text(.plan).utf8))
    }

    /// Every request so far, in order.
    var requests: [JSONValue] { server.logLines.compactMap { JSONValue.parse($0) } }

    func stop() { server.stop() }
}

/// Small bakery projects in a temporary folder.
enum CleanProjects {
    /// Two images, `example-image` (two versions) and `second-image`, each with its version folders.
    static func make(registries: String = "  - host: docker.io\n    namespace: posit\n", images: [(String, [String])] = [
        ("example-image", ["1.0.0", "2.0.0"]), ("second-image", ["1.0.0"]),
    ]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-clean-\(UUID().uuidString)")
        var yaml = """
            repository:
              url: "github.com/posit-dev/images-examples"
              vendor: "Posit Software, PBC"
              maintainer: "Posit Docker Team <docker@posit.co>"
            registries:
            \(registries)images:

            """
        for (name, versions) in images {
            yaml += "  - name: \(name)\n    versions:\n"
            for (i, version) in versions.enumerated() {
                yaml += "      - name: \(version)\n" + (i == versions.count - 1 ? "        latest: true\n" : "")
                let folder = dir.appendingPathComponent("\(name)/\(version)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data("FROM docker.io/library/ubuntu:24.04\n".utf8).write(to: folder.appendingPathComponent("Containerfile"))
            }
        }
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("bakery.yaml"))
        return dir
    }
}

@Suite struct CleanCommandTests {
    static let script = BakeryBinary.fixtures.appendingPathComponent("clean/fake_github_packages.py")
    static let token = "ghp_canary-Token-5ae1-never-print"
    static let now = Date()

    static func iso(_ daysAgo: Double) -> String {
        ISO8601DateFormatter().string(from: now.addingTimeInterval(-daysAgo * 86_400))
    }

    /// A version as GitHub lists it (with fields the dry run leaves out: description, license).
    static func version(_ id: Int, package: String, daysAgo: Double, tags: [String]) -> JSONValue {
        let digest = "sha256:" + String(repeating: String(format: "%02x", id % 256), count: 32)
        let encoded = package.replacingOccurrences(of: "/", with: "%2F")
        return .object([
            ("id", .int(id)), ("name", .string(digest)),
            ("url", .string("https://api.github.com/orgs/posit-dev/packages/container/\(encoded)/versions/\(id)")),
            ("package_html_url", .string("https://github.com/orgs/posit-dev/packages/container/package/\(encoded)")),
            ("created_at", .string(iso(daysAgo + 1))), ("updated_at", .string(iso(daysAgo))),
            ("html_url", .string("https://github.com/orgs/posit-dev/packages/container/\(encoded)/\(id)")),
            ("description", .string("")), ("license", .null),
            ("metadata", .object([("package_type", .string("container")), ("container", .object([("tags", .array(tags.map { .string($0) }))]))])),
        ])
    }

    /// example-image/tmp: 150 versions (two pages): ids 1–40 updated 10 days ago (odd ids tagged), 41–150 recently
    /// (ids 141–150 untagged). second-image/tmp: 3 old. The siblings example-image and example-image/other: all old.
    static func state(failDelete: [String: JSONValue] = [:]) -> JSONValue {
        var tmp: [JSONValue] = []
        for id in 1...150 {
            let old = id <= 40
            let tags: [String] = old ? (id % 2 == 1 ? ["t\(id)"] : []) : (id > 140 ? [] : ["t\(id)"])
            tmp.append(version(id, package: "example-image/tmp", daysAgo: old ? 10 : 1, tags: tags))
        }
        let second = (201...203).map { version($0, package: "second-image/tmp", daysAgo: 30, tags: ["s\($0)"]) }
        let sibling = (301...302).map { version($0, package: "example-image", daysAgo: 30, tags: []) }
        let other = (401...402).map { version($0, package: "example-image/other", daysAgo: 30, tags: []) }
        let cache = (501...503).map { version($0, package: "example-image/cache", daysAgo: $0 == 501 ? 30 : 1, tags: $0 == 503 ? [] : ["c\($0)"]) }
        return .object([("token", .string(token)), ("packages", .object([
            ("posit-dev/example-image/tmp", .object([("versions", .array(tmp)), ("fail_delete", .object(failDelete.map { ($0.key, $0.value) }))])),
            ("posit-dev/second-image/tmp", .object([("versions", .array(second))])),
            ("posit-dev/example-image", .object([("versions", .array(sibling))])),
            ("posit-dev/example-image/other", .object([("versions", .array(other))])),
            ("posit-dev/example-image/cache", .object([("versions", .array(cache))])),
        ]))])
    }

    func bakery(_ arguments: [String], project: URL, service: FakeHTTPService?, token: String? = token) throws -> BakeryBinary.Result {
        var env: [String: String] = ["COLUMNS": "160"]
        if let service { env[GitHubPackages.baseVariable] = service.baseURL }
        let prefix = ["/usr/bin/env", "-u", "GITHUB_TOKEN", "-u", GitHubPackages.baseVariable] + env.map { "\($0.key)=\($0.value)" }
            + (token.map { ["GITHUB_TOKEN=\($0)"] } ?? [])
        return try BakeryBinary.run(["clean"] + arguments + ["--context", project.path], in: project, prefix: prefix)
    }

    /// What Python's json.dumps(indent=2, ensure_ascii=False) writes (Rich's print_json, the reference's dry run).
    func pythonDump(_ value: JSONValue) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-dump-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(value.text(.compact).utf8).write(to: dir.appendingPathComponent("v.json"))
        let result = try BakeryBinary.execute(try #require(ExternalTool.locate("python3")), ["-c",
            "import json,sys; print(json.dumps(json.load(open('v.json')), indent=2, ensure_ascii=False))"], in: dir)
        return result.stdout
    }

    func versions(of state: JSONValue, _ package: String) -> [JSONValue] {
        if case .array(let items)? = state["packages"]?[package]?["versions"] { return items }
        return []
    }

    /// The dry-run shape of a listed version: the reference's fields, in its order.
    func listing(_ v: JSONValue) -> JSONValue {
        .object(["id", "name", "url", "package_html_url", "created_at", "updated_at", "html_url", "metadata"].map { ($0, v[$0]!) })
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func ghcrDryRunPagesThroughActiveVersionsAndPrintsTheSelection() throws {
        let project = try CleanProjects.make()
        defer { try? FileManager.default.removeItem(at: project) }
        let state = Self.state()
        let service = try FakeHTTPService(script: Self.script, state: state)
        defer { service.stop() }
        let result = try bakery(["temp-registry", "ghcr.io/posit-dev", "--older-than", "3", "--dry-run"], project: project, service: service)
        #expect(result.status == 0, "\(result.stderr)")
        let old = versions(of: state, "posit-dev/example-image/tmp").prefix(40).map(listing)
        let second = versions(of: state, "posit-dev/second-image/tmp").map(listing)
        #expect(result.stdout == (try pythonDump(.object([("versions", .array(Array(old)))])) + (try pythonDump(.object([("versions", .array(second))])))))
        for line in ["INFO: Analyzing artifacts in ghcr.io/posit-dev/example-image/tmp", "INFO: Removing 40 artifact(s) from ghcr.io/posit-dev/example-image/tmp",
                     "INFO: Analyzing artifacts in ghcr.io/posit-dev/second-image/tmp", "INFO: Removing 3 artifact(s) from ghcr.io/posit-dev/second-image/tmp"] {
            #expect(result.stderr.contains(line), "\(line)\n\(result.stderr)")
        }
        let requests = service.requests
        #expect(requests.map { r in ["method", "path", "query"].map { r[$0]?.text(.compact) ?? "-" }.joined(separator: " ") } == [
            #""GET" "/orgs/posit-dev/packages/container/example-image%2Ftmp" """#,
            #""GET" "/orgs/posit-dev/packages/container/example-image%2Ftmp/versions" "per_page=100&page=1&state=active""#,
            #""GET" "/orgs/posit-dev/packages/container/example-image%2Ftmp/versions" "per_page=100&page=2&state=active""#,
            #""GET" "/orgs/posit-dev/packages/container/second-image%2Ftmp" """#,
            #""GET" "/orgs/posit-dev/packages/container/second-image%2Ftmp/versions" "per_page=100&page=1&state=active""#,
        ])
        #expect(requests.allSatisfy { $0["authorization"] == .string("Bearer \(Self.token)") })
        #expect(!result.stdout.contains(Self.token) && !result.stderr.contains(Self.token))
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func ghcrDeletesTheSelectionAndToleratesTheDownloadLimit() throws {
        let project = try CleanProjects.make()
        defer { try? FileManager.default.removeItem(at: project) }
        let state = Self.state(failDelete: [
            "3": .array([.int(400), .string("Publicly visible package versions with more than 5000 downloads cannot be deleted. Contact GitHub support.")]),
            "5": .array([.int(500), .string("Server Error")]),
        ])
        let service = try FakeHTTPService(script: Self.script, state: state)
        defer { service.stop() }
        // --untagged also takes the recent untagged ids 141–150; --image-name keeps second-image out.
        let result = try bakery(["temp-registry", "ghcr.io/posit-dev", "--older-than", "3", "--untagged", "--image-name", "^example"],
                                project: project, service: service)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("INFO: Removing 50 artifact(s) from ghcr.io/posit-dev/example-image/tmp"), "\(result.stderr)")
        #expect(result.stderr.contains("WARNING: version sha256:0303"), "\(result.stderr)")
        #expect(result.stderr.contains("5000 downloads cannot be deleted"))
        #expect(result.stderr.contains("ERROR: version sha256:0505"), "\(result.stderr)")
        #expect(result.stderr.hasSuffix("ERROR: Completed with 1 errors encountered during cleanup.\n"), "\(result.stderr)")
        let deletes = service.requests.filter { $0["method"] == .string("DELETE") }.compactMap { v -> String? in
            if case .string(let p)? = v["path"] { return p } else { return nil }
        }
        let expected = (Array(1...40) + Array(141...150)).map { "/orgs/posit-dev/packages/container/example-image%2Ftmp/versions/\($0)" }
        #expect(deletes == expected)
        #expect(!service.requests.contains { v in
            guard case .string(let p)? = v["path"] else { return true }
            return !p.hasPrefix("/orgs/posit-dev/packages/container/example-image%2Ftmp")
        }, "nothing outside example-image/tmp is read or deleted")
        #expect(!result.stderr.contains(Self.token))
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func cacheRegistryRemovesUntaggedVersionsByDefault() throws {
        let project = try CleanProjects.make(images: [("example-image", ["1.0.0"])])
        defer { try? FileManager.default.removeItem(at: project) }
        let service = try FakeHTTPService(script: Self.script, state: Self.state())
        defer { service.stop() }
        let result = try bakery(["cache-registry", "ghcr.io/posit-dev"], project: project, service: service)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(service.requests.filter { $0["method"] == .string("DELETE") }.map { $0["path"] }
                == [.string("/orgs/posit-dev/packages/container/example-image%2Fcache/versions/503")])
        // --no-untagged: nothing selected.
        let none = try bakery(["cache-registry", "ghcr.io/posit-dev", "--no-untagged"], project: project, service: service)
        #expect(none.status == 0 && none.stderr.contains("INFO: No artifacts to remove from ghcr.io/posit-dev/example-image/cache"), "\(none.stderr)")
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func aMissingTokenOrAnUnsafeAPIURLIsRefusedBeforeAnyRequest() throws {
        let project = try CleanProjects.make()
        defer { try? FileManager.default.removeItem(at: project) }
        let service = try FakeHTTPService(script: Self.script, state: Self.state())
        defer { service.stop() }
        let noToken = try bakery(["temp-registry", "ghcr.io/posit-dev", "--older-than", "1"], project: project, service: service, token: nil)
        #expect(noToken.status == 1)
        #expect(noToken.stderr.contains("GITHUB_TOKEN is not set"), "\(noToken.stderr)")
        let unsafe = try BakeryBinary.run(["clean", "temp-registry", "ghcr.io/posit-dev", "--older-than", "1", "--context", project.path], in: project,
                                          prefix: ["/usr/bin/env", "GITHUB_TOKEN=\(Self.token)", "\(GitHubPackages.baseVariable)=http://example.com:8080"])
        #expect(unsafe.status == 1)
        #expect(unsafe.stderr.contains("BAKERY_GITHUB_API_URL must be an https URL"), "\(unsafe.stderr)")
        #expect(!unsafe.stderr.contains(Self.token))
        let bad = try bakery(["temp-registry", "ghcr.io/posit dev", "--older-than", "1"], project: project, service: service)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("Invalid GHCR registry format: ghcr.io/posit dev/example-image/tmp"), "\(bad.stderr)")
        #expect(service.requests.isEmpty, "nothing was asked of the API")
        let negative = try bakery(["temp-registry", "ghcr.io/posit-dev", "--older-than", "-1"], project: project, service: service)
        #expect(negative.status == 2)
    }

    // MARK: - Any other registry

    static func pushImage(_ client: RegistryClient, _ reference: ImageReference, label: String, seed: String) async throws {
        let config = try JSONSerialization.data(withJSONObject: ["architecture": "amd64", "os": "linux",
                                                                 "config": ["Labels": [RegistryCleaner.createdKey: label]]], options: [.sortedKeys])
        let configDescriptor = try await client.uploadBlob(config, mediaType: MediaType.ociConfig, to: reference)
        let layer = try await client.uploadBlob(Data("layer \(seed)".utf8), mediaType: MediaType.ociLayerGzip, to: reference)
        try await client.putManifest(try canonicalJSON(ImageManifest(config: configDescriptor, layers: [layer])), mediaType: MediaType.ociManifest, to: reference)
    }

    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func aDistributionRegistryLosesExactlyTheOldTags() async throws {
        let registry = try await LoopbackRegistry.start()
        defer { registry.stop() }
        let project = try CleanProjects.make()
        defer { try? FileManager.default.removeItem(at: project) }
        let client = RegistryClient(credentials: CredentialStore(entries: [:]))
        func ref(_ text: String) throws -> ImageReference { try ImageReference(parsing: "\(registry.host)/\(text)") }
        for (repository, tags) in [("example-image/tmp", [("old-a", 10.0), ("old-b", 4.0), ("new-a", 1.0), ("new-b", 0.1)]),
                                   ("second-image/tmp", [("old", 20.0), ("new", 2.0)]),
                                   ("example-image", [("old", 30.0)]), ("example-image/other", [("old", 30.0)]), ("example-image/cache", [("old", 30.0)])] {
            for (tag, days) in tags { try await Self.pushImage(client, try ref("\(repository):\(tag)"), label: Self.iso(days), seed: "\(repository)\(tag)") }
        }

        let dry = try BakeryBinary.run(["clean", "temp-registry", registry.host, "--older-than", "3", "--dry-run", "--context", project.path], in: project)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try await client.tags(try ref("example-image/tmp")).sorted() == ["new-a", "new-b", "old-a", "old-b"])
        let documents = dry.stdout.components(separatedBy: "\n}\n").filter { !$0.isEmpty }.map { JSONValue.parse($0 + "\n}") }
        #expect(documents.count == 2, "\(dry.stdout)")
        if case .array(let listed)?? = documents.first.map({ $0?["versions"] }) {
            #expect(listed.map { $0["metadata"]?["container"]?["tags"] } == [.array([.string("old-a")]), .array([.string("old-b")])])
            #expect(listed.allSatisfy { v in
                guard case .string(let url)? = v["url"], case .string(let id)? = v["id"] else { return false }
                return url == "http://\(registry.host)/v2/example-image/tmp/manifests/\(id)" && v["name"] == v["id"]
            })
        } else {
            Issue.record("no versions in \(dry.stdout)")
        }

        let result = try BakeryBinary.run(["clean", "temp-registry", registry.host, "--older-than", "3", "--context", project.path], in: project)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("INFO: Removing 2 artifact(s) from \(registry.host)/example-image/tmp"), "\(result.stderr)")
        #expect(result.stderr.contains("INFO: Removing 1 artifact(s) from \(registry.host)/second-image/tmp"))
        #expect(result.stdout.isEmpty)
        #expect(try await client.tags(try ref("example-image/tmp")).sorted() == ["new-a", "new-b"])
        #expect(try await client.tags(try ref("second-image/tmp")) == ["new"])
        for untouched in ["example-image", "example-image/other", "example-image/cache"] {
            #expect(try await client.tags(try ref(untouched)) == ["old"], "\(untouched)")
        }

        let again = try BakeryBinary.run(["clean", "temp-registry", registry.host, "--older-than", "3", "--untagged", "--context", project.path], in: project)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("INFO: No artifacts to remove from \(registry.host)/example-image/tmp"))
        #expect(again.stderr.contains("cannot list manifests no tag points at"), "\(again.stderr)")
    }
}
