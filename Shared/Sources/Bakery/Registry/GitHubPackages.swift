// GitHub's packages API for container packages, as `bakery clean` uses it on ghcr.io: a package's version count,
// its active versions page by page, and deleting one version. Speaks through OCIRegistry's HTTPTransport.
import Foundation
import OCIRegistry

/// One organisation's container packages on GitHub (`ghcr.io/<org>/<package>`).
///
///     let api = try GitHubPackages(base: GitHubPackages.apiBase(environment: env), token: token)
///     let package = try GitHubPackages.Package(reference: "ghcr.io/posit-dev/workbench/cache")
///     for version in try await api.versions(of: package) where version.tags.isEmpty { try await api.delete(version, of: package) }
///
/// The token is sent as `Authorization: Bearer …` and never appears in a message: any text the API sends back is
/// searched for it and redacted.
public struct GitHubPackages: Sendable {
    /// The API GitHub serves; `BAKERY_GITHUB_API_URL` replaces it (tests point it at a loopback server).
    public static let defaultBase = "https://api.github.com"
    public static let baseVariable = "BAKERY_GITHUB_API_URL"
    public static let tokenVariable = "GITHUB_TOKEN"
    /// The most versions GitHub returns per page.
    public static let pageSize = 100
    /// GitHub refuses to delete a public package version with more than 5000 downloads; the reference treats
    /// that, and a version deleted meanwhile, as warnings.
    public static let toleratedFailures = ["5000 downloads cannot be deleted", "Package version not found"]

    /// A container package: `ghcr.io/<org>/<package>`, the package name possibly holding slashes.
    public struct Package: Sendable, Hashable, CustomStringConvertible {
        public var organization: String
        public var name: String

