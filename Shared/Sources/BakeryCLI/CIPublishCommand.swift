// `bakery ci publish` / `ci merge` and `bakery imagetools merge`: per-platform images from build metadata merged into
// multi-platform indexes and copied to every tag, through bakery's own registry client (no oras).
import ArgumentParser
import Bakery
import Foundation
import Logging
import OCIRegistry

/// The options `ci publish`, `ci merge` and `imagetools merge` share.
struct PublishInputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Build metadata files written by `bakery build --metadata-file` (one per platform); * ? [ are expanded.", valueName: "metadata-file"))
    var metadataFiles: [String]

    @Option(help: ArgumentHelp("Only images whose name matches this regular expression.", valueName: "regex"))
    var imageName: String?

    @Option(help: ArgumentHelp("The registry the per-platform images and the temporary indexes are in (<registry>/<image>/tmp).", valueName: "registry"))
    var tempRegistry: String?

    @Flag(inversion: .prefixedNo, help: "Print the registry operations instead of doing them; no registry is contacted.")
    var dryRun = false

    @Option(help: ArgumentHelp("Only development versions of this release channel.", valueName: "release|preview|daily"))
    var devChannel: ReleaseChannel?
}

/// Loading and running, shared by the three commands.
enum PublishRun {
    /// The targets the metadata files name, in push order; exits 1 (after reporting every bad file) when a file
    /// cannot be read.
    static func targets(_ global: GlobalOptions, input: PublishInputOptions, logger: Logger,
                        invalidFiles: () -> Void = {}) throws -> [PublishTarget] {
        let files = expand(input.metadataFiles)
        logger.info("Reading targets from \(files.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", "))")
        var metadata: [BuildMetadataFile] = []
        var failed = false
        for file in files {
            do {
                try precheck(file)
                metadata.append(try BuildMetadataFile.load(URL(fileURLWithPath: file)))
            } catch {
                logger.error("Failed to load metadata from file '\(file)': \(error.message)")
                failed = true
            }
        }
        if failed {
            invalidFiles()
            throw ExitCode(1)
        }
        var filter = TargetFilter()
        filter.imageName = input.imageName
        filter.devVersions = .include
        filter.matrixVersions = .include
        filter.devChannel = input.devChannel
        let run = try TargetRun.load(global, filter: filter, logger: logger)
        let plan: BakePlan
        do {
            plan = try BakePlan.make(run.targets.sortedForOutput(), facts: run.workspace.facts(), options: PlanOptions(),
                                     tagger: Tagger(), created: Labels.createdTimestamp())
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let targets = PublishTarget.make(run.targets, plan: plan, metadata: metadata).sortedForPush()
        logger.info("Found \(targets.count) targets")
        return targets
    }

    /// The largest metadata file read (bakery's own hold a few kilobytes per target).
    static let maximumMetadataSize = 64 << 20

    /// Refuses, before the file is parsed, what would hang or crash the reader: a FIFO, device or folder (reading a
    /// FIFO blocks for ever), a file over `maximumMetadataSize`, JSON nested deeper than the reader can recurse.
    /// A missing file passes: `BuildMetadataFile.load` says so in the reference's words.
    static func precheck(_ file: String) throws(BakeryError) {
        var st = stat()
        guard stat(file, &st) == 0 else { return }
        if (st.st_mode & S_IFMT) == S_IFREG, st.st_size > maximumMetadataSize {
            throw BakeryError(.invalidValue, "it is \(st.st_size) bytes, more than the \(maximumMetadataSize) bytes a metadata file may have")
        }
        let data = try RegularFile.read(file)
        guard RegistryAccess.jsonDepth(data) <= RegistryAccess.maximumJSONDepth else {
            throw BakeryError(.invalidValue, "its JSON nests deeper than \(RegistryAccess.maximumJSONDepth) levels")
        }
    }

    /// Arguments with `*`, `?` or `[` are expanded (sorted; none matching keeps the argument, so its absence is
    /// reported); others are kept as given.
    static func expand(_ arguments: [String]) -> [String] {
        arguments.flatMap { argument -> [String] in
            guard argument.contains(where: { "*?[".contains($0) }) else { return [argument] }
            var result = glob_t()
            defer { globfree(&result) }
            guard glob(argument, 0, nil, &result) == 0 else { return [argument] }
            let matches = (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
            return matches.isEmpty ? [argument] : matches.sorted()
        }
    }

    /// Runs the publisher, Ctrl-C cancelling it; exits 130 when interrupted.
    static func publish(_ targets: [PublishTarget], options: Publisher.Options, logger: Logger, quiet: Bool,
                        after: @escaping @Sendable (Publisher, Publisher.Report) async -> [String: ImageSizes] = { _, _ in [:] })
        throws -> (Publisher.Report, [String: ImageSizes]) {
        let access: RegistryAccess
        do { access = try RegistryAccess() } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let console = PublishConsole(mode: options.dryRun ? .plain : BuildConsole.mode(quiet: quiet), total: targets.count)
        let shown = console.logger(logger)
        var options = options
        options.progress = { console.handle($0) }
        let publisher = Publisher(client: access.client(logger: shown), options: options, logger: shown)
        console.startTicker()
        let (finished, sizes, cancelled) = SignalCancellation.run { () async -> (Publisher.Report, [String: ImageSizes], Bool) in
            let report = await publisher.publish(targets)
            let sizes = Task.isCancelled ? [:] : await after(publisher, report)
            return (report, sizes, Task.isCancelled)
        }
        console.stop()
        // The registry client already redacts what it sent and received; a password from the environment is also
        // masked here, so no failure text a registry made up can carry it to the log.
        var masked = finished
        masked.failures = finished.failures.map { failure in
            var f = failure
            f.message = RegistryAccess.redacted(f.message, secrets: access.secrets, limit: 4000)
            return f
        }
        let report = masked
        if cancelled {
            Console.stderr("❌ Publishing was interrupted; temporary indexes already made are kept.")
            throw ExitCode(130)
        }
        return (report, sizes)
    }

    /// `Published 2 target(s) in 3.1 s: 48 registry requests, 0 retries, 1.2 MB uploaded, 0.3 MB downloaded`.
    static func figures(_ report: Publisher.Report, verb: String) -> String {
        let seconds = Double(report.duration.components.seconds) + Double(report.duration.components.attoseconds) / 1e18
        let s = report.statistics
        func megabytes(_ n: Int64) -> String { String(format: "%.1f MB", Double(n) / 1_000_000) }
        return "\(verb) \(report.published.count) target(s) in \(String(format: "%.1f", seconds)) s: \(s.requests) registry request(s), "
            + "\(s.retries) retr\(s.retries == 1 ? "y" : "ies"), \(megabytes(s.bytesUploaded)) uploaded, \(megabytes(s.bytesDownloaded)) downloaded"
    }
}

struct CIPublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Merge per-platform builds into multi-platform indexes and push them to every tag.",
        discussion: """
        Reads the build metadata files of per-platform builds (`bakery build --image-platform P --temp-registry T \
        --push --metadata-file F`, one per platform), then for each target named there, in push order: waits until \
        each platform's image resolves in the temporary registry, pushes an index of them annotated with the \
        target's labels as <T>/<image>/tmp:<uid><hash>, copies it to every destination tag (once per repository), \
        and checks every tag names the index. Registry credentials: BAKERY_REGISTRY_HOST/_USERNAME/_PASSWORD, \
        GITHUB_TOKEN for ghcr.io, REGISTRY_AUTH_FILE, containers auth.json, the docker config. Plain HTTP is used for \
        loopback registries and those in BAKERY_INSECURE_REGISTRIES. SOCI conversion is not supported. \
        Exit status: 0 published, 1 a target failed (every failure is listed), 130 interrupted.
        """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var input: PublishInputOptions

    @Option(name: [.short, .long], parsing: .unconditional,
            help: ArgumentHelp("Targets merged at once (default: BAKERY_MAX_CONCURRENCY, else 4).", valueName: "n"))
    var jobs: Int?

    @Option(parsing: .unconditional, help: ArgumentHelp("How long to wait for each platform's image to appear in the temporary registry.", valueName: "seconds"))
    var waitTimeout: Int = 600

    @Flag(help: "After publishing, print a summary: counts and the registry size of each index.")
    var summary = false

    @Option(help: ArgumentHelp("table or json.", valueName: "table|json"))
    var summaryFormat: String = "table"

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if waitTimeout < 0 || waitTimeout > 86_400 { throw ValidationError("--wait-timeout must be between 0 and 86400 seconds.") }
        guard ["table", "json"].contains(summaryFormat) else {
            throw ValidationError("Invalid value for '--summary-format': '\(summaryFormat)' is not one of 'table', 'json'.")
        }
    }

