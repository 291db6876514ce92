// Development versions: the builds a product channel offers today (Connect daily, Workbench preview…) or a
// dependency's newest release, turned into image versions; a `--dev-spec` pins one of them.
import Foundation

/// Turns an image's `devVersions:` into image versions, reading channel documents and dependency release lists
/// through a `DocumentSource`. Each document is read once per loader.
///
///     let loader = DevelopmentVersionLoader(source: source, products: registry, dependencyVersions: resolver)
///     let versions = try loader.load(image, log: log)   // e.g. 2026.05.0-dev+185-g1a2b3c4 in .dev-2026.05.0-dev+185-g1a2b3c4
///
/// What cannot be resolved is skipped with a warning (an OS whose channel document has no build for it, a dev
/// version whose every OS failed, a dependency list that cannot be read). What the user pinned is never skipped:
/// a pinned build that is not published, or whose URL cannot be derived, fails the command.
public struct DevelopmentVersionLoader: Sendable {
    public let source: any DocumentSource
    public let products: ProductRegistry
    /// Dependency release lists and constraint resolution (the resolver's memoised lists).
    public let dependencyVersions: any DependencyVersionLookup
    public let spec: DevelopmentSpec?
    /// `--dev-channel`, which chooses the development version a spec applies to.
    public let devChannel: ReleaseChannel?
    private let documents: DocumentMemo

    public init(source: any DocumentSource, products: ProductRegistry, dependencyVersions: any DependencyVersionLookup,
                spec: DevelopmentSpec? = nil, devChannel: ReleaseChannel? = nil) {
        self.init(source: source, products: products, dependencyVersions: dependencyVersions, spec: spec, devChannel: devChannel,
                  documents: DocumentMemo())
    }

    /// With the document memo of a resolver, so every image of a run reads each channel document once.
    init(source: any DocumentSource, products: ProductRegistry, dependencyVersions: any DependencyVersionLookup,
         spec: DevelopmentSpec?, devChannel: ReleaseChannel?, documents: DocumentMemo) {
        self.source = source
        self.products = products
        self.dependencyVersions = dependencyVersions
        self.spec = spec
        self.devChannel = devChannel
        self.documents = documents
    }

    /// The architecture channel documents are read for; other platforms get the architecture-generalised URL.
    static let defaultArchitecture = "amd64"

    /// What a spec pins for one dev version.
    struct Pin {
        var version: String?
        var releaseBranch: String?
    }

    /// A failure of what the user pinned: ends the command instead of skipping the dev version.
    struct PinnedBuildFailure: Error { var error: BakeryError }

    /// The development versions of `image`, in `devVersions` order, later ones resolving to an existing version
    /// collapsed into it.
    public func load(_ image: Image, log: TargetLog) throws -> [ImageVersion] {
        let pins = try pins(for: image, log: log)
        var loaded: [ImageVersion] = []
        for (index, dev) in image.devVersions.enumerated() {
            let version: ImageVersion
            do {
                switch dev.source {
                case .channel(let product, let channel):
                    version = try channelVersion(dev, product: product, channel: channel, pin: pins[index], image: image, log: log)
                case .dependency(let dependency, let prerelease, let channel):
                    version = try dependencyVersion(dev, dependency: dependency, prerelease: prerelease, channel: channel,
                                                    pin: pins[index], image: image)
                }
            } catch let failure as PinnedBuildFailure {
                throw Self.inert(failure.error)
            } catch {
                log.warning("Skipping \(image.name) development version (\(dev.summary)): \(Self.shown(BakeryError.from(error).message))")
                continue
            }
            let dependencies = version.dependencies.map { "\n  - Dependency: \($0.dependency.rawValue) \($0.versions.joined(separator: " "))" }.joined()
            if let other = loaded.first(where: { $0.isEphemeral && version.isEphemeral && $0.name != version.name && $0.subpath == version.subpath }) {
                // One folder per build: a name differing only in case would be built from the other one's files.
                log.warning("Skipping \(image.name) development version (\(dev.summary)): its version \(version.name) differs only in case from \(other.name), and both would be rendered into \(version.subpath)")
                continue
            }
            if let same = loaded.firstIndex(where: { $0.name == version.name }) {
                loaded[same].metadata = Self.collapse(loaded[same].metadata, version.metadata)
                let channels = loaded[same].metadata.releaseChannels.map(\.rawValue).joined(separator: ", ")
                log.info("Collapsed \(image.name) development version (\(dev.summary)) into existing \(version.name) build (channels: \(channels)).")
            } else {
                log.info("Loaded \(image.name) development version from \(dev.summary):\n  - Version: \(version.name)\(dependencies)")
                loaded.append(version)
            }
        }
        return loaded
    }

