// `bakery build --skip-unchanged`: each target's input digest (with its base images resolved through skopeo), and
// whether its destination already holds images built from exactly those inputs.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import OCIRegistry

/// Decides, per target, the input digest to record and whether the build can be skipped.
///
///     let check = UnchangedTargets(client: client, engine: .buildah, options: options, runner: runner, observer: console)
///     let verdicts = await check.evaluate(jobs)           // one per job, in job order
///     verdicts[0].unchanged                               // true: every tag holds this digest for every platform
///
/// A target with several platforms gets one digest over all of them (each platform's base digests are in it), so
/// one build that makes a multi-platform image labels every platform's image the same and is skipped only when
/// every platform of every tag carries that label. Per-platform builds (`--image-platform`, as `ci publish`
/// expects) each get their own digest and are checked against their platform's child of the published index.
/// A target whose inputs cannot all be known (a base image that does not resolve, an `ADD` of a URL, an unreadable
/// context) has no digest and is always built, with a warning that says why.
public struct UnchangedTargets: Sendable {
    /// One target's outcome.
    public struct Verdict: Sendable {
        public var uid: String
        /// The digest to record as the label; nil when the inputs could not all be known.
        public var digest: InputDigest?
        /// Whether the target can be skipped.
        public var unchanged: Bool
        /// Why it is built (a tag missing, a label different, …), or "" when unchanged.
        public var reason: String
    }

    public var client: RegistryClient
    public var engine: BuildEngine
    public var options: BuildOptions
    public var runner: CommandRunner
    public var observer: any BuildObserver
    /// Resolves `image` for `platform` (`os/arch[/variant]`) to a digest; the default asks skopeo.
    public var resolveBase: @Sendable (_ image: String, _ platform: String) async throws -> String

    public init(client: RegistryClient, engine: BuildEngine, options: BuildOptions, runner: CommandRunner = CommandRunner(),
                observer: any BuildObserver,
                resolveBase: (@Sendable (_ image: String, _ platform: String) async throws -> String)? = nil) {
        self.client = client
        self.engine = engine
        self.options = options
        self.runner = runner
        self.observer = observer
        let environment = options.environment
        self.resolveBase = resolveBase ?? { image, platform in
            try await Self.skopeoDigest(image: image, platform: platform, runner: runner, environment: environment)
        }
    }

    /// The verdicts of `jobs`, in job order (a few targets checked at once).
    public func evaluate(_ jobs: [BuildJob]) async -> [Verdict] {
        var verdicts = [Verdict?](repeating: nil, count: jobs.count)
        await withTaskGroup(of: (Int, Verdict).self) { group in
            var next = 0
            func launch() {
                let index = next
                next += 1
                group.addTask { (index, await self.evaluate(jobs[index])) }
            }
            while next < min(4, jobs.count) { launch() }
            while let (index, verdict) = await group.next() {
                verdicts[index] = verdict
                if next < jobs.count && !Task.isCancelled { launch() }
            }
        }
        return jobs.indices.map { verdicts[$0] ?? Verdict(uid: jobs[$0].uid, digest: nil, unchanged: false, reason: "not checked") }
    }

    /// One job's verdict.
    public func evaluate(_ job: BuildJob) async -> Verdict {
        let digest: InputDigest
        do throws(Unknown) {
            digest = try await inputDigest(job)
        } catch {
            observer.handle(.warning("--skip-unchanged: building '\(job.display)': \(error.message)"))
            return Verdict(uid: job.uid, digest: nil, unchanged: false, reason: error.message)
        }
        let tags = options.destinationTags[job.uid] ?? job.target.tags
        guard !tags.isEmpty else {
            return Verdict(uid: job.uid, digest: digest, unchanged: false, reason: "the target has no tags to compare with")
        }
        var reason = ""
        for tag in tags {
            if let problem = await registryProblem(tag, digest: digest, platforms: job.platforms) { reason = problem; break }
        }
        if reason.isEmpty { return Verdict(uid: job.uid, digest: digest, unchanged: true, reason: "") }
        // Without --push a local podman/buildah image is where the build would have gone: it counts too.
        if !options.push, engine.usesContainersStorage, job.platforms.count == 1 {
            var local = true
            for tag in tags where await localLabel(tag) != digest.description { local = false; break }
            if local { return Verdict(uid: job.uid, digest: digest, unchanged: true, reason: "") }
        }
        return Verdict(uid: job.uid, digest: digest, unchanged: false, reason: reason)
    }

