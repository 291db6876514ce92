// `bakery build`: the bake plan (--plan), or the images built with docker buildx, docker, podman or buildah.
import ArgumentParser
import Bakery
import Foundation
import Logging

struct BuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build the selected images (or print their bake plan with --plan).",
        discussion: """
        Strategies: `bake` (the default) writes the plan to .bakery-bake.json and runs `docker buildx bake`; \
        `build` builds target by target, --jobs at a time, with --engine: docker (buildx, else classic docker \
        build), podman or buildah; `auto` picks buildx, else podman, else buildah. When bake was not asked for \
        and buildx is missing, bakery builds target by target instead (with a warning). \
        Exit status: 0 built, 1 a target failed or the input is invalid, 2 usage error, 130 interrupted (Ctrl-C or SIGTERM). \
        At a workspace root without bakery.yaml, every product folder with one is built.
        """,
        aliases: ["bake", "b"])

    @OptionGroup var options: GlobalOptions
    @OptionGroup var filters: ImageFilterOptions
    @OptionGroup var selection: VersionSelectionOptions

    @Flag(help: "Print the bake plan as JSON on stdout instead of building.")
    var plan = false

    @Option(help: ArgumentHelp("bake (docker buildx bake over the whole plan; the default) or build (target by target).", valueName: "bake|build"))
    var strategy: String?

    @Option(help: ArgumentHelp("Engine of the build strategy: auto, docker, podman or buildah.", valueName: "engine"))
    var engine: String = "auto"

    @Option(help: ArgumentHelp("Only platforms matching this pattern (repeatable, e.g. linux/arm64); when building, every target builds for exactly these.", valueName: "platform"))
    var imagePlatform: [String] = []

    @Flag(help: "Only the versions marked latest: true.")
    var latest = false

    // Unconditional: `--recent -1` is a value to reject, not an unknown option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Only the N newest release versions of each image.", valueName: "n"))
    var recent: Int?

    @Flag(help: "Stop starting targets once one fails (running ones finish). Build strategy only.")
    var failFast = false

    @Option(parsing: .unconditional, help: ArgumentHelp("Retry a failed target (or the whole bake) up to N more times, 5 s apart.", valueName: "n"))
    var retry: Int = 0

    @Option(name: [.short, .long], parsing: .unconditional,
            help: ArgumentHelp("Targets built at once (default: BAKERY_MAX_CONCURRENCY, else 4). Build strategy only.", valueName: "n"))
    var jobs: Int?

    @Flag(inversion: .prefixedNo, help: "Push the images (and cache-to entries when a cache registry is given).")
    var push = false

    @Flag(inversion: .prefixedNo, help: "Keep the images in the local engine (podman and buildah: --no-load removes them after the build).")
    var load = true

    @Flag(inversion: .prefixedNo, help: "Always pull base images.")
    var pull = false

    @Flag(inversion: .prefixedNo, help: "Use the build cache.")
    var cache = true

    @Flag(inversion: .prefixedNo, help: "Remove the temporary plan file and the run folder (logs) after a successful build, and the .dev-* folders of development versions after any build.")
    var clean = true

    @Option(help: ArgumentHelp("Registry for build cache (adds cache-from, and cache-to with --push).", valueName: "registry"))
    var cacheRegistry: String?

    @Option(help: ArgumentHelp("Registry for temporary, untagged images: replaces every target's tags with <registry>/<image>/tmp.", valueName: "registry"))
    var tempRegistry: String?

    @Option(help: ArgumentHelp("Write the build metadata (buildx's shape, keyed by target UID) to this file. Needs a single platform per target.", valueName: "path"))
    var metadataFile: String?

    @Flag(help: ArgumentHelp("Skip targets whose destination already holds them: each target's input digest (Containerfile, copied context files, build args, labels, base image digests, platforms) is recorded as the label co.posit.bakery.input-digest, and a target is not built when every one of its tags (the real tags, also with --temp-registry) holds an image with that label for every platform built."))
    var skipUnchanged = false

    @Flag(help: "After the build (or the plan), print a summary: counts, and image sizes after a build.")
    var summary = false

    @Option(help: ArgumentHelp("table or json; json is not supported with --plan.", valueName: "table|json"))
    var summaryFormat: String = "table"

    func validate() throws {
        if let recent, recent < 1 { throw ValidationError("--recent must be at least 1.") }
        if let strategy, BuildStrategy(rawValue: strategy.lowercased()) == nil {
            throw ValidationError("Invalid value for '--strategy': '\(strategy)' is not one of 'bake', 'build'.")
        }
        guard EngineChoice(rawValue: engine.lowercased()) != nil else {
            throw ValidationError("Invalid value for '--engine': '\(engine)' is not one of 'auto', 'docker', 'podman', 'buildah'.")
        }
        guard ["table", "json"].contains(summaryFormat) else {
            throw ValidationError("Invalid value for '--summary-format': '\(summaryFormat)' is not one of 'table', 'json'.")
        }
        if retry < 0 { throw ValidationError("--retry must be 0 or more.") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        if strategy?.lowercased() == "bake", let choice = EngineChoice(rawValue: engine.lowercased()), choice == .podman || choice == .buildah {
            throw ValidationError("--engine \(choice.rawValue) builds target by target: use it with --strategy build (bake always runs docker buildx bake).")
        }
    }

    var engineChoice: EngineChoice { EngineChoice(rawValue: engine.lowercased()) ?? .auto }

    func run() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filters.apply(to: &filter)
        filter.imagePlatforms = imagePlatform
        filter.latest = latest
        filter.recent = recent
        selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)

        if plan {
            try printPlan(run, filter: filter, logger: logger)
            return
        }
        guard !run.targets.isEmpty else {
            noTargets(filter)
        }
        let ordered = run.targets.sortedForOutput()
        // Development versions are built from their `.dev-*` folders, rendered for this run (kept with --no-clean).
        let ephemeral = try run.renderEphemeralFolders(logger: logger)
        defer { if clean { ephemeral.remove(log: TargetLog(forwardingTo: logger)) } }
        if metadataFile != nil {
            let multi = ordered.filter { (imagePlatform.isEmpty ? $0.platforms : imagePlatform).count > 1 }.map(\.uid).sorted()
            if !multi.isEmpty {
                Console.stderr("❌ --metadata-file requires a single platform: the following target(s) build for multiple platforms, which produces an index descriptor with no platform that 'dgoss run' / 'ci publish' cannot resolve. Pass a single --image-platform (e.g. 'linux/amd64'):")
                for uid in multi { Console.stderr("  - \(uid)") }
                throw ExitCode(1)
            }
        }

        if let metadataFile, let problem = Self.metadataFileProblem(metadataFile) {
            // Checked before building: finding out after an hour of building wastes the hour.
            Console.stderr("❌ --metadata-file '\(metadataFile)': \(problem)")
            throw ExitCode(1)
        }

        var buildOptions = BuildOptions()
        buildOptions.failFast = failFast
        buildOptions.retries = retry
        buildOptions.jobs = jobs ?? BuildOptions.defaultJobs()
        buildOptions.load = load
        buildOptions.push = push
        buildOptions.pull = pull
        buildOptions.cache = cache
        buildOptions.clean = clean
        buildOptions.cacheRegistry = cacheRegistry
        buildOptions.tempRegistry = tempRegistry
        buildOptions.platforms = imagePlatform
        buildOptions.quiet = options.quiet
        buildOptions.skipUnchanged = skipUnchanged
        if let metadataFile {
            buildOptions.metadataFile = URL(fileURLWithPath: metadataFile).standardizedFileURL
        }

        let bakePlan: BakePlan
        do {
            // A build's cache tags follow the platforms it builds (--image-platform); the printed plan's, the OS's.
            bakePlan = try makePlan(ordered, run: run, platforms: imagePlatform)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        if skipUnchanged && tempRegistry != nil {
            // The temporary registry holds per-run pushes by digest; what a later run could reuse is the
            // published image at the real tags (`ci publish` puts the merged index there).
            do {
                let published = try makePlan(ordered, run: run, platforms: imagePlatform, temporary: false)
                buildOptions.destinationTags = published.targets.mapValues(\.tags).reduce(into: [:]) { $0[$1.key] = $1.value }
            } catch {
                DiagnosticReporter.fail(error, logger: logger)
                throw ExitCode(1)
            }
        }
        let root = run.workspace.root
        let jobsList = BuildJob.jobs(for: ordered, plan: bakePlan, root: root, options: buildOptions)

        // Which strategy and engine: probe what is installed.
        var chosenStrategy = strategy.flatMap { BuildStrategy(rawValue: $0.lowercased()) } ?? .bake
        let choice = engineChoice
        if chosenStrategy == .bake && (choice == .podman || choice == .buildah) {
            chosenStrategy = .build
        }
        let needsBuildx = chosenStrategy == .bake || choice == .auto || choice == .docker
        let inventory = Self.wait { await EngineInventory.probe(checkBuildx: needsBuildx) }
        let chosenEngine: BuildEngine
        if chosenStrategy == .bake {
            if inventory.buildx {
                chosenEngine = .buildx
                logger.info("Building with docker buildx bake")
            } else if strategy != nil {
                Console.stderr("❌ --strategy bake runs `docker buildx bake`, but docker buildx is not available here (engines found: \(inventory.description)). Use --strategy build with --engine podman or --engine buildah, or install the buildx plugin.")
                throw ExitCode(1)
            } else {
                chosenEngine = try engine(from: inventory, logger: logger)
                logger.warning("docker buildx is not available (engines found: \(inventory.description)); building target by target with \(chosenEngine.displayName) instead (--strategy build)")
                chosenStrategy = .build
            }
        } else {
            chosenEngine = try engine(from: inventory, logger: logger)
            logger.info("Building with \(chosenEngine.displayName) (--engine \(engineChoice.rawValue))")
        }

        let console = BuildConsole(mode: BuildConsole.mode(quiet: options.quiet), verbose: options.verbose, total: jobsList.count)
        let session = BuildSession(strategy: chosenStrategy, engine: chosenEngine, plan: bakePlan, jobs: jobsList,
                                   root: root, options: buildOptions, observer: console, collectsMetadata: summary)
        console.startTicker()
        let report = SignalCancellation.run { await session.run() }
        console.stop()
        try finish(report, session: session, targets: ordered, logger: logger)
    }

    /// Why the metadata file could not be written where `path` says, or nil: its folder must be an
    /// existing, writable folder, and the path itself no folder.
    static func metadataFileProblem(_ path: String) -> String? {
        if path.isEmpty { return "the path is empty; give the file to write (e.g. build-metadata.json)" }
        let url = URL(fileURLWithPath: path).standardizedFileURL
        var isFolder: ObjCBool = false
        if path.hasSuffix("/") || (FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue) {
            return "\(url.path) is a folder; give the path of a file to write in it (e.g. \(url.appendingPathComponent("build-metadata.json").path))"
        }
        let folder = url.deletingLastPathComponent()
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            return "the folder \(folder.path) does not exist; create it first"
        }
        if access(folder.path, W_OK) != 0 { return "the folder \(folder.path) is not writable" }
        return nil
    }

    /// Prints the outcome, writes the metadata file, and exits with the build's status.
    func finish(_ report: BuildReport, session: BuildSession, targets: [ImageTarget], logger: Logger) throws {
        let unchanged = report.unchanged.count
        let line = "\(report.built.count) built, \(unchanged > 0 ? "\(unchanged) unchanged, " : "")\(report.failed.count) failed, \(report.skipped.count - unchanged + report.stopped.count) skipped or stopped, of \(report.results.count) target(s) in \(BuildConsole.elapsed(report.wallTime))"
        if report.interrupted {
            let stopped = report.stopped.map(\.uid)
            Console.stderr("❌ Build interrupted: \(stopped.isEmpty ? "no target was running" : "stopped " + stopped.joined(separator: ", "))\(report.skipped.count == report.unchanged.count ? "" : "; \(report.skipped.count - report.unchanged.count) not started"). \(line)")
            if let folder = report.runFolder { Console.stderr("   Logs: \(folder.path)") }
            throw ExitCode(130)
        }
        if report.succeeded {
            // buildx bake writes its own file; when every target was unchanged no bake ran, so bakery writes it (empty).
            if let url = session.options.metadataFile, session.strategy == .build || report.built.isEmpty {
                logger.info("Writing build metadata to '\(url.path)'.")
                do { try BuildSession.writeMetadata(report, to: url) } catch {
                    DiagnosticReporter.fail(error, logger: logger)
                    throw ExitCode(1)
                }
            }
            if let folder = report.runFolder { logger.info("Logs and build files kept in \(folder.path) (--no-clean)") }
            Console.stderr("✅ Build completed: \(line)")
            try printSummary(report, session: session, targets: targets, logger: logger)
            return
        }
        if session.strategy == .bake {
            // One `docker buildx bake` ran and failed: one failure, however many targets the plan holds
            // (the per-target errors and their group belong to the build strategy).
            if let r = report.failed.first, let f = r.failure {
                Console.stderr(Self.failureDetail(f, label: "bake plan", showCommand: true, logFile: r.logFile))
            }
        } else {
            for r in report.failed { logger.error("Failed to build image target '\(r.display)'.") }
            if report.failed.count > 1 {
                Console.stderr(report.failureGroupText)
            }
            for r in report.failed {
                guard let f = r.failure else { continue }
                Console.stderr(Self.failureDetail(f, label: r.uid, showCommand: report.failed.count == 1, logFile: r.logFile))
            }
        }
        Console.stderr("❌ Build failed: \(line)")
        try? printSummary(report, session: session, targets: targets, logger: logger)
        throw ExitCode(1)
    }

    /// `  <label>: <message> (<how it ended>)`, then the command, the end of its standard error and the log.
    static func failureDetail(_ f: BuildFailure, label: String, showCommand: Bool, logFile: URL?) -> String {
        var text = "  \(label): \(f.message)"
        if let t = f.termination { text += " (\(t))" }
        if let c = f.command, showCommand { text += "\n    command: \(c)" }
        if !f.errorTail.isEmpty { text += "\n    " + f.errorTail.split(separator: "\n").joined(separator: "\n    ") }
        if let log = logFile { text += "\n    full log: \(log.path)" }
        return text
    }

    /// The engine `--engine` names among those installed; none is reported and exits 1.
    func engine(from inventory: EngineInventory, logger: Logger) throws -> BuildEngine {
        do {
            return try inventory.engine(for: engineChoice)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
    }

    func noTargets(_ filter: TargetFilter) -> Never {
        let described = filter.description
        Console.stderr("❌ No image targets to build\(described.isEmpty ? "" : " matching \(described)"). Check the --image-name, --image-version, --image-variant, --image-os, and --image-platform filters along with the --recent, --dev-versions, and --matrix-versions selection.")
        Foundation.exit(1)
    }

    /// `--plan`: the bake plan on stdout, exactly as the reference prints it.
    func printPlan(_ run: TargetRun, filter: TargetFilter, logger: Logger) throws {
        if strategy?.lowercased() == "build" {
            Console.stderr("❌ The --plan option is not supported with the 'build' strategy. Please use the 'bake' strategy to print the bake plan.")
            throw ExitCode(1)
        }
        if summary && summaryFormat == "json" {
            Console.stderr("❌ --summary-format json is not supported with --plan, which already writes the bake plan as JSON to stdout. Use --summary-format table, or drop --plan.")
            throw ExitCode(1)
        }
        guard !run.targets.isEmpty else { noTargets(filter) }
        do {
            let plan = try makePlan(run.targets.sortedForOutput(), run: run, platforms: [])
            try TargetRun.emit(plan, .plan)
            if summary {
                let c = plan.counts()
                Console.stderr(SummaryTable.counts(targets: c.targets, platformBuilds: c.platformBuilds, tags: c.tags))
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
    }

    /// The bake plan of `targets` with this command's registry and push options.
    func makePlan(_ targets: [ImageTarget], run: TargetRun, platforms: [String], temporary: Bool = true) throws -> BakePlan {
        var options = PlanOptions()
        options.cacheRegistry = cacheRegistry
        options.tempRegistry = temporary ? tempRegistry : nil
        options.push = push
        options.platforms = platforms
        return try BakePlan.make(targets, facts: run.workspace.facts(), options: options, tagger: Tagger(), created: Labels.createdTimestamp())
    }

    /// Waits on this (main) thread for async work that needs no cancellation.
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        SignalCancellation.run(watchSignals: false, body)
    }
}