    /// The metadata of one build serving several channels: every channel (release before preview before daily), the
    /// first of them naming the build, and channel-latest when it is the head of any.
    static func collapse(_ a: VersionMetadata, _ b: VersionMetadata) -> VersionMetadata {
        func channels(_ m: VersionMetadata) -> [ReleaseChannel] {
            m.releaseChannels.isEmpty ? [m.releaseChannel ?? .release] : m.releaseChannels
        }
        func heads(_ m: VersionMetadata) -> [ReleaseChannel] { m.headChannels ?? (m.channelLatest ? channels(m) : []) }
        var merged = VersionMetadata()
        merged.releaseChannels = Array(Set(channels(a) + channels(b))).sorted()
        merged.releaseChannel = merged.releaseChannels.first
        let headOf = Array(Set(heads(a) + heads(b))).sorted()
        merged.channelLatest = !headOf.isEmpty
        // Only when some channel carries the build without it being that channel's newest (a pin).
        merged.headChannels = headOf == merged.releaseChannels ? nil : headOf
        return merged
    }

    /// Which dev version of `image` the spec pins: the one whose channel is the effective channel
    /// (any, when none is chosen). None is fine; several is an error.
    func pins(for image: Image, log: TargetLog) throws(BakeryError) -> [Int: Pin] {
        guard let spec, !image.devVersions.isEmpty else { return [:] }
        let channel = try DevelopmentSpec.effectiveChannel(spec: spec, devChannel: devChannel)
        let candidates = image.devVersions.indices.filter { channel == nil || image.devVersions[$0].channel == channel }
        guard candidates.count <= 1 else {
            throw BakeryError(.invalidArgument,
                "Image '\(image.name)' has \(candidates.count) dev versions matching channel '\(channel?.rawValue ?? "any")'. Specify 'channel' in --dev-spec or pass --dev-channel to disambiguate.")
        }
        guard let index = candidates.first else { return [:] }
        let dev = image.devVersions[index]
        var isChannelSource = false
        if case .channel = dev.source { isChannelSource = true }
        if !isChannelSource && spec.version == nil {
            log.warning("Image '\(image.name)': --dev-spec without a version cannot pin a dependency-sourced dev version; building the latest resolved version.")
        }
        return [index: Pin(version: spec.version, releaseBranch: try spec.releaseBranch(forChannelSource: isChannelSource))]
    }

    // MARK: Channel sources

    func channelVersion(_ dev: DevVersion, product: PositProduct, channel: ReleaseChannel, pin: Pin?, image: Image,
                        log: TargetLog) throws -> ImageVersion {
        guard var reader = products.channels(for: product) else {
            throw BakeryError(.channel, "no product module reads the \(product.rawValue) channels",
                              hint: "register the module of the product that publishes \(product.rawValue)")
        }
        guard reader.channels.contains(channel) else {
            throw BakeryError(.channel, "\(product.rawValue) publishes no '\(channel.rawValue)' channel",
                              hint: "use one of: " + reader.channels.map(\.rawValue).joined(separator: ", "))
        }
        if let branch = pin?.releaseBranch { reader = reader.onReleaseBranch(branch) }
        var name: String?
        var channelLatest = true
        var kept: [ImageVersionOS] = []
        for os in dev.os {
            let resolved: (version: String, url: String, latest: Bool)
            do {
                resolved = try resolve(reader, channel: channel, os: os, pinned: pin?.version)
            } catch let failure as PinnedBuildFailure {
                throw failure
            } catch {
                log.warning("Excluding OS '\(os.name)' from \(image.name) development version (\(dev.summary)): \(Self.shown(BakeryError.from(error).message))")
                continue
            }
            if name == nil {
                name = resolved.version
                channelLatest = resolved.latest
            }
            var resolvedOS = os
            resolvedOS.artifactDownloadURL = os.platforms == [.amd64] ? resolved.url
                : ChannelRelease(version: resolved.version, downloadURL: resolved.url).architectureGeneralisedURL
            log.debug("\(image.name) \(resolved.version) on \(os.name): \(resolvedOS.artifactDownloadURL ?? "")")
            kept.append(resolvedOS)
        }
        guard let name, !kept.isEmpty else {
            throw BakeryError(.channel, "No OSes could be resolved for \(dev.summary)",
                              hint: dev.os.isEmpty ? "list the OSes to build under the development version's os:" : nil)
        }
        var version = try ephemeralVersion(named: name, dev: dev, os: kept, image: image)
        version.metadata = VersionMetadata(releaseChannel: channel)
        version.metadata.channelLatest = channelLatest
        return version
    }

