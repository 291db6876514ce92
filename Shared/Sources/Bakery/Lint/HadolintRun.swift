// `bakery hadolint run` in the domain: which Containerfiles to lint, running hadolint on each, what came of it.
import Foundation
import Logging

/// One Containerfile to lint and the targets built from it. Targets sharing a Containerfile (the
/// rows of a matrix) are linted once; the first target represents them.
public struct HadolintJob: Sendable {
    /// The representative target: its image, uid and display name name the results.
    public var target: ImageTarget
    /// Every selected target built from this Containerfile, the representative first.
    public var targets: [ImageTarget]
    /// The Containerfile relative to the project (or workspace) root, as reports show it.
    public var containerfile: String
    /// The Containerfile's absolute path, as hadolint is given it.
    public var containerfileURL: URL
    /// The options hadolint runs with (command line over bakery.yaml, then the defaults).
    public var options: HadolintOptions

    public var display: String { target.display }
    public var isShared: Bool { targets.count > 1 }

    /// The jobs for `targets` (in their order), one per distinct Containerfile, with the options
    /// of the command line (`cli`, nil fields not given) merged over each target's tool option.
    public static func jobs(for targets: [ImageTarget], root: URL, cli: HadolintOptions) -> [HadolintJob] {
        var jobs: [HadolintJob] = []
        var index: [String: Int] = [:]
        for target in targets {
            let relative = target.context == "." || target.context.isEmpty ? target.containerfile : "\(target.context)/\(target.containerfile)"
            let url = root.appendingPathComponent(relative).standardizedFileURL
            if let i = index[url.path] {
                jobs[i].targets.append(target)
                continue
            }
            index[url.path] = jobs.count
            let config: HadolintOptions?
            if case .hadolint(let o)? = ToolOptions.effective(tool: .hadolint, image: target.image.options, variant: target.variant?.options) {
                config = o
            } else {
                config = nil
            }
            jobs.append(HadolintJob(target: target, targets: [target], containerfile: relative, containerfileURL: url,
                                    options: HadolintOptions.effective(cli: cli, config: config)))
        }
        return jobs
    }
}

/// hadolint could not lint a Containerfile: it did not start, did not finish, or printed something
/// that is not its JSON while exiting unsuccessfully.
public struct HadolintExecutionFailure: Sendable {
    public var display: String
    /// What went wrong besides the exit code (a missing Containerfile, a time limit, unreadable output…).
    public var reason: String?
    public var termination: CommandOutput.Termination?
    public var standardOutput: String
    public var standardError: String
    public var commandLine: String?

    /// The report's block (reference §15.2, with the reason and standard error added):
    ///
    ///     hadolint execution failed for image 'ImageTarget(image='x', version='1.0.0')'
    ///       - Exit code: 3
    ///       - Command output:
    ///           this is not json
    ///       - Command executed: hadolint --format json … /abs/Containerfile
    public var reportText: String {
        var lines = ["hadolint execution failed for image '\(display)'"]
        if let reason { lines.append("  - Reason: \(reason)") }
        switch termination {
        case .exited(let code)?: lines.append("  - Exit code: \(code)")
        case .signaled(let signal)?: lines.append("  - Killed by signal: \(signal)")
        case nil: break
        }
        func block(_ title: String, _ text: String, limit: Int) {
            var body = Substring(text)
            while body.last?.isNewline == true { body = body.dropLast() }
            let all = body.isEmpty ? [] : body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
            var shown = Array(all.prefix(limit))
            while shown.last?.trimmingWhitespace.isEmpty == true { shown.removeLast() }
            guard !shown.isEmpty else { return }
            lines.append("  - \(title): ")
            lines += shown.map { "      " + $0 }
            if all.count > limit { lines.append("      … (\(all.count - limit) more lines)") }
        }
        block("Command output", standardOutput, limit: 10)
        block("Error output", standardError, limit: 50)
        if let commandLine { lines.append("  - Command executed: \(commandLine)") }
        return lines.joined(separator: "\n")
    }
}

/// What `bakery hadolint run` found, Containerfile by Containerfile.
public struct HadolintReport: Sendable {
    public enum Outcome: Sendable {
        /// hadolint ran and printed its JSON; its exit status says whether a finding reached the failure threshold.
        case linted(findings: [HadolintFinding], termination: CommandOutput.Termination, resultsFile: URL)
        case failed(HadolintExecutionFailure)
    }

    public struct Entry: Sendable {
        public var job: HadolintJob
        public var outcome: Outcome

        public var findings: [HadolintFinding] {
            if case .linted(let findings, _, _) = outcome { return findings }
            return []
        }

        /// hadolint ran and exited 0.
        public var passed: Bool {
            if case .linted(_, let termination, _) = outcome { return termination == .exited(0) }
            return false
        }

        public var executionFailure: HadolintExecutionFailure? {
            if case .failed(let failure) = outcome { return failure }
            return nil
        }
    }

    public var entries: [Entry] = []
    /// Ctrl-C or SIGTERM stopped the run (the entries are those finished before).
    public var interrupted = false
    /// `results/hadolint/hadolint.sarif`, once written.
    public var sarifFile: URL?
    /// Why the SARIF file could not be written (the run then fails).
    public var sarifFailure: BakeryError?
    /// hadolint's version (`hadolint --version`), when it said.
    public var hadolintVersion: String?

    public init() {}

    public var executionFailures: [HadolintExecutionFailure] { entries.compactMap(\.executionFailure) }
    /// Containerfiles where hadolint ran and exited non-zero (a finding at or above the threshold).
    public var failedLints: [Entry] { entries.filter { $0.executionFailure == nil && !$0.passed } }
    /// Exit 0: every Containerfile linted, hadolint exited 0 for each, and the SARIF file was written.
    public var succeeded: Bool { !interrupted && sarifFailure == nil && entries.allSatisfy(\.passed) }
}

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