    func run() throws {
        try Self.publish(options, input: input, jobs: jobs, summary: summary ? summaryFormat : nil, waitTimeout: .seconds(waitTimeout))
    }

    static func publish(_ global: GlobalOptions, input: PublishInputOptions, jobs: Int?, summary format: String?,
                        waitTimeout: Duration = .seconds(600)) throws {
        let logger = global.makeLogger()
        let targets = try PublishRun.targets(global, input: input, logger: logger)
        var options = Publisher.Options()
        options.temporaryRegistry = input.tempRegistry
        options.dryRun = input.dryRun
        options.waitTimeout = waitTimeout
        options.jobs = jobs ?? ProcessInfo.processInfo.environment["BAKERY_MAX_CONCURRENCY"].flatMap(Int.init).map { max(1, $0) } ?? 4
        let measure = format != nil && !input.dryRun
        let (report, sizes) = try PublishRun.publish(targets, options: options, logger: logger, quiet: global.quiet) { publisher, report in
            measure ? await publisher.measure(report.published) : [:]
        }
        if !report.failures.isEmpty {
            logger.error("publish failed (\(report.failures.count) target/operation failure(s)):")
            for failure in report.failures { logger.error("  - \(failure)") }
        }
        if !input.dryRun { logger.info("\(PublishRun.figures(report, verb: "Published"))") }
        if let format {
            let rows = report.published.map { item in
                BuildSummary.Row(uid: item.target.uid, imageName: item.target.imageName,
                                 version: item.target.labels.first { $0.key == "org.opencontainers.image.version" }?.value ?? "",
                                 os: item.target.labels.first { $0.key == "co.posit.image.os" }?.value ?? "",
                                 variant: item.target.labels.first { $0.key == "co.posit.image.variant" }?.value ?? "",
                                 platforms: item.target.sources.count, tags: item.target.tags.count,
                                 layers: sizes[item.target.uid]?.registryLayers, registrySize: sizes[item.target.uid]?.registrySize)
            }
            let result = BuildSummary(rows: rows)
            if format == "json" { TargetRun.emit(result.json(), .plan) } else { Console.stderr(SummaryTable.sizes(result)) }
        }
        if !report.failures.isEmpty { throw ExitCode(1) }
        if input.dryRun {
            Console.stderr("✅ Dry run: \(report.published.count) target(s) would be published")
        } else {
            Console.stderr("✅ Published \(report.published.count) target(s)")
        }
    }
}

