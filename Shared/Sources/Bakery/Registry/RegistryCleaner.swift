// `bakery clean cache-registry|temp-registry`: which repositories a project's cache or temp registry holds, what
// in them is old enough to go, and deleting it: through GitHub's packages API on ghcr.io (as posit-bakery does),
// through the OCI distribution API on any other registry. Nothing outside the derived repositories is touched.
import Foundation
import Logging
import OCIRegistry

/// Removes old artifacts from the `<registry>/<image>/cache` or `<registry>/<image>/tmp` repositories of the
/// selected targets.
///
///     let repositories = RegistryCleaner.repositories(for: targets, registry: "ghcr.io/posit-dev", kind: .temp)
///     let cleaner = RegistryCleaner(options: .init(olderThan: 3), access: try RegistryAccess(), logger: logger) { print($0) }
///     let errors = try await cleaner.clean(repositories)      // "Completed with <n> errors …" when errors > 0
///
/// On ghcr.io the unit is a package version (a manifest with its tags) and its age is `updated_at`. On other
/// registries it is a manifest reached through a tag: its age is the `org.opencontainers.image.created`
/// annotation (index) or label (image config; for an index, its first child's), else the config's `created`.
/// Deleting a manifest by digest removes every tag pointing at it; a deleted index's children go too unless a
/// kept manifest refers to them. The distribution API cannot list manifests no tag points at, so `untagged`
/// only warns there.
public struct RegistryCleaner: Sendable {
    /// Which repository of each image is cleaned.
    public enum Kind: String, Sendable {
        case cache, temp

        /// The repository below `<registry>/<image>/`.
        public var repositoryName: String { self == .cache ? "cache" : "tmp" }
    }

    public struct Options: Sendable {
        /// Remove what is older than this many days.
        public var olderThan: Int?
        /// Remove versions without tags (GHCR; on other registries only a warning, see the type's comment).
        public var untagged: Bool
        /// Print what would be removed (JSON, one document per repository) and remove nothing.
        public var dryRun: Bool
        /// "Now", for the age comparison.
        public var now: Date

        public init(olderThan: Int? = nil, untagged: Bool = false, dryRun: Bool = false, now: Date = Date()) {
            self.olderThan = olderThan
            self.untagged = untagged
            self.dryRun = dryRun
            self.now = now
        }
    }

    /// The annotation or label that tells when an image was built.
    public static let createdKey = "org.opencontainers.image.created"

    public let options: Options
    private let access: RegistryAccess
    private let environment: [String: String]
    private let logger: Logger
    private let emit: @Sendable (String) -> Void
    private let registryClient: RegistryClient?

    /// `emit` receives each dry-run JSON document (stdout in the CLI). `client` replaces the one `access` would make
    /// (tests give one with a transport of their own).
    public init(options: Options, access: RegistryAccess, environment: [String: String] = ProcessInfo.processInfo.environment,
                logger: Logger = Logger(label: "bakery.clean") { _ in SwiftLogNoOpLogHandler() }, client: RegistryClient? = nil, emit: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.access = access
        self.registryClient = client
        self.environment = environment
        self.logger = logger
        self.emit = emit
    }

    /// `<registry>/<image>/cache` or `<registry>/<image>/tmp` for each target's image, first-seen order, once each.
    public static func repositories(for targets: [ImageTarget], registry: String, kind: Kind) -> [String] {
        var trimmed = registry
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        var seen = Set<String>()
        var out: [String] = []
        for target in targets {
            let repository = "\(trimmed)/\(target.image.name)/\(kind.repositoryName)"
            if seen.insert(repository).inserted { out.append(repository) }
        }
        return out
    }

