// How big the images of a finished build are: locally, in the registry, and their build cache.
import Foundation

/// What was measured of one target's image; nil where it was not measured or the measurement failed.
public struct ImageSizes: Sendable, Equatable {
    /// Bytes in local storage (`docker image inspect` .Size), when loaded.
    public var localSize: Int?
    /// Layers of the local image.
    public var localLayers: Int?
    /// Bytes of the pushed layers, summed over every platform of an index.
    public var registrySize: Int?
    /// Layers of the pushed manifest (of the first platform of an index).
    public var registryLayers: Int?
    /// Bytes of the layers of the registry build cache.
    public var cacheSize: Int?

    public init(localSize: Int? = nil, localLayers: Int? = nil, registrySize: Int? = nil, registryLayers: Int? = nil,
                cacheSize: Int? = nil) {
        self.localSize = localSize
        self.localLayers = localLayers
        self.registrySize = registrySize
        self.registryLayers = registryLayers
        self.cacheSize = cacheSize
    }

    /// The layer count the summary shows: the pushed manifest's, else the local image's.
    public var layers: Int? { registryLayers ?? localLayers }
}

/// Measures the images a build produced, several targets at once, with the engine that built them.
/// A measurement never fails the command: whatever cannot be read stays unknown.
///
///     let sizes = BuildSizes(report: report, session: session)
///     let measured = await sizes.measure()            // cancel the task to stop every inspection
///     measured.sizes["example-image-1-0-0"]?.localSize  // 78_123_456
public struct BuildSizes: Sendable {
    /// What to look up for one target.
    public struct Request: Sendable, Equatable {
        public var uid: String
        /// References of the local image, tried in order until one is found (the image id first
        /// where the engine keeps one: tags may be shared between targets).
        public var localReferences: [String]
        /// The pushed image: `<repository>@<digest>` from the build metadata, else the first tag.
        public var registryReference: String?
        /// The registry cache image.
        public var cacheReference: String?

        public init(uid: String, localReferences: [String] = [], registryReference: String? = nil, cacheReference: String? = nil) {
            self.uid = uid
            self.localReferences = localReferences
            self.registryReference = registryReference
            self.cacheReference = cacheReference
        }

        var isEmpty: Bool { localReferences.isEmpty && registryReference == nil && cacheReference == nil }
    }

    /// The outcome: sizes by target UID, and whether Ctrl-C or SIGTERM cut the measuring short.
    public struct Measurements: Sendable {
        public var sizes: [String: ImageSizes] = [:]
        public var interrupted = false
        public init(sizes: [String: ImageSizes] = [:], interrupted: Bool = false) {
            self.sizes = sizes
            self.interrupted = interrupted
        }
    }

    public var engine: BuildEngine
    /// The targets to measure, in plan order (targets with nothing to look up are left out).
    public var requests: [Request]
    /// At most this many targets are measured at once.
    public var workers: Int
    public var runner: CommandRunner
    /// The environment of the build (skopeo's registries configuration is taken from it).
    public var environment: [String: String]
    /// Longest a single inspection may take: a registry that does not answer must not hold the summary up for long.
    public var commandTimeout: Duration = .seconds(120)

    public init(engine: BuildEngine, requests: [Request], workers: Int, runner: CommandRunner = CommandRunner(),
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.engine = engine
        self.requests = requests
        self.workers = max(1, workers)
        self.runner = runner
        self.environment = environment
    }

    /// The measurements a finished build calls for, with the build's engine and `--jobs`.
    public init(report: BuildReport, session: BuildSession) {
        let requests = Self.requests(report: report, jobs: session.jobs, engine: session.engine, options: session.options)
        self.init(engine: session.engine, requests: requests, workers: min(session.options.jobs, requests.count),
                  runner: session.runner, environment: session.options.environment)
    }

    // MARK: - What to measure

    /// Per target: the local image when loaded, the pushed image when pushed, the cache image when a
    /// cache registry is used. The build strategy measures the targets that were built; after a bake
    /// every target is (bake succeeds or fails as a whole). A `--temp-registry` build pushes by digest
    /// under a name all targets of an image share, so without metadata it is not measured at all.
    public static func requests(report: BuildReport, jobs: [BuildJob], engine: BuildEngine, options: BuildOptions) -> [Request] {
        let results = Dictionary(report.results.map { ($0.uid, $0) }, uniquingKeysWith: { first, _ in first })
        var out: [Request] = []
        for job in jobs {
            guard let result = results[job.uid] else { continue }
            switch result.status {
            case .built: break
            case .failed where report.strategy == .bake: break
            default: continue
            }
            let metadata = MetadataReferences(result.metadata)
            let temporary = options.tempRegistry != nil
            if temporary && metadata.isEmpty { continue }
            let firstTag = temporary ? nil : job.target.tags.first
            var request = Request(uid: job.uid)
            if options.load {
                var candidates: [String?]
                if engine.usesContainersStorage {
                    candidates = [metadata.imageID, metadata.digestReference, firstTag]
                } else {
                    candidates = [firstTag, metadata.configDigest, metadata.digestReference]
                }
                if temporary && engine == .buildx { candidates.insert(metadata.imageReference, at: 0) }
                var seen = Set<String>()
                request.localReferences = candidates.compactMap { $0 }.filter { seen.insert($0).inserted }
            }
            if options.push { request.registryReference = metadata.digestReference ?? firstTag }
            if options.cacheRegistry != nil, !engine.usesContainersStorage {
                // podman and buildah push their cache as one image per layer, so there is no single
                // cache manifest to size.
                request.cacheReference = job.target.cacheFrom.first?.ref
            }
            if !request.isEmpty { out.append(request) }
        }
        return out
    }

