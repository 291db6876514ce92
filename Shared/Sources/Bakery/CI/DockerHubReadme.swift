// `bakery ci readme`: which images' READMEs belong on Docker Hub, Docker Hub's README size limit, and pushing
// them (the token endpoint and the repository PATCH) through OCIRegistry's HTTPTransport.
import Foundation
import OCIRegistry

/// The READMEs of the image versions published to Docker Hub, checked against Hub's limit and pushed there.
///
///     let entries = try DockerHubReadme.eligible(targets, workspace: workspace)
///     let tooLarge = try DockerHubReadme.oversized(entries)          // [] when every README fits
///     let failed = await DockerHubReadme(base: base, username: user, password: password).push(entries)
///
/// An image version is eligible when it is not a development version, is a matrix version or marked
/// `latest: true`, and has a tag on `docker.io/<namespace>/<repository>`. Its README is `<image folder>/README.md`.
public struct DockerHubReadme: Sendable {
    /// Docker Hub refuses a repository description (full_description) longer than this many bytes.
    public static let byteLimit = 25_000
    public static let defaultBase = "https://hub.docker.com"
    public static let baseVariable = "BAKERY_DOCKER_HUB_URL"
    public static let usernameVariable = "DOCKER_HUB_README_USERNAME"
    public static let passwordVariable = "DOCKER_HUB_README_PASSWORD"
    /// An access token is fetched again once it is this old (Hub's tokens live longer; the reference renews at 10 minutes).
    public static let tokenLifetime: TimeInterval = 600

    /// A Docker Hub repository, `namespace/name`.
    public struct Repository: Sendable, Hashable, CustomStringConvertible {
        public var namespace: String
        public var name: String
        public init(namespace: String, name: String) {
            self.namespace = namespace
            self.name = name
        }
        public var description: String { "\(namespace)/\(name)" }
    }

    /// One README and the Hub repositories it describes.
    public struct Entry: Sendable {
        /// Absolute path.
        public var readme: String
        public var repositories: [Repository]
        /// Whether there is anything at `readme`: an image without a README is left alone, as the reference does.
        public var exists: Bool

        public init(readme: String, repositories: [Repository], exists: Bool) {
            self.readme = readme
            self.repositories = repositories
            self.exists = exists
        }
    }

    /// A README over the limit.
    public struct Oversize: Sendable, Equatable {
        public var readme: String
        public var size: Int
        public init(readme: String, size: Int) {
            self.readme = readme
            self.size = size
        }
        public var excess: Int { size - DockerHubReadme.byteLimit }

        /// `<path> is 25,069 bytes, exceeding Docker Hub's 25,000-byte README limit by 69 bytes`.
        public var message: String {
            "\(readme) is \(DockerHubReadme.grouped(size)) bytes, exceeding Docker Hub's \(DockerHubReadme.grouped(DockerHubReadme.byteLimit))-byte "
                + "README limit by \(DockerHubReadme.grouped(excess)) bytes"
        }
    }

    /// The eligible targets' READMEs, in target order, each once with its repositories (each once).
    public static func eligible(_ targets: [ImageTarget], workspace: Workspace, tagger: Tagger = Tagger()) throws(BakeryError) -> [Entry] {
        var entries: [Entry] = []
        var index: [String: Int] = [:]
        for target in targets where !target.version.isDevelopmentVersion && (target.version.isMatrixVersion || target.version.latest) {
            let tags: [String]
            do { tags = try tagger.tags(for: target) } catch { throw BakeryError.from(error) }
            let repositories = tags.compactMap(hubRepository)
            guard !repositories.isEmpty else { continue }
            let projectRoot = target.projectFolder(in: workspace.root)
            let imageDirectory = target.image.subpath.isEmpty || target.image.subpath == "." ? projectRoot : projectRoot.appendingPathComponent(target.image.subpath)
            let readme = imageDirectory.appendingPathComponent("README.md").standardizedFileURL.path
            if index[readme] == nil {
                index[readme] = entries.count
                entries.append(Entry(readme: readme, repositories: [], exists: RegularFile.kind(readme) != .missing))
            }
            for repository in repositories where !entries[index[readme]!].repositories.contains(repository) {
                entries[index[readme]!].repositories.append(repository)
            }
        }
        return entries
    }