    /// The build `reader`'s channel offers for `os`, or the pinned one (its URL derived and probed).
    func resolve(_ reader: any ProductChannels, channel: ReleaseChannel, os: ImageVersionOS,
                 pinned: String?) throws -> (version: String, url: String, latest: Bool) {
        let release = try reader.release(from: try documents.document(try reader.documentURL(for: channel), from: source),
                                         channel: channel, os: os.buildOS, architecture: Self.defaultArchitecture)
        try Self.checkURL(release.downloadURL)
        guard let pinned else { return (release.version, release.downloadURL, true) }
        do {
            let url = try reader.downloadURL(forPinned: pinned, basedOn: release)
            try Self.checkURL(url)
            guard let address = URL(string: url) else {
                throw BakeryError(.channel, "the download URL '\(url)' of the pinned build \(pinned) is not a URL")
            }
            guard try source.exists(address) else {
                throw BakeryError(.channel, "Artifact not available at '\(url)': HTTP 404",
                                  hint: "check that \(pinned) was published for \(os.name) on the \(channel.rawValue) channel, or pin another version with --dev-spec")
            }
            return (pinned, url, pinned == release.version)
        } catch {
            throw PinnedBuildFailure(error: BakeryError.from(error))
        }
    }

    // MARK: Dependency sources

    func dependencyVersion(_ dev: DevVersion, dependency: DependencyName, prerelease: Bool, channel: ReleaseChannel?,
                           pin: Pin?, image: Image) throws -> ImageVersion {
        let name: String
        var channelLatest = true
        if let pinned = pin?.version {
            name = pinned
            channelLatest = false
        } else {
            let available = try dependencyVersions.availableVersions(of: dependency, prerelease: prerelease)
            guard let newest = try VersionConstraint(latest: true).select(from: available).first else {
                throw BakeryError(.versionResolution, "no \(dependency.rawValue) releases are listed")
            }
            name = newest
        }
        var version: ImageVersion
        if let matrix = image.matrix {
            try Self.checkName(name, dev: dev)
            version = ImageVersion(name: name, subpath: matrix.subpath, extraRegistries: dev.extraRegistries,
                                   overrideRegistries: dev.overrideRegistries, latest: false,
                                   os: dev.os.isEmpty ? matrix.os : dev.os,
                                   dependencies: [DependencyVersions(dependency: dependency, versions: [name])],
                                   values: dev.valuesByKey,
                                   buildTarget: matrix.buildTarget ?? image.buildTarget, location: dev.location)
            version.isDevelopmentVersion = true
            version.isMatrixVersion = true
        } else {
            version = try ephemeralVersion(named: name, dev: dev, os: dev.os, image: image)
        }
        version.metadata = VersionMetadata(releaseChannel: channel)
        version.metadata.channelLatest = channelLatest
        return version
    }

    // MARK: Shared

    /// A dev version rendered into its own folder, `.dev-<name>`, for the run; its dependencies are the image's
    /// `dependencyConstraints` resolved.
    func ephemeralVersion(named name: String, dev: DevVersion, os: [ImageVersionOS], image: Image) throws -> ImageVersion {
        try Self.checkName(name, dev: dev)
        var dependencies: [DependencyVersions] = []
        for constraint in image.dependencyConstraints {
            dependencies.append(DependencyVersions(dependency: constraint.dependency,
                                                   versions: try dependencyVersions.versions(for: constraint, image: image)))
        }
        var version = ImageVersion(name: name, subpath: Self.folderName(of: name), extraRegistries: dev.extraRegistries,
                                   overrideRegistries: dev.overrideRegistries, latest: false, os: os, dependencies: dependencies,
                                   values: dev.valuesByKey,
                                   buildTarget: image.buildTarget, location: dev.location)
        version.isEphemeral = true
        version.isDevelopmentVersion = true
        return version
    }