    /// The references buildx-shaped metadata names.
    struct MetadataReferences {
        var names: [String] = []
        var digest: String?
        var configDigest: String?

        init(_ metadata: JSONValue?) {
            guard let metadata else { return }
            if case .string(let text)? = metadata["image.name"] {
                names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            if case .string(let d)? = metadata["containerimage.digest"], !d.isEmpty { digest = d }
            if case .string(let d)? = metadata["containerimage.config.digest"], !d.isEmpty { configDigest = d }
        }

        var isEmpty: Bool { names.isEmpty && digest == nil && configDigest == nil }

        /// `<first name>@<digest>`, as the reference resolves a target.
        var imageReference: String? {
            guard let name = names.first, let digest else { return nil }
            return "\(name)@\(digest)"
        }

        /// `<first name without its tag>@<digest>`: what a registry (and skopeo, which refuses a tag
        /// and a digest together) looks up.
        var digestReference: String? {
            guard let name = names.first, let digest else { return nil }
            return "\(EngineCommands.repository(of: name))@\(digest)"
        }

        /// The image id podman and buildah know the image by (the config digest, without `sha256:`).
        var imageID: String? {
            guard let configDigest else { return nil }
            return configDigest.hasPrefix("sha256:") ? String(configDigest.dropFirst("sha256:".count)) : configDigest
        }
    }

    // MARK: - Measuring

    /// Measures every request, `workers` at a time. Never throws: a failed look-up leaves its value nil.
    public func measure() async -> Measurements {
        var result = Measurements()
        await withTaskGroup(of: (String, ImageSizes).self) { group in
            var pending = requests[...]
            func startNext() {
                guard let request = pending.popFirst() else { return }
                group.addTask { (request.uid, await measure(request)) }
            }
            for _ in 0..<workers { startNext() }
            while let (uid, sizes) = await group.next() {
                result.sizes[uid] = sizes
                if !Task.isCancelled { startNext() }
            }
        }
        result.interrupted = Task.isCancelled
        return result
    }

    /// Measures one target: local image, pushed image, cache, one after the other.
    public func measure(_ request: Request) async -> ImageSizes {
        var sizes = ImageSizes()
        for reference in request.localReferences {
            if Task.isCancelled { break }
            if let local = try? await localImage(reference) {
                sizes.localSize = local.bytes
                sizes.localLayers = local.layers
                break
            }
        }
        if let reference = request.registryReference, !Task.isCancelled, let pushed = try? await registryImage(reference) {
            sizes.registrySize = pushed.bytes
            sizes.registryLayers = pushed.layers
        }
        if let reference = request.cacheReference, !Task.isCancelled, let cache = try? await registryImage(reference) {
            sizes.cacheSize = cache.bytes
        }
        return sizes
    }

    /// Bytes and layer count of an image.
    public struct Size: Sendable, Equatable {
        public var bytes: Int
        public var layers: Int
        public init(bytes: Int, layers: Int) {
            self.bytes = bytes
            self.layers = layers
        }
    }

    /// The local image: `docker image inspect` / `podman image inspect` (.Size and .RootFS.Layers), or
    /// for buildah `buildah inspect --type image` (its layers and the sizes its stored manifest lists;
    /// buildah prints sizes only rounded).
    func localImage(_ reference: String) async throws -> Size {
        switch engine {
        case .buildx, .dockerBuild, .podman:
            let out = try await run(ChildCommand(engine.executable, ["image", "inspect", reference]))
            guard let parsed = Self.parseImageInspect(out.stdout) else {
                throw BakeryError(.commandFailed, "\(engine.executable) image inspect printed no size for \(reference)")
            }
            return parsed
        case .buildah:
            let out = try await run(ChildCommand("buildah", ["inspect", "--type", "image", reference]))
            guard let parsed = Self.parseBuildahInspect(out.stdout) else {
                throw BakeryError(.commandFailed, "buildah inspect printed no manifest for \(reference)")
            }
            return parsed
        }
    }

