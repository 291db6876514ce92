// Builds one target: the engine's commands in order, its log, retries, and its metadata.
import Foundation

/// Runs the commands of one target and reports what happened.
public struct TargetBuilder: Sendable {
    public var commands: EngineCommands
    public var runner: CommandRunner
    /// Where each target's log file goes.
    public var logFolder: URL
    public var observer: any BuildObserver
    /// Build secret values: masked in every line shown or logged.
    public var secretValues: [String]
    /// Whether to read the built image's digests after the build (`--metadata-file`, `--summary`).
    public var collectsMetadata: Bool

    public init(commands: EngineCommands, runner: CommandRunner = CommandRunner(), logFolder: URL, observer: any BuildObserver,
                secretValues: [String], collectsMetadata: Bool) {
        self.commands = commands
        self.runner = runner
        self.logFolder = logFolder
        self.observer = observer
        self.secretValues = secretValues
        self.collectsMetadata = collectsMetadata
    }

    /// Builds `job`, with up to `options.retries` more attempts after a failure, and returns the
    /// outcome. Never throws: an interruption is an outcome too.
    public func build(_ job: BuildJob) async -> TargetResult {
        let clock = ContinuousClock()
        let start = clock.now
        let options = commands.options
        let log = TargetLogFile(logFolder.appendingPathComponent("\(job.fileStem).log"))
        defer { log.close() }
        func result(_ status: TargetResult.Status, attempts: Int, metadata: JSONValue? = nil) -> TargetResult {
            TargetResult(uid: job.uid, display: job.display, status: status, attempts: attempts, duration: clock.now - start,
                         logFile: log.isOpen ? log.url : nil, metadata: metadata)
        }

        guard Self.isFile(job.containerfile.path) else {
            let message = "Containerfile not found for '\(job.display)' at expected path: \(job.containerfile.path)"
            log.write(message)
            return result(.failed(BuildFailure(message: message, command: nil, termination: nil, errorTail: "", retryable: false)), attempts: 0)
        }
        // `--retry` is any Int the user typed: Int.max more attempts must not overflow (a trap).
        let attempts = options.retries < Int.max ? max(1, options.retries + 1) : Int.max
        var attempt = 1
        while true {
            observer.handle(.started(uid: job.uid, display: job.display, attempt: attempt))
            log.write("# \(job.display), attempt \(attempt) of \(attempts), \(commands.engine.displayName)")
            do {
                let metadata = try await buildOnce(job, log: log)
                return result(.built, attempts: attempt, metadata: metadata)
            } catch let stop as Stopped {
                _ = stop
                log.write("# interrupted")
                return result(.interrupted, attempts: attempt)
            } catch let failure as FailedStep {
                log.write("# failed: \(failure.failure.message)")
                guard attempt < attempts, failure.failure.retryable else {
                    return result(.failed(failure.failure), attempts: attempt)
                }
                observer.handle(.retrying(uid: job.uid, display: job.display, attempt: attempt, attempts: attempts, delay: options.retryDelay))
                do { try await Task.sleep(for: options.retryDelay) } catch {
                    return result(.interrupted, attempts: attempt)
                }
                attempt += 1
            } catch {
                return result(.failed(BuildFailure(message: "Failed to build image '\(job.display)': \(error)", command: nil,
                                                   termination: nil, errorTail: "", retryable: false)), attempts: attempt)
            }
        }
    }

    /// Whether `path` is a regular file (after links, as the engine will read it).
    static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    struct Stopped: Error {}
    struct FailedStep: Error { var failure: BuildFailure }

