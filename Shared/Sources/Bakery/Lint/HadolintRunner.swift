// Running hadolint on each Containerfile through CommandRunner, writing the results files and the SARIF log.
import Foundation
import Logging

/// Runs hadolint on each job, one after the other, through `CommandRunner`.
///
///     let runner = HadolintRunner(executable: location.executable, root: workspace.root)
///     let report = await runner.run(jobs, results: try ResultsDirectory.prepare(tool: "hadolint", projectRoot: root), logger: logger)
public struct HadolintRunner: Sendable {
    /// hadolint, as `ToolLocator` found it.
    public var executable: String
    /// The project (or workspace) root: results and SARIF paths are relative to it.
    public var root: URL
    /// `-v`: hadolint gets `--verbose`, and its standard error is logged at debug level.
    public var verbose = false
    public var runner = CommandRunner()
    /// How long one Containerfile may take.
    public var timeout: Duration = .seconds(300)

    public init(executable: String, root: URL, verbose: Bool = false) {
        self.executable = executable
        self.root = root
        self.verbose = verbose
    }

    /// The `ChildCommand` for one job: argv as the reference builds it, environment inherited.
    public func command(for job: HadolintJob) -> ChildCommand {
        var command = ChildCommand(executable, job.options.hadolintArguments(containerfile: job.containerfileURL.path, verbose: verbose))
        command.timeout = timeout
        command.stopsProcessGroup = true
        return command
    }

    /// `2.15.1` from `hadolint --version` ("Haskell Dockerfile Linter 2.15.1"); nil when it says nothing usable.
    public func version() async -> String? {
        var command = ChildCommand(executable, ["--version"])
        command.timeout = .seconds(20)
        command.stopsProcessGroup = true
        command.outputLimit = 64 << 10
        guard let output = try? await runner.run(command), output.succeeded else { return nil }
        return Self.version(from: output.stdout)
    }

    static func version(from text: String) -> String? {
        for word in text.split(whereSeparator: \.isWhitespace).reversed() {
            var w = Substring(word)
            if w.hasPrefix("v") { w = w.dropFirst() }
            if let first = w.first, first.isASCII, first.isNumber,
               w.allSatisfy({ $0.isASCII && ($0.isNumber || $0.isLetter || $0 == "." || $0 == "-" || $0 == "+") }) {
                return String(w)
            }
        }
        return nil
    }

    /// Lints every job in order, writes each one's JSON to `results/hadolint/<image>/<uid>.json`
    /// and, at the end, the combined SARIF file. Stops early (with `interrupted`) when the task is
    /// cancelled; the hadolint that was running is stopped.
    public func run(_ jobs: [HadolintJob], results: ResultsDirectory, logger: Logger) async -> HadolintReport {
        var report = HadolintReport()
        report.hadolintVersion = await version()
        for job in jobs {
            if Task.isCancelled { report.interrupted = true; break }
            guard let entry = await lint(job, results: results, logger: logger) else {
                report.interrupted = true
                break
            }
            report.entries.append(entry)
        }
        if report.interrupted { return report }
        let sarif = HadolintSARIF.make(report, root: root)
        do {
            report.sarifFile = try results.write(Data((sarif.text(.pretty) + "\n").utf8), named: "hadolint.sarif")
            if let url = report.sarifFile { logger.info("Writing SARIF report to \(url.path)") }
        } catch {
            logger.error("\(error.description)")
            report.sarifFailure = error
        }
        return report
    }

    /// One Containerfile; nil when the run was interrupted.
    func lint(_ job: HadolintJob, results: ResultsDirectory, logger: Logger) async -> HadolintReport.Entry? {
        let display = job.display
        logger.info("=== Running hadolint for '\(display)'\(job.isShared ? " (shared by \(job.targets.count) targets)" : "") ===")
        func failed(_ reason: String?, _ output: CommandOutput? = nil, commandLine: String?) -> HadolintReport.Entry {
            HadolintReport.Entry(job: job, outcome: .failed(HadolintExecutionFailure(
                display: display, reason: reason, termination: output?.termination,
                standardOutput: output?.stdout ?? "", standardError: output?.stderr ?? "", commandLine: commandLine)))
        }
        // hadolint reads what it is given: a missing file or a FIFO (which would block it) is reported, not run.
        switch RegularFile.kind(job.containerfileURL.path) {
        case .regular: break
        case .missing:
            logger.error("Containerfile '\(job.containerfile)' for image '\(display)' does not exist")
            return failed("the Containerfile '\(job.containerfile)' does not exist (render the version's files with `bakery update files`, or check the image's OS and variant extensions)",
                          commandLine: nil)
        case let kind:
            logger.error("Containerfile '\(job.containerfile)' for image '\(display)' is \(kind.words)")
            return failed("the Containerfile '\(job.containerfile)' is \(kind.words), not a regular file", commandLine: nil)
        }
        let command = command(for: job)
        logger.debug("Running \(command.commandLine)")
        let output: CommandOutput
        do {
            output = try await runner.run(command)
        } catch {
            if error.code == .interrupted || Task.isCancelled { return nil }
            logger.error("hadolint execution failed for image '\(display)': \(error.message)")
            return failed(error.message, commandLine: command.commandLine)
        }
        if verbose {
            for line in output.stderr.split(whereSeparator: \.isNewline) { logger.debug("hadolint: \(line)") }
        }
        switch HadolintOutput.parse(output.standardOutput) {
        case .failure(let problem):
            logger.error("Failed to decode JSON output from hadolint for image '\(display)': \(problem.reason)")
            switch output.termination {
            case .exited(0): break
            case .exited(let code): logger.error("hadolint for image '\(display)' exited with code \(code)")
            case .signaled(let signal): logger.error("hadolint for image '\(display)' was killed by signal \(signal)")
            }
            return failed(output.succeeded ? "hadolint exited 0 but its output is not its JSON: \(problem.reason)" : nil, output,
                          commandLine: command.commandLine)
        case .success(let parsed):
            let url: URL
            do {
                url = try results.write(parsed.resultsFileData, image: job.target.image.name, uid: job.target.uid, ext: "json")
            } catch {
                logger.error("\(error.description)")
                return failed(error.description, output, commandLine: command.commandLine)
            }
            logger.info("Writing results to \(url.path)")
            if output.succeeded {
                logger.info("hadolint passed for '\(display)'")
            } else {
                logger.warning("hadolint found issues for '\(display)'")
            }
            return HadolintReport.Entry(job: job, outcome: .linted(findings: parsed.findings, termination: output.termination, resultsFile: url))
        }
    }
}