    /// Cleans each repository in turn and returns the number of errors met (each already logged). Bad input (a
    /// repository that is not a reference, a ghcr.io one that is not `ghcr.io/<org>/<package>`, no `GITHUB_TOKEN`
    /// for ghcr.io) throws before anything is read or deleted; a registry that refuses deletes throws when met.
    public func clean(_ repositories: [String]) async throws(BakeryError) -> Int {
        enum Plan { case github(GitHubPackages.Package), distribution(ImageReference) }
        var plans: [(String, Plan)] = []
        for repository in repositories {
            if repository.hasPrefix("ghcr.io/") {
                plans.append((repository, .github(try GitHubPackages.Package(reference: repository))))
            } else {
                let reference = try RegistryAccess.reference(repository, what: "the repository")
                guard reference.tag == nil, reference.digest == nil else {
                    throw BakeryError(.invalidValue, "the repository '\(repository)' names a tag or digest",
                                      hint: "give the registry as host[:port][/namespace], without a tag")
                }
                plans.append((repository, .distribution(reference)))
            }
        }
        var github: GitHubPackages?
        if plans.contains(where: { if case .github = $0.1 { true } else { false } }) {
            guard let token = environment[GitHubPackages.tokenVariable], !token.isEmpty else {
                throw BakeryError(.invalidArgument, "cleaning ghcr.io needs a GitHub token, and \(GitHubPackages.tokenVariable) is not set",
                                  hint: "set \(GitHubPackages.tokenVariable) to a token that may read and delete the organisation's packages")
            }
            github = GitHubPackages(base: try GitHubPackages.apiBase(environment: environment), token: token)
        }
        let client = registryClient ?? access.client(logger: logger)
        var errors = 0
        for (repository, plan) in plans {
            try Self.checkCancellation()
            logger.info("Analyzing artifacts in \(repository)")
            switch plan {
            case .github(let package): errors += try await clean(package, api: github!)
            case .distribution(let reference): errors += try await clean(reference, client: client)
            }
        }
        return errors
    }

    // MARK: - ghcr.io

    private func clean(_ package: GitHubPackages.Package, api: GitHubPackages) async throws(BakeryError) -> Int {
        let versions: [GitHubPackages.Version]
        do { versions = try await api.versions(of: package) } catch {
            if error.code == .interrupted { throw error }
            logger.error("\(error.message)\(error.hint.map { " (\($0))" } ?? "")")
            return 1
        }
        let cutoff = options.olderThan.map { options.now.addingTimeInterval(-Double($0) * 86_400) }
        let selected = versions.filter { version in
            if let cutoff, let updated = version.updatedAt.flatMap(Self.timestamp), updated < cutoff { return true }
            return options.untagged && version.tags.isEmpty
        }
        guard !selected.isEmpty else {
            logger.info("No artifacts to remove from \(package)")
            return 0
        }
        logger.info("Removing \(selected.count) artifact(s) from \(package)")
        if options.dryRun {
            emit(api.redact(JSONValue.object([("versions", .array(selected.map(\.listing)))]).text(.plan)))
            return 0
        }
        var errors = 0
        for version in selected {
            try Self.checkCancellation()
            do { try await api.delete(version, of: package) } catch {
                if error.code == .interrupted { throw error }
                if GitHubPackages.toleratedFailures.contains(where: { error.message.contains($0) }) {
                    logger.warning("\(error.message)")
                } else {
                    logger.error("\(error.message)")
                    errors += 1
                }
            }
        }
        return errors
    }

    // MARK: - Any other registry

    /// A manifest reached through the repository's tags.
    private struct Artifact {
        var digest: Digest
        var mediaType: String
        var tags: [String]
        var created: String?
        var children: [Digest]
    }

