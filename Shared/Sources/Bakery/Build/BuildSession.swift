// One `bakery build`: the chosen strategy and engine over the selected targets, start to finish.
import Foundation
import Logging

/// Builds the jobs with a strategy and an engine and reports the outcome.
///
///     let session = BuildSession(strategy: .build, engine: .podman, plan: plan, jobs: jobs, root: root,
///                                options: options, observer: display)
///     let report = await session.run()     // cancel the task to stop every child and get .interrupted results
public struct BuildSession: Sendable {
    public var strategy: BuildStrategy
    public var engine: BuildEngine
    public var plan: BakePlan
    public var jobs: [BuildJob]
    /// The workspace root (where the plan's contexts are relative to, and where bake runs).
    public var root: URL
    public var options: BuildOptions
    public var observer: any BuildObserver
    public var runner: CommandRunner
    /// Read the built images' metadata even without `--metadata-file` (for `--summary`).
    public var collectsMetadata: Bool

    public init(strategy: BuildStrategy, engine: BuildEngine, plan: BakePlan, jobs: [BuildJob], root: URL,
                options: BuildOptions, observer: any BuildObserver, runner: CommandRunner = CommandRunner(),
                collectsMetadata: Bool = false) {
        self.strategy = strategy
        self.engine = engine
        self.plan = plan
        self.jobs = jobs
        self.root = root
        self.options = options
        self.observer = observer
        self.runner = runner
        self.collectsMetadata = collectsMetadata
    }

    /// The values of the build secrets the plan passes (never shown, logged or written).
    public var secretValues: [String] {
        var names = Set<String>()
        for t in plan.targets.values { for s in t.secrets { names.insert(s.env) } }
        return names.compactMap { options.environment[$0] }.filter { !$0.isEmpty }
    }

    /// The workers for the build strategy: `--jobs`, clamped to [1, number of targets].
    public var workerCount: Int { max(1, min(options.jobs, jobs.count)) }

