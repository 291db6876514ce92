// One `bakery build`: the chosen strategy and engine over the selected targets, start to finish.
import Foundation

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
        var results: [TargetResult]
        switch strategy {
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
            observer.handle(.info("Using \(workerCount) worker(s) for \(jobs.count) concurrent operation(s)"))
            let commands = EngineCommands(engine: engine, options: options, runFolder: logFolder)
            let builder = TargetBuilder(commands: commands, runner: runner, logFolder: logFolder, observer: observer,
                                        secretValues: secretValues, collectsMetadata: collectsMetadata || options.metadataFile != nil)
            results = await BuildScheduler(workers: workerCount, failFast: options.failFast).run(jobs, builder: builder)
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
