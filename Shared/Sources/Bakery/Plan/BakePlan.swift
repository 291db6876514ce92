// The `docker buildx bake` plan: what `bakery build --plan` prints and what a bake or per-target build runs.
import Foundation
import OrderedCollections

/// A `docker buildx bake` file: named groups of targets, and the targets by UID.
///
///     let plan = try BakePlan.make(targets.sortedForOutput(), facts: workspace.facts(), options: PlanOptions(),
///                                  tagger: Tagger(), created: Labels.createdTimestamp())
///     plan.targets["connect-2026-03-1-standard-ubuntu-24-04"]?.tags   // ["ghcr.io/posit-dev/connect:2026.03.1", …]
///     print(try plan.json().text(.plan))                             // what `bakery build --plan` prints
///
/// Encoded (``json()``, or any `Encoder`) it is the bake file's JSON form, keys in the order the
/// reference writes them: `group` then `target`; in a target `context`, `dockerfile`, `labels`,
/// `tags`, `args`, `target`, `platforms`, `cache-from`, `cache-to`, `output`, `secret`, the
/// optional ones left out when absent or empty.
public struct BakePlan: Sendable, Equatable, Encodable {
    /// A named set of targets (`docker buildx bake <group>` builds them all).
    public struct Group: Sendable, Equatable, Encodable {
        /// Target UIDs, in target order.
        public var targets: [String]
        public init(targets: [String]) { self.targets = targets }
    }

    /// One image build: a Containerfile in a context, for some platforms, with labels and tags.
    public struct Target: Sendable, Equatable, Encodable {
        /// The build context, relative to where the plan is run: "." for one project, else the product folder.
        public var context: String
        /// The Containerfile, relative to `context` (`connect/2026.03/Containerfile.ubuntu2404.std`).
        public var dockerfile: String
        /// OCI and Posit image labels, in the reference's order.
        public var labels: OrderedDictionary<String, String>
        /// Full image references to tag the result with (`registry/name:tag`).
        public var tags: [String]
        /// Build arguments (`--build-arg NAME=value`): a matrix version's dependency versions and values.
        public var args: OrderedDictionary<String, String>
        /// The Containerfile stage to build (`--target`); nil builds the last stage.
        public var stage: String?
        /// Platforms to build for (`linux/amd64`, `linux/arm64`).
        public var platforms: [String]
        /// Caches to read layers from (`--cache-from`).
        public var cacheFrom: [Cache]
        /// Caches to write layers to (`--cache-to`).
        public var cacheTo: [Cache]
        /// Outputs (`--output`); the plan never sets any (the engine's default applies).
        public var outputs: [String]
        /// Build secrets taken from environment variables (`--secret`).
        public var secrets: [Secret]

        public init(context: String, dockerfile: String, labels: OrderedDictionary<String, String> = [:], tags: [String] = [],
                    args: OrderedDictionary<String, String> = [:], stage: String? = nil, platforms: [String],
                    cacheFrom: [Cache] = [], cacheTo: [Cache] = [], outputs: [String] = [], secrets: [Secret] = []) {
            self.context = context
            self.dockerfile = dockerfile
            self.labels = labels
            self.tags = tags
            self.args = args
            self.stage = stage
            self.platforms = platforms
            self.cacheFrom = cacheFrom
            self.cacheTo = cacheTo
            self.outputs = outputs
            self.secrets = secrets
        }

        enum CodingKeys: String, CodingKey {
            case context, dockerfile, labels, tags, args, stage = "target", platforms
            case cacheFrom = "cache-from", cacheTo = "cache-to", outputs = "output", secrets = "secret"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(context, forKey: .context)
            try c.encode(dockerfile, forKey: .dockerfile)
            try c.encodeObject(labels, forKey: .labels)
            try c.encode(tags, forKey: .tags)
            try c.encodeObject(args, forKey: .args)
            try c.encodeIfPresent(stage, forKey: .stage)
            try c.encode(platforms, forKey: .platforms)
            if !cacheFrom.isEmpty { try c.encode(cacheFrom, forKey: .cacheFrom) }
            if !cacheTo.isEmpty { try c.encode(cacheTo, forKey: .cacheTo) }
            if !outputs.isEmpty { try c.encode(outputs, forKey: .outputs) }
            if !secrets.isEmpty { try c.encode(secrets, forKey: .secrets) }
        }
    }

    /// A build cache location (`type=registry,ref=…[,mode=max,…]`).
    public struct Cache: Sendable, Equatable, Encodable {
        /// The cache backend; the plan uses `registry`.
        public var type: String
        /// The cache image reference (`ghcr.io/posit-dev/connect/cache:2026.03.1-ubuntu-24.04-std`).
        public var ref: String
        /// `max` exports every layer, including intermediate stages (cache-to only).
        public var mode: String?
        /// Layer compression of the exported cache (cache-to only).
        public var compression: String?
        /// `"true"`: export with OCI media types (cache-to only; bake takes it as a string).
        public var ociMediaTypes: String?

