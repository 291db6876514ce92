@testable import Bakery
import Foundation
import TestSupport
import Testing

/// `bakery build --summary` after a build (reference §10.6): which images are measured and how,
/// the sizes as text, the table, and the JSON — from constructed reports, with stand-in engine
/// programs; and once against a real registry when the container lab is up.
@Suite("Build summary")
struct BuildSummaryTests {
    // MARK: - Sizes as text

    @Test("Sizes are written in decimal units with one decimal, as rich.filesize.decimal writes them",
          arguments: [(0, "0 bytes"), (1, "1 byte"), (2, "2 bytes"), (999, "999 bytes"), (1000, "1.0 kB"), (1001, "1.0 kB"),
                      (999_949, "999.9 kB"), (999_950, "1,000.0 kB"), (1_000_000, "1.0 MB"), (95_312_458, "95.3 MB"),
                      (123_456_789, "123.5 MB"), (123_450_000, "123.5 MB"), (1_074_936_460, "1.1 GB"),
                      (1_000_000_000_000, "1.0 TB"), (999_999_999_999_999, "1,000.0 TB"), (Int.max, "9.2 EB")])
    func sizeText(bytes: Int, text: String) {
        #expect(BuildSummary.formatSize(bytes) == text)
    }

    // MARK: - The table

    static func row(_ image: String, _ version: String, os: String = "", variant: String = "", platforms: Int = 1, tags: Int,
                    layers: Int? = nil, registry: Int? = nil, local: Int? = nil, cacheRef: String? = nil, cache: Int? = nil) -> BuildSummary.Row {
        BuildSummary.Row(uid: [image, version, variant, os].filter { !$0.isEmpty }.joined(separator: "-"), imageName: image,
                         version: version, os: os, variant: variant, platforms: platforms, tags: tags, layers: layers,
                         registrySize: registry, localSize: local, cacheRef: cacheRef, cacheSize: cache)
    }

    @Test func theTableGroupsByImageVersionOSAndVariantBlanksRepeatsAndEndsWithATotal() {
        // Plan order puts the variant before the OS; the table sorts by OS, then variant.
        let summary = BuildSummary(rows: [
            Self.row("zeta", "9.0", os: "Rocky 9", variant: "Minimal", tags: 1, layers: 3, registry: 90_003_000, local: 163_338_644),
            Self.row("zeta", "9.0", os: "Ubuntu 24.04", variant: "Minimal", tags: 2, layers: 3, registry: 90_003_000, local: 172_333_586),
            Self.row("zeta", "9.0", os: "Rocky 9", variant: "Standard", platforms: 2, tags: 2, layers: 11, local: 140_100_000),
            Self.row("alpha", "2", os: "Ubuntu 24.04", tags: 2),
            Self.row("zeta", "10.0", os: "Ubuntu 24.04", variant: "Minimal", tags: 4, layers: 4, registry: 999, local: 1),
        ])
        let expected = """
        Build Summary (5 targets)
        ┌───────┬─────────┬──────────────┬──────────┬───────────┬──────┬────────┬───────────────┬────────────┬────────────┐
        │ Image │ Version │ OS           │ Variant  │ Platforms │ Tags │ Layers │ Registry Size │ Local Size │ Cache Size │
        ├───────┼─────────┼──────────────┼──────────┼───────────┼──────┼────────┼───────────────┼────────────┼────────────┤
        │ alpha │ 2       │ Ubuntu 24.04 │          │         1 │    2 │      — │             — │          — │          — │
        │ zeta  │ 10.0    │ Ubuntu 24.04 │ Minimal  │         1 │    4 │      4 │     999 bytes │     1 byte │          — │
        │       │ 9.0     │ Rocky 9      │ Minimal  │         1 │    1 │      3 │       90.0 MB │   163.3 MB │          — │
        │       │         │              │ Standard │         2 │    2 │     11 │             — │   140.1 MB │          — │
        │       │         │ Ubuntu 24.04 │ Minimal  │         1 │    2 │      3 │       90.0 MB │   172.3 MB │          — │
        ├───────┼─────────┼──────────────┼──────────┼───────────┼──────┼────────┼───────────────┼────────────┼────────────┤
        │ Total │         │              │          │         6 │   11 │        │      180.0 MB │   475.8 MB │          — │
        └───────┴─────────┴──────────────┴──────────┴───────────┴──────┴────────┴───────────────┴────────────┴────────────┘
        Registry Tags counts tag aliases (version, os, latest, etc.) across registries, not distinct stored images.
        Layers is one platform's manifest layer count; Registry Size sums every platform in a multi-platform index.
        """
        #expect(summary.table() == expected)
    }