        /// Parses `ghcr.io/<org>/<package>` (org `[A-Za-z0-9_.-]+`, package `[A-Za-z0-9_./-]+`).
        public init(reference: String) throws(BakeryError) {
            let prefix = "ghcr.io/"
            let rest = reference.hasPrefix(prefix) ? reference.dropFirst(prefix.count) : nil
            let parts = rest.map { $0.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false) } ?? []
            func valid(_ s: Substring, extra: Set<Character>) -> Bool {
                !s.isEmpty && s.allSatisfy { ($0.isASCII && ($0.isLetter || $0.isNumber)) || extra.contains($0) }
            }
            // `.`, `..` and empty segments are refused: the HTTP stack squashes dot segments in a URL's path, so
            // `/orgs/../packages/…` would reach another endpoint of the API than the package's own.
            let segments = parts.count == 2 ? [parts[0]] + parts[1].split(separator: "/", omittingEmptySubsequences: false) : []
            guard parts.count == 2, valid(parts[0], extra: ["_", ".", "-"]), valid(parts[1], extra: ["_", ".", "/", "-"]),
                  segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }) else {
                throw BakeryError(.invalidValue, "Invalid GHCR registry format: \(reference)",
                                  hint: "a GitHub container package is ghcr.io/<organization>/<package>")
            }
            organization = String(parts[0])
            name = String(parts[1])
        }

        public var description: String { "ghcr.io/\(organization)/\(name)" }

        /// `/orgs/<org>/packages/container/<package, "/" as %2F>`.
        var path: String {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let org = organization.addingPercentEncoding(withAllowedCharacters: allowed) ?? organization
            let package = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? name
            return "/orgs/\(org)/packages/container/\(package)"
        }
    }

    /// One package version as the API lists it.
    public struct Version: Sendable {
        public var id: Int
        /// The manifest digest, for container packages.
        public var name: String?
        public var createdAt: String?
        public var updatedAt: String?
        public var tags: [String]
        /// The version in the reference's dry-run shape: id, name, url, package_html_url, created_at, updated_at,
        /// html_url, metadata {package_type, container {tags}}; a field the API left out is null.
        public var listing: JSONValue

        init?(_ json: JSONValue) {
            guard case .int(let id)? = json["id"] else { return nil }
            self.id = id
            func string(_ value: JSONValue?) -> String? { if case .string(let s)? = value { return s } else { return nil } }
            name = string(json["name"])
            createdAt = string(json["created_at"])
            updatedAt = string(json["updated_at"])
            let container = json["metadata"]?["container"]
            var tags: [String] = []
            if case .array(let items)? = container?["tags"] { tags = items.compactMap { string($0) } }
            self.tags = tags
            let metadata = json["metadata"]
            listing = .object([
                ("id", .int(id)), ("name", json["name"] ?? .null), ("url", json["url"] ?? .null),
                ("package_html_url", json["package_html_url"] ?? .null), ("created_at", json["created_at"] ?? .null),
                ("updated_at", json["updated_at"] ?? .null), ("html_url", json["html_url"] ?? .null),
                ("metadata", .object([("package_type", metadata?["package_type"] ?? .null),
                                      ("container", .object([("tags", .array(tags.map { .string($0) }))]))])),
            ])
        }
    }

    public let base: URL
    private let token: String
    private let transport: any HTTPTransport

    public init(base: URL, token: String, transport: any HTTPTransport = URLSessionTransport()) {
        self.base = base
        self.token = token
        self.transport = transport
    }

    /// The API base: `BAKERY_GITHUB_API_URL` when set (https, or plain http on a loopback host only), else GitHub's.
    public static func apiBase(environment: [String: String]) throws(BakeryError) -> URL {
        guard let text = environment[baseVariable], !text.isEmpty else { return URL(string: defaultBase)! }
        return try loopbackOrHTTPS(text, variable: baseVariable)
    }

    /// `text` as a base URL that is https, or http to 127.0.0.0/8, ::1 or localhost; anything else is refused so a
    /// token is never sent in clear over a network.
    public static func loopbackOrHTTPS(_ text: String, variable: String) throws(BakeryError) -> URL {
        let trimmed = text.hasSuffix("/") ? String(text.dropLast()) : text
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty,
              url.query == nil, url.fragment == nil, url.user == nil, url.password == nil else {
            throw BakeryError(.invalidValue, "\(variable) is not a URL: '\(text)'", hint: "give a base URL such as https://api.example.com")
        }
        let loopback = ImageReference.isLoopback(urlHost: host)
        guard scheme == "https" || (scheme == "http" && loopback) else {
            throw BakeryError(.invalidValue, "\(variable) must be an https URL (plain http is allowed only for 127.0.0.1, ::1 or localhost): '\(text)'",
                              hint: "use https, or unset \(variable)")
        }
        return url
    }

    /// The package's `version_count`.
    public func versionCount(of package: Package) async throws(BakeryError) -> Int {
        let json = try await get(package.path, what: "package \(package)")
        guard case .int(let count)? = json["version_count"], count >= 0 else {
            throw BakeryError(.registry, "\(package): GitHub's package description has no version_count")
        }
        return count
    }

    /// More versions than a package is believed to hold: a larger `version_count` is taken for a broken answer
    /// (it also keeps the page arithmetic from overflowing).
    public static let maximumVersions = 1_000_000

    /// Every active version: `version_count` first, then that many versions in pages of 100. A page that repeats
    /// versions already read (pagination that never ends) is an error.
    public func versions(of package: Package) async throws(BakeryError) -> [Version] {
        let count = try await versionCount(of: package)
        guard count <= Self.maximumVersions else {
            throw BakeryError(.registry, "\(package): GitHub says the package has \(count) versions, more than the \(Self.maximumVersions) bakery believes",
                              hint: "check BAKERY_GITHUB_API_URL points at GitHub's API")
        }
        var versions: [Version] = []
        var seen = Set<Int>()
        let pages = (count + Self.pageSize - 1) / Self.pageSize
        var page = 1
        while page <= pages, versions.count < count {
            let json = try await get("\(package.path)/versions?per_page=\(Self.pageSize)&page=\(page)&state=active", what: "versions of \(package)")
            guard case .array(let items) = json else {
                throw BakeryError(.registry, "\(package): GitHub's version list (page \(page)) is not a JSON array")
            }
            for item in items {
                guard let version = Version(item) else {
                    throw BakeryError(.registry, "\(package): a version on page \(page) has no numeric id")
                }
                guard seen.insert(version.id).inserted else {
                    throw BakeryError(.registry, "\(package): page \(page) of GitHub's version list repeats version \(version.id); the pagination loops")
                }
                versions.append(version)
            }
            if items.isEmpty { break }
            page += 1
        }
        return versions
    }

    /// Deletes one version. The request goes to the package's own versions path with the version's id, never to
    /// a URL the API sent, so nothing outside the package can be deleted.
    public func delete(_ version: Version, of package: Package) async throws(BakeryError) {
        _ = try await send("DELETE", "\(package.path)/versions/\(version.id)", what: "version \(version.name ?? String(version.id)) of \(package)")
    }

    private func get(_ path: String, what: String) async throws(BakeryError) -> JSONValue {
        let body = try await send("GET", path, what: what)
        guard let json = RegistryAccess.parseJSON(body) else {
            throw BakeryError(.registry, "\(what): GitHub's answer is not JSON (or nests deeper than \(RegistryAccess.maximumJSONDepth) levels)")
        }
        return json
    }

    private func send(_ method: String, _ path: String, what: String) async throws(BakeryError) -> Data {
        guard let url = URL(string: base.absoluteString + path) else {
            throw BakeryError(.internal, "cannot make a URL of \(base.absoluteString)\(path)")
        }
        let request = HTTPRequest(method: method, url: url, headers: [
            ("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28"),
            ("User-Agent", "bakery/\(BakeryVersion.current)"), ("Authorization", "Bearer \(token)"),
        ], maximumResponseSize: 64 << 20)
        let response: HTTPResponse
        do { response = try await transport.send(request) } catch is CancellationError {
            throw BakeryError(.interrupted, redact("\(what): cancelled"))
        } catch {
            throw BakeryError(.registry, redact("\(what): cannot reach \(base.absoluteString): \(String(describing: error))"))
        }
        guard (200..<300).contains(response.status) else {
            // The whole body is redacted before it is cut, so a token straddling the cut leaves nothing behind.
            let body = response.body.prefix(1 << 20)
            var detail = ""
            if case .string(let message)? = RegistryAccess.parseJSON(body)?["message"] {
                detail = message
            } else {
                detail = String(decoding: body, as: UTF8.self)
            }
            detail = RegistryAccess.redacted(detail, secrets: [token], limit: 4096)
            let hint: String? = response.status == 401 || response.status == 403
                ? "check that \(Self.tokenVariable) is valid and may read and delete the organisation's packages" : nil
            // `what` may hold a version's name, which the API sent: the whole message is redacted.
            throw BakeryError(.registry, redact("\(what): GitHub answered \(response.status)\(detail.isEmpty ? "" : ": \(detail)")"), hint: hint)
        }
        return response.body
    }

    /// `text` with the token replaced by `<redacted>`: for anything built from what the API sent (a hostile or
    /// broken server may echo the token into a version's fields).
    public func redact(_ text: String) -> String {
        RegistryAccess.redacted(text, secrets: [token])
    }
}
