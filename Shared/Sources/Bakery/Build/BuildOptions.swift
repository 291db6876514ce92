// What `bakery build` was asked to do, beyond which targets: strategy, engine, and the build flags.
import Foundation

/// How a build runs: one `docker buildx bake` over the whole plan, or one engine build per target.
public enum BuildStrategy: String, Sendable, CaseIterable {
    case bake, build
}

/// Which engine builds the targets of the `build` strategy (`--engine`).
public enum EngineChoice: String, Sendable, CaseIterable {
    /// buildx when `docker buildx version` works, else podman, else buildah.
    case auto, docker, podman, buildah
}

/// The flags of `bakery build` that shape how targets are built, with the reference's defaults.
public struct BuildOptions: Sendable {
    public var failFast = false
    /// Extra attempts after a failure (`--retry N`).
    public var retries = 0
    /// The pause before a retry (the reference waits 5 s).
    public var retryDelay: Duration = .seconds(5)
    /// Targets built at the same time (build strategy).
    public var jobs = 4
    public var load = true
    public var push = false
    public var pull = false
    public var cache = true
    /// Remove the temporary plan file and the run folder (logs, per-target metadata) when done.
    public var clean = true
    public var cacheRegistry: String?
    public var tempRegistry: String?
    /// `--image-platform` values: when given, every target builds for exactly these.
    public var platforms: [String] = []
    /// Where the build metadata (buildx's shape, keyed by target UID) is written.
    public var metadataFile: URL?
    /// `-q`: no child output on the terminal (it still goes to each target's log file).
    public var quiet = false
    /// Environment the build runs in: build secrets are looked up here.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// `--skip-unchanged`: record each target's input digest as a label, and skip the targets whose
    /// destination tags already hold an image with that digest (see `UnchangedTargets`).
    public var skipUnchanged = false
    /// The tags `--skip-unchanged` compares with, by target UID, when they are not the plan's (with
    /// `--temp-registry` the plan pushes to the temporary name; the published image is at the real tags).
    public var destinationTags: [String: [String]] = [:]
    /// Longest a single engine command may run.
    public var commandTimeout: Duration = .seconds(6 * 3600)

    public init() {}

    /// The platforms a target builds for: the CLI's when given, else its own.
    public func platforms(of target: BakePlan.Target) -> [String] {
        platforms.isEmpty ? target.platforms : platforms
    }

    /// The default worker count: `BAKERY_MAX_CONCURRENCY` when it is a positive number, else 4.
    public static func defaultJobs(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        if let text = environment["BAKERY_MAX_CONCURRENCY"], let n = Int(text.trimmingCharacters(in: .whitespaces)), n >= 1 {
            return n
        }
        return 4
    }
}