    public func run() async -> BuildReport {
        let clock = ContinuousClock()
        let start = clock.now
        guard let runFolder = Self.makeRunFolder() else {
            // No private folder: never fall back to the shared temporary folder itself, where the
            // engine would write (through any link planted there) to predictable `<uid>.iid` names.
            let code = errno
            let failure = BuildFailure(message: "cannot create bakery's run folder in \(NSTemporaryDirectory()): \(String(cString: strerror(code))); set TMPDIR to a writable folder",
                                       command: nil, termination: nil, errorTail: "", retryable: false)
            let results = jobs.map { TargetResult(uid: $0.uid, display: $0.display, status: .failed(failure), attempts: 0, duration: .zero,
                                                  logFile: nil, metadata: nil) }
            for r in results { observer.handle(.finished(r)) }
            return BuildReport(engine: engine, strategy: strategy, results: results, wallTime: clock.now - start,
                               interrupted: Task.isCancelled, runFolder: nil)
        }
        let logFolder = runFolder
        var jobs = self.jobs
        var plan = self.plan
        var unchanged: [String: TargetResult] = [:]
        if options.skipUnchanged {
            (jobs, plan, unchanged) = await skipUnchanged(jobs, plan: plan)
            if Task.isCancelled {
                let results = self.jobs.map { unchanged[$0.uid] ?? TargetResult(uid: $0.uid, display: $0.display, status: .interrupted, attempts: 0,
                                                                                duration: .zero, logFile: nil, metadata: nil) }
                try? FileManager.default.removeItem(at: runFolder)
                return BuildReport(engine: engine, strategy: strategy, results: results, wallTime: clock.now - start, interrupted: true, runFolder: nil)
            }
        }
        var results: [TargetResult]
        switch strategy {
        case _ where jobs.isEmpty:
            results = []
        case .bake:
            let bake = BakeRunner(plan: plan, root: root, options: options, runner: runner, observer: observer, secretValues: secretValues)
            results = await bake.run(jobs: jobs, logFolder: logFolder)
            if let first = results.first, let failure = first.failure {
                // One bake, one failure: shown once, not once per target it would have built.
                observer.handle(.finished(TargetResult(uid: "bake", display: "bake plan", status: .failed(failure), attempts: first.attempts,
                                                       duration: first.duration, logFile: first.logFile, metadata: nil)))
            } else {
                for r in results { observer.handle(.finished(r)) }
            }
        case .build:
            observer.handle(.info("Using \(max(1, min(options.jobs, jobs.count))) worker(s) for \(jobs.count) concurrent operation(s)"))
            let commands = EngineCommands(engine: engine, options: options, runFolder: logFolder)
            let builder = TargetBuilder(commands: commands, runner: runner, logFolder: logFolder, observer: observer,
                                        secretValues: secretValues, collectsMetadata: collectsMetadata || options.metadataFile != nil)
            results = await BuildScheduler(workers: max(1, min(options.jobs, jobs.count)), failFast: options.failFast).run(jobs, builder: builder)
        }
        if options.skipUnchanged {
            // Back in plan order, the unchanged targets among the built ones.
            let byUID = Dictionary(results.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
            results = self.jobs.compactMap { unchanged[$0.uid] ?? byUID[$0.uid] }
            observer.handle(.info("\(unchanged.count) target(s) unchanged, \(results.filter(\.isBuilt).count) built"))
        }
        let interrupted = Task.isCancelled || results.contains { $0.status == .interrupted }
        var report = BuildReport(engine: engine, strategy: strategy, results: results, wallTime: clock.now - start,
                                 interrupted: interrupted, runFolder: runFolder)
        if options.clean, report.succeeded || interrupted && report.failed.isEmpty {
            try? FileManager.default.removeItem(at: runFolder)
            report.runFolder = nil
            for i in report.results.indices { report.results[i].logFile = nil }
        }
        return report
    }

    /// `--skip-unchanged`: the jobs to build (each labelled with its input digest), the plan for bake (the same
    /// labels, the unchanged targets left out), and a skipped result per unchanged target.
    func skipUnchanged(_ jobs: [BuildJob], plan: BakePlan) async -> ([BuildJob], BakePlan, [String: TargetResult]) {
        let access: RegistryAccess
        do { access = try RegistryAccess(environment: options.environment) } catch {
            observer.handle(.warning("--skip-unchanged: cannot check the registries (\(error.message)); building every target"))
            return (jobs, plan, [:])
        }
        let observer = self.observer
        let client = access.client(logger: Logger(label: "bakery.skip-unchanged")) { registry in
            registry.onRetry = { line in observer.handle(.warning(line)) }
            // A registry that does not answer only means the target is built: no long backoff for that.
            registry.maxAttempts = 2
        }
        let check = UnchangedTargets(client: client, engine: engine, options: options, runner: runner, observer: observer)
        let verdicts = await check.evaluate(jobs)
        var toBuild: [BuildJob] = []
        var plan = plan
        var skipped: [String: TargetResult] = [:]
        for (job, verdict) in zip(jobs, verdicts) {
            var job = job
            if let digest = verdict.digest {
                job.target.labels[InputDigest.label] = digest.description
                plan.targets[job.uid]?.labels[InputDigest.label] = digest.description
            }
            if verdict.unchanged, let digest = verdict.digest {
                observer.handle(.info("Skipping '\(job.display)': unchanged (input \(digest))"))
                let result = TargetResult(uid: job.uid, display: job.display, status: .skipped(reason: TargetResult.unchangedReason),
                                          attempts: 0, duration: .zero, logFile: nil, metadata: nil)
                observer.handle(.finished(result))
                skipped[job.uid] = result
                plan.targets.removeValue(forKey: job.uid)
            } else {
                if verdict.digest != nil { observer.handle(.info("Building '\(job.display)': \(verdict.reason)")) }
                toBuild.append(job)
            }
        }
        for name in plan.groups.keys { plan.groups[name]?.targets.removeAll { skipped[$0] != nil } }
        plan.groups = plan.groups.filter { !$0.value.targets.isEmpty }
        return (toBuild, plan, skipped)
    }

    /// `<tmp>/posit-bakery<random>`: logs, image ids, digests and buildx metadata of this run.
    static func makeRunFolder() -> URL? {
        let temp = NSTemporaryDirectory()
        var template = Array(((temp.hasSuffix("/") ? temp : temp + "/") + "posit-bakery-XXXXXX").utf8CString)
        return template.withUnsafeMutableBufferPointer { buffer -> URL? in
            guard let p = mkdtemp(buffer.baseAddress!) else { return nil }
            return URL(fileURLWithPath: String(cString: p), isDirectory: true)
        }
    }

    /// Writes `{uid: metadata}` (2-space indent) to `url` through a temporary file and a rename, so
    /// a reader never sees half a file.
    public static func writeMetadata(_ report: BuildReport, to url: URL) throws(BakeryError) {
        try ReplacingWrite.write(Data((report.metadata.text(.plan) + "\n").utf8), to: url, what: "the metadata file")
    }
}