        enum CodingKeys: String, CodingKey {
            case type, ref, mode, compression, ociMediaTypes = "oci-mediatypes"
        }

        /// Reading the cache from a registry image.
        public static func registryImport(ref: String) -> Cache {
            Cache(type: "registry", ref: ref, mode: nil, compression: nil, ociMediaTypes: nil)
        }

        /// Writing every layer to a registry image, zstd-compressed with OCI media types.
        public static func registryExport(ref: String) -> Cache {
            Cache(type: "registry", ref: ref, mode: "max", compression: "zstd", ociMediaTypes: "true")
        }
    }

    /// A build secret (`--secret type=env,id=…,env=…`): the value of an environment variable, mounted under an id.
    public struct Secret: Sendable, Equatable, Encodable {
        /// The secret source; the plan uses `env`.
        public var type: String
        /// The id a `RUN --mount=type=secret,id=…` refers to.
        public var id: String
        /// The environment variable holding the value.
        public var env: String

        public static func environment(id: String, variable: String) -> Secret {
            Secret(type: "env", id: id, env: variable)
        }
    }

    /// Groups by name: `default` (every target) first, then one per image name and one per
    /// variant name, in the order first seen.
    public var groups: OrderedDictionary<String, Group>
    /// Targets by UID, in output order.
    public var targets: OrderedDictionary<String, Target>

    public init(groups: OrderedDictionary<String, Group> = [:], targets: OrderedDictionary<String, Target> = [:]) {
        self.groups = groups
        self.targets = targets
    }

    enum CodingKeys: String, CodingKey {
        case groups = "group", targets = "target"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeObject(groups, forKey: .groups)
        try c.encodeObject(targets, forKey: .targets)
    }

    /// The plan as ordered JSON, ready for `text(.plan)`.
    public func json() throws -> JSONValue {
        try JSONValueEncoder().encode(self)
    }

    /// Adds `uid` to the group `name`, creating the group after the existing ones.
    mutating func add(_ uid: String, toGroup name: String) {
        groups[name, default: Group(targets: [])].targets.append(uid)
    }

    /// The plan for `targets` (already in output order). `facts` is keyed by target context and must
    /// hold every target's context; a missing one is a `BakeryError` (`.invalidArgument`).
    public static func make(_ targets: [ImageTarget], facts: [String: ProjectFacts], options: PlanOptions, tagger: Tagger,
                            created: String) throws -> BakePlan {
        var plan = BakePlan(groups: ["default": Group(targets: [])])
        for target in targets {
            let uid = target.uid
            guard let fact = facts[target.context] else {
                throw BakeryError(.invalidArgument, "no repository facts for the project '\(target.context)' of target '\(uid)'",
                                  location: target.version.location,
                                  hint: "pass the facts of every project the targets come from (Workspace.facts())")
            }
            plan.add(uid, toGroup: "default")
            plan.add(uid, toGroup: target.image.name)
            if let variant = target.variant { plan.add(uid, toGroup: variant.name) }

            var entry = Target(context: target.context, dockerfile: target.containerfile, platforms: target.platforms)
            for label in Labels.labels(for: target, repository: fact.repository, revision: fact.revision, created: created) {
                entry.labels[label.key] = label.value
            }
            if let temp = options.tempRegistry {
                entry.tags = ["\(temp)/\(target.image.name)/tmp"]
            } else {
                entry.tags = try tagger.tags(for: target)
            }
            for arg in target.buildArgs { entry.args[arg.key] = arg.value }
            entry.stage = target.buildStage
            if let cache = options.cacheRegistry {
                let ref = target.cacheReference(registry: cache, platforms: options.platforms.isEmpty ? target.platforms : options.platforms)
                entry.cacheFrom = [.registryImport(ref: ref)]
                if options.push { entry.cacheTo = [.registryExport(ref: ref)] }
            }
            entry.secrets = target.image.buildSecrets.filter { !(options.environment[$0.envVar] ?? "").isEmpty }
                .map { .environment(id: $0.id, variable: $0.envVar) }
            plan.targets[uid] = entry
        }
        return plan
    }

    /// What `--summary` counts: targets, platform builds and registry tags.
    public struct Counts: Sendable, Equatable {
        public var targets: Int
        public var platformBuilds: Int
        public var tags: Int
    }

    /// The plan's counts. `platforms`, when not empty, replaces each target's platform list (a
    /// build with `--image-platform` builds only those).
    public func counts(platforms: [String] = []) -> Counts {
        var builds = 0, tags = 0
        for target in targets.values {
            builds += platforms.isEmpty ? target.platforms.count : platforms.count
            tags += target.tags.count
        }
        return Counts(targets: targets.count, platformBuilds: builds, tags: tags)
    }
}
