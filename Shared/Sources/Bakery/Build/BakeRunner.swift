// The bake strategy: the whole plan in one `docker buildx bake`, exactly as the reference runs it.
import Foundation

/// Writes the plan to `.bakery-bake.json` at the root and runs `docker buildx bake` on it, as the reference does.
public struct BakeRunner: Sendable {
    public static let planFileName = ".bakery-bake.json"

    public var plan: BakePlan
    public var root: URL
    public var options: BuildOptions
    public var runner: CommandRunner
    public var observer: any BuildObserver
    public var secretValues: [String]

    public init(plan: BakePlan, root: URL, options: BuildOptions, runner: CommandRunner = CommandRunner(),
                observer: any BuildObserver, secretValues: [String]) {
        self.plan = plan
        self.root = root
        self.options = options
        self.runner = runner
        self.observer = observer
        self.secretValues = secretValues
    }

    /// `docker buildx bake` and its arguments, in the reference's order.
    public func arguments(print: Bool = false) -> [String] {
        var a = ["buildx", "bake"]
        if !options.cache { a.append("--no-cache") }
        if options.load { a.append("--load") }
        if options.pull { a.append("--pull") }
        if options.push { a.append("--push") }
        a += ["--file", Self.planFileName]
        if !options.platforms.isEmpty { a += ["--set", "*.platform=\(options.platforms.joined(separator: ","))"] }
        if options.tempRegistry != nil && options.push {
            a += ["--set", "*.output=type=image,push-by-digest=True,name-canonical=True,push=True",
                  "--set", "*.attest=type=provenance,disabled=true"]
        }
        if let file = options.metadataFile { a += ["--metadata-file", file.path] }
        if print { a.append("--print") }
        return a
    }

    /// Runs the bake (with retries) and returns per-target results: all built, or all failed with the bake's failure.
    public func run(jobs: [BuildJob], logFolder: URL) async -> [TargetResult] {
        let clock = ContinuousClock()
        let start = clock.now
        let log = TargetLogFile(logFolder.appendingPathComponent("bake.log"))
        defer { log.close() }
        let planFile = root.appendingPathComponent(Self.planFileName)
        func all(_ status: TargetResult.Status, attempts: Int) -> [TargetResult] {
            jobs.map { TargetResult(uid: $0.uid, display: $0.display, status: status, attempts: attempts, duration: clock.now - start,
                                    logFile: log.isOpen ? log.url : nil, metadata: nil) }
        }
        // Held (and locked) until the bake is over: a second bakery bake in the same folder must not
        // rewrite the plan this one's `docker buildx bake` is about to read, nor have it removed under it.
        let planHandle: FileHandle
        do {
            planHandle = try Self.writePlan(try plan.json().text(.plan) + "\n", to: planFile)
        } catch {
            let f = BuildFailure(message: "could not write the bake plan \(planFile.path): \(BakeryError.from(error).message)",
                                 command: nil, termination: nil, errorTail: "", retryable: false)
            return all(.failed(f), attempts: 0)
        }
        // `--retry` is any Int the user typed: Int.max more attempts must not overflow (a trap).
        defer { try? planHandle.close() }
        let attempts = options.retries < Int.max ? max(1, options.retries + 1) : Int.max
        var attempt = 1
        while true {
            observer.handle(.started(uid: "bake", display: "bake plan", attempt: attempt))
            var command = ChildCommand("docker", arguments(), workingDirectory: root)
            command.timeout = options.commandTimeout
            command.stopsProcessGroup = true
            command.gracePeriod = .seconds(5)
            command.maskedValues = secretValues
            let observer = self.observer
            command.lineHandler = { _, line in
                log.write(line)
                observer.handle(.output(uid: "bake", line: line))
            }
            log.write("$ \(command.commandLine)")
            var failure: BuildFailure
            do {
                let out = try await runner.run(command)
                if out.succeeded {
                    var again = ChildCommand("docker", arguments(print: true), workingDirectory: root)
                    again.stopsProcessGroup = true
                    again.timeout = .seconds(300)
                    _ = try? await runner.run(again)
                    if options.clean { unlink(planFile.path) }
                    var results = all(.built, attempts: attempt)
                    if let file = options.metadataFile, let text = try? String(contentsOf: file, encoding: .utf8),
                       let json = JSONValue.parse(text) {
                        for i in results.indices { results[i].metadata = json[results[i].uid].map { BuildMetadata.cleaned($0, masking: secretValues) } }
                    }
                    return results
                }
                failure = BuildFailure(message: "Failed to build 'bake plan'", command: TargetBuilder.spaced(command),
                                       termination: out.termination, errorTail: TargetBuilder.tail(out.stderr), retryable: true)
            } catch {
                if error.code == .interrupted || Task.isCancelled {
                    unlink(planFile.path)
                    return all(.interrupted, attempts: attempt)
                }
                failure = BuildFailure(message: "Failed to build 'bake plan': \(error.message)", command: TargetBuilder.spaced(command),
                                       termination: nil, errorTail: "", retryable: error.code != .commandNotFound)
            }
            if Task.isCancelled {
                unlink(planFile.path)
                return all(.interrupted, attempts: attempt)
            }
            guard attempt < attempts, failure.retryable else { return all(.failed(failure), attempts: attempt) }
            observer.handle(.retrying(uid: "bake", display: "bake plan", attempt: attempt, attempts: attempts, delay: options.retryDelay))
            do { try await Task.sleep(for: options.retryDelay) } catch {
                unlink(planFile.path)
                return all(.interrupted, attempts: attempt)
            }
            attempt += 1
        }
    }

    /// Writes the plan file without following a link: a link, folder or device at that name is refused.
    /// The file is locked (`flock`) before it is emptied and written, and the returned handle holds
    /// the lock: another bake of the same folder that still runs is refused instead of overwritten.
    static func writePlan(_ text: String, to url: URL) throws(BakeryError) -> FileHandle {
        for _ in 0..<5 {
            let fd = open(url.path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                let code = errno
                throw BakeryError(.unsafePath, "cannot write \(url.lastPathComponent) at \(url.deletingLastPathComponent().path): \(String(cString: strerror(code)))",
                                  hint: "remove whatever is at \(url.path) (a link or a folder is never overwritten), then run the command again")
            }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            var info = stat()
            guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
                throw BakeryError(.unsafePath, "\(url.path) is not a regular file; bakery will not write the bake plan there",
                                  hint: "remove it, then run the command again")
            }
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
                throw BakeryError(.unsafePath, "another bakery build is baking in \(url.deletingLastPathComponent().path) (it holds \(url.lastPathComponent))",
                                  hint: "wait for it to finish, then run the command again")
            }
            // The other bake may have removed the file between our open and our lock: lock the one at the path.
            var current = stat()
            guard lstat(url.path, &current) == 0, current.st_ino == info.st_ino, current.st_dev == info.st_dev else { continue }
            do {
                guard ftruncate(fd, 0) == 0 else { throw BakeryError(.fileSystem, String(cString: strerror(errno))) }
                try handle.write(contentsOf: Data(text.utf8))
            } catch {
                throw BakeryError(.fileSystem, "cannot write \(url.path): \(BakeryError.from(error).message)")
            }
            return handle
        }
        throw BakeryError(.unsafePath, "\(url.path) keeps being replaced while bakery writes the bake plan",
                          hint: "make sure no other bakery build runs in that folder, then run the command again")
    }
}
