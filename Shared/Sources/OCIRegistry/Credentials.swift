// Registry credentials as docker and the containers tools store them (`auths` in ~/.docker/config.json and in
// containers-auth.json(5)), looked up by registry and repository. Secrets never reach a description.
import Foundation

/// A username and password (or an identity token, the OAuth refresh token some registries hand to `docker login`).
/// Its descriptions redact the secrets, so it can be logged by accident without leaking them.
///
///     let credential = RegistryCredential(username: "tester", password: "s3cret")
///     "\(credential)"     // RegistryCredential(username: "tester", password: <redacted>)
public struct RegistryCredential: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var username: String
    public var password: String
    /// Sent as the refresh token of the bearer token flow instead of the password, when present.
    public var identityToken: String?

    public init(username: String, password: String, identityToken: String? = nil) {
        self.username = username
        self.password = password
        self.identityToken = identityToken
    }

    public var description: String {
        let token = identityToken == nil ? "" : ", identityToken: <redacted>"
        return "RegistryCredential(username: \"\(username)\", password: <redacted>\(token))"
    }

    public var debugDescription: String { description }

    /// `dump` and reflection-based printing see the redacted values too.
    public var customMirror: Mirror {
        Mirror(self, children: ["username": username, "password": "<redacted>", "identityToken": identityToken == nil ? "nil" : "<redacted>"])
    }
}

/// Credentials by registry key (`host[:port]` or `host[:port]/namespace/…`), from explicit entries and the files
/// docker and podman write. Sources are searched in order and the first source with a matching key wins; within a
/// source the most specific key (the longest repository prefix) wins.
///
///     let store = try CredentialStore.load(environment: ProcessInfo.processInfo.environment, home: NSHomeDirectory())
///     store.credential(for: "ghcr.io", repository: "posit-dev/workbench")
///
/// Credential helpers (`credHelpers`, `credsStore`) are not supported: they run external programs, and the CI
/// flows this client serves use auth files or explicit credentials. Entries that only name a helper are skipped
/// without error, so a docker config that uses one simply yields no credential for those registries.
public struct CredentialStore: Sendable, CustomStringConvertible {
    /// One source: where it came from (a path, or "explicit") and its entries by normalised key.
    struct Source: Sendable {
        var origin: String
        var entries: [String: RegistryCredential]
    }

    private(set) var sources: [Source]

    /// A store with one source of explicit entries, keyed as in `auths` (`ghcr.io`, `127.0.0.1:5000/team`,
    /// `https://index.docker.io/v1/`).
    public init(entries: [String: RegistryCredential]) {
        sources = [Source(origin: "explicit", entries: Self.normalise(entries))]
    }

    private init(sources: [Source]) {
        self.sources = sources
    }

    /// This store with `entries` searched before its own sources (e.g. credentials given in the environment).
    public func prepending(entries: [String: RegistryCredential]) -> CredentialStore {
        CredentialStore(sources: [Source(origin: "explicit", entries: Self.normalise(entries))] + sources)
    }

    /// The files that were read, in search order (for diagnostics; never their contents).
    public var files: [String] { sources.map(\.origin).filter { $0 != "explicit" } }

    /// Reads, in this order, those of these files that exist: `REGISTRY_AUTH_FILE`; `$XDG_RUNTIME_DIR/containers/auth.json`;
    /// `$XDG_CONFIG_HOME/containers/auth.json` (default `~/.config`); `$DOCKER_CONFIG/config.json`, or
    /// `~/.docker/config.json` when `DOCKER_CONFIG` is unset. A missing file is skipped, as the containers tools do;
    /// a file that exists but does not parse is a `.credentials` error naming the file (never its contents).
    public static func load(environment: [String: String], home: String) throws(RegistryError) -> CredentialStore {
        var paths: [String] = []
        func nonEmpty(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let file = nonEmpty("REGISTRY_AUTH_FILE") { paths.append(file) }
        if let runtime = nonEmpty("XDG_RUNTIME_DIR") { paths.append("\(runtime)/containers/auth.json") }
        if let config = nonEmpty("XDG_CONFIG_HOME") {
            paths.append("\(config)/containers/auth.json")
        } else if !home.isEmpty {
            paths.append("\(home)/.config/containers/auth.json")
        }
        if let docker = nonEmpty("DOCKER_CONFIG") {
            paths.append("\(docker)/config.json")
        } else if !home.isEmpty {
            paths.append("\(home)/.docker/config.json")
        }
        var sources: [Source] = []
        var seen = Set<String>()
        for path in paths where seen.insert(path).inserted {
            guard let data = FileManager.default.contents(atPath: path) else {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                    let what = isDirectory.boolValue ? "is a directory" : "cannot be read (check its permissions)"
                    throw RegistryError(.credentials, "the registry auth file \(path) \(what)")
                }
                continue
            }
            sources.append(Source(origin: path, entries: try parseAuthFile(data, path: path)))
        }
        return CredentialStore(sources: sources)
    }

