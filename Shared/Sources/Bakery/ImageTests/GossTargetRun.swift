// Testing one target: start its container, wait until the suite passes (or the wait runs out), evaluate, clean up.
// Or, with `--runner dgoss`, run a real dgoss with the reference's exact argv and read its JSON.
import Foundation
import Goss

/// Runs one target's tests.
public struct GossTargetRun: Sendable {
    public var setup: GossTargetSetup
    public var engine: TestEngine
    public var runner = CommandRunner()
    /// Leave the container running at the end (`--no-clean`), to inspect it.
    public var keepContainer = false
    public var progress: @Sendable (GossTargetPhase) -> Void = { _ in }

    public init(setup: GossTargetSetup, engine: TestEngine) {
        self.setup = setup
        self.engine = engine
    }

    /// Tests with the built-in runner, bounded by the goss option `timeout` (seconds; 0: none).
    public func runBuiltin() async -> GossTargetResult {
        let started = ContinuousClock.now
        let timeout = setup.options.timeout
        let outcome: (GossTargetOutcome, [String])
        if timeout > 0 {
            let bounded = await withTaskGroup(of: (GossTargetOutcome, [String])?.self) { group in
                group.addTask { await self.builtin() }
                group.addTask {
                    try? await Task.sleep(for: .seconds(timeout))
                    return nil
                }
                var first = await group.next() ?? nil
                // Cancelled (Ctrl-C), the timer ends at once with nil: that is not a timeout, the tests' own outcome is.
                if first == nil && Task.isCancelled { first = await group.next() ?? nil }
                group.cancelAll()
                return first
            }
            outcome = bounded ?? (.executionError("goss tests timed out for image '\(setup.target.display)' after \(timeout)s",
                                                  details: ["the goss option `timeout` is \(timeout)s; raise it in bakery.yaml (tool options of goss) if the tests need longer"]), [])
        } else {
            outcome = await builtin()
        }
        let result = GossTargetResult(setup: setup, outcome: outcome.0, seconds: (ContinuousClock.now - started).seconds, warnings: outcome.1)
        progress(.finished(result))
        return result
    }

    private func builtin() async -> (GossTargetOutcome, [String]) {
        progress(.starting)
        let container: TestContainer
        do {
            container = try await TestContainer.start(engine: engine, arguments: setup.runArguments(), secrets: setup.secretValues, runner: runner)
        } catch {
            return (.executionError("the container for '\(setup.target.display)' did not start: \(error.message)",
                                    details: (error.hint.map { ["  - Error output:", $0] } ?? [])), [])
        }
        let result = await test(in: container)
        if keepContainer { progress(.kept(containerID: container.id)) } else { await container.remove() }
        return result
    }

    private func test(in container: TestContainer) async -> (GossTargetOutcome, [String]) {
        let probe = ContainerProbe(container: container)
        let display = setup.target.display
        do {
            let environment = try await probe.environment()
            let loader = GossLoader(environment: environment, readFile: { path in try await probe.readFile(path) })
            let gossfile: Gossfile
            do { gossfile = try await loader.load(path: setup.gossfile.path) } catch {
                return (.executionError("goss could not read the tests of '\(display)': \(Self.relative(error, root: setup.projectRoot))",
                                        details: ["goss would exit 78 here: fix the gossfile, then run the command again"]), [])
            }
            let validator = GossValidator(probe: probe)
            if FileManager.default.fileExists(atPath: setup.waitFile.path) {
                let waitFile: Gossfile
                do { waitFile = try await loader.load(path: setup.waitFile.path) } catch {
                    return (.executionError("goss could not read goss_wait.yaml of '\(display)': \(Self.relative(error, root: setup.projectRoot))", details: []), [])
                }
                let wait = try await validator.validate(waitFile, retryTimeout: .seconds(30), sleep: .seconds(1),
                                                        shouldContinue: { await container.isRunning() })
                if wait.report.failedCount > 0 {
                    return (.executionError("goss_wait.yaml never passed for '\(display)'", details: await logDetails(container)), gossfile.warnings)
                }
            }
            guard await container.isRunning() else {
                return (.executionError("the container failed to start for '\(display)': it exited before the tests", details: await logDetails(container)), gossfile.warnings)
            }
            let progress = self.progress
            progress(.evaluating)
            // The goss option `wait` is a readiness budget: the suite is retried (1 s apart) until it passes or the
            // budget runs out, instead of one blind sleep of that length.
            let waitSeconds = setup.options.wait
            let run = try await validator.validate(gossfile, retryTimeout: .seconds(waitSeconds), sleep: .seconds(1),
                                                   shouldContinue: { await container.isRunning() },
                                                   attempt: { number, report in
                                                       if waitSeconds > 0 && report.failedCount > 0 { progress(.waiting(attempt: number + 1)) }
                                                   })
            return (.tested(run.report, attempts: run.attempts), gossfile.warnings)
        } catch let error as BakeryError {
            return (.executionError("goss tests could not run for image '\(display)': \(error.message)", details: await logDetails(container)), [])
        } catch is CancellationError {
            return (.executionError("goss tests for image '\(display)' were interrupted", details: []), [])
        } catch {
            return (.executionError("goss tests could not run for image '\(display)': \(error)", details: await logDetails(container)), [])
        }
    }

