// `bakery dgoss run` (and the deprecated `bakery run dgoss`): test the selected images with their goss suites.
import ArgumentParser
import Bakery
import Foundation
import Goss
import Logging

struct DgossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dgoss",
        abstract: "Test images with goss.",
        subcommands: [DgossRunCommand.self])
}

/// The deprecated `bakery run dgoss` group.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Deprecated: use `bakery dgoss run`.",
        subcommands: [DeprecatedDgossCommand.self])
}

struct DeprecatedDgossCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dgoss", abstract: "Deprecated: use `bakery dgoss run`.")
    @OptionGroup var test: DgossRunOptions

    func run() throws {
        Console.stderr("Warning: 'bakery run dgoss' is deprecated and will be removed in a future release. Use 'bakery dgoss run' instead.")
        try test.execute()
    }
}

struct DgossRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run each selected image in a container and check it against its goss suite (test/goss.yaml).",
        discussion: """
        The built-in runner (the default) needs no goss binary: it starts the image with docker or podman \
        (`run -d --init`, the same -e and -v as dgoss, the goss tool option's runtimeOptions and command), reads \
        the container's environment, renders test/goss.yaml as goss does, and checks it through `exec` with batched \
        POSIX sh probes. The goss option `wait` is a readiness budget: the suite is retried every second until it \
        passes or the budget runs out. `--runner dgoss` runs a real dgoss with the reference's exact command line. \
        Results: results/dgoss/<image>/<uid>.json (goss's JSON), <uid>.junit.xml, and results/dgoss/junit.xml for all. \
        Exit status: 0 all passed, 1 a check failed or a target could not be tested, 2 usage error, 130 interrupted.
        """)
    @OptionGroup var test: DgossRunOptions

    func run() throws { try test.execute() }
}

struct DgossRunOptions: ParsableArguments {
    @OptionGroup var options: GlobalOptions
    @OptionGroup var filters: ImageFilterOptions
    @OptionGroup var selection: VersionSelectionOptions

    @Option(help: ArgumentHelp("The platform to test (one; default: this machine's, e.g. linux/amd64). Also selects targets.", valueName: "platform"))
    var imagePlatform: String?

    @Flag(help: "Only the versions marked latest: true.")
    var latest = false

    @Option(help: ArgumentHelp("Build metadata (from `bakery build --metadata-file`): test the built digest instead of the first tag.", valueName: "path"))
    var metadataFile: String?

    @Option(name: [.short, .long], parsing: .unconditional,
            help: ArgumentHelp("Targets tested at once (default: BAKERY_MAX_CONCURRENCY, else 4).", valueName: "n"))
    var jobs: Int?

    @Flag(inversion: .prefixedNo, help: "Remove each test container when its tests end, and the .dev-* folders of development versions after the run (--no-clean leaves both, to inspect).")
    var clean = true

    @Option(help: ArgumentHelp("builtin (no goss binary needed; the default) or dgoss (a real dgoss and goss).", valueName: "builtin|dgoss"))
    var runner: String = "builtin"

    @Option(help: ArgumentHelp("Engine that runs the test containers: auto (docker, else podman), docker or podman.", valueName: "engine"))
    var engine: String = "auto"

