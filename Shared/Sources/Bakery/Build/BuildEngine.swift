// The container engines bakery builds with, and how `--engine auto` picks one.
import Foundation

/// A container engine and the way bakery drives it.
public enum BuildEngine: String, Sendable, Equatable, CaseIterable {
    /// `docker buildx build` (BuildKit through the buildx plugin): the reference's command.
    case buildx
    /// `docker build` with `DOCKER_BUILDKIT=1`, for a docker without the buildx plugin.
    case dockerBuild = "docker"
    /// `podman build`.
    case podman
    /// `buildah build`.
    case buildah

    /// The program run for this engine.
    public var executable: String {
        switch self {
        case .buildx, .dockerBuild: return "docker"
        case .podman: return "podman"
        case .buildah: return "buildah"
        }
    }

    /// How logs and messages name it.
    public var displayName: String {
        switch self {
        case .buildx: return "docker buildx"
        case .dockerBuild: return "docker build (BuildKit, no buildx)"
        case .podman: return "podman"
        case .buildah: return "buildah"
        }
    }

    /// Whether the engine keeps images in containers-storage (podman and buildah share it).
    var usesContainersStorage: Bool { self == .podman || self == .buildah }
}

/// What is installed: which engines could build here.
public struct EngineInventory: Sendable, Equatable {
    public var docker: Bool
    public var buildx: Bool
    public var podman: Bool
    public var buildah: Bool

    public init(docker: Bool, buildx: Bool, podman: Bool, buildah: Bool) {
        self.docker = docker
        self.buildx = buildx
        self.podman = podman
        self.buildah = buildah
    }

    /// Looks on PATH, and asks `docker buildx version` whether the buildx plugin works.
    /// `checkBuildx` false skips running `docker buildx version` (buildx is then reported missing):
    /// an explicit `--engine podman` or `buildah` build needs no docker at all.
    public static func probe(runner: CommandRunner = CommandRunner(), environment: [String: String] = ProcessInfo.processInfo.environment,
                             checkBuildx: Bool = true) async -> EngineInventory {
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        func onPath(_ name: String) -> Bool {
            path.split(separator: ":", omittingEmptySubsequences: false).contains { dir in
                CommandRunner.isExecutableFile((dir.isEmpty ? "." : String(dir)) + "/" + name)
            }
        }
        let docker = onPath("docker")
        var buildx = false
        if docker && checkBuildx {
            var command = ChildCommand("docker", ["buildx", "version"])
            command.timeout = .seconds(30)
            buildx = (try? await runner.run(command))?.succeeded ?? false
        }
        return EngineInventory(docker: docker, buildx: buildx, podman: onPath("podman"), buildah: onPath("buildah"))
    }

    /// Human list for messages: "docker (without buildx), podman".
    public var description: String {
        var found: [String] = []
        if docker { found.append(buildx ? "docker with buildx" : "docker (without buildx)") }
        if podman { found.append("podman") }
        if buildah { found.append("buildah") }
        return found.isEmpty ? "none (no docker, podman or buildah on PATH)" : found.joined(separator: ", ")
    }

    /// The engine for `choice`, or an error naming what is installed.
    public func engine(for choice: EngineChoice) throws(BakeryError) -> BuildEngine {
        switch choice {
        case .auto:
            if buildx { return .buildx }
            if podman { return .podman }
            if buildah { return .buildah }
            if docker { return .dockerBuild }
        case .docker:
            if buildx { return .buildx }
            if docker { return .dockerBuild }
        case .podman:
            if podman { return .podman }
        case .buildah:
            if buildah { return .buildah }
        }
        throw BakeryError(.commandNotFound, "no container engine for --engine \(choice.rawValue): engines found: \(description)",
                          hint: "install docker (with buildx), podman or buildah, or pick one that is installed with --engine")
    }
}