struct CIMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Same as `ci publish` without --jobs and --summary (kept for existing CI workflows).")

    @OptionGroup var options: GlobalOptions
    @OptionGroup var input: PublishInputOptions

    func run() throws {
        try CIPublishCommand.publish(options, input: input, jobs: nil, summary: nil)
    }
}

struct ImagetoolsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "imagetools",
        abstract: "Multi-platform index tools.",
        subcommands: [ImagetoolsMergeCommand.self])
}

struct ImagetoolsMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge per-platform builds into indexes and copy them to every tag, without waiting or verifying.",
        discussion: """
        Like `ci publish`, but one target at a time, with no wait for the per-platform images and no check of the tags \
        afterwards. Exit status: 0 merged, 1 a target failed, 130 interrupted.
        """)

    @OptionGroup var options: GlobalOptions
    @OptionGroup var input: PublishInputOptions

    func run() throws {
        let logger = options.makeLogger()
        let targets = try PublishRun.targets(options, input: input, logger: logger) {
            logger.error("One or more metadata files are invalid, aborting merge.")
        }
        var publishOptions = Publisher.Options()
        publishOptions.temporaryRegistry = input.tempRegistry
        publishOptions.dryRun = input.dryRun
        publishOptions.jobs = 1
        publishOptions.waits = false
        publishOptions.verifies = false
        let (report, _) = try PublishRun.publish(targets, options: publishOptions, logger: logger, quiet: options.quiet)
        for failure in report.failures { logger.error("Error merging '\(failure.target)': [\(failure.operation)] \(failure.message)") }
        if !report.failures.isEmpty {
            Console.stderr("❌ Index merge(s) failed")
            throw ExitCode(1)
        }
        if !input.dryRun { logger.info("\(PublishRun.figures(report, verb: "Merged"))") }
        Console.stderr("✅ Index merge completed")
    }
}
