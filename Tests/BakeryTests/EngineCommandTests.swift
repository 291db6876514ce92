@testable import Bakery
import Foundation
import OrderedCollections
import TestSupport
import Testing

/// The command lines `bakery build` hands each engine, argument by argument, without running any:
/// `docker buildx build` in the reference's exact order, `docker build`, `podman build` and
/// `buildah build`, the publish and clean-up steps, and `docker buildx bake`.
@Suite("Engine command lines")
struct EngineCommandTests {
    static let root = URL(fileURLWithPath: "/work/project")
    static let runFolder = URL(fileURLWithPath: "/tmp/posit-bakery-test")
    static let containerfile = "/work/project/example/1.0.0/Containerfile.ubuntu2404.std"
    static let cacheRef = "ghcr.io/example/cache/example/cache:1.0.0-ubuntu-24.04-std-amd64"
    static let tags = ["ghcr.io/posit-dev/example:1.0.0", "ghcr.io/posit-dev/example:latest"]

    /// A target with one of everything: build args in a non-alphabetical order (they must keep it),
    /// labels with spaces, a stage, a cache to read and write, a secret.
    static func job(platforms: [String] = ["linux/amd64"], tags: [String] = tags) -> BuildJob {
        var target = BakePlan.Target(context: ".", dockerfile: "example/1.0.0/Containerfile.ubuntu2404.std", platforms: ["linux/amd64"])
        target.labels = ["org.opencontainers.image.created": "2026-01-02T03:04:05.678901",
                         "org.opencontainers.image.title": "Example Image",
                         "co.posit.image.os": "Ubuntu 24.04"]
        target.args = ["R_VERSION": "4.5.2", "PYTHON_VERSION": "3.14.3"]
        target.tags = tags
        target.stage = "final"
        target.cacheFrom = [.registryImport(ref: cacheRef)]
        target.cacheTo = [.registryExport(ref: cacheRef)]
        target.secrets = [.environment(id: "token", variable: "GITHUB_TOKEN")]
        return BuildJob(uid: "example-1-0-0-std-ubuntu-24-04", display: "ImageTarget(image='example', version='1.0.0')",
                        imageName: "example", target: target, platforms: platforms,
                        containerfile: URL(fileURLWithPath: containerfile), context: root)
    }

    /// A target with nothing optional: no args, stage, cache or secret.
    static func bareJob() -> BuildJob {
        let target = BakePlan.Target(context: ".", dockerfile: "bare/1/Containerfile", labels: ["a": "b"], tags: ["r/bare:1"],
                                     platforms: ["linux/amd64"])
        return BuildJob(uid: "bare-1", display: "bare", imageName: "bare", target: target, platforms: ["linux/amd64"],
                        containerfile: URL(fileURLWithPath: "/work/project/bare/1/Containerfile"), context: root)
    }

    static func options(_ change: (inout BuildOptions) -> Void = { _ in }) -> BuildOptions {
        var o = BuildOptions()
        o.environment = [:]
        change(&o)
        return o
    }

    static func argv(_ command: ChildCommand) -> [String] { command.arguments.map(\.value) }

    static let labelArgs = ["--label", "org.opencontainers.image.created=2026-01-02T03:04:05.678901",
                            "--label", "org.opencontainers.image.title=Example Image",
                            "--label", "co.posit.image.os=Ubuntu 24.04"]
    static let buildArgs = ["--build-arg", "R_VERSION=4.5.2", "--build-arg", "PYTHON_VERSION=3.14.3"]
    static let tagArgs = ["--tag", tags[0], "--tag", tags[1]]

    // MARK: - docker buildx build

