// `bakery ci matrix`: the CI build matrix, optionally narrowed to what a change touched
// (the narrowing itself is Bakery's ChangeDetection; this file parses options and prints).
import ArgumentParser
import Bakery
import Foundation
import Logging

struct CICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Commands for CI pipelines.",
        subcommands: [CIMatrixCommand.self, CIPublishCommand.self, CIMergeCommand.self, CIReadmeCommand.self, CISummaryCommand.self])
}

struct CIMatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Print the CI matrix (one row per image version and platform) as one line of JSON.",
        discussion: """
        With --changed-files-from FILE (or - for stdin; paths relative to the project root) or \
        --base-ref REF (git diff against the merge base), only the versions a change affects are listed.
        """)

    enum Excluded: String, ExpressibleByArgument, CaseIterable { case version, dev, latest, platform }

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Only images whose name matches this regular expression.", valueName: "image-name"))
    var imageName: String?

    @OptionGroup var selection: VersionSelectionOptions

    @Option(help: ArgumentHelp("Only versions matching this version or version prefix.", valueName: "version"))
    var imageVersion: String?

    // Unconditional: `--recent -1` is a value to reject, not an unknown option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Only the N newest release versions of each image.", valueName: "n"))
    var recent: Int?

    @Option(help: ArgumentHelp("Leave a column out (repeatable).", valueName: "version|dev|latest|platform"))
    var exclude: [Excluded] = []

    @Option(help: ArgumentHelp("Only what changed since the merge base with REF (default: $BAKERY_BASE_REF).", valueName: "ref"))
    var baseRef: String?

    @Option(help: ArgumentHelp("Only what the listed files affect: one path per line, relative to the project root; - reads stdin.", valueName: "file"))
    var changedFilesFrom: String?

    func validate() throws {
        if let recent, recent < 1 { throw ValidationError("--recent must be at least 1.") }
    }

    func run() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filter.imageName = imageName
        filter.imageVersion = imageVersion
        filter.recent = recent
        selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)
        var targets = run.targets

        let base = baseRef ?? ProcessInfo.processInfo.environment["BAKERY_BASE_REF"].flatMap { $0.isEmpty ? nil : $0 }
        let detection = ChangeDetection(workspace: run.workspace)
        var change: ChangeSelection? = nil
        do {
            if let file = changedFilesFrom {
                if base != nil { logger.warning("--base-ref is ignored because --changed-files-from is set.") }
                change = detection.selection(forChangedPaths: try ChangeDetection.paths(listedIn: file))
            } else if let base {
                let report = try Blocking.wait { () async throws(BakeryError) -> ChangeDetection.Report in try await detection.report(since: base) }
                for warning in report.warnings { logger.warning("\(warning)") }
                change = report.selection
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        if let change {
            logger.info("Change-aware matrix: \(change.summary)")
            if let recent, let images = change.images {
                for (name, s) in images {
                    for v in s.versions.sorted() where !targets.contains(where: { $0.image.name == name && $0.version.name == v }) {
                        if run.workspace.projects.contains(where: { $0.loaded.config.image(named: name)?.versions.contains { $0.name == v } == true }) {
                            logger.warning("Version '\(v)' in image '\(name)' was modified in this changeset but is excluded by --recent \(recent). It will not be built.")
                        }
                    }
                }
            }
            targets = targets.filter(change.keeps)
        }
        let rows = CIMatrix.rows(targets, exclude: Set(exclude.compactMap { CIMatrix.Column(rawValue: $0.rawValue) }))
        if let imageVersion, case .array(let items) = rows, items.isEmpty {
            logger.error("No matrix entries matched --image-version '\(imageVersion)'")
            throw ExitCode(1)
        }
        TargetRun.emit(rows, .compact)
    }
}

/// `bakery ci summary`: merges `--summary-format json` files (one per platform or job of a CI run) into one
/// GitHub-flavoured Markdown report, e.g. for $GITHUB_STEP_SUMMARY. A file that cannot be read is reported and
/// skipped: the report is best effort on top of a build that passed.
struct CISummaryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary",
        abstract: "Merge build summary JSON files into one Markdown report.",
        discussion: """
        Files describing the same target (one per platform, say) are combined: platforms and sizes are added up.         A file that cannot be read or is not a summary is skipped with a warning.
        """)

    @Argument(help: ArgumentHelp("Summary files written by bakery build --summary --summary-format json.", valueName: "summary-file"))
    var files: [String]

    @Option(help: ArgumentHelp("The Markdown file to write (replaced).", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("A warning shown above the report (e.g. when a job upstream failed).", valueName: "text"))
    var disclaimer: String?

    /// Larger files are not build summaries.
    static let maximumFileSize = 64 << 20

    func validate() throws {
        if files.isEmpty { throw ValidationError("Name at least one summary file.") }
    }

    func run() throws {
        var summaries: [BuildSummary] = []
        for file in files {
            do throws(BakeryError) {
                let data = try RegularFile.read(file)
                guard data.count <= Self.maximumFileSize else {
                    throw BakeryError(.invalidArgument, "it is larger than \(Self.maximumFileSize >> 20) MB")
                }
                guard let text = String(data: data, encoding: .utf8), let json = JSONValue.parse(text) else {
                    throw BakeryError(.invalidArgument, "it is not JSON")
                }
                summaries.append(try BuildSummary(json: json))
            } catch {
                Console.stderr("⚠️  Skipping unreadable summary file '\(file)': \(error.message)")
            }
        }
        let report = BuildSummary.merged(summaries).markdown(disclaimer: disclaimer)
        do {
            try ReplacingWrite.write(Data(report.utf8), to: URL(fileURLWithPath: output), what: "the summary report")
        } catch {
            Console.stderr("❌ \(error.message)" + (error.hint.map { " (\($0))" } ?? ""))
            throw ExitCode(1)
        }
    }
}