    private func clean(_ repository: ImageReference, client: RegistryClient) async throws(BakeryError) -> Int {
        if options.untagged {
            logger.warning("\(repository): the distribution API cannot list manifests no tag points at, so --untagged removes only the children of the indexes deleted here")
        }
        var artifacts: [Artifact] = []
        var byDigest: [Digest: Int] = [:]
        // Any manifest that cannot be read leaves the whole repository alone: without it, which children a kept
        // index still needs is unknown, and deleting them would break that index.
        do {
            let tags = try await client.tags(repository).sorted()
            // The names come from the registry and go into request paths: one that is not a tag (`../x`, `a?b`)
            // would steer requests out of the repository, so such a list leaves the repository untouched.
            if let bad = tags.first(where: { !Self.isTag($0, in: repository) }) {
                logger.error("\(repository): the registry lists '\(bad.prefix(200))' as a tag, which is not a tag name; nothing is deleted from \(repository)")
                return 1
            }
            for tag in tags {
                try Self.checkCancellation()
                let fetched = try await client.manifest(repository.with(tag: tag))
                if let i = byDigest[fetched.digest] {
                    artifacts[i].tags.append(tag)
                    continue
                }
                byDigest[fetched.digest] = artifacts.count
                artifacts.append(try await describe(fetched, tag: tag, in: repository, client: client))
            }
        } catch let error as BakeryError {
            if error.code == .interrupted { throw error }
            logger.error("\(error.message)")
            return 1
        } catch {
            let error = Self.registryError(error)
            if error.code == .interrupted { throw error }
            logger.error("\(error.message)")
            return 1
        }

        let cutoff = options.olderThan.map { options.now.addingTimeInterval(-Double($0) * 86_400) }
        var doomed: [Artifact] = []
        var kept: [Artifact] = []
        for artifact in artifacts {
            guard let cutoff else { kept.append(artifact); continue }
            guard let created = artifact.created.flatMap(Self.timestamp) else {
                logger.warning("\(repository)@\(artifact.digest) (\(artifact.tags.joined(separator: ", "))) tells no creation date; it is kept")
                kept.append(artifact)
                continue
            }
            if created < cutoff { doomed.append(artifact) } else { kept.append(artifact) }
        }
        var keptDigests = Set<Digest>()
        // An old manifest a kept index still holds (a platform unchanged since an older build, reused by a newer
        // index) stays: deleting it by digest would break that index, and its old tags stay with it (a delete by
        // digest takes them all). Kept that way, an old index keeps its children in turn, hence the loop.
        while true {
            keptDigests = Set(kept.map(\.digest))
            for artifact in kept { keptDigests.formUnion(artifact.children) }
            let held = doomed.filter { keptDigests.contains($0.digest) }
            if held.isEmpty { break }
            for artifact in held {
                logger.info("\(repository)@\(artifact.digest) (\(artifact.tags.joined(separator: ", "))) is old but a kept index holds it; it is kept")
            }
            doomed.removeAll { keptDigests.contains($0.digest) }
            kept += held
        }
        var doomedDigests = Set(doomed.map(\.digest))
        var orphans: [Digest] = []
        for artifact in doomed {
            for child in artifact.children where !keptDigests.contains(child) && doomedDigests.insert(child).inserted {
                orphans.append(child)
            }
        }
        let count = doomed.count + orphans.count
        guard count > 0 else {
            logger.info("No artifacts to remove from \(repository)")
            return 0
        }
        logger.info("Removing \(count) artifact(s) from \(repository)")
        if options.dryRun {
            var listing = doomed.map { listingEntry(repository, digest: $0.digest, created: $0.created, tags: $0.tags) }
            listing += orphans.map { listingEntry(repository, digest: $0, created: nil, tags: []) }
            emit(JSONValue.object([("versions", .array(listing))]).text(.plan))
            return 0
        }
        var errors = 0
        // Indexes (and tagged images) first, then the children they no longer hold.
        for digest in doomed.map(\.digest) + orphans {
            try Self.checkCancellation()
            do {
                try await client.deleteManifest(repository.with(tag: nil).with(digest: digest))
            } catch {
                if error.status == 405 || (error.code == .unexpectedStatus && error.message.contains("UNSUPPORTED")) {
                    throw BakeryError(.registry, "\(repository.registry) does not allow deleting manifests (405 UNSUPPORTED); nothing more was deleted "
                                      + "from \(repository)", hint: "enable deletes on the registry (docker-registry: storage.delete.enabled: true, "
                                      + "or REGISTRY_STORAGE_DELETE_ENABLED=true), or clean it with the registry's own tools", cause: error)
                }
                if error.code == .cancelled { throw BakeryError(.interrupted, "cleaning \(repository) was cancelled") }
                if error.code == .notFound {
                    logger.warning("\(repository)@\(digest) was already gone")
                } else {
                    logger.error("\(repository)@\(digest): \(error.message)")
                    errors += 1
                }
            }
        }
        return errors
    }

    /// The tag's manifest with its children and its creation date (read from the index, its first child, or the image).
    private func describe(_ fetched: RegistryClient.FetchedManifest, tag: String, in repository: ImageReference,
                          client: RegistryClient) async throws(RegistryError) -> Artifact {
        var artifact = Artifact(digest: fetched.digest, mediaType: fetched.mediaType, tags: [tag], created: nil, children: [])
        if MediaType.isIndex(fetched.mediaType) {
            let index = try ImageIndex.decode(fetched.data)
            artifact.children = index.manifests.map(\.digest)
            if let created = index.annotations?[Self.createdKey] {
                artifact.created = created
            } else if let first = index.manifests.first(where: { MediaType.isManifest($0.mediaType) }) {
                let child = try await client.manifest(repository.with(tag: nil).with(digest: first.digest))
                artifact.created = try await created(ofImage: child.data, in: repository, client: client)
            }
        } else {
            artifact.created = try await created(ofImage: fetched.data, in: repository, client: client)
        }
        return artifact
    }