    private func logDetails(_ container: TestContainer) async -> [String] {
        let logs = await container.logs(tail: 20)
        guard !logs.isEmpty else { return [] }
        return ["  - Container output:"] + logs.split(separator: "\n", omittingEmptySubsequences: false).suffix(20).map { "    \($0)" }
    }

    static func relative(_ error: GossError, root: URL) -> String {
        var error = error
        if let file = error.file, file.hasPrefix(root.path + "/") { error.file = String(file.dropFirst(root.path.count + 1)) }
        return error.description
    }

    // MARK: dgoss

    /// Tests with a real dgoss: the reference's argv and environment, its stdout read as goss JSON.
    public func runDgoss(dgoss: String, gossPath: String?) async -> GossTargetResult {
        let started = ContinuousClock.now
        progress(.starting)
        var command = ChildCommand(dgoss, arguments: setup.dgossArguments.map { value in
            setup.secretValues.contains { !$0.isEmpty && value.contains($0) } ? CommandValue.secret(value) : CommandValue(value)
        }, workingDirectory: setup.projectRoot)
        for (key, value) in setup.dgossEnvironment(gossPath: gossPath) { command.environment[key] = CommandValue(value) }
        command.timeout = setup.options.timeout > 0 ? .seconds(setup.options.timeout) : .seconds(365 * 24 * 3600)
        command.gracePeriod = .seconds(10)
        command.stopsProcessGroup = true
        command.outputLimit = 256 << 20
        let display = setup.target.display
        let outcome: GossTargetOutcome
        do {
            let output = try await runner.run(command)
            // A check may print the GitHub token (an `env` command); dgoss passes goss's output on as it is.
            let text = SecretMask(values: setup.secretValues)(output.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            if let report = GossReportJSON.parse(text) {
                outcome = .tested(report, attempts: 1)
            } else {
                // The reference prints Python's returncode: the exit status, or minus the signal.
                let code: Int32 = switch output.termination { case .exited(let c): c; case .signaled(let s): -s }
                var details = ["  - Exit code: \(code)"]
                let out = output.stdout.split(separator: "\n").prefix(10)
                if !out.isEmpty { details += ["  - Command output:"] + out.map { "    \($0)" } }
                let err = output.stderr.split(separator: "\n").prefix(50)
                if !err.isEmpty { details += ["  - Error output:"] + err.map { "    \($0)" } }
                details.append("  - Command executed: \(output.commandLine)")
                outcome = .executionError("dgoss execution failed for image '\(display)'", details: details)
            }
        } catch let error where error.code == .commandTimedOut {
            outcome = .executionError("dgoss execution timed out for image '\(display)' after \(setup.options.timeout)s", details: [])
        } catch {
            outcome = .executionError("dgoss execution failed for image '\(display)'", details: ["  - \(error.message)"])
        }
        let result = GossTargetResult(setup: setup, outcome: outcome, seconds: (ContinuousClock.now - started).seconds)
        progress(.finished(result))
        return result
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