    /// `.dev-<name lower-cased, spaces as dashes>`.
    public static func folderName(of name: String) -> String {
        ".dev-" + name.lowercased().replacingOccurrences(of: " ", with: "-")
    }

    /// A version read from a document becomes a folder name and a tag: letters, digits, `.`, `_`, `+` and `-` only.
    static func checkName(_ name: String, dev: DevVersion) throws(BakeryError) {
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._+-".unicodeScalars.contains($0)) }
        guard !name.isEmpty, name.count <= 128, allowed, name.first != ".", name.first != "-" else {
            throw BakeryError(.versionResolution, "the version '\(name.prefix(80))' resolved for \(dev.summary) is not usable as a version name",
                              hint: "a version name holds letters, digits, '.', '_', '+' and '-' only; check the document it came from")
        }
    }

    /// A download URL from a document is written into Containerfiles (`DOWNLOAD_URL="…"`): http(s), and only the
    /// characters of RFC 3986 that carry no meaning to a shell inside double quotes (no quote, `$`, backtick,
    /// backslash or white space).
    static func checkURL(_ url: String) throws(BakeryError) {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!&()*+,;=%")
        let lower = url.lowercased()
        guard url.count <= 2048, lower.hasPrefix("https://") || lower.hasPrefix("http://"),
              url.unicodeScalars.allSatisfy({ allowed.contains($0) }) else {
            throw BakeryError(.channel, "the download URL '\(url.prefix(120))' given by the channel document is not a plain http(s) URL",
                              hint: "a download URL may hold letters, digits and -._~:/?#[]@!&()*+,;=% only; check the document it came from")
        }
        // It names a host, and a path that stays where it says: no `.` or `..` segment, spelled plainly or
        // percent-encoded (a server or mirror would resolve it to another place).
        let parts = URLComponents(string: url)
        let host = parts?.host ?? ""
        let segments = (parts?.percentEncodedPath ?? "").split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.removingPercentEncoding ?? String($0) }
        guard !host.isEmpty, !host.hasPrefix("."), !host.contains(".."), !host.contains("%"),
              !segments.contains(where: { $0 == "." || $0 == ".." || $0.contains("/") || $0.contains("\\") }) else {
            throw BakeryError(.channel, "the download URL '\(url.prefix(120))' given by the channel document has no plain host, or a path that leaves its folder",
                              hint: "a download URL names a host and a path without '.' or '..' segments; check the document it came from")
        }
    }

    /// A message that may quote a document, for the terminal: control characters (escape sequences, NUL, line
    /// breaks a document could forge log lines with) written as `\u{…}`, and cut at `limit` characters.
    static func shown(_ text: String, limit: Int = 600) -> String { FolderRules.printable(text, limit: limit) }

    /// An error that ends the command, with what it quotes made `shown`.
    static func inert(_ error: BakeryError) -> BakeryError {
        var error = error
        error.message = shown(error.message)
        error.hint = error.hint.map { shown($0) }
        return error
    }

    /// Documents read once per loader, failures included (a document that failed is not fetched again).
    final class DocumentMemo: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [URL: Result<Data, BakeryError>] = [:]

        func document(_ url: URL, from source: any DocumentSource) throws(BakeryError) -> Data {
            if let known = lock.withLock({ results[url] }) { return try known.get() }
            let result: Result<Data, BakeryError>
            do { result = .success(try source.document(url)) } catch { result = .failure(error) }
            lock.withLock { results[url] = result }
            return try result.get()
        }
    }
}

/// Dependency release lists and constraint resolution, as the development versions need them.
public protocol DependencyVersionLookup: Sendable {
    /// The available versions of `dependency`, newest first.
    func availableVersions(of dependency: DependencyName, prerelease: Bool) throws(BakeryError) -> [String]
    /// The versions `constraint` selects for `image`, newest first.
    func versions(for constraint: DependencyConstraint, image: Image) throws -> [String]
}
