// A container started for testing (`<engine> run -d`), probed with `exec`, stopped and removed at the end.
import Foundation
import Goss

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