    /// The credential for `repository` (nil: any) on `registry` (`docker.io` and its aliases are one registry).
    public func credential(for registry: String, repository: String?) -> RegistryCredential? {
        let host = Self.normaliseHost(registry)
        for source in sources {
            var best: (length: Int, credential: RegistryCredential)?
            for (key, credential) in source.entries {
                let (keyHost, keyPath) = Self.splitKey(key)
                guard keyHost == host else { continue }
                if let keyPath {
                    guard let repository, repository == keyPath || repository.hasPrefix(keyPath + "/") else { continue }
                }
                let length = keyPath?.count ?? -1
                if length > best?.length ?? Int.min { best = (length, credential) }
            }
            if let best { return best.credential }
        }
        return nil
    }

    /// Lists the sources and their keys, never the secrets.
    public var description: String {
        let parts = sources.map { "\($0.origin): [\($0.entries.keys.sorted().joined(separator: ", "))]" }
        return "CredentialStore(\(parts.joined(separator: "; ")))"
    }

    // MARK: Parsing

    private struct AuthFile: Decodable {
        var auths: [String: Entry]?
    }

    private struct Entry: Decodable {
        var auth: String?
        var username: String?
        var password: String?
        var identitytoken: String?
    }

    /// Parses the `auths` of a docker config or containers auth.json; other keys (`credHelpers`, `credsStore`,
    /// `HttpHeaders`, …) are ignored.
    static func parseAuthFile(_ data: Data, path: String) throws(RegistryError) -> [String: RegistryCredential] {
        let file: AuthFile
        do { file = try JSONDecoder().decode(AuthFile.self, from: data) } catch {
            // Never quote the decoder's message: for a malformed file it may echo bytes of a secret.
            var problem = "is not valid JSON"
            if let decodingError = error as? DecodingError {
                switch decodingError {
                case .typeMismatch(_, let context), .valueNotFound(_, let context):
                    problem = context.codingPath.isEmpty ? "has a value of the wrong type at the top level (an object is expected)"
                        : "has a value of the wrong type at '\(DocumentDecoding.path(context.codingPath))'"
                case .dataCorrupted(let context) where !context.codingPath.isEmpty:
                    problem = "has an invalid value at '\(DocumentDecoding.path(context.codingPath))'"
                default: break
                }
            }
            throw RegistryError(.credentials, "the registry auth file \(path) \(problem); expected {\"auths\": {\"<registry>\": {\"auth\": \"<base64 of user:password>\"}}}. Fix it or log in again (docker login / podman login)")
        }
        var entries: [String: RegistryCredential] = [:]
        for (key, entry) in file.auths ?? [:] {
            var username = entry.username ?? ""
            var password = entry.password ?? ""
            if let auth = entry.auth, !auth.isEmpty {
                guard let decoded = Data(base64Encoded: auth, options: .ignoreUnknownCharacters).flatMap({ String(data: $0, encoding: .utf8) }),
                      let colon = decoded.firstIndex(of: ":") else {
                    throw RegistryError(.credentials, "the registry auth file \(path): the 'auth' of '\(key.prefix(200))' is not base64 of user:password; log in again (docker login / podman login)")
                }
                username = String(decoded[..<colon])
                password = String(decoded[decoded.index(after: colon)...])
            }
            let token = entry.identitytoken.flatMap { $0.isEmpty ? nil : $0 }
            guard !username.isEmpty || !password.isEmpty || token != nil else { continue }   // e.g. `{}` left by a credential helper
            entries[key] = RegistryCredential(username: username, password: password, identityToken: token)
        }
        return normalise(entries)
    }

    // MARK: Keys

    /// Keys as `host[/path]`: a URL key (`https://index.docker.io/v1/`) keeps only its host, as docker reads it;
    /// Docker Hub's aliases become `docker.io`. When two keys normalise alike the one already normalised wins.
    static func normalise(_ entries: [String: RegistryCredential]) -> [String: RegistryCredential] {
        var result: [String: RegistryCredential] = [:]
        for (key, credential) in entries.sorted(by: { $0.key < $1.key }) {
            let normalised = normaliseKey(key)
            if result[normalised] == nil || normalised == key { result[normalised] = credential }
        }
        return result
    }

    static func normaliseKey(_ key: String) -> String {
        var text = key.trimmingCharacters(in: .whitespaces)
        var isURL = false
        for scheme in ["https://", "http://"] where text.lowercased().hasPrefix(scheme) {
            text = String(text.dropFirst(scheme.count))
            isURL = true
        }
        if isURL, let slash = text.firstIndex(of: "/") { text = String(text[..<slash]) }
        while text.hasSuffix("/") { text.removeLast() }
        let (host, path) = splitKey(text)
        let normalisedHost = normaliseHost(host)
        return path.map { "\(normalisedHost)/\($0)" } ?? normalisedHost
    }

    static func splitKey(_ key: String) -> (host: String, path: String?) {
        guard let slash = key.firstIndex(of: "/") else { return (key, nil) }
        let path = String(key[key.index(after: slash)...])
        return (String(key[..<slash]), path.isEmpty ? nil : path)
    }

    /// Docker Hub answers to several names; credentials saved under any of them are Docker Hub's.
    static let dockerHubHosts: Set<String> = ["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]

    static func normaliseHost(_ host: String) -> String {
        let lowered = host.lowercased()
        return dockerHubHosts.contains(lowered) ? ImageReference.dockerHub : lowered
    }
}
