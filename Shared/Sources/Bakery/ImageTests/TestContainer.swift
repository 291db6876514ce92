// A container started for testing (`<engine> run -d`), probed with `exec`, stopped and removed at the end.
import Foundation
import Goss

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

/// One running test container.
public struct TestContainer: Sendable {
    public let engine: TestEngine
    public let id: String
    let runner: CommandRunner
    let secrets: [String]

    /// `<engine> run -d <arguments>`; the id it prints.
    public static func start(engine: TestEngine, arguments: [String], secrets: [String], runner: CommandRunner,
                             timeout: Duration = .seconds(300)) async throws(BakeryError) -> TestContainer {
        var command = ChildCommand(engine.rawValue, arguments: ["run", "-d"] + arguments.map { value in
            secrets.contains(where: { !$0.isEmpty && value.contains($0) }) ? CommandValue.secret(value) : CommandValue(value)
        })
        command.timeout = timeout
        command.maskedValues = secrets
        let output = try await runner.run(command)
        guard output.succeeded else {
            throw BakeryError(.commandFailed, "`\(output.commandLine)` ended with \(output.termination)",
                              hint: output.stderr.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "\n").suffix(5).joined(separator: "\n"))
        }
        let id = output.stdout.split(separator: "\n").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard !id.isEmpty else { throw BakeryError(.commandFailed, "`\(output.commandLine)` printed no container id") }
        return TestContainer(engine: engine, id: id, runner: runner, secrets: secrets)
    }

    /// Whether the container is still running.
    public func isRunning() async -> Bool {
        var command = ChildCommand(engine.rawValue, ["inspect", "-f", "{{.State.Running}}", id])
        command.timeout = .seconds(30)
        guard let output = try? await runner.run(command), output.succeeded else { return false }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "true"
    }

    /// The container's log (last lines), secrets masked.
    public func logs(tail: Int = 50) async -> String {
        var command = ChildCommand(engine.rawValue, ["logs", "--tail", String(tail), id])
        command.timeout = .seconds(30)
        command.maskedValues = secrets
        guard let output = try? await runner.run(command) else { return "" }
        return SecretMask(values: secrets)(output.stdout + output.stderr)
    }

    /// Stops and removes the container. Runs to its end even when the calling task is cancelled (Ctrl-C).
    public func remove() async {
        let engine = engine.rawValue, id = id, runner = runner
        await Task.detached {
            var command = ChildCommand(engine, ["rm", "-f", "-t", "1", id])
            if engine == "docker" { command = ChildCommand(engine, ["rm", "-f", id]) }
            command.timeout = .seconds(60)
            _ = try? await runner.run(command)
        }.value
    }
}

/// Runs goss's probe scripts in a running container: `<engine> exec <id> sh -c <script> sh <args…>`, no TTY, no -u.
public struct ContainerProbe: GossProbe {
    public let container: TestContainer

    public init(container: TestContainer) { self.container = container }

    public func shell(_ script: String, arguments: [String], timeout: Duration) async throws -> GossProbeOutput {
        let probe = ShellProbe(prefix: [container.engine.rawValue, "exec", container.id], runner: container.runner, secrets: container.secrets)
        return try await probe.shell(script, arguments: arguments, timeout: timeout)
    }
}

/// Runs probe scripts with `<prefix…> sh -c <script> sh <args…>`: in a container (`podman exec ID`), or on this
/// machine with an empty prefix.
public struct ShellProbe: GossProbe {
    public var prefix: [String]
    public var runner: CommandRunner
    public var secrets: [String]

    public init(prefix: [String] = [], runner: CommandRunner = CommandRunner(), secrets: [String] = []) {
        self.prefix = prefix
        self.runner = runner
        self.secrets = secrets
    }

    public func shell(_ script: String, arguments: [String], timeout: Duration) async throws -> GossProbeOutput {
        let argv = prefix + ["sh", "-c", script, "sh"] + arguments
        var command = ChildCommand(argv[0], Array(argv.dropFirst()))
        command.timeout = timeout
        command.gracePeriod = .seconds(2)
        command.outputLimit = 64 << 20
        command.errorLimit = 1 << 20
        command.maskedValues = secrets
        let attempt = await Self.run(command, runner: runner)
        let output: CommandOutput
        switch attempt {
        case .success(let finished): output = finished
        case .failure(let error) where error.code == .commandTimedOut:
            return GossProbeOutput(exitCode: -1, stdout: [], stderr: [], timedOut: true)
        case .failure(let error): throw error
        }
        let code: Int32
        switch output.termination {
        case .exited(let c): code = c
        case .signaled: code = -1
        }
        // The engine's own failures (container gone, cannot exec) are not the script's: goss would not have run at all.
        if !prefix.isEmpty && (code == 125 || ((code == 126 || code == 127) && Self.engineFailure(output.stderr))) {
            throw BakeryError(.commandFailed, "`\(output.commandLine)` failed: \(output.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return GossProbeOutput(exitCode: code, stdout: output.standardOutput, stderr: Array(output.stderr.utf8))
    }

    private static func run(_ command: ChildCommand, runner: CommandRunner) async -> Result<CommandOutput, BakeryError> {
        do { return .success(try await runner.run(command)) } catch { return .failure(error) }
    }

    static func engineFailure(_ stderr: String) -> Bool {
        let lower = stderr.lowercased()
        return lower.contains("oci runtime") || lower.contains("no such container") || lower.contains("is not running")
            || lower.contains("executable file not found") && lower.contains("\"sh\"")
    }
}