    /// The image's `org.opencontainers.image.created` label, else its config's `created`.
    private func created(ofImage data: Data, in repository: ImageReference, client: RegistryClient) async throws(RegistryError) -> String? {
        let manifest = try ImageManifest.decode(data)
        let config = try await client.blob(manifest.config.digest, in: repository)
        struct Config: Decodable {
            struct Inner: Decodable { var Labels: [String: String]? }
            var config: Inner?
            var created: String?
        }
        guard let decoded = try? JSONDecoder().decode(Config.self, from: config) else { return nil }
        return decoded.config?.Labels?[Self.createdKey] ?? decoded.created
    }

    /// A removed manifest in GHCR's dry-run shape; the distribution API gives no update time or web pages, so
    /// `updated_at`, `package_html_url` and `html_url` are left out, and `created_at` when the image tells none.
    private func listingEntry(_ repository: ImageReference, digest: Digest, created: String?, tags: [String]) -> JSONValue {
        let secure = !(repository.isLoopback || access.insecureRegistries.contains(repository.registry))
        let url = "\(secure ? "https" : "http")://\(repository.apiHost)/v2/\(repository.repository)/manifests/\(digest)"
        var fields: [(String, JSONValue)] = [("id", .string(digest.description)), ("name", .string(digest.description)), ("url", .string(url))]
        if let created { fields.append(("created_at", .string(created))) }
        fields.append(("metadata", .object([("package_type", .string("container")),
                                            ("container", .object([("tags", .array(tags.map { .string($0) }))]))])))
        return .object(fields)
    }

    private static func registryError(_ error: any Error) -> BakeryError {
        if let error = error as? RegistryError, error.code == .cancelled { return BakeryError(.interrupted, error.message) }
        return BakeryError.from(error)
    }

    /// Whether `name` is a tag by the distribution spec's grammar (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`).
    static func isTag(_ name: String, in repository: ImageReference) -> Bool {
        guard let parsed = try? ImageReference(parsing: "\(repository.name):\(name)") else { return false }
        return parsed.tag == name && parsed.digest == nil && parsed.name == repository.name
    }

    private static func checkCancellation() throws(BakeryError) {
        if Task.isCancelled { throw BakeryError(.interrupted, "cleaning was cancelled") }
    }

    // MARK: - Dates

    /// An RFC 3339 / ISO 8601 time (`2026-01-02T03:04:05Z`, fractional seconds, `+02:00` offsets, a space for
    /// the `T`); one without a zone (posit-bakery writes local time without one) is read as UTC; a bare date is
    /// midnight UTC. nil when it is none of these.
    public static func timestamp(_ text: String) -> Date? {
        let s = Array(text.trimmingCharacters(in: .whitespaces).utf8)
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= s.count else { return nil }
            var value = 0
            for k in i..<(i + width) {
                guard s[k] >= 48 && s[k] <= 57 else { return nil }
                value = value * 10 + Int(s[k] - 48)
            }
            i += width
            return value
        }
        func expect(_ c: UInt8) -> Bool {
            guard i < s.count, s[i] == c else { return false }
            i += 1
            return true
        }
        guard let year = number(4), expect(45), let month = number(2), expect(45), let day = number(2),
              (1...12).contains(month), (1...31).contains(day) else { return nil }
        var components = DateComponents(year: year, month: month, day: day, hour: 0, minute: 0, second: 0)
        var offset = 0
        var fraction = 0.0
        if i < s.count {
            guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: "t") || s[i] == UInt8(ascii: " ") else { return nil }
            i += 1
            guard let hour = number(2), expect(58), let minute = number(2), hour < 24, minute < 60 else { return nil }
            components.hour = hour
            components.minute = minute
            if expect(58) {
                guard let second = number(2), second <= 60 else { return nil }
                components.second = second
                if expect(46) {
                    var digits = 0, scale = 1.0
                    while i < s.count, s[i] >= 48, s[i] <= 57 {
                        scale /= 10
                        fraction += Double(s[i] - 48) * scale
                        digits += 1
                        i += 1
                    }
                    if digits == 0 { return nil }
                }
            }
            if i < s.count {
                if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
                    i += 1
                } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                    let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let hours = number(2) else { return nil }
                    _ = expect(58)
                    guard let minutes = number(2), hours < 24, minutes < 60 else { return nil }
                    offset = sign * (hours * 3600 + minutes * 60)
                } else {
                    return nil
                }
            }
            guard i == s.count else { return nil }
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components), calendar.component(.day, from: date) == day else { return nil }
        return date.addingTimeInterval(fraction - Double(offset))
    }
}