    @Test func buildxWithEveryOptionalPartIsTheReferenceOrder() {
        let commands = EngineCommands(engine: .buildx, options: Self.options {
            $0.pull = true; $0.push = true; $0.load = true; $0.cache = false
            $0.metadataFile = URL(fileURLWithPath: "/out/meta.json")
        }, runFolder: Self.runFolder)
        let command = commands.build(Self.job(platforms: ["linux/amd64", "linux/arm64"]))
        #expect(command.executable == "docker")
        #expect(Self.argv(command) == ["buildx", "build", "--progress", "plain"] + Self.buildArgs + Self.labelArgs + [
            "--pull", "--push", "--load",
            "--metadata-file", "/tmp/posit-bakery-test/example-1-0-0-std-ubuntu-24-04.json",
            "--file", Self.containerfile,
            "--target", "final",
            "--cache-from", "type=registry,ref=\(Self.cacheRef)",
            "--cache-to", "type=registry,ref=\(Self.cacheRef),mode=max,compression=zstd,oci-mediatypes=true",
            "--secret", "id=token,env=GITHUB_TOKEN",
            "--platform", "linux/amd64,linux/arm64",
            "--no-cache",
        ] + Self.tagArgs + ["/work/project"])
        // Build args, labels and tags are single argv entries, never shell words: no quoting.
        #expect(Self.argv(command).contains("org.opencontainers.image.title=Example Image"))
    }

    @Test func buildxDefaultsLoadWithoutPushPullMetadataOrCacheExport() {
        let commands = EngineCommands(engine: .buildx, options: Self.options(), runFolder: Self.runFolder)
        #expect(Self.argv(commands.build(Self.job())) == ["buildx", "build", "--progress", "plain"] + Self.buildArgs + Self.labelArgs + [
            "--load", "--file", Self.containerfile, "--target", "final",
            "--cache-from", "type=registry,ref=\(Self.cacheRef)",
            // cache-to only when pushing, even if the plan carries one.
            "--secret", "id=token,env=GITHUB_TOKEN", "--platform", "linux/amd64",
        ] + Self.tagArgs + ["/work/project"])
    }

    @Test func buildxQuietDropsTheProgressFlagAndNoLoadDropsLoad() {
        let commands = EngineCommands(engine: .buildx, options: Self.options { $0.quiet = true; $0.load = false }, runFolder: Self.runFolder)
        #expect(Self.argv(commands.build(Self.bareJob())) == ["buildx", "build", "--label", "a=b", "--file", "/work/project/bare/1/Containerfile",
                                                             "--platform", "linux/amd64", "--tag", "r/bare:1", "/work/project"])
    }

    @Test func buildxToATemporaryRegistryPushesByDigestThroughOutputInsteadOfPush() {
        let commands = EngineCommands(engine: .buildx, options: Self.options {
            $0.push = true; $0.tempRegistry = "ghcr.io/example/tmp"
        }, runFolder: Self.runFolder)
        let job = Self.job(tags: ["ghcr.io/example/tmp/example/tmp"])
        #expect(Self.argv(commands.build(job)) == ["buildx", "build", "--progress", "plain"] + Self.buildArgs + Self.labelArgs + [
            "--load", "--file", Self.containerfile, "--target", "final",
            "--cache-from", "type=registry,ref=\(Self.cacheRef)",
            "--cache-to", "type=registry,ref=\(Self.cacheRef),mode=max,compression=zstd,oci-mediatypes=true",
            "--secret", "id=token,env=GITHUB_TOKEN",
            "--output", "type=image,push-by-digest=True,name-canonical=True,push=True",
            "--platform", "linux/amd64",
            "--tag", "ghcr.io/example/tmp/example/tmp", "/work/project",
        ])
        // A temporary registry without --push changes nothing but the tags.
        let local = EngineCommands(engine: .buildx, options: Self.options { $0.tempRegistry = "ghcr.io/example/tmp" }, runFolder: Self.runFolder)
        #expect(!Self.argv(local.build(job)).contains("--output"))
        #expect(!Self.argv(local.build(job)).contains("--push"))
    }

    @Test func buildxNeverPushesOrWritesMetadataItself() {
        let commands = EngineCommands(engine: .buildx, options: Self.options { $0.push = true }, runFolder: Self.runFolder)
        #expect(commands.publish(Self.job()).isEmpty)
        #expect(commands.prepare(Self.job(platforms: ["linux/amd64", "linux/arm64"])).isEmpty)
        #expect(EngineCommands(engine: .buildx, options: Self.options { $0.load = false }, runFolder: Self.runFolder).unload(Self.job()) == nil)
    }

    /// The plan of a real example (matrix build args, labels, tags), with a cache registry, a push,
    /// a stage and a secret: every part lands where the reference puts it, platforms from the CLI first.
    @Test(arguments: [[], ["linux/arm64"]] as [[String]])
    func buildxOnAnExamplePlanFollowsThePlanInReferenceOrder(_ cliPlatforms: [String]) throws {
        let config = try Fixtures.load("derived-06-matrix-explicit").config
        var filter = TargetFilter()
        filter.matrixVersions = .only
        var targets = try TargetSelector(filter: filter).select([TargetProject(config: config, context: ".")]).sortedForOutput()
        try #require(targets.count > 1)
        for i in targets.indices {
            targets[i].image.buildTarget = "runtime"
            targets[i].image.buildSecrets = [BuildSecret(id: "gh", envVar: "GH_TOKEN")]
        }
        var planOptions = PlanOptions()
        planOptions.cacheRegistry = "ghcr.io/example/cache"
        planOptions.push = true
        planOptions.platforms = cliPlatforms
        planOptions.environment = ["GH_TOKEN": "x"]
        let plan = try BakePlan.make(targets, facts: [".": ProjectFacts(repository: config.repository, revision: "0123abcd")],
                                     options: planOptions, tagger: Tagger(), created: "2026-01-02T03:04:05")
        let options = Self.options { $0.push = true; $0.platforms = cliPlatforms }
        let jobs = BuildJob.jobs(for: targets, plan: plan, root: Self.root, options: options)
        #expect(jobs.map(\.uid) == Array(plan.targets.keys) && jobs.count == targets.count)
        let commands = EngineCommands(engine: .buildx, options: options, runFolder: Self.runFolder)
        for job in jobs {
            let entry = try #require(plan.targets[job.uid])
            #expect(!entry.args.isEmpty && entry.labels.count > 5 && entry.tags.count > 1, "the example lost its matrix")
            #expect(job.platforms == (cliPlatforms.isEmpty ? entry.platforms : cliPlatforms))
            #expect(job.containerfile.path == "/work/project/\(entry.dockerfile)")
            var expected = ["buildx", "build", "--progress", "plain"]
            for (k, v) in entry.args { expected += ["--build-arg", "\(k)=\(v)"] }
            for (k, v) in entry.labels { expected += ["--label", "\(k)=\(v)"] }
            expected += ["--push", "--load", "--file", job.containerfile.path, "--target", "runtime",
                         "--cache-from", "type=registry,ref=\(entry.cacheFrom[0].ref)",
                         "--cache-to", "type=registry,ref=\(entry.cacheFrom[0].ref),mode=max,compression=zstd,oci-mediatypes=true",
                         "--secret", "id=gh,env=GH_TOKEN",
                         "--platform", job.platforms.joined(separator: ",")]
            for tag in entry.tags { expected += ["--tag", tag] }
            expected.append("/work/project")
            #expect(Self.argv(commands.build(job)) == expected)
            if let arm = cliPlatforms.first { #expect(entry.cacheFrom[0].ref.hasSuffix("-\(arm.split(separator: "/").last!)")) }
        }
    }

    @Test func jobsOfAWorkspaceProductBuildInTheProductFolder() {
        let target = BakePlan.Target(context: "connect", dockerfile: "connect/2026.03/Containerfile", platforms: ["linux/amd64", "linux/arm64"])
        let plan = BakePlan(targets: ["connect-2026-03": target])
        var image = Image(name: "connect")
        image.versions = [ImageVersion(name: "2026.03")]
        let selected = ImageTarget(image: image, version: image.versions[0], variant: nil, os: nil, registries: [], context: "connect", rowValues: [])
        #expect(selected.uid == "connect-2026-03")
        let jobs = BuildJob.jobs(for: [selected], plan: plan, root: URL(fileURLWithPath: "/ws/"), options: Self.options())
        #expect(jobs.count == 1)
        #expect(jobs.first?.context.path == "/ws/connect")
        #expect(jobs.first?.containerfile.path == "/ws/connect/connect/2026.03/Containerfile")
        #expect(jobs.first?.platforms == ["linux/amd64", "linux/arm64"])
    }

    // MARK: - docker build (no buildx)

    @Test func classicDockerBuildTakesTheSamePartsInItsSyntaxAndPushesEachTagAfterwards() {
        let commands = EngineCommands(engine: .dockerBuild, options: Self.options {
            $0.pull = true; $0.push = true; $0.cache = false
        }, runFolder: Self.runFolder)
        let command = commands.build(Self.job())
        #expect(command.executable == "docker")
        #expect(command.environment["DOCKER_BUILDKIT"] == .some(CommandValue("1")))
        #expect(Self.argv(command) == ["build", "--progress", "plain"] + Self.buildArgs + Self.labelArgs + [
            "--pull", "--file", Self.containerfile, "--target", "final",
            "--cache-from", Self.cacheRef,
            "--secret", "id=token,env=GITHUB_TOKEN",
            "--platform", "linux/amd64", "--no-cache",
            "--iidfile", "/tmp/posit-bakery-test/example-1-0-0-std-ubuntu-24-04.iid",
        ] + Self.tagArgs + ["/work/project"])
        #expect(commands.publish(Self.job()).map(Self.argv) == [["push", Self.tags[0]], ["push", Self.tags[1]]])
        #expect(commands.publish(Self.job()).allSatisfy { $0.executable == "docker" })
        let quiet = EngineCommands(engine: .dockerBuild, options: Self.options { $0.quiet = true }, runFolder: Self.runFolder)
        #expect(!Self.argv(quiet.build(Self.job())).contains("--progress"))
        #expect(quiet.publish(Self.job()).isEmpty)
        #expect(quiet.unload(Self.job()) == nil)
    }

    // MARK: - podman and buildah

    @Test(arguments: [BuildEngine.podman, .buildah])
    func containersEnginesMapCacheRefsToRepositoriesAndPullAlways(_ engine: BuildEngine) {
        let commands = EngineCommands(engine: engine, options: Self.options { $0.pull = true; $0.push = true }, runFolder: Self.runFolder)
        let command = commands.build(Self.job())
        #expect(command.executable == engine.rawValue)
        #expect(Self.argv(command) == ["build", "--force-rm"] + Self.buildArgs + Self.labelArgs + [
            "--pull=always", "--file", Self.containerfile, "--target", "final",
            "--layers", "--cache-from", "ghcr.io/example/cache/example/cache", "--cache-to", "ghcr.io/example/cache/example/cache",
            "--secret", "id=token,env=GITHUB_TOKEN",
            "--platform", "linux/amd64",
        ] + Self.tagArgs + ["--iidfile", "/tmp/posit-bakery-test/example-1-0-0-std-ubuntu-24-04.iid", "/work/project"])
        #expect(commands.prepare(Self.job()).isEmpty)
    }

    @Test(arguments: [BuildEngine.podman, .buildah])
    func containersEnginesWithoutCacheOrPushOrPull(_ engine: BuildEngine) {
        let commands = EngineCommands(engine: engine, options: Self.options { $0.cache = false; $0.quiet = true }, runFolder: Self.runFolder)
        #expect(Self.argv(commands.build(Self.job())) == ["build", "--force-rm"] + Self.buildArgs + Self.labelArgs + [
            "--file", Self.containerfile, "--target", "final", "--no-cache",
            "--secret", "id=token,env=GITHUB_TOKEN", "--platform", "linux/amd64",
        ] + Self.tagArgs + ["--iidfile", "/tmp/posit-bakery-test/example-1-0-0-std-ubuntu-24-04.iid", "/work/project"])
        // The cache is read but never written without --push.
        let cached = EngineCommands(engine: engine, options: Self.options(), runFolder: Self.runFolder)
        let argv = Self.argv(cached.build(Self.job()))
        #expect(argv.contains("--layers") && argv.contains("--cache-from") && !argv.contains("--cache-to") && !argv.contains("--pull=always"))
    }

    @Test(arguments: [BuildEngine.podman, .buildah])
    func severalPlatformsBuildAManifestListNamedAfterTheFirstTag(_ engine: BuildEngine) {
        let commands = EngineCommands(engine: engine, options: Self.options(), runFolder: Self.runFolder)
        let job = Self.job(platforms: ["linux/amd64", "linux/arm64"])
        let argv = Self.argv(commands.build(job))
        #expect(Array(argv.suffix(9)) == ["--secret", "id=token,env=GITHUB_TOKEN", "--platform", "linux/amd64,linux/arm64",
                                          "--manifest", Self.tags[0], "--iidfile",
                                          "/tmp/posit-bakery-test/example-1-0-0-std-ubuntu-24-04.iid", "/work/project"])
        #expect(!argv.contains("--tag"))
        // A list left by an earlier build of that name is removed first.
        #expect(commands.prepare(job).map(Self.argv) == [["manifest", "rm", Self.tags[0]]])
        // Without --push the other tags still name the list.
        #expect(commands.publish(job).map(Self.argv) == [["tag", Self.tags[0], Self.tags[1]]])
    }

    @Test(arguments: [BuildEngine.podman, .buildah])
    func pushingAListPushesEveryTagWithAllItsImagesAndADigestFile(_ engine: BuildEngine) {
        let commands = EngineCommands(engine: engine, options: Self.options { $0.push = true }, runFolder: Self.runFolder)
        let job = Self.job(platforms: ["linux/amd64", "linux/arm64"])
        let steps = commands.publish(job)
        #expect(steps.allSatisfy { $0.executable == engine.rawValue })
        #expect(steps.map(Self.argv) == [
            ["tag", Self.tags[0], Self.tags[1]],
            ["manifest", "push", "--all", "--digestfile", "/tmp/posit-bakery-test/example-1-0-0-std-ubuntu-24-04.0.digest",
             Self.tags[0], "docker://\(Self.tags[0])"],
            ["manifest", "push", "--all", "--digestfile", "/tmp/posit-bakery-test/example-1-0-0-std-ubuntu-24-04.1.digest",
             Self.tags[0], "docker://\(Self.tags[1])"],
        ])
    }

    @Test(arguments: [BuildEngine.podman, .buildah])
    func pushingOneImagePushesItByTheIdTheBuildWroteOncePerTag(_ engine: BuildEngine) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("engine-commands-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let commands = EngineCommands(engine: engine, options: Self.options { $0.push = true }, runFolder: folder)
        let job = Self.job()
        // Before the build wrote its id, the first tag names the image.
        #expect(commands.publish(job).first.map(Self.argv) == ["push", "--digestfile", folder.appendingPathComponent("\(job.uid).0.digest").path,
                                                                Self.tags[0], "docker://\(Self.tags[0])"])
        try Data("sha256:\(String(repeating: "ab", count: 32))\n".utf8).write(to: commands.imageIDPath(job))
        let id = String(repeating: "ab", count: 32)
        #expect(commands.publish(job).map(Self.argv) == [
            ["push", "--digestfile", folder.appendingPathComponent("\(job.uid).0.digest").path, id, "docker://\(Self.tags[0])"],
            ["push", "--digestfile", folder.appendingPathComponent("\(job.uid).1.digest").path, id, "docker://\(Self.tags[1])"],
        ])
    }

    /// podman and buildah cannot push by digest alone: a `--temp-registry` image gets a tag of its own per target
    /// and platform instead of the `:latest` every target and platform would overwrite.
    @Test(arguments: [BuildEngine.podman, .buildah])
    func aTemporaryRegistryPushGetsATagPerTargetAndPlatform(_ engine: BuildEngine) throws {
        let commands = EngineCommands(engine: engine, options: Self.options { $0.push = true; $0.tempRegistry = "127.0.0.1:5000/ci" },
                                      runFolder: Self.runFolder)
        let job = Self.job(platforms: ["linux/arm64"], tags: ["127.0.0.1:5000/ci/example/tmp"])
        #expect(commands.publish(job).map(Self.argv) == [
            ["push", "--digestfile", Self.runFolder.appendingPathComponent("\(job.uid).0.digest").path, "127.0.0.1:5000/ci/example/tmp",
             "docker://127.0.0.1:5000/ci/example/tmp:\(job.uid)-linux-arm64"],
        ])
        var long = job
        long.uid = String(repeating: "x", count: 200)
        let tag = commands.temporaryPushTag(long, repository: "r/example/tmp")
        #expect(tag.hasSuffix("-linux-arm64") && tag.count == "r/example/tmp:".count + 128)
        // Without a temporary registry the tags are pushed as they are.
        let plain = EngineCommands(engine: engine, options: Self.options { $0.push = true }, runFolder: Self.runFolder)
        #expect(plain.publish(Self.job()).map(Self.argv).last?.last == "docker://\(Self.tags[1])")
    }

    @Test(arguments: [BuildEngine.podman, .buildah])
    func noLoadRemovesWhatTheBuildStored(_ engine: BuildEngine) {
        let unloading = EngineCommands(engine: engine, options: Self.options { $0.load = false }, runFolder: Self.runFolder)
        #expect(unloading.unload(Self.job()).map(Self.argv) == ["rmi"] + Self.tags)
        #expect(unloading.unload(Self.job(platforms: ["linux/amd64", "linux/arm64"])).map(Self.argv) == ["manifest", "rm", Self.tags[0]])
        #expect(unloading.unload(Self.job())?.executable == engine.rawValue)
        let loading = EngineCommands(engine: engine, options: Self.options(), runFolder: Self.runFolder)
        #expect(loading.unload(Self.job()) == nil)
    }

    @Test(arguments: [
        ("ghcr.io/example/cache/img/cache:1.0-amd64", "ghcr.io/example/cache/img/cache"),
        ("localhost:5000/img:tag", "localhost:5000/img"),
        ("localhost:5000/img", "localhost:5000/img"),
        ("ghcr.io/img@sha256:abc", "ghcr.io/img"),
        ("img", "img"),
    ])
    func aCacheReferenceBecomesItsRepository(_ reference: String, _ repository: String) {
        #expect(EngineCommands.repository(of: reference) == repository)
    }

    @Test func everyEngineCommandStopsItsProcessGroupAndHasTheBuildTimeLimit() {
        for engine in BuildEngine.allCases {
            let commands = EngineCommands(engine: engine, options: Self.options { $0.push = true; $0.load = false; $0.commandTimeout = .seconds(42) },
                                          runFolder: Self.runFolder)
            let job = Self.job(platforms: ["linux/amd64", "linux/arm64"])
            for command in [commands.build(job)] + commands.prepare(job) + commands.publish(job) + [commands.unload(job)].compactMap({ $0 }) {
                #expect(command.stopsProcessGroup, "\(engine): \(command.commandLine)")
                #expect(command.timeout == .seconds(42), "\(engine): \(command.commandLine)")
                #expect(command.executable == engine.executable)
            }
        }
    }

    // MARK: - docker buildx bake

    struct Silent: BuildObserver {
        func handle(_ event: BuildEvent) {}
    }

    static func bake(_ options: BuildOptions) -> BakeRunner {
        BakeRunner(plan: BakePlan(), root: root, options: options, observer: Silent(), secretValues: [])
    }

    /// The reference's bake command written out independently: flags, the file, the `--set` entries in order, the metadata file.
    static func referenceBake(cache: Bool, load: Bool, pull: Bool, push: Bool, platforms: [String], temp: Bool, metadata: String?,
                              print: Bool) -> [String] {
        var a = ["buildx", "bake"]
        if !cache { a.append("--no-cache") }
        if load { a.append("--load") }
        if pull { a.append("--pull") }
        if push { a.append("--push") }
        a += ["--file", ".bakery-bake.json"]
        if !platforms.isEmpty { a += ["--set", "*.platform=" + platforms.joined(separator: ",")] }
        if temp && push {
            a += ["--set", "*.output=type=image,push-by-digest=True,name-canonical=True,push=True", "--set", "*.attest=type=provenance,disabled=true"]
        }
        if let metadata { a += ["--metadata-file", metadata] }
        if print { a.append("--print") }
        return a
    }

    @Test func bakeArgumentsFollowTheReferenceInEveryCombination() {
        var checked = 0
        for bits in 0..<(1 << 8) {
            let flag = { (n: Int) in bits & (1 << n) != 0 }
            let platforms = flag(4) ? (flag(7) ? ["linux/amd64", "linux/arm64"] : ["linux/arm64"]) : []
            let options = Self.options {
                $0.cache = flag(0); $0.load = flag(1); $0.pull = flag(2); $0.push = flag(3); $0.platforms = platforms
                $0.tempRegistry = flag(5) ? "ghcr.io/example/tmp" : nil
                $0.metadataFile = flag(6) ? URL(fileURLWithPath: "/out/build metadata.json") : nil
                // Fail-fast, jobs and retries do not change the bake, nor does quiet (no --progress either way).
                $0.failFast = flag(7); $0.jobs = flag(7) ? 1 : 9; $0.retries = flag(7) ? 3 : 0; $0.quiet = flag(7)
            }
            for print in [false, true] {
                let expected = Self.referenceBake(cache: flag(0), load: flag(1), pull: flag(2), push: flag(3), platforms: platforms,
                                                  temp: flag(5), metadata: flag(6) ? "/out/build metadata.json" : nil, print: print)
                #expect(Self.bake(options).arguments(print: print) == expected, "combination \(bits), print \(print)")
                checked += 1
            }
        }
        #expect(checked == 512)
    }

    @Test func bakeArgumentsLiterally() {
        #expect(Self.bake(Self.options()).arguments() == ["buildx", "bake", "--load", "--file", ".bakery-bake.json"])
        let everything = Self.options {
            $0.cache = false; $0.pull = true; $0.push = true; $0.platforms = ["linux/amd64", "linux/arm64"]
            $0.tempRegistry = "ghcr.io/example/tmp"; $0.metadataFile = URL(fileURLWithPath: "/out/m.json")
        }
        #expect(Self.bake(everything).arguments(print: true) == [
            "buildx", "bake", "--no-cache", "--load", "--pull", "--push", "--file", ".bakery-bake.json",
            "--set", "*.platform=linux/amd64,linux/arm64",
            "--set", "*.output=type=image,push-by-digest=True,name-canonical=True,push=True",
            "--set", "*.attest=type=provenance,disabled=true",
            "--metadata-file", "/out/m.json", "--print",
        ])
    }

    // MARK: - What the build reports

    @Test func severalFailuresAreGroupedInTheReferenceText() {
        func failed(_ uid: String, _ display: String, command: String?) -> TargetResult {
            TargetResult(uid: uid, display: display,
                         status: .failed(BuildFailure(message: "Failed to build image '\(display)'", command: command, termination: .exited(1),
                                                      errorTail: "boom", retryable: true)),
                         attempts: 1, duration: .zero, logFile: nil, metadata: nil)
        }
        let built = TargetResult(uid: "ok", display: "ok", status: .built, attempts: 1, duration: .zero, logFile: nil, metadata: nil)
        let report = BuildReport(engine: .buildx, strategy: .build,
                                 results: [failed("a", "ImageTarget(image='a')", command: "docker buildx build --tag a ."), built,
                                           failed("b", "ImageTarget(image='b')", command: "docker buildx build --tag b .")],
                                 wallTime: .zero, interrupted: false, runFolder: nil)
        #expect(report.failureGroupText == """
            Failed to build image 'ImageTarget(image='a')'
              - Command executed: 'docker buildx build --tag a .'
              - Metadata:
                - image_target: ImageTarget(image='a')

            Failed to build image 'ImageTarget(image='b')'
              - Command executed: 'docker buildx build --tag b .'
              - Metadata:
                - image_target: ImageTarget(image='b')


            2 build(s) returned errors

            """)
        #expect(!report.succeeded)
        #expect(report.failed.map(\.uid) == ["a", "b"])
    }

    @Test func recordedMetadataDropsNullFieldsAndMasksSecretValues() throws {
        let raw = try #require(JSONValue.parse("""
            {"containerimage.digest": "sha256:1", "buildx.build.ref": null,
             "containerimage.descriptor": {"annotations": {"note": "token=hunter2-long"}, "urls": null},
             "list": ["hunter2-long", 3]}
            """))
        let cleaned = BuildMetadata.cleaned(raw, masking: ["hunter2", "hunter2-long", ""])
        #expect(cleaned.text(.compact) == #"{"containerimage.digest": "sha256:1", "containerimage.descriptor": {"annotations": {"note": "token=***"}}, "list": ["***", 3]}"#)
        #expect(BuildMetadata.cleaned(raw, masking: []) != raw)
    }
}
