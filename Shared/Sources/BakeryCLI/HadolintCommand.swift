// `bakery hadolint run`: lints the selected targets' Containerfiles with hadolint.
import ArgumentParser
import Bakery
import Foundation
import Logging

/// `bakery hadolint`: the group (its only command is `run`).
struct HadolintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hadolint",
        abstract: "Lint Containerfiles with hadolint.",
        subcommands: [HadolintRunCommand.self])
}

struct HadolintRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run hadolint against the Containerfiles of the selected image targets.",
        discussion: """
        Each Containerfile is linted once (targets sharing one, such as a matrix's rows, are linted together) \
        with the options given here over the image's (and variant's) `hadolint` tool options in bakery.yaml; \
        the failure threshold defaults to error and the ignored rules to DL3008, DL3018, DL3033, DL3037, DL3041. \
        hadolint is found through HADOLINT_PATH, else PATH, else <context>/tools/hadolint. \
        results/hadolint/ is emptied, then holds <image>/<uid>.json per Containerfile (hadolint's JSON) and \
        hadolint.sarif (SARIF 2.1.0, for code scanning). \
        Exit status: 0 when hadolint passed every Containerfile, 1 when it reported issues at or above the failure \
        threshold, failed to run, or the input is invalid, 2 usage error, 130 interrupted.
        """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var filters: ImageFilterOptions
    @OptionGroup var selection: VersionSelectionOptions

    @Flag(help: "Only the versions marked latest: true.")
    var latest = false

    @Option(help: ArgumentHelp("Exit with failure if any rule at or above this severity is violated: error, warning, info, style, ignore or none (default: error).",
                               valueName: "severity"))
    var failureThreshold: String?

    @Option(help: ArgumentHelp("A rule code to ignore (repeatable); replaces bakery.yaml's list.", valueName: "rule"))
    var ignore: [String] = []

    @Option(help: ArgumentHelp("A label to require, as name:type (repeatable; the type defaults to text).", valueName: "name[:type]"))
    var requireLabel: [String] = []

    @Flag(help: "Let hadolint exit 0 even when rules are violated.")
    var noFail = false

    @Option(help: ArgumentHelp("A rule code to treat as an error (repeatable).", valueName: "rule"))
    var error: [String] = []

    @Option(help: ArgumentHelp("A rule code to treat as a warning (repeatable).", valueName: "rule"))
    var warning: [String] = []

    @Option(help: ArgumentHelp("A rule code to treat as info (repeatable).", valueName: "rule"))
    var info: [String] = []

    @Option(help: ArgumentHelp("A rule code to treat as style (repeatable).", valueName: "rule"))
    var style: [String] = []

    @Flag(help: "Require labels to match the label schema.")
    var strictLabels = false

    @Flag(help: "Ignore inline `# hadolint ignore=` comments.")
    var disableIgnorePragma = false

    @Option(help: ArgumentHelp("A trusted registry for FROM images (repeatable).", valueName: "registry"))
    var trustedRegistry: [String] = []

    func validate() throws {
        if let failureThreshold, !HadolintOptions.thresholds.contains(failureThreshold) {
            throw ValidationError("Invalid value for '--failure-threshold': '\(failureThreshold)' is not one of \(HadolintOptions.thresholds.map { "'\($0)'" }.joined(separator: ", ")).")
        }
        for label in requireLabel where HadolintOptions.requiredLabel(label) == nil {
            throw ValidationError("Invalid value for '--require-label': '\(label)' has no label name (write name or name:type).")
        }
        for (name, rules) in [("ignore", ignore), ("error", error), ("warning", warning), ("info", info), ("style", style),
                              ("trusted-registry", trustedRegistry)] {
            if let bad = rules.first(where: { $0.isEmpty || $0.hasPrefix("-") }) {
                throw ValidationError("Invalid value for '--\(name)': '\(bad)' (a rule code or registry name cannot be empty or start with '-').")
            }
        }
    }

    /// The command line's hadolint options; nil fields were not given (bakery.yaml's apply).
    var overrides: HadolintOptions {
        var o = HadolintOptions()
        o.failureThreshold = failureThreshold
        if !ignore.isEmpty { o.ignored = ignore }
        if !requireLabel.isEmpty { o.labelSchema = requireLabel.compactMap(HadolintOptions.requiredLabel) }
        if noFail { o.noFail = true }
        if !(error.isEmpty && warning.isEmpty && info.isEmpty && style.isEmpty) {
            o.override = ["error": error, "warning": warning, "info": info, "style": style]
        }
        if strictLabels { o.strictLabels = true }
        if disableIgnorePragma { o.disableIgnorePragma = true }
        if !trustedRegistry.isEmpty { o.trustedRegistries = trustedRegistry }
        return o
    }

    func run() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filters.apply(to: &filter)
        filter.latest = latest
        selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)
        guard !run.targets.isEmpty else {
            let described = filter.description
            Console.stderr("❌ No image targets to lint\(described.isEmpty ? "" : " matching \(described)"). Check the --image-name, --image-version, --image-variant and --image-os filters along with the --dev-versions and --matrix-versions selection.")
            throw ExitCode(1)
        }
        // Development versions are linted in their `.dev-*` folders, rendered for this run and removed after it.
        let ephemeral = try run.renderEphemeralFolders(logger: logger)
        defer { ephemeral.remove(log: TargetLog(forwardingTo: logger)) }
        let root = run.workspace.root
        let hadolint: ToolLocator.Location
        let results: ResultsDirectory
        do {
            hadolint = try ToolLocator.locate("hadolint", projectRoot: root)
            if case .environment(let variable) = hadolint.source, hadolint.executable.contains("/"),
               RegularFile.kind(hadolint.executable) != .regular || access(hadolint.executable, X_OK) != 0 {
                throw BakeryError(.commandNotFound, "\(variable) is set to '\(hadolint.executable)', which is not an executable file",
                                  hint: "point \(variable) at the hadolint binary, or unset it to use the one on PATH")
            }
            results = try ResultsDirectory.prepare(tool: "hadolint", projectRoot: root)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let jobs = HadolintJob.jobs(for: run.targets.sortedForOutput(), root: root, cli: overrides)
        let runner = HadolintRunner(executable: hadolint.executable, root: root, verbose: options.verbose)
        let report = SignalCancellation.run { await runner.run(jobs, results: results, logger: logger) }
        // The table and the verdict are the command's result: printed even with --quiet, as the reference does.
        Console.stderr(report.tableLines().joined(separator: "\n"))
        Console.stderr(report.detailLines().joined(separator: "\n"))
        if report.interrupted { throw ExitCode(130) }
        if !report.succeeded { throw ExitCode(1) }
    }
}
