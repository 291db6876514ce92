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
        subcommands: [CIMatrixCommand.self])
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