    @Test func aValueIsBlankedOnlyWhileEverythingLeftOfItRepeatsToo() {
        // Same OS and variant under another image, and under another version, are shown again.
        let summary = BuildSummary(rows: [
            Self.row("a", "1", os: "Ubuntu 24.04", variant: "Standard", tags: 1),
            Self.row("a", "2", os: "Ubuntu 24.04", variant: "Standard", tags: 1),
            Self.row("b", "2", os: "Ubuntu 24.04", variant: "Standard", tags: 1),
        ])
        let body = summary.table().split(separator: "\n").filter { $0.hasPrefix("│") }.dropFirst().prefix(3)
            .map { $0.split(separator: "│").prefix(4).map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(body == [["a", "1", "Ubuntu 24.04", "Standard"], ["", "2", "Ubuntu 24.04", "Standard"], ["b", "2", "Ubuntu 24.04", "Standard"]])
    }

    @Test func theCountsTableKeepsItsLayout() {
        let table = BoxTable(columns: [.init("Metric"), .init("Count", .right)],
                             rows: [["Build Targets", "2"], ["Platform Builds", "12"], ["Registry Tags", "6"]])
        #expect(table.lines() == ["┌─────────────────┬───────┐",
                                  "│ Metric          │ Count │",
                                  "├─────────────────┼───────┤",
                                  "│ Build Targets   │     2 │",
                                  "│ Platform Builds │    12 │",
                                  "│ Registry Tags   │     6 │",
                                  "└─────────────────┴───────┘"])
    }

    // MARK: - The JSON

    @Test func theJSONHasTheReferenceShapeInPlanOrder() {
        let summary = BuildSummary(rows: [
            Self.row("zeta", "9.0", os: "Rocky 9", variant: "Minimal", tags: 1, layers: 3, registry: 90_003_000, local: 163_338_644,
                     cacheRef: "ghcr.io/c/zeta/cache:9.0-rocky-9-minimal-amd64", cache: 5_007_000),
            Self.row("alpha", "2", tags: 2),
        ])
        let expected = """
        {
          "build_targets": 2,
          "platform_builds": 2,
          "registry_tags": 3,
          "registry_size_bytes": 90003000,
          "local_size_bytes": 163338644,
          "cache_size_bytes": 5007000,
          "targets": [
            {
              "uid": "zeta-9.0-Minimal-Rocky 9",
              "image_name": "zeta",
              "version": "9.0",
              "os": "Rocky 9",
              "variant": "Minimal",
              "platforms": 1,
              "tags": 1,
              "layers": 3,
              "registry_size": 90003000,
              "local_size": 163338644,
              "cache_ref": "ghcr.io/c/zeta/cache:9.0-rocky-9-minimal-amd64",
              "cache_size": 5007000
            },
            {
              "uid": "alpha-2",
              "image_name": "alpha",
              "version": "2",
              "os": "",
              "variant": "",
              "platforms": 1,
              "tags": 2,
              "layers": null,
              "registry_size": null,
              "local_size": null,
              "cache_ref": null,
              "cache_size": null
            }
          ]
        }
        """
        #expect(summary.json().text(.plan) == expected)
    }

    @Test func totalsAreNullWhenNothingWasMeasuredAndSumWhatWas() {
        let none = BuildSummary(rows: [Self.row("a", "1", tags: 2), Self.row("a", "2", tags: 3)]).json()
        #expect(none["registry_size_bytes"] == .null && none["local_size_bytes"] == .null && none["cache_size_bytes"] == .null)
        #expect(none["registry_tags"] == .int(5))
        let some = BuildSummary(rows: [Self.row("a", "1", tags: 1, local: 10), Self.row("a", "2", tags: 1)])
        #expect(some.localSize == 10 && some.registrySize == nil)
    }

    @Test func aCacheImageSharedByTargetsCountsOnce() {
        let summary = BuildSummary(rows: [
            Self.row("a", "1", os: "x", tags: 1, cacheRef: "r/a/cache:1", cache: 100),
            Self.row("a", "1", os: "y", tags: 1, cacheRef: "r/a/cache:1", cache: 100),
            Self.row("a", "2", tags: 1, cacheRef: "r/a/cache:2", cache: 7),
            Self.row("a", "3", tags: 1, cacheRef: "r/a/cache:3"),
        ])
        #expect(summary.cacheSize == 107)
        #expect(summary.json()["cache_size_bytes"] == .int(107))
    }

    // MARK: - What is measured

    static let project = """
    repository:
      url: "github.com/example/project"
    registries:
      - host: ghcr.io
        namespace: example
    images:
      - name: example-image
        variants:
          - name: Standard
            extension: std
            primary: true
          - name: Minimal
            extension: min
        versions:
          - name: 1.0.0
            latest: true
            os:
              - name: "Ubuntu 24.04"
                primary: true
    """

    /// The example project's two targets (Minimal, then Standard), planned with `options`.
    static func jobs(_ options: BuildOptions, cacheRegistry: String? = nil) throws -> (targets: [ImageTarget], jobs: [BuildJob]) {
        let config = try Fixtures.load(yaml: project).config
        let targets = try TargetSelector(filter: TargetFilter()).select([TargetProject(config: config, context: ".")]).sortedForOutput()
        var plan = PlanOptions()
        plan.cacheRegistry = cacheRegistry ?? options.cacheRegistry
        plan.tempRegistry = options.tempRegistry
        plan.push = options.push
        plan.environment = [:]
        let bake = try BakePlan.make(targets, facts: [".": ProjectFacts(repository: config.repository, revision: "r")],
                                     options: plan, tagger: Tagger(), created: "now")
        return (targets, BuildJob.jobs(for: targets, plan: bake, root: URL(fileURLWithPath: "/project"), options: options))
    }

    static func report(_ jobs: [BuildJob], strategy: BuildStrategy = .build, engine: BuildEngine = .buildx,
                       status: [TargetResult.Status], metadata: [JSONValue?] = []) -> BuildReport {
        let results = jobs.enumerated().map { i, job in
            TargetResult(uid: job.uid, display: job.display, status: status[i], attempts: 1, duration: .zero, logFile: nil,
                         metadata: i < metadata.count ? metadata[i] : nil)
        }
        return BuildReport(engine: engine, strategy: strategy, results: results, wallTime: .zero, interrupted: false, runFolder: nil)
    }

    static func metadata(name: String, digest: String, config: String) -> JSONValue {
        .object([("containerimage.config.digest", .string(config)), ("containerimage.digest", .string(digest)),
                 ("image.name", .string(name))])
    }

    static let failure = BuildFailure(message: "Failed", command: nil, termination: nil, errorTail: "", retryable: true)

    @Test func theBuildStrategyMeasuresTheBuiltTargetsByFirstTagLocallyAndInTheRegistry() throws {
        var options = BuildOptions()
        options.push = true
        let (_, jobs) = try Self.jobs(options)
        let report = Self.report(jobs, status: [.failed(Self.failure), .built])
        let requests = BuildSizes.requests(report: report, jobs: jobs, engine: .buildx, options: options)
        #expect(requests == [BuildSizes.Request(uid: "example-image-1-0-0-standard-ubuntu-24-04",
                                                localReferences: ["ghcr.io/example/example-image:1.0.0"],
                                                registryReference: "ghcr.io/example/example-image:1.0.0")])
    }

    @Test func aFailedBakeIsMeasuredWhole() throws {
        var options = BuildOptions()
        options.load = false
        options.push = true
        let (_, jobs) = try Self.jobs(options)
        let report = Self.report(jobs, strategy: .bake, status: [.failed(Self.failure), .failed(Self.failure)])
        let requests = BuildSizes.requests(report: report, jobs: jobs, engine: .buildx, options: options)
        #expect(requests.map(\.uid) == jobs.map(\.uid))
        #expect(requests.allSatisfy { $0.localReferences.isEmpty && $0.registryReference != nil })
    }

    @Test func nothingIsMeasuredWithoutLoadPushOrCache() throws {
        var options = BuildOptions()
        options.load = false
        let (_, jobs) = try Self.jobs(options)
        #expect(BuildSizes.requests(report: Self.report(jobs, status: [.built, .built]), jobs: jobs, engine: .buildx, options: options).isEmpty)
    }

    @Test func aTemporaryRegistryBuildIsMeasuredByItsMetadataOnly() throws {
        var options = BuildOptions()
        options.push = true
        options.tempRegistry = "127.0.0.1:5000/tmp"
        let (_, jobs) = try Self.jobs(options)
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let report = Self.report(jobs, engine: .buildah, status: [.built, .built],
                                 metadata: [nil, Self.metadata(name: "127.0.0.1:5000/tmp/example-image/tmp", digest: digest,
                                                               config: "sha256:" + String(repeating: "cd", count: 32))])
        let requests = BuildSizes.requests(report: report, jobs: jobs, engine: .buildah, options: options)
        // The Minimal target has no metadata: the shared temporary name could be another target's image.
        #expect(requests == [BuildSizes.Request(uid: "example-image-1-0-0-standard-ubuntu-24-04",
                                                localReferences: [String(repeating: "cd", count: 32), "127.0.0.1:5000/tmp/example-image/tmp@\(digest)"],
                                                registryReference: "127.0.0.1:5000/tmp/example-image/tmp@\(digest)")])
    }

    @Test func aPushedTagAndADigestMakeARepositoryDigestReference() throws {
        var options = BuildOptions()
        options.push = true
        options.load = false
        let (_, jobs) = try Self.jobs(options)
        let report = Self.report(jobs, engine: .podman, status: [.built, .skipped(reason: "fail-fast")],
                                 metadata: [Self.metadata(name: "ghcr.io/example/example-image:1.0.0-min,ghcr.io/example/example-image:min",
                                                          digest: "sha256:1", config: "sha256:2")])
        let requests = BuildSizes.requests(report: report, jobs: jobs, engine: .podman, options: options)
        #expect(requests.map(\.registryReference) == ["ghcr.io/example/example-image@sha256:1"])
    }

    @Test func theCacheImageIsTheCacheFromReferenceExceptForPodmanAndBuildah() throws {
        var options = BuildOptions()
        options.load = false
        options.cacheRegistry = "ghcr.io/cache"
        let (targets, jobs) = try Self.jobs(options)
        let report = Self.report(jobs, status: [.built, .built])
        let buildx = BuildSizes.requests(report: report, jobs: jobs, engine: .buildx, options: options)
        #expect(buildx.map(\.cacheReference) == ["ghcr.io/cache/example-image/cache:1.0.0-ubuntu-24.04-minimal-amd64",
                                                 "ghcr.io/cache/example-image/cache:1.0.0-ubuntu-24.04-standard-amd64"])
        #expect(BuildSizes.requests(report: report, jobs: jobs, engine: .buildah, options: options).isEmpty)
        // The JSON names the cache image whatever the engine.
        let summary = BuildSummary.make(jobs: jobs, targets: targets, sizes: [:])
        #expect(summary.rows.map(\.cacheRef) == buildx.map(\.cacheReference))
    }

    @Test func aTemporaryRegistryStillCountsTheTargetsRealTags() throws {
        var options = BuildOptions()
        options.tempRegistry = "127.0.0.1:5000/tmp"
        let (targets, jobs) = try Self.jobs(options)
        #expect(jobs.allSatisfy { $0.target.tags.count == 1 })
        let summary = BuildSummary.make(jobs: jobs, targets: targets, sizes: [:])
        #expect(summary.rows.map(\.tags) == (try targets.map { try Tagger().tags(for: $0).count }))
        #expect(summary.rows.map(\.os) == ["Ubuntu 24.04", "Ubuntu 24.04"] && summary.rows.map(\.variant) == ["Minimal", "Standard"])
        #expect(summary.registryTags > jobs.count)
    }

    // MARK: - How it is measured

    static func manifest(_ layers: [Int], config: Int = 999) -> JSONValue {
        .object([("schemaVersion", .int(2)), ("config", .object([("size", .int(config))])),
                 ("layers", .array(layers.map { .object([("size", .int($0))]) }))])
    }

    @Test func anImageManifestCountsItsLayerBytesButNotItsConfig() async throws {
        let size = try await BuildSizes.registrySize("r/a:1") { _ in Self.manifest([100, 20, 3]) }
        #expect(size == BuildSizes.Size(bytes: 123, layers: 3))
    }

    @Test func anIndexSumsItsPlatformsSkipsAttestationsAndTakesTheFirstPlatformsLayers() async throws {
        let index = JSONValue.object([("manifests", .array([
            .object([("digest", .string("sha256:amd")), ("platform", .object([("architecture", .string("amd64")), ("os", .string("linux"))]))]),
            .object([("digest", .string("sha256:att")), ("platform", .object([("architecture", .string("unknown")), ("os", .string("unknown"))]))]),
            .object([("digest", .string("sha256:arm")), ("platform", .object([("architecture", .string("arm64")), ("os", .string("linux"))]))]),
        ]))])
        let fetched = FetchLog()
        let size = try await BuildSizes.registrySize("r/a:1.0") { reference in
            fetched.append(reference)
            switch reference {
            case "r/a:1.0": return index
            case "r/a@sha256:amd": return Self.manifest([10, 20])
            case "r/a@sha256:arm": return Self.manifest([1, 2, 3, 4])
            default: throw BakeryError(.notFound, "unexpected \(reference)")
            }
        }
        #expect(size == BuildSizes.Size(bytes: 40, layers: 2))
        #expect(fetched.all == ["r/a:1.0", "r/a@sha256:amd", "r/a@sha256:arm"])
    }

    @Test func inspectOutputsOfDockerPodmanAndBuildahAreRead() {
        #expect(BuildSizes.parseImageInspect(#"[{"Id": "x", "Size": 203804592, "RootFS": {"Type": "layers", "Layers": ["a", "b"]}}]"#)
                == BuildSizes.Size(bytes: 203_804_592, layers: 2))
        #expect(BuildSizes.parseImageInspect("[]") == nil)
        let manifest = #"{\"layers\":[{\"size\":203796480},{\"size\":3584}],\"config\":{\"size\":3128}}"#
        let buildah = #"{"Type": "buildah 0.0.1", "Manifest": "\#(manifest)", "OCIv1": {"rootfs": {"diff_ids": ["a", "b"]}}}"#
        #expect(BuildSizes.parseBuildahInspect(buildah) == BuildSizes.Size(bytes: 203_800_064, layers: 2))
    }

    /// Stand-in `docker`, `skopeo` and `buildah` programs that log their arguments and print canned output.
    static func standIns() throws -> (folder: URL, log: URL) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-summary-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let log = folder.appendingPathComponent("calls.log")
        let docker = """
        #!/bin/sh
        echo "docker $*" >> "\(log.path)"
        case "$*" in
          "image inspect ghcr.io/"*) echo '[{"Size": 5000, "RootFS": {"Layers": ["a", "b", "c"]}}]' ;;
          "buildx imagetools inspect --raw ghcr.io/cache/"*) echo '{"layers": [{"size": 70}], "config": {"size": 5}}' ;;
          "buildx imagetools inspect --raw ghcr.io/"*) echo '{"layers": [{"size": 1000}, {"size": 234}], "config": {"size": 5}}' ;;
          "manifest inspect --insecure 127.0.0.1:"*) echo '{"layers": [{"size": 9}]}' ;;
          *) echo "Error: no such image" >&2; exit 1 ;;
        esac
        """
        let skopeo = """
        #!/bin/sh
        echo "skopeo $*" >> "\(log.path)"
        echo '{"layers": [{"size": 42}, {"size": 8}]}'
        """
        let buildah = """
        #!/bin/sh
        echo "buildah $*" >> "\(log.path)"
        exit 125
        """
        for (name, text) in [("docker", docker), ("skopeo", skopeo), ("buildah", buildah)] {
            let url = folder.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            chmod(url.path, 0o755)
        }
        return (folder, log)
    }

    @Test func buildxMeasuresWithImageInspectAndImagetoolsAndAFailureStaysUnknown() async throws {
        let (folder, log) = try Self.standIns()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sizes = BuildSizes(engine: .buildx, requests: [
            .init(uid: "a", localReferences: ["ghcr.io/x/a:1"], registryReference: "ghcr.io/x/a:1", cacheReference: "ghcr.io/cache/a:1-amd64"),
            .init(uid: "b", localReferences: ["missing/b:1", "ghcr.io/x/b:1"], registryReference: "missing/b:1"),
        ], workers: 2, runner: CommandRunner(searchPath: folder.path), environment: [:])
        let measured = await sizes.measure()
        #expect(!measured.interrupted)
        #expect(measured.sizes["a"] == ImageSizes(localSize: 5000, localLayers: 3, registrySize: 1234, registryLayers: 2, cacheSize: 70))
        #expect(measured.sizes["b"] == ImageSizes(localSize: 5000, localLayers: 3))
        #expect(measured.sizes["a"]?.layers == 2 && measured.sizes["b"]?.layers == 3)
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(calls.contains("docker buildx imagetools inspect --raw ghcr.io/x/a:1"))
        #expect(calls.contains("docker image inspect missing/b:1") && calls.contains("docker image inspect ghcr.io/x/b:1"))
    }

    @Test func podmanAndBuildahAskSkopeoWithTheRegistriesConfigurationAndDockerAlonePassesInsecureForLoopback() async throws {
        let (folder, log) = try Self.standIns()
        defer { try? FileManager.default.removeItem(at: folder) }
        let runner = CommandRunner(searchPath: folder.path)
        let buildah = BuildSizes(engine: .buildah, requests: [.init(uid: "a", localReferences: ["abc"], registryReference: "127.0.0.1:5000/t/a@sha256:1")],
                                 workers: 4, runner: runner, environment: ["CONTAINERS_REGISTRIES_CONF": "/lab/registries.conf"])
        let fromBuildah = await buildah.measure()
        #expect(fromBuildah.sizes["a"] == ImageSizes(registrySize: 50, registryLayers: 2))
        let docker = BuildSizes(engine: .dockerBuild, requests: [.init(uid: "b", registryReference: "127.0.0.1:5000/t/b:1")],
                                workers: 1, runner: runner, environment: [:])
        #expect(await docker.measure().sizes["b"] == ImageSizes(registrySize: 9, registryLayers: 1))
        let calls = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(calls.contains("buildah inspect --type image abc"))
        #expect(calls.contains("skopeo --registries-conf /lab/registries.conf inspect --raw docker://127.0.0.1:5000/t/a@sha256:1"))
        #expect(calls.contains("docker manifest inspect --insecure 127.0.0.1:5000/t/b:1"))
    }

    @Test func loopbackRegistriesAreRecognised() {
        #expect(BuildSizes.isLoopback("127.0.0.1:5000/a/b:1") && BuildSizes.isLoopback("localhost/a") && BuildSizes.isLoopback("[::1]:5000/a"))
        #expect(!BuildSizes.isLoopback("ghcr.io/a/b:1") && !BuildSizes.isLoopback("library-ubuntu"))
    }

    // MARK: - A real build

    /// A buildah build pushed to the container lab's registry (`ContainerLab`: the Debian stand-in served
    /// as docker.io/library/ubuntu:24.04 on loopback): the summary's sizes are the pushed manifest's layer
    /// bytes and the local image's bytes. Skips locally without the lab's tools; CI requires it.
    @Test(.enabled(if: ContainerLab.shouldRun))
    func aRealBuildahBuildReportsThePushedAndLocalSizes() async throws {
        let lab = try await ContainerLab.shared()
        let registry = lab.registry
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-summary-real-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("example-image/1.0.0"), withIntermediateDirectories: true)
        try Data(Self.project.utf8).write(to: folder.appendingPathComponent("bakery.yaml"))
        for suffix in ["min", "std"] {
            try "FROM docker.io/library/ubuntu:24.04\nRUN echo \(suffix) > /which && head -c 300000 /dev/urandom > /blob\n"
                .write(to: folder.appendingPathComponent("example-image/1.0.0/Containerfile.ubuntu2404.\(suffix)"), atomically: true, encoding: .utf8)
        }
        let metadataFile = folder.appendingPathComponent("metadata.json")
        let result = try await lab.bakery(["build", "--context", folder.path, "--strategy", "build", "--engine", "buildah", "--summary",
                                           "--summary-format", "json", "--temp-registry", "\(registry)/bakery-summary-test", "--push",
                                           "--metadata-file", metadataFile.path], in: folder)
        // Remove what the build left in local storage, by image id (the temporary name is shared).
        let metadata = JSONValue.parse((try? String(contentsOf: metadataFile, encoding: .utf8)) ?? "")
        var ids: [String] = []
        if case .object(let targets)? = metadata {
            for value in targets.values { if case .string(let id)? = value["containerimage.config.digest"] { ids.append(id) } }
        }
        defer { try? lab.removeLocalImages(ids) }
        #expect(result.status == 0, "\(result.stderr.suffix(1500))")
        let summary = try #require(JSONValue.parse(result.stdout), "stdout: \(result.stdout.prefix(500))")
        guard case .array(let rows)? = summary["targets"] else { Issue.record("no targets"); return }
        #expect(rows.count == 2)
        for row in rows {
            guard case .int(let pushed)? = row["registry_size"], case .int(let local)? = row["local_size"],
                  case .int(let layers)? = row["layers"], case .string(let uid)? = row["uid"],
                  case .string(let digest)? = metadata?[uid]?["containerimage.digest"] else {
                Issue.record("not measured: \(row.text(.compact))"); continue
            }
            // What skopeo says the registry holds under that digest.
            let raw = try await lab.run("skopeo", ["inspect", "--raw", "docker://\(registry)/bakery-summary-test/example-image/tmp@\(digest)"])
            guard case .array(let manifestLayers)? = JSONValue.parse(raw.stdout)?["layers"] else { Issue.record("skopeo: \(raw.stderr)"); continue }
            #expect(pushed == manifestLayers.compactMap { $0["size"]?.integer }.reduce(0, +))
            #expect(layers == 2)
            #expect(local > pushed, "the local image is stored uncompressed")
        }
        #expect(summary["registry_size_bytes"] != .null && summary["local_size_bytes"] != .null && summary["cache_size_bytes"] == .null)
    }
}

/// The references a stand-in fetch was asked for, in order.
final class FetchLog: @unchecked Sendable {
    private let lock = NSLock()
    private var references: [String] = []
    func append(_ reference: String) { lock.withLock { references.append(reference) } }
    var all: [String] { lock.withLock { references } }
}
