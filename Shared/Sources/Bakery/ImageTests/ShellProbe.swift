// goss probes run as `<prefix…> sh -c <script> sh <args…>`: in a container, or on this machine.
import Foundation
import Goss

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
        // What the system prints can hold a secret it was given (GH_TOKEN in `env`, a config file): it would reach
        // failure texts and the results files, so both streams are masked like every other child's stderr.
        let mask = SecretMask(values: secrets)
        return GossProbeOutput(exitCode: code, stdout: mask.mask(output.standardOutput), stderr: Array(output.stderr.utf8))
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