    /// `docker.io/<namespace>/<repository>:<tag>` → namespace/repository; nil for any other registry, or without a namespace.
    static func hubRepository(_ tag: String) -> Repository? {
        guard let slash = tag.firstIndex(of: "/"), tag[..<slash] == "docker.io" else { return nil }
        var path = tag[tag.index(after: slash)...]
        if let at = path.firstIndex(of: "@") { path = path[..<at] }
        if let colon = path.lastIndex(of: ":"), !path[colon...].contains("/") { path = path[..<colon] }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // Hub repositories are `namespace/name`, each a lowercase path component: `..`, `.` or a third level would
        // reach another endpoint of Hub's API once the HTTP stack squashes the URL's dot segments.
        func component(_ s: Substring) -> Bool {
            guard let first = s.first, let last = s.last, first.isASCII, last.isASCII,
                  first.isLowercase || first.isNumber, last.isLowercase || last.isNumber else { return false }
            return s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "._-".contains($0)) }
        }
        guard parts.count == 2, component(parts[0]), component(parts[1]) else { return nil }
        return Repository(namespace: String(parts[0]), name: String(parts[1]))
    }

    /// The README's bytes (a regular file, UTF-8).
    public static func read(_ readme: String) throws(BakeryError) -> Data {
        let data = try RegularFile.read(readme)
        guard String(data: data, encoding: .utf8) != nil else {
            throw BakeryError(.invalidValue, "\(readme) is not UTF-8 text", hint: "Docker Hub descriptions are UTF-8 Markdown; re-save the file as UTF-8")
        }
        return data
    }

    /// The READMEs over Docker Hub's limit (UTF-8 bytes), in entry order.
    public static func oversized(_ entries: [Entry]) throws(BakeryError) -> [Oversize] {
        var out: [Oversize] = []
        for entry in entries where entry.exists {
            let size = try read(entry.readme).count
            if size > byteLimit { out.append(Oversize(readme: entry.readme, size: size)) }
        }
        return out
    }

    /// `25069` → `25,069`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Docker Hub's base URL: `BAKERY_DOCKER_HUB_URL` when set (https, or plain http on a loopback host only).
    public static func base(environment: [String: String]) throws(BakeryError) -> URL {
        guard let text = environment[baseVariable], !text.isEmpty else { return URL(string: defaultBase)! }
        return try GitHubPackages.loopbackOrHTTPS(text, variable: baseVariable)
    }

    // MARK: - Pushing

    public let base: URL
    private let username: String
    private let password: String
    private let transport: any HTTPTransport
    private let now: @Sendable () -> Date

    public init(base: URL, username: String, password: String, transport: any HTTPTransport = URLSessionTransport(),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.base = base
        self.username = username
        self.password = password
        self.transport = transport
        self.now = now
    }

    /// What happened: the repositories whose README was replaced, and those that failed with why (no secret in it).
    public struct Outcome: Sendable {
        public var pushed: [Repository] = []
        public var failed: [(repository: Repository, reason: String)] = []
    }

    /// Replaces each repository's full description with its README, once per repository, one after the other
    /// (entries without a README are skipped).
    public func push(_ entries: [Entry]) async -> Outcome {
        var outcome = Outcome()
        var token: (value: String, obtained: Date)?
        var authFailure: String?
        var done = Set<Repository>()
        for entry in entries where entry.exists {
            let readme: Data
            do { readme = try Self.read(entry.readme) } catch {
                for repository in entry.repositories where done.insert(repository).inserted { outcome.failed.append((repository, error.message)) }
                continue
            }
            for repository in entry.repositories where done.insert(repository).inserted {
                if Task.isCancelled {
                    outcome.failed.append((repository, "cancelled"))
                    continue
                }
                var attempt = 0
                while true {
                    attempt += 1
                    if token == nil || now().timeIntervalSince(token!.obtained) >= Self.tokenLifetime {
                        if let authFailure {
                            outcome.failed.append((repository, authFailure))
                            break
                        }
                        do { token = (try await authenticate(), now()) } catch {
                            authFailure = error.message
                            outcome.failed.append((repository, error.message))
                            break
                        }
                    }
                    do {
                        try await patch(repository, readme: readme, token: token!.value)
                        outcome.pushed.append(repository)
                        break
                    } catch let failure as Rejected where failure.status == 401 && attempt == 1 {
                        token = nil       // expired early: one fresh token, one more try
                    } catch {
                        outcome.failed.append((repository, redact(error is Rejected ? (error as! Rejected).message : String(describing: error), token?.value)))
                        break
                    }
                }
            }
        }
        return outcome
    }

    private struct Rejected: Error {
        var status: Int
        var message: String
    }

    /// POST /v2/auth/token {"identifier", "secret"} → access_token.
    private func authenticate() async throws(BakeryError) -> String {
        let body = JSONValue.object([("identifier", .string(username)), ("secret", .string(password))]).text(.init(indent: nil, asciiOnly: false))
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "POST", url: base.appendingPathComponent("v2/auth/token"),
                                                            headers: headers(token: nil), body: Data(body.utf8), maximumResponseSize: 1 << 20))
        } catch {
            throw BakeryError(.registry, "cannot reach Docker Hub at \(base.absoluteString): \(redact(String(describing: error), nil))")
        }
        guard response.status == 200 else {
            throw BakeryError(.registry, "Docker Hub refused the credentials in \(Self.usernameVariable)/\(Self.passwordVariable) (HTTP \(response.status)"
                              + "\(detail(response.body, token: nil).map { ": \($0)" } ?? ""))")
        }
        guard case .string(let token)? = RegistryAccess.parseJSON(response.body)?["access_token"], !token.isEmpty else {
            throw BakeryError(.registry, "Docker Hub's token answer has no access_token")
        }
        return token
    }

    /// PATCH /v2/namespaces/<ns>/repositories/<repo> {"full_description": README}.
    private func patch(_ repository: Repository, readme: Data, token: String) async throws {
        let text = String(decoding: readme, as: UTF8.self)
        let body = JSONValue.object([("full_description", .string(text))]).text(.init(indent: nil, asciiOnly: false))
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let ns = repository.namespace.addingPercentEncoding(withAllowedCharacters: allowed) ?? repository.namespace
        let name = repository.name.addingPercentEncoding(withAllowedCharacters: allowed) ?? repository.name
        guard let url = URL(string: base.absoluteString + "/v2/namespaces/\(ns)/repositories/\(name)") else {
            throw Rejected(status: 0, message: "cannot make a URL for \(repository)")
        }
        let response: HTTPResponse
        do {
            response = try await transport.send(HTTPRequest(method: "PATCH", url: url, headers: headers(token: token), body: Data(body.utf8),
                                                            maximumResponseSize: 1 << 20))
        } catch {
            throw Rejected(status: 0, message: "cannot reach Docker Hub: \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw Rejected(status: response.status, message: "HTTP \(response.status)\(detail(response.body, token: token).map { ": \($0)" } ?? "")")
        }
    }

    private func headers(token: String?) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = [("Content-Type", "application/json"), ("Accept", "application/json"),
                                                        ("User-Agent", "bakery/\(BakeryVersion.current)")]
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        return headers
    }

    /// Hub's `message`/`detail` from an error body, else the start of the body; the password and `token` are
    /// redacted before the text is cut, so a secret straddling the cut leaves nothing behind.
    private func detail(_ body: Data, token: String?) -> String? {
        let head = body.prefix(1 << 20)
        guard !head.isEmpty else { return nil }
        let json = RegistryAccess.parseJSON(head)
        var text = String(decoding: head, as: UTF8.self)
        var limit = 200
        for key in ["message", "detail", "errinfo"] {
            if case .string(let s)? = json?[key], !s.isEmpty {
                text = s
                limit = 2048
                break
            }
        }
        return RegistryAccess.redacted(text, secrets: [password, token ?? ""], limit: limit)
    }

    /// Removes the password and the access token from text a server sent back.
    private func redact(_ text: String, _ token: String?) -> String {
        RegistryAccess.redacted(text, secrets: [password, token ?? ""])
    }
}