    /// One attempt: prepare (best effort), build, publish, then metadata.
    func buildOnce(_ job: BuildJob, log: TargetLogFile) async throws -> JSONValue? {
        for step in commands.prepare(job) { _ = try await run(step, job, log: log, required: false) }
        let buildCommand = commands.build(job)
        let buildOutput = try await run(buildCommand, job, log: log, required: true)
        if commands.engine.usesContainersStorage, job.platforms.count <= 1, BuildMetadata.readTrimmed(commands.imageIDPath(job)) == nil {
            // Without the id, a push and the metadata (single platform) would fall back to a tag that another
            // target (or run) may hold.
            let message = "Failed to build image '\(job.display)': \(commands.engine.executable) exited 0 but wrote no image id to \(commands.imageIDPath(job).path)"
            log.write("# \(message)")
            throw FailedStep(failure: BuildFailure(message: message, command: Self.spaced(buildCommand), termination: buildOutput.termination,
                                                   errorTail: Self.tail(buildOutput.stderr), retryable: true))
        }
        var pushed: [String] = []
        for step in commands.publish(job) {
            let out = try await run(step, job, log: log, required: true)
            pushed.append(out.stdout)
        }
        var metadata: JSONValue?
        var metadataFailure: BuildFailure?
        if collectsMetadata {
            do {
                metadata = try await BuildMetadata.read(job, commands: commands, runner: runner, publishOutput: pushed,
                                                        buildOutput: buildOutput).map { BuildMetadata.cleaned($0, masking: secretValues) }
            } catch {
                // Ctrl-C while reading is an interruption, not a metadata problem.
                if Task.isCancelled || (error as? BakeryError)?.code == .interrupted { throw Stopped() }
                let message = "could not read the build metadata of '\(job.display)': \(error)"
                log.write("# \(message)")
                if commands.options.metadataFile != nil {
                    // Asked for with --metadata-file: a file without this target would pass as complete.
                    metadataFailure = BuildFailure(message: "Failed to build image '\(job.display)': \(message)", command: nil,
                                                   termination: nil, errorTail: "",
                                                   retryable: (error as? BakeryError)?.code != .commandNotFound)
                } else {
                    observer.handle(.warning(message))
                }
            }
        }
        if let unload = commands.unload(job) { _ = try await run(unload, job, log: log, required: false) }
        if let metadataFailure { throw FailedStep(failure: metadataFailure) }
        return metadata
    }

    /// Runs one command with its lines going to the log and the observer. `required`: a failure
    /// fails the attempt; otherwise it is only logged.
    func run(_ command: ChildCommand, _ job: BuildJob, log: TargetLogFile, required: Bool) async throws -> CommandOutput {
        var command = command
        command.maskedValues = secretValues
        let observer = self.observer
        let uid = job.uid
        command.lineHandler = { _, line in
            log.write(line)
            observer.handle(.output(uid: uid, line: line))
        }
        log.write("$ \(command.commandLine)")
        let output: CommandOutput
        do {
            output = try await runner.run(command)
        } catch where error.code == .interrupted {
            throw Stopped()
        } catch {
            if Task.isCancelled { throw Stopped() }
            if !required { log.write("# \(error.message)"); return CommandOutput(commandLine: command.commandLine, termination: .exited(127), standardOutput: [], standardError: []) }
            throw FailedStep(failure: BuildFailure(message: "Failed to build image '\(job.display)'", command: Self.spaced(command),
                                                   termination: nil, errorTail: error.message,
                                                   retryable: error.code != .commandNotFound))
        }
        if Task.isCancelled { throw Stopped() }
        guard output.succeeded else {
            log.write("# \(output.termination)")
            if !required { return output }
            throw FailedStep(failure: BuildFailure(message: "Failed to build image '\(job.display)'", command: Self.spaced(command),
                                                   termination: output.termination, errorTail: Self.tail(output.stderr), retryable: true))
        }
        return output
    }

    /// The command as the reference shows it: the executable and its arguments joined by spaces,
    /// secrets masked.
    static func spaced(_ command: ChildCommand) -> String {
        ([command.executable] + command.arguments.map { $0.isSecret ? "***" : $0.value }).joined(separator: " ")
    }

    /// The last few non-empty lines of a command's standard error.
    static func tail(_ text: String, lines: Int = 8) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).suffix(lines).joined(separator: "\n")
    }
}
