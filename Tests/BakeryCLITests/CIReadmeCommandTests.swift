// `bakery ci readme [--check]` run as a user runs it, pushing to a fake Docker Hub on 127.0.0.1
// (Tests/Fixtures/ci-readme/fake_docker_hub.py, which records every request): which READMEs are eligible, the size
// check's words and numbers, one PATCH per repository carrying the README, failures named, the password never shown.
import Bakery
import Foundation
import OCIRegistry
import Testing
import TestSupport

@Suite struct CIReadmeCommandTests {
    static let script = BakeryBinary.fixtures.appendingPathComponent("ci-readme/fake_docker_hub.py")
    static let username = "readme-bot"
    static let password = "dckr_pat_canary-9Zq-never-print"

    /// alpha (docker.io/posit and docker.io/rstudio, a latest and an older version), beta (docker.io/posit), gamma
    /// (ghcr.io only: not eligible, its README too large on purpose), delta (no latest version: not eligible).
    static func project(alphaReadme: String = "# Alpha\n\nÜber-image ✓\n", betaReadme: String = "# Beta\n") throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-readme-\(UUID().uuidString)")
        let yaml = """
            repository:
              url: "github.com/posit-dev/images-examples"
              vendor: "Posit Software, PBC"
              maintainer: "Posit Docker Team <docker@posit.co>"
            registries:
              - host: docker.io
                namespace: posit
              - host: ghcr.io
                namespace: posit-dev
            images:
              - name: alpha
                extraRegistries:
                  - host: docker.io
                    namespace: rstudio
                versions:
                  - name: 2.0.0
                    latest: true
                  - name: 1.0.0
              - name: beta
                versions:
                  - name: 1.0.0
                    latest: true
              - name: gamma
                overrideRegistries:
                  - host: ghcr.io
                    namespace: posit-dev
                versions:
                  - name: 1.0.0
                    latest: true
              - name: delta
                versions:
                  - name: 1.0.0

            """
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("bakery.yaml"))
        for (image, versions) in [("alpha", ["2.0.0", "1.0.0"]), ("beta", ["1.0.0"]), ("gamma", ["1.0.0"]), ("delta", ["1.0.0"])] {
            for version in versions {
                let folder = dir.appendingPathComponent("\(image)/\(version)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data("FROM docker.io/library/ubuntu:24.04\n".utf8).write(to: folder.appendingPathComponent("Containerfile"))
            }
        }
        try Data(alphaReadme.utf8).write(to: dir.appendingPathComponent("alpha/README.md"))
        try Data(betaReadme.utf8).write(to: dir.appendingPathComponent("beta/README.md"))
        try Data(String(repeating: "g", count: 30_000).utf8).write(to: dir.appendingPathComponent("gamma/README.md"))
        try Data(String(repeating: "d", count: 30_000).utf8).write(to: dir.appendingPathComponent("delta/README.md"))
        return dir
    }

    static func state(password: String = password, fail: [String: Int] = [:]) -> JSONValue {
        .object([("username", .string(username)), ("password", .string(password)),
                 ("fail", .object(fail.map { ($0.key, JSONValue.int($0.value)) }))])
    }

    func readme(_ arguments: [String], project: URL, hub: String?, credentials: Bool = true) throws -> BakeryBinary.Result {
        var prefix = ["/usr/bin/env", "-u", DockerHubReadme.usernameVariable, "-u", DockerHubReadme.passwordVariable, "-u", DockerHubReadme.baseVariable]
        if let hub { prefix.append("\(DockerHubReadme.baseVariable)=\(hub)") }
        if credentials { prefix += ["\(DockerHubReadme.usernameVariable)=\(Self.username)", "\(DockerHubReadme.passwordVariable)=\(Self.password)"] }
        return try BakeryBinary.run(["ci", "readme"] + arguments + ["--context", project.path], in: project, prefix: prefix)
    }

    func string(_ value: JSONValue?) -> String? { if case .string(let s)? = value { return s } else { return nil } }

    @Test func theCheckPassesWhenEveryEligibleReadmeFits() throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let result = try readme(["--check"], project: project, hub: nil, credentials: false)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasSuffix("✅ All READMEs are within Docker Hub's length limit\n"), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func theCheckNamesAnOversizedReadmeWithItsByteCounts() throws {
        // 25,069 bytes in fewer characters: the limit is in UTF-8 bytes.
        let text = String(repeating: "é", count: 12_000) + String(repeating: "x", count: 1_069)
        #expect(text.utf8.count == 25_069)
        let project = try Self.project(betaReadme: text)
        defer { try? FileManager.default.removeItem(at: project) }
        let result = try readme(["--check"], project: project, hub: nil, credentials: false)
        #expect(result.status == 1)
        let path = project.appendingPathComponent("beta/README.md").standardizedFileURL.path
        #expect(result.stderr.contains("❌ \(path) is 25,069 bytes, exceeding Docker Hub's 25,000-byte README limit by 69 bytes\n"), "\(result.stderr)")
        #expect(!result.stderr.contains("alpha/README.md") && !result.stderr.contains("gamma") && !result.stderr.contains("delta"))
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func pushingOversizedReadmesIsRefusedBeforeAnyRequest() throws {
        let project = try Self.project(alphaReadme: String(repeating: "a", count: 25_001))
        defer { try? FileManager.default.removeItem(at: project) }
        let hub = try FakeHTTPService(script: Self.script, state: Self.state())
        defer { hub.stop() }
        let result = try readme([], project: project, hub: hub.baseURL)
        #expect(result.status == 1)
        let path = project.appendingPathComponent("alpha/README.md").standardizedFileURL.path
        #expect(result.stderr.contains("❌ README(s) exceed Docker Hub's length limit:\n- \(path) is 25,001 bytes, exceeding Docker Hub's 25,000-byte README limit by 1 bytes"),
                "\(result.stderr)")
        #expect(hub.requests.isEmpty)
    }

    @Test func withoutCredentialsNothingIsPushedAndThatIsNotAFailure() throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let result = try readme([], project: project, hub: "http://127.0.0.1:9", credentials: false)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("WARNING: Docker Hub README credentials not configured (DOCKER_HUB_README_USERNAME, DOCKER_HUB_README_PASSWORD). Skipping README push."),
                "\(result.stderr)")
        #expect(result.stderr.hasSuffix("No READMEs pushed\n"))
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func eachRepositoryGetsItsReadmeOnceAndThePasswordIsNeverShown() throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let hub = try FakeHTTPService(script: Self.script, state: Self.state())
        defer { hub.stop() }
        let result = try readme(["-v"], project: project, hub: hub.baseURL)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.hasSuffix("✅ Pushed 3 README(s) to Docker Hub\n"), "\(result.stderr)")
        let requests = hub.requests
        #expect(requests.first?["method"] == .string("POST") && requests.first?["path"] == .string("/v2/auth/token"))
        #expect(requests.first?["body"] == .object([("identifier", .string(Self.username)), ("secret", .string(Self.password))]))
        let patches = requests.filter { $0["method"] == .string("PATCH") }
        #expect(patches.compactMap { string($0["path"]) }.sorted()
                == ["/v2/namespaces/posit/repositories/alpha", "/v2/namespaces/posit/repositories/beta", "/v2/namespaces/rstudio/repositories/alpha"])
        let alpha = try String(contentsOf: project.appendingPathComponent("alpha/README.md"), encoding: .utf8)
        let beta = try String(contentsOf: project.appendingPathComponent("beta/README.md"), encoding: .utf8)
        for patch in patches {
            let expected = string(patch["path"])!.hasSuffix("/alpha") ? alpha : beta
            #expect(patch["body"] == .object([("full_description", .string(expected))]))
            #expect(patch["authorization"] == .string("Bearer hub-token-1"))
        }
        #expect(requests.count == 4, "one token, three PATCHes")
        #expect(!result.stderr.contains(Self.password) && !result.stdout.contains(Self.password))
        #expect(!result.stderr.contains("hub-token-1"))
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func refusedCredentialsFailEveryRepositoryWithoutShowingThePassword() throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let hub = try FakeHTTPService(script: Self.script, state: Self.state(password: "something-else"))
        defer { hub.stop() }
        let result = try readme([], project: project, hub: hub.baseURL)
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("❌ Failed to push READMEs for: posit/alpha, rstudio/alpha, posit/beta\n"), "\(result.stderr)")
        #expect(result.stderr.contains("Docker Hub refused the credentials"))
        #expect(!result.stderr.contains(Self.password))
        #expect(hub.requests.map { string($0["method"]) } == ["POST"], "no PATCH without a token, and no retry of refused credentials")
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func aServerErrorOnOneRepositoryNamesOnlyThatOne() throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let hub = try FakeHTTPService(script: Self.script, state: Self.state(fail: ["rstudio/alpha": 500]))
        defer { hub.stop() }
        let result = try readme([], project: project, hub: hub.baseURL)
        #expect(result.status == 1)
        #expect(result.stderr.hasSuffix("❌ Failed to push READMEs for: rstudio/alpha\n"), "\(result.stderr)")
        #expect(result.stderr.contains("ERROR: rstudio/alpha: HTTP 500"), "\(result.stderr)")
        #expect(hub.requests.filter { $0["method"] == .string("PATCH") }.count == 3, "the others were still pushed")
    }

    @Test(.enabled(if: FakeHTTPService.shouldRun))
    func anImageWithoutAReadmeIsLeftAlone() throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        try FileManager.default.removeItem(at: project.appendingPathComponent("beta/README.md"))
        let check = try readme(["--check"], project: project, hub: nil, credentials: false)
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stderr.hasSuffix("✅ All READMEs are within Docker Hub's length limit\n"))
        let hub = try FakeHTTPService(script: Self.script, state: Self.state())
        defer { hub.stop() }
        let push = try readme([], project: project, hub: hub.baseURL)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.hasSuffix("✅ Pushed 2 README(s) to Docker Hub\n"), "\(push.stderr)")
        #expect(!hub.requests.contains { string($0["path"])?.hasSuffix("/beta") == true })
    }

    @Test func aHubURLThatIsNeitherHTTPSNorLoopbackIsRefused() throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let result = try readme([], project: project, hub: "http://hub.example.com")
        #expect(result.status == 1)
        #expect(result.stderr.contains("BAKERY_DOCKER_HUB_URL must be an https URL"), "\(result.stderr)")
        #expect(!result.stderr.contains(Self.password))
    }

    // MARK: - The token's lifetime, in process

    /// A Hub answering from memory: tokens `t1`, `t2`… on POST; PATCH answers 401 once for `expireOnce`.
    final class MemoryHub: HTTPTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var log: [String] = []
        private var issued = 0
        private var expireOnce: Set<String>
        let clock: Clock

        init(expireOnce: Set<String> = [], clock: Clock) {
            self.expireOnce = expireOnce
            self.clock = clock
        }

        var requests: [String] { lock.withLock { log } }

        func send(_ request: HTTPRequest) async throws -> HTTPResponse {
            clock.advance(301)
            return lock.withLock {
                let auth = request.header("Authorization") ?? "-"
                log.append("\(request.method) \(request.url.path) \(auth)")
                if request.method == "POST" {
                    issued += 1
                    return HTTPResponse(status: 200, body: Data(#"{"access_token":"t\#(issued)"}"#.utf8))
                }
                let repository = request.url.path.replacingOccurrences(of: "/v2/namespaces/", with: "").replacingOccurrences(of: "/repositories/", with: "/")
                if expireOnce.remove(repository) != nil { return HTTPResponse(status: 401, body: Data(#"{"detail":"token expired"}"#.utf8)) }
                return HTTPResponse(status: 200, body: Data("{}".utf8))
            }
        }
    }

    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var now = Date(timeIntervalSince1970: 1_800_000_000)
        func advance(_ seconds: TimeInterval) { lock.withLock { now += seconds } }
        var current: Date { lock.withLock { now } }
    }

    static func entries(_ project: URL, count: Int) -> [DockerHubReadme.Entry] {
        [DockerHubReadme.Entry(readme: project.appendingPathComponent("alpha/README.md").path,
                               repositories: (1...count).map { DockerHubReadme.Repository(namespace: "posit", name: "r\($0)") }, exists: true)]
    }

    @Test func theTokenIsRenewedAfterTenMinutesAndOnceWhenRefused() async throws {
        let project = try Self.project()
        defer { try? FileManager.default.removeItem(at: project) }
        let clock = Clock()
        // Every request moves the clock 301 s: the token is 602 s old at the third PATCH, so it is renewed every two.
        let hub = MemoryHub(expireOnce: ["posit/r4"], clock: clock)
        let readme = DockerHubReadme(base: URL(string: "https://hub.example")!, username: "u", password: "p", transport: hub, now: { clock.current })
        let outcome = await readme.push(Self.entries(project, count: 4))
        #expect(outcome.failed.isEmpty)
        #expect(outcome.pushed.map(\.description) == ["posit/r1", "posit/r2", "posit/r3", "posit/r4"])
        #expect(hub.requests == [
            "POST /v2/auth/token -", "PATCH /v2/namespaces/posit/repositories/r1 Bearer t1", "PATCH /v2/namespaces/posit/repositories/r2 Bearer t1",
            "POST /v2/auth/token -", "PATCH /v2/namespaces/posit/repositories/r3 Bearer t2", "PATCH /v2/namespaces/posit/repositories/r4 Bearer t2",
            "POST /v2/auth/token -", "PATCH /v2/namespaces/posit/repositories/r4 Bearer t3",
        ])
    }
}