    // MARK: - The digest

    struct Unknown: Error { var message: String }

    /// The job's input digest: its Containerfile, the context files it copies, and each base image for each platform.
    func inputDigest(_ job: BuildJob) async throws(Unknown) -> InputDigest {
        let bytes: Data
        do throws(BakeryError) { bytes = try RegularFile.read(job.containerfile.path) } catch {
            throw Unknown(message: "cannot read its Containerfile: \(error.message)")
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let args = Dictionary(job.target.args.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        let read = InputDigest.Instructions(parsing: text, args: args)
        if let remote = read.remoteSources.first {
            throw Unknown(message: "ADD \(remote) fetches from the network, whose content cannot be known before building")
        }
        let files: [InputDigest.ContextFile]
        do throws(InputDigest.ContextProblem) {
            files = try InputDigest.contextFiles(in: job.context, sources: read.contextSources, wholeContext: read.wholeContext)
        } catch {
            throw Unknown(message: error.message)
        }
        var bases: [String: String] = [:]
        for platform in job.platforms {
            for base in read.bases {
                guard let image = base.image else {
                    throw Unknown(message: "its base image '\(base.written)' cannot be resolved without building (a build arg with no value)")
                }
                guard let basePlatform = Self.platform(of: base, target: platform) else {
                    throw Unknown(message: "the platform '\(base.platform ?? "")' of its base image '\(base.written)' cannot be resolved without building")
                }
                let key = "\(platform) \(image) \(basePlatform)"
                if bases[key] != nil { continue }
                do {
                    bases[key] = try await resolveBase(image, basePlatform)
                } catch {
                    throw Unknown(message: "cannot resolve the digest of its base image \(image) for \(basePlatform): \(BakeryError.from(error).message)")
                }
            }
        }
        let labels = Dictionary(job.target.labels.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
        return InputDigest(InputDigest.Inputs(containerfile: bytes, contextFiles: files,
                                              ignoreFiles: InputDigest.ignoreFiles(containerfile: job.containerfile, context: job.context),
                                              args: args, labels: labels, stage: job.target.stage,
                                              secretIDs: job.target.secrets.map(\.id), platforms: job.platforms, baseImages: bases))
    }

    /// The platform a FROM resolves for: its `--platform` (`$TARGETPLATFORM`, `$BUILDPLATFORM` or a literal), else the target's.
    static func platform(of base: InputDigest.Instructions.Base, target: String) -> String? {
        guard let written = base.platform else { return target }
        switch written {
        case "$TARGETPLATFORM", "${TARGETPLATFORM}": return target
        case "$BUILDPLATFORM", "${BUILDPLATFORM}": return hostPlatform
        default: return written.contains("$") ? nil : written
        }
    }

    /// `linux/<this machine's architecture>` in Go's spelling.
    static var hostPlatform: String {
        var info = utsname()
        uname(&info)
        let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        switch machine {
        case "x86_64": return "linux/amd64"
        case "aarch64", "arm64": return "linux/arm64"
        case "armv7l": return "linux/arm/v7"
        default: return "linux/\(machine)"
        }
    }

    /// `skopeo inspect --no-tags --format {{.Digest}} --override-os … --override-arch … [--override-variant …] docker://<image>`,
    /// with the registries configuration podman and buildah read.
    static func skopeoDigest(image: String, platform: String, runner: CommandRunner, environment: [String: String]) async throws -> String {
        let parts = platform.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { throw BakeryError(.invalidValue, "'\(platform)' is not a platform (os/arch[/variant])") }
        var arguments = ["inspect", "--no-tags", "--format", "{{.Digest}}", "--override-os", parts[0], "--override-arch", parts[1]]
        if parts.count > 2 { arguments += ["--override-variant", parts[2]] }
        arguments.append(image.contains("://") ? image : "docker://\(image)")
        let output = try await BuildMetadata.skopeo(arguments, runner: runner, environment: environment)
        let digest = output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        guard digest.hasPrefix("sha256:") else { throw BakeryError(.commandFailed, "skopeo printed no digest for \(image)") }
        return digest
    }

    // MARK: - The destination

    /// Why `tag` does not hold `digest` for every one of `platforms`, or nil when it does.
    func registryProblem(_ tag: String, digest: InputDigest, platforms: [String]) async -> String? {
        do throws(RegistryError) {
            let reference = try ImageReference(parsing: tag)
            let fetched = try await client.manifest(reference)
            var images: [(platform: String, reference: ImageReference)] = []
            if MediaType.isIndex(fetched.mediaType) {
                let index = try ImageIndex.decode(fetched.data)
                for platform in platforms {
                    let wanted = try OCIRegistry.Platform(parsing: platform)
                    guard let child = index.manifests.first(where: { d in
                        guard let p = d.platform else { return false }
                        return p.os == wanted.os && p.architecture == wanted.architecture && (wanted.variant == nil || p.variant == wanted.variant)
                    }) else { return "\(tag) has no image for \(platform)" }
                    images.append((platform, reference.with(digest: child.digest)))
                }
            } else {
                guard platforms.count == 1 else { return "\(tag) is a single-platform image; \(platforms.count) platforms are built" }
                images.append((platforms[0], reference.with(digest: fetched.digest)))
            }
            for image in images {
                let labels = try await self.labels(of: image.reference)
                guard let recorded = labels[InputDigest.label] else { return "\(tag) (\(image.platform)) has no \(InputDigest.label) label" }
                if recorded != digest.description { return "\(tag) (\(image.platform)) was built from other inputs (\(recorded))" }
            }
            return nil
        } catch {
            if error.code == .notFound { return "\(tag) is not in the registry" }
            return "\(tag) could not be checked: \(error.message)"
        }
    }

    /// The labels of a single-platform image (its config's `config.Labels`).
    func labels(of reference: ImageReference) async throws(RegistryError) -> [String: String] {
        let fetched = try await client.manifest(reference)
        let manifest = try ImageManifest.decode(fetched.data)
        let config = try await client.blob(manifest.config.digest, in: reference)
        return Self.labels(inConfig: config)
    }

    static func labels(inConfig data: Data) -> [String: String] {
        struct Config: Decodable {
            struct Inner: Decodable { var Labels: [String: String]? }
            var config: Inner?
        }
        return (try? JSONDecoder().decode(Config.self, from: data))?.config?.Labels ?? [:]
    }

    /// The input-digest label of the local (containers-storage) image `tag`, or nil.
    func localLabel(_ tag: String) async -> String? {
        guard let output = try? await BuildMetadata.skopeo(["inspect", "--config", "containers-storage:\(tag)"], runner: runner,
                                                           environment: options.environment) else { return nil }
        return Self.labels(inConfig: Data(output.standardOutput))[InputDigest.label]
    }
}

extension BuildReport {
    /// The targets skipped because their destination already holds them (`--skip-unchanged`).
    public var unchanged: [TargetResult] { results.filter(\.isUnchanged) }
}

extension TargetResult {
    /// The reason `--skip-unchanged` gives a target it does not build.
    public static let unchangedReason = "unchanged"

    /// Skipped by `--skip-unchanged`.
    public var isUnchanged: Bool { status == .skipped(reason: Self.unchangedReason) }
}