    @Option(help: ArgumentHelp("Also print every target's report on stdout: documentation, json, junit or tap.", valueName: "format"))
    var format: String?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
        guard GossRunnerKind(rawValue: runner.lowercased()) != nil else {
            throw ValidationError("Invalid value for '--runner': '\(runner)' is not one of 'builtin', 'dgoss'.")
        }
        guard ["auto", "docker", "podman"].contains(engine.lowercased()) else {
            throw ValidationError("Invalid value for '--engine': '\(engine)' is not one of 'auto', 'docker', 'podman'.")
        }
        if let format, !["documentation", "json", "junit", "tap"].contains(format) {
            throw ValidationError("Invalid value for '--format': '\(format)' is not one of 'documentation', 'json', 'junit', 'tap'.")
        }
    }

    /// `--image-platform` as the reference normalises it; the host's platform by default.
    var platform: String {
        guard let value = imagePlatform, !value.isEmpty else { return "linux/" + Self.hostArchitecture() }
        return value.hasPrefix("linux/") ? value : "linux/\(value)"
    }

    static func hostArchitecture() -> String {
        var info = utsname()
        uname(&info)
        let machine = withUnsafeBytes(of: &info.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }.lowercased()
        switch machine {
        case "x86_64", "amd64": return "amd64"
        case "aarch64", "arm64": return "arm64"
        case _ where machine.hasPrefix("arm"): return "arm"
        default: return machine
        }
    }

    func execute() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filters.apply(to: &filter)
        filter.imagePlatforms = [platform]
        filter.latest = latest
        selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)
        guard !run.targets.isEmpty else {
            let described = filter.description
            Console.stderr("❌ No image targets to test\(described.isEmpty ? "" : " matching \(described)"). Check the --image-name, --image-version, --image-variant, --image-os, and --image-platform filters along with the --dev-versions and --matrix-versions selection.")
            throw ExitCode(1)
        }
        // Development versions are tested with the goss files of their `.dev-*` folders, rendered for this run.
        let ephemeral = try run.renderEphemeralFolders(logger: logger)
        defer { if clean { ephemeral.remove(log: TargetLog(forwardingTo: logger)) } }
        let root = options.contextURL.standardizedFileURL
        let kind = GossRunnerKind(rawValue: runner.lowercased()) ?? .builtin
        var dgossPath = "", gossPath: String?
        var testEngine = TestEngine.podman
        do {
            switch kind {
            case .builtin:
                let choice = engine
                testEngine = try BuildCommand.wait { () async -> Result<TestEngine, BakeryError> in
                    do { return .success(try await TestEngine.choose(choice)) } catch { return .failure(BakeryError.from(error)) }
                }.get()
            case .dgoss:
                dgossPath = try ToolLocator.locate("dgoss", projectRoot: root).executable
                gossPath = (try? ToolLocator.locate("goss", projectRoot: root)).flatMap { $0.isExplicitPath ? $0.executable : nil }
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let metadata: BuildMetadataFile?
        do {
            metadata = try metadataFile.map { path in
                try BuildMetadataFile.load(URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)))
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let results: ResultsDirectory
        do { results = try ResultsDirectory.prepare(tool: "dgoss", projectRoot: root) } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }

        // Each target's set-up; a target without tests is an execution error of its own, not the end of the run.
        let tagger = Tagger()
        var setups: [GossTargetSetup] = []
        var early: [GossTargetResult] = []
        var unset: [(ImageTarget, String)] = []
        for target in run.targets {
            let tags = (try? tagger.tags(for: target)) ?? []
            let reference = metadata.map { file in
                file.reference(uid: target.uid, platform: platform, tags: tags) { logger.warning("\($0)") }
            } ?? tags.sorted().first
            if let meta = metadata, meta.entries[target.uid] != nil {
                logger.info("Loaded build metadata for target '\(target.display)' from file '\(meta.path)'.")
            }
            let projectRoot = target.projectFolder(in: root)
            do {
                guard let reference else {
                    throw BakeryError(.invalidConfig, "target '\(target.display)' has no tag to test",
                                      hint: "give the image a registry and tag patterns in bakery.yaml, or pass --metadata-file")
                }
                // `run … <reference>`: a reference that starts with '-' would be read as an option (--privileged, -v=/:/h).
                guard !reference.hasPrefix("-") else {
                    throw BakeryError(.invalidValue, "the image reference '\(reference)' for target '\(target.display)' starts with '-', which the engine would read as an option",
                                      hint: metadata.map { "fix `image.name` of '\(target.uid)' in the metadata file '\($0.path)'" } ?? "fix the image's tag patterns in bakery.yaml")
                }
                setups.append(try GossTargetSetup.make(target: target, projectRoot: projectRoot, platform: platform, imageReference: reference))
            } catch {
                unset.append((target, BakeryError.from(error).message))
            }
        }
        for (target, message) in unset {
            if let setup = try? GossTargetSetup.placeholder(target: target, projectRoot: target.projectFolder(in: root), platform: platform) {
                early.append(GossTargetResult(setup: setup, outcome: .executionError(message, details: []), seconds: 0))
            }
        }

        let console = TestConsole(mode: BuildConsole.mode(quiet: options.quiet), total: setups.count)
        console.startTicker()
        let concurrency = jobs ?? Int(ProcessInfo.processInfo.environment["BAKERY_MAX_CONCURRENCY"] ?? "") ?? 4
        let keep = !clean
        let queue = setups, chosenEngine = testEngine, dgoss = dgossPath, goss = gossPath
        let done = SignalCancellation.run { () async -> [GossTargetResult] in
            await withTaskGroup(of: GossTargetResult?.self) { group in
                var pending = queue[...]
                var finished: [GossTargetResult] = []
                func launch(_ setup: GossTargetSetup) {
                    group.addTask {
                        if Task.isCancelled { return nil }
                        var targetRun = GossTargetRun(setup: setup, engine: chosenEngine)
                        targetRun.keepContainer = keep
                        let uid = setup.target.uid, display = setup.target.display
                        targetRun.progress = { console.handle(uid: uid, display: display, phase: $0) }
                        return kind == .builtin ? await targetRun.runBuiltin() : await targetRun.runDgoss(dgoss: dgoss, gossPath: goss)
                    }
                }
                // At most one slot per target: a huge -j (Int.max) must not be counted out one slot at a time.
                for _ in 0..<min(max(1, concurrency), queue.count) { if let next = pending.popFirst() { launch(next) } }
                while let result = await group.next() {
                    // A target stopped by Ctrl-C did not finish: leaving it out makes the run count as interrupted (130).
                    if let result, !Task.isCancelled { finished.append(result) }
                    if Task.isCancelled { continue }
                    if let next = pending.popFirst() { launch(next) }
                }
                return finished
            }
        }
        console.stop()
        let interrupted = done.count < setups.count
        let all = (early + done).sorted { $0.setup.target.uid < $1.setup.target.uid }
        try writeResults(all, to: results, logger: logger)
        printFormat(all)
        let report = GossRunReport(results: all)
        Console.stderr(report.table())
        if interrupted {
            Console.stderr("❌ Tests interrupted: \(done.count) of \(setups.count) target(s) finished; "
                           + (clean ? "every test container was removed." : "test containers were left running (--no-clean)."))
            throw ExitCode(130)
        }
        if let failures = report.failureText() { Console.stderr(failures) }
        if let errors = report.errorText() { Console.stderr(errors) }
        if report.anyFailed || report.anyErrored { throw ExitCode(1) }
        Console.stderr("✅ Tests completed")
    }

    private func writeResults(_ all: [GossTargetResult], to results: ResultsDirectory, logger: Logger) throws {
        let now = Date()
        var suites: [(name: String, report: GossReport)] = []
        do {
            for result in all {
                guard let report = result.report else { continue }
                let image = result.setup.target.image.name, uid = result.setup.target.uid
                let json = GossJSON.encode(GossJSON.report(report), pretty: true, indent: 2)
                let url = try results.write(Data(json.utf8), image: image, uid: uid, ext: "json")
                logger.info("Writing results to \(url.path)")
                try results.write(Data(GossJUnit.document([(uid, report)], now: now).utf8), image: image, uid: uid, ext: "junit.xml")
                suites.append((uid, report))
            }
            try results.write(Data(GossJUnit.document(suites, now: now).utf8), named: "junit.xml")
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
    }

    private func printFormat(_ all: [GossTargetResult]) {
        guard let format, let chosen = GossFormat(rawValue: format) else { return }
        let now = Date()
        var out = ""
        switch chosen {
        case .junit:
            out = GossJUnit.document(all.compactMap { r in r.report.map { (r.setup.target.uid, $0) } }, now: now)
        case .json:
            let entries = all.compactMap { r in r.report.map { GossEntry(r.setup.target.uid, GossJSON.report($0)) } }
            out = GossJSON.encode(.map(entries), pretty: true, indent: 2) + "\n"
        default:
            for result in all {
                guard let report = result.report else { continue }
                out += "=== \(result.setup.target.uid) ===\n"
                out += GossFormatter.render(report, format: chosen, options: GossFormatOptions(), color: false, now: now).text
                if !out.hasSuffix("\n") { out += "\n" }
            }
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
