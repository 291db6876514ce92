// The engine that runs test containers, and how `auto` picks it.
import Foundation

/// The engine that runs test containers: docker or podman (buildah cannot keep a service running).
public enum TestEngine: String, Sendable, CaseIterable {
    case docker, podman

    /// `auto`: docker when it is on PATH and its daemon answers, else podman.
    public static func choose(_ choice: String, runner: CommandRunner = CommandRunner(),
                              searchPath: String? = ProcessInfo.processInfo.environment["PATH"]) async throws(BakeryError) -> TestEngine {
        switch choice.lowercased() {
        case "docker": return .docker
        case "podman": return .podman
        case "auto":
            let folders = (searchPath ?? "/usr/bin:/bin").split(separator: ":", omittingEmptySubsequences: false).map { $0.isEmpty ? "." : String($0) }
            func onPath(_ name: String) -> Bool { folders.contains { CommandRunner.isExecutableFile("\($0)/\(name)") } }
            if onPath("docker") {
                var probe = ChildCommand("docker", ["info", "--format", "{{.ServerVersion}}"])
                probe.timeout = .seconds(15)
                if let output = try? await runner.run(probe), output.succeeded { return .docker }
            }
            if onPath("podman") { return .podman }
            throw BakeryError(.commandNotFound, "no container engine to run the tests: podman is not on PATH and docker is missing or its daemon does not answer",
                              hint: "install podman (or start docker), or pass --engine with the one you have")
        default:
            throw BakeryError(.invalidArgument, "Invalid value for '--engine': '\(choice)' is not one of 'auto', 'docker', 'podman'.")
        }
    }
}