    /// A pushed image (or the cache): the manifest's layer bytes; for an index, every platform's
    /// manifest (attestations, whose platform is `unknown`, left out), bytes summed and the layers of the first.
    func registryImage(_ reference: String) async throws -> Size {
        try await Self.registrySize(reference) { try await manifest($0) }
    }

    /// The registry walk, apart from how a manifest is fetched (so it can be tested without a registry).
    public static func registrySize(_ reference: String, depth: Int = 0,
                                    fetch: @Sendable (String) async throws -> JSONValue) async throws -> Size {
        let manifest = try await fetch(reference)
        guard case .array(let entries)? = manifest["manifests"] else {
            guard let size = layerSize(manifest) else {
                throw BakeryError(.commandFailed, "the manifest of \(reference) lists no layers")
            }
            return size
        }
        guard depth < 2 else { throw BakeryError(.commandFailed, "\(reference): indexes nested too deeply") }
        let repository = EngineCommands.repository(of: reference)
        var bytes = 0
        var layers: Int?
        for entry in entries {
            if case .string(let architecture)? = entry["platform"]?["architecture"], architecture == "unknown" { continue }
            guard case .string(let digest)? = entry["digest"] else { continue }
            let child = try await registrySize("\(repository)@\(digest)", depth: depth + 1, fetch: fetch)
            bytes += child.bytes
            if layers == nil { layers = child.layers }
        }
        guard let layers else { throw BakeryError(.commandFailed, "the index \(reference) lists no image manifest") }
        return Size(bytes: bytes, layers: layers)
    }

    /// Σ layers[].size of an image manifest (the reference counts the layers, not the config blob).
    static func layerSize(_ manifest: JSONValue) -> Size? {
        guard case .array(let layers)? = manifest["layers"] else { return nil }
        var bytes = 0
        for layer in layers {
            guard let size = layer["size"]?.integer else { return nil }
            bytes += size
        }
        return Size(bytes: bytes, layers: layers.count)
    }

    /// The raw manifest (or index) of `reference`, as the engine's tools read it from the registry.
    func manifest(_ reference: String) async throws -> JSONValue {
        let command: ChildCommand
        switch engine {
        case .buildx:
            command = ChildCommand("docker", ["buildx", "imagetools", "inspect", "--raw", reference])
        case .dockerBuild:
            // Without buildx: `docker manifest inspect`, which (unlike the daemon) does not treat
            // loopback registries as plain-HTTP unless told.
            command = ChildCommand("docker", ["manifest", "inspect"] + (Self.isLoopback(reference) ? ["--insecure"] : []) + [reference])
        case .podman, .buildah:
            command = BuildMetadata.skopeoCommand(["inspect", "--raw", "docker://\(reference)"], environment: environment)
        }
        let out = try await run(command)
        guard let value = JSONValue.parse(out.stdout) else {
            throw BakeryError(.commandFailed, "\(command.commandLine) printed no manifest")
        }
        return value
    }

    /// Whether the reference's registry is this machine (`localhost`, `127.x.x.x`, `[::1]`).
    static func isLoopback(_ reference: String) -> Bool {
        guard let slash = reference.firstIndex(of: "/") else { return false }
        let host = reference[..<slash]
        let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }.dropFirst()) : String(host.split(separator: ":").first ?? "")
        return name == "localhost" || name.hasPrefix("127.") || name == "::1"
    }

    func run(_ command: ChildCommand) async throws -> CommandOutput {
        var command = command
        command.timeout = commandTimeout
        command.stopsProcessGroup = true
        return try await runner.run(command).requireSuccess()
    }

    /// `docker image inspect` / `podman image inspect`: `[{"Size": N, "RootFS": {"Layers": [...]}}]`.
    public static func parseImageInspect(_ text: String) -> Size? {
        guard case .array(let images)? = JSONValue.parse(text), let image = images.first,
              let bytes = image["Size"]?.integer else { return nil }
        guard case .array(let layers)? = image["RootFS"]?["Layers"] else { return nil }
        return Size(bytes: bytes, layers: layers.count)
    }

    /// `buildah inspect --type image`: layers from the OCI config's diff ids, bytes from the stored
    /// manifest (a string of JSON), whose layers buildah writes uncompressed.
    public static func parseBuildahInspect(_ text: String) -> Size? {
        guard let info = JSONValue.parse(text), case .string(let manifestText)? = info["Manifest"],
              let manifest = JSONValue.parse(manifestText), let size = layerSize(manifest) else { return nil }
        if case .array(let diffs)? = info["OCIv1"]?["rootfs"]?["diff_ids"] {
            return Size(bytes: size.bytes, layers: diffs.count)
        }
        return size
    }
}

extension JSONValue {
    /// A whole number, whether written as `12` or `12.0`.
    var integer: Int? {
        switch self {
        case .int(let n): return n
        case .double(let d) where d.rounded() == d && abs(d) < 9e18: return Int(d)
        default: return nil
        }
    }
}
