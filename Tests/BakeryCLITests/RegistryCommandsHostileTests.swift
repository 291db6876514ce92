// `ci publish` and `clean` run as a user runs them, fed by a hostile repository or server: metadata files that are
// FIFOs, folders, devices, huge or nested without end; metadata naming odd or foreign sources; a GitHub API that
// echoes the token into the versions it lists. Each test names the finding it proves (see the review report).
import Bakery
import Foundation
import OCIRegistry
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RegistryCommandsHostileTests {
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:], timeout: Double = 60) throws -> ChildProcess.Ending {
        try ChildProcess.start(BakeryBinary.path, arguments, in: directory, environment: environment).finish(timeout: timeout)
    }

    /// Finding: a metadata file that is a FIFO hung `ci publish` for ever (read until a writer closes it), and one
    /// nested a million levels deep crashed it (the JSON reader's recursion overflowed the stack).
    @Test func hostileMetadataFilesAreErrorsNotHangsOrCrashes() throws {
        let project = try CleanProjects.make()
        defer { try? FileManager.default.removeItem(at: project) }
        let fifo = project.appendingPathComponent("pipe.json")
        #expect(mkfifo(fifo.path, 0o600) == 0)
        try FileManager.default.createDirectory(at: project.appendingPathComponent("folder.json"), withIntermediateDirectories: true)
        try Data(("{\"x\": " + String(repeating: "[", count: 1_000_000)).utf8).write(to: project.appendingPathComponent("deep.json"))
        let huge = project.appendingPathComponent("huge.json")
        #expect(FileManager.default.createFile(atPath: huge.path, contents: Data("{".utf8)))
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: 200 << 20)          // sparse: 200 MB that take no disk
        try handle.close()
        for (argument, words) in [("pipe.json", "a FIFO"), ("deep.json", "nests deeper than"), ("huge.json", "more than the"),
                                  ("/dev/zero", "not a regular file"), ("folder.json", "folder.json")] {
            let ending = try Self.run(["ci", "publish", argument, "--temp-registry", "127.0.0.1:1", "--context", project.path], in: project, timeout: 30)
            #expect(!ending.timedOut && ending.signal == nil, "\(argument): hung or crashed")
            #expect(ending.status == 1, "\(argument): \(ending.stderr)")
            #expect(ending.stderr.contains("Failed to load metadata from file '\(argument)'") && ending.stderr.contains(words), "\(argument): \(ending.stderr)")
        }
        // A glob that matches folders and FIFOs names each of them.
        let globbed = try Self.run(["imagetools", "merge", "*.json", "--context", project.path], in: project, timeout: 30)
        #expect(!globbed.timedOut && globbed.status == 1, "\(globbed.stderr)")
        #expect(globbed.stderr.contains("One or more metadata files are invalid, aborting merge."))
    }

    /// Finding: GitHub's answers were printed as they came in the dry-run JSON, and a version's name went into error
    /// messages unredacted, so a server echoing the token into a version's fields got it printed.
    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func aGitHubAPIEchoingTheTokenIntoVersionsCannotGetItPrinted() throws {
        let project = try CleanProjects.make(images: [("example-image", ["1.0.0"])])
        defer { try? FileManager.default.removeItem(at: project) }
        let token = CleanCommandTests.token
        func echoing(_ id: Int) -> JSONValue {
            guard case .object(var fields) = CleanCommandTests.version(id, package: "example-image/tmp", daysAgo: 10, tags: ["t\(id)"]) else { return .null }
            for key in ["name", "html_url", "url"] { fields[key] = .string("leak-\(token)-\(id)") }
            return .object(fields)
        }
        let state = JSONValue.object([("token", .string(token)), ("packages", .object([
            ("posit-dev/example-image/tmp", .object([("versions", .array([echoing(1), echoing(2)])),
                                                    ("fail_delete", .object([("2", .array([.int(500), .string("no: \(token)")]))]))])),
        ]))])
        let service = try FakeHTTPService(script: CleanCommandTests.script, state: state)
        defer { service.stop() }
        let environment = ["GITHUB_TOKEN": token, GitHubPackages.baseVariable: service.baseURL]
        let dry = try Self.run(["clean", "temp-registry", "ghcr.io/posit-dev", "--older-than", "3", "--dry-run", "--context", project.path],
                               in: project, environment: environment)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("leak-<redacted>-1"), "\(dry.stdout)")
        #expect(!(dry.stdout + dry.stderr).contains(token))
        let real = try Self.run(["clean", "temp-registry", "ghcr.io/posit-dev", "--older-than", "3", "--context", project.path],
                                in: project, environment: environment)
        #expect(real.status == 1, "version 2 cannot be deleted: \(real.stderr)")
        #expect(real.stderr.contains("GitHub answered 500"), "\(real.stderr)")
        #expect(!(real.stdout + real.stderr).contains(token), "\(real.stderr)")
    }

    /// The catalog of a docker-registry: every repository it holds.
    static func catalog(_ registry: LoopbackRegistry) async throws -> [String] {
        let response = try await URLSessionTransport().send(HTTPRequest(method: "GET", url: registry.baseURL.appendingPathComponent("v2/_catalog"),
                                                                        headers: registry.account.map { account in
            [("Authorization", "Basic " + Data("\(account.username):\(account.password)".utf8).base64EncodedString())]
        } ?? []))
        guard case .array(let names)? = JSONValue.parse(String(decoding: response.body, as: UTF8.self))?["repositories"] else { return [] }
        return names.compactMap { if case .string(let s) = $0 { s } else { nil } }.sorted()
    }

    /// Metadata with odd names (uppercase, spaces, a newline, `@`), a digest that is no digest, a platform with too
    /// many parts, wrong types and thousands of unknown entries fails by target; a source in another repository is
    /// merged into the temporary repository; nothing is pushed anywhere but there and to the targets' tags.
    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func hostileMetadataEntriesFailByTargetAndPushNowhereElse() async throws {
        let setup = try await CIPublishCommandTests.Setup()
        defer { setup.stop() }
        try await setup.pushImages(uids: ["hello-1-0-0-ubuntu-24-04"])
        // The 0.9.0 images live in another repository of the temporary registry.
        let elsewhere = try ImageReference(parsing: "\(setup.temp.host)/evil/tmp")
        var foreign: [String: Digest] = [:]
        for architecture in ["amd64", "arm64"] {
            let config = try canonicalJSON(["architecture": architecture, "os": "linux"])
            let configDescriptor = try await setup.client.uploadBlob(config, mediaType: MediaType.ociConfig, to: elsewhere)
            let manifest = try canonicalJSON(ImageManifest(config: configDescriptor, layers: []))
            foreign[architecture] = try await setup.client.putManifest(manifest, mediaType: MediaType.ociManifest, to: elsewhere.with(digest: Digest.sha256(of: manifest)))
        }
        var entries = [
            #""hello-0-9-0-ubuntu-24-04": {"containerimage.digest": "\#(foreign["amd64"]!)", "image.name": "\#(elsewhere)", "containerimage.descriptor": {"platform": {"os": "linux", "architecture": "amd64"}}}"#,
        ]
        for n in 0..<3000 { entries.append(#""unknown-\#(n)": {"image.name": ["wrong", "type"], "containerimage.digest": 42}"#) }
        try ("{" + entries.joined(separator: ",") + "}").write(to: setup.project.appendingPathComponent("foreign.json"), atomically: true, encoding: .utf8)
        let odd = [("Upper Case/Name", "sha256:" + String(repeating: "a", count: 64)), ("\(setup.temp.host)/hello/tmp\nINFO: fake line", "sha256:00"),
                   ("\(setup.temp.host)/hello/tmp@sha256:\(String(repeating: "b", count: 64))", "md5:abc")]
        for (i, (name, digest)) in odd.enumerated() {
            let json = JSONValue.object([("hello-1-0-0-ubuntu-24-04", .object([
                ("image.name", .string(name)), ("containerimage.digest", .string(digest)),
                ("containerimage.descriptor", .object([("platform", .object([("os", .string("linux")), ("architecture", .string("arm64/v8/extra"))]))])),
                ("buildx.build.provenance", .object([("invocation", .object([("parameters", .object([("args", .object([
                    ("label:org.opencontainers.image.created", .string("2099-01-01T00:00:00Z"))]))]))]))])),
            ]))])
            try json.text(.plan).write(to: setup.project.appendingPathComponent("odd\(i).json"), atomically: true, encoding: .utf8)
            let result = try setup.bakery(["ci", "publish", "amd64.json", "odd\(i).json", "--temp-registry", setup.temp.host, "--wait-timeout", "0"])
            #expect(result.status == 1, "odd\(i): \(result.stderr)")
            #expect(result.stderr.contains("[stage1:create]") || result.stderr.contains("[stage1:wait]"), "odd\(i): \(result.stderr)")
        }
        let published = try setup.bakery(["ci", "publish", "foreign.json", "--temp-registry", setup.temp.host, "-j", "1000000000"])
        #expect(published.status == 0, "\(published.stderr)")
        #expect(try await Self.catalog(setup.destination) == ["team/hello"])
        #expect(try await Self.catalog(setup.temp) == ["evil/tmp", "hello/tmp"])
    }

    /// Ctrl-C while a platform image is awaited: exit 130, said so, no ✅, and nothing reached the destination.
    @Test(.enabled(if: LoopbackRegistry.shouldRun))
    func ctrlCWhileWaitingExits130AndPublishesNothing() async throws {
        let setup = try await CIPublishCommandTests.Setup()
        defer { setup.stop() }
        try await setup.pushImages(uids: ["hello-1-0-0-ubuntu-24-04"])
        let arm = setup.project.appendingPathComponent("arm64.json")
        let text = try String(contentsOf: arm, encoding: .utf8)
            .replacingOccurrences(of: setup.pushed["hello-1-0-0-ubuntu-24-04"]!["arm64"]!.description, with: "sha256:" + String(repeating: "cd", count: 32))
        try text.write(to: arm, atomically: true, encoding: .utf8)
        let child = try ChildProcess.start(BakeryBinary.path, ["ci", "publish", "amd64.json", "arm64.json", "--temp-registry", setup.temp.host, "-v"],
                                           in: setup.project, environment: [
                                               "BAKERY_REGISTRY_HOST": setup.destination.host, "BAKERY_REGISTRY_USERNAME": CIPublishCommandTests.account.username,
                                               "BAKERY_REGISTRY_PASSWORD": CIPublishCommandTests.account.password])
        // Ctrl-C once the command says it is waiting for the missing image, not after a fixed time.
        #expect(child.waitForStderr(containing: "Waiting for", timeout: 120), "the command never reached the wait")
        kill(child.pid, SIGINT)
        let ending = child.finish(timeout: 30)
        #expect(!ending.timedOut, "Ctrl-C did not end the wait")
        #expect(ending.status == 130, "\(ending.stderr)")
        #expect(ending.stderr.contains("interrupted") && !ending.stderr.contains("✅"), "\(ending.stderr)")
        #expect(try await Self.catalog(setup.destination).isEmpty)
    }
}
