// The one way bakery starts a child process (git today; container engines and linters next).
import Foundation
import Subprocess

/// Runs `ChildCommand`s with swift-subprocess: standard output and standard error drained at the
/// same time (a child that fills one pipe never blocks on the other), output limits, a time limit
/// that stops the child, executables found on PATH, and failures as `BakeryError`s that carry the
/// command line (secrets masked).
///
/// A non-zero exit is an outcome, not an error: `run` returns it and `CommandOutput.requireSuccess()`
/// turns it into one. `run` throws only when the child could not run to its end:
/// `.commandNotFound`, `.commandTimedOut`, `.commandOutputTooLarge`, `.commandFailed` (it could not
/// be started) or `.interrupted` (the calling task was cancelled; the child is stopped).
public struct CommandRunner: Sendable {
    /// The PATH searched for executables named without a slash; nil: the command's own PATH override,
    /// else bakery's PATH.
    public var searchPath: String?

    public init(searchPath: String? = nil) {
        self.searchPath = searchPath
    }

    /// Runs `command` to its end (or its time limit).
    public func run(_ command: ChildCommand) async throws(BakeryError) -> CommandOutput {
        let executable = try locate(command)
        let configuration = try Self.configuration(command, executable: executable)
        let outcome: Outcome
        do {
            outcome = try await Self.race(command) {
                if let bytes = command.input {
                    return try await Self.execute(configuration, command, input: .array(bytes))
                }
                return try await Self.execute(configuration, command, input: .none)
            }
        } catch let error as BakeryError {
            throw error
        } catch is CancellationError {
            throw BakeryError(.interrupted, "`\(command.commandLine)` was stopped: bakery is shutting down")
        } catch let error as SubprocessError {
            if error.code == .executableNotFound {
                throw Self.notFound(command, searched: nil)
            }
            throw BakeryError(.commandFailed, "`\(command.commandLine)` could not be started: \(error)", cause: error)
        } catch {
            throw BakeryError(.commandFailed, "`\(command.commandLine)` could not be run: \(error)", cause: error)
        }
        if outcome.outputOverflowed {
            throw BakeryError(.commandOutputTooLarge,
                              "`\(command.commandLine)` wrote more than \(command.outputLimit) bytes to standard output and was stopped",
                              hint: "this is more output than bakery expects from this command")
        }
        var output = CommandOutput(commandLine: command.commandLine, termination: outcome.termination,
                                   standardOutput: outcome.stdout, standardError: outcome.stderr,
                                   standardErrorWasCut: outcome.stderrWasCut)
        let mask = SecretMask(command)
        output.secretMask = { mask($0) }
        return output
    }

    /// `run` for synchronous callers (the CLI's commands, from the main thread): see `Blocking`.
    public func runBlocking(_ command: ChildCommand) throws(BakeryError) -> CommandOutput {
        let runner = self
        return try Blocking.wait { () async throws(BakeryError) -> CommandOutput in try await runner.run(command) }
    }

    // MARK: - Finding the executable

    /// The path of the command's executable: as given when it has a slash, else the first
    /// executable regular file of that name on PATH.
    func locate(_ command: ChildCommand) throws(BakeryError) -> String {
        let name = command.executable
        if name.isEmpty {
            throw BakeryError(.invalidArgument, "a child process needs an executable name")
        }
        if name.contains("/") {
            let base = command.workingDirectory?.path ?? FileManager.default.currentDirectoryPath
            let path = name.hasPrefix("/") ? name : base + "/" + name
            guard Self.isExecutableFile(path) else { throw Self.notFound(command, searched: nil) }
            return path
        }
        let overridden = command.environment["PATH"].flatMap { $0?.value }
        let path = searchPath ?? overridden ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":", omittingEmptySubsequences: false) {
            // An empty PATH entry means the current folder, as for a shell.
            let folder = dir.isEmpty ? "." : String(dir)
            let candidate = folder + "/" + name
            if Self.isExecutableFile(candidate) { return candidate }
        }
        throw Self.notFound(command, searched: path)
    }

    static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        return access(path, X_OK) == 0
    }

    static func notFound(_ command: ChildCommand, searched path: String?) -> BakeryError {
        let name = command.executable
        if let path {
            return BakeryError(.commandNotFound, "`\(name)` was not found on PATH (\(path)); bakery needs it to run `\(command.commandLine)`",
                               hint: "install \(name), or add the folder that holds it to PATH")
        }
        return BakeryError(.commandNotFound, "`\(name)` is not an executable file; bakery needs it to run `\(command.commandLine)`",
                           hint: "check the path, and that the file is executable")
    }

    // MARK: - Running

    static func configuration(_ command: ChildCommand, executable: String) throws(BakeryError) -> Configuration {
        var changes: [Environment.Key: String?] = [:]
        for (key, value) in command.environment {
            guard !key.isEmpty, !key.contains("="), !key.contains("\u{0}"), let envKey = Environment.Key(rawValue: key) else {
                throw BakeryError(.invalidArgument, "'\(key)' cannot be an environment variable name (for `\(command.commandLine)`)")
            }
            // `updateValue`, not a subscript: assigning nil would drop the removal instead of recording it.
            changes.updateValue(value?.value, forKey: envKey)
        }
        if command.arguments.contains(where: { $0.value.contains("\u{0}") }) {
            throw BakeryError(.invalidArgument, "an argument of `\(command.commandLine)` contains a NUL character")
        }
        var options = PlatformOptions()
        // What a time limit or a cancellation does: ask the child to stop, then kill it.
        if command.stopsProcessGroup {
            // Process group id 0: a new group led by the child.
            options.processGroupID = 0
            options.teardownSequence = [.gracefulShutDown(toProcessGroup: true, allowedDurationToNextStep: command.gracePeriod),
                                        .send(signal: .kill, toProcessGroup: true, allowedDurationToNextStep: .milliseconds(100))]
        } else {
            options.teardownSequence = [.gracefulShutDown(allowedDurationToNextStep: command.gracePeriod)]
        }
        return Configuration(
            executable: .path(.init(executable)),
            arguments: Arguments(command.arguments.map(\.value)),
            environment: changes.isEmpty ? .inherit : .inherit.updating(changes),
            workingDirectory: command.workingDirectory.map { .init($0.path) },
            platformOptions: options)
    }

    /// What the child left, before it becomes a `CommandOutput`.
    struct Outcome: Sendable {
        var termination: CommandOutput.Termination
        var stdout: [UInt8]
        var stderr: [UInt8]
        var stderrWasCut: Bool
        var outputOverflowed: Bool
    }

    /// Runs `work` against the command's time limit. When the limit passes first, the work is
    /// cancelled (swift-subprocess then stops the child with the teardown sequence) and awaited,
    /// so the child is gone before the `.commandTimedOut` error is thrown.
    static func race(_ command: ChildCommand, _ work: @escaping @Sendable () async throws -> Outcome) async throws -> Outcome {
        try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask { try await work() }
            group.addTask {
                try await Task.sleep(for: command.timeout)
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let outcome = first {
                return outcome
            }
            if Task.isCancelled { throw CancellationError() }
            // The time limit passed: stop the child and wait until it is gone.
            group.cancelAll()
            _ = try? await group.next()
            throw BakeryError(.commandTimedOut, "`\(command.commandLine)` did not finish within \(describe(command.timeout)) and was stopped",
                              hint: "the command may be waiting for input or a network; run it by hand to see why")
        }
    }

    static func describe(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds) s" }
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return "\(milliseconds) ms"
    }

    static func execute<Input: InputProtocol>(_ configuration: Configuration, _ command: ChildCommand, input: Input) async throws -> Outcome {
        let result = try await Subprocess.run(configuration, input: input, output: .sequence, error: .sequence) { execution in
            // Both pipes at once: a child that fills stderr before writing stdout must not stall.
            if let handler = command.lineHandler {
                // Streaming: every line goes to the handler as it comes; only the tails are kept.
                let mask = SecretMask(command)
                async let stdout = collect(execution.standardOutput, limit: command.errorLimit, keepTail: true, mask: mask,
                                           lines: LineSplitter(mask: mask) { handler(.standardOutput, mask($0)) }) {}
                async let stderr = collect(execution.standardError, limit: command.errorLimit, keepTail: true, mask: mask,
                                           lines: LineSplitter(mask: mask) { handler(.standardError, mask($0)) }) {}
                return try await (stdout, stderr)
            }
            async let stdout = collect(execution.standardOutput, limit: command.outputLimit, keepTail: false) {
                // Too much output: stop the child now rather than read it all.
                try? execution.send(signal: .kill)
            }
            async let stderr = collect(execution.standardError, limit: command.errorLimit, keepTail: true) {}
            return try await (stdout, stderr)
        }
        let (stdout, stderr) = result.closureResult
        let termination: CommandOutput.Termination
        switch result.terminationStatus {
        case .exited(let code): termination = .exited(Int32(code))
        case .signaled(let signal): termination = .signaled(Int32(signal))
        }
        // A streamed child's standard output is only ever kept as a tail: its being cut is no overflow
        // (a build that prints more than `errorLimit` bytes of RUN output must not fail for it).
        return Outcome(termination: termination, stdout: stdout.bytes, stderr: stderr.bytes, stderrWasCut: stderr.cut,
                       outputOverflowed: command.lineHandler == nil && stdout.cut)
    }

    /// The bytes of one output stream, read to its end. Past `limit`: with `keepTail` the last
    /// `limit` bytes are kept; without it the head is kept and `overflow` is called once.
    static func collect(_ stream: SubprocessOutputSequence, limit: Int, keepTail: Bool, mask: SecretMask? = nil,
                        lines: LineSplitter? = nil, overflow: () -> Void) async throws -> (bytes: [UInt8], cut: Bool) {
        var bytes: [UInt8] = []
        var cut = false
        var lines = lines
        defer { lines?.finish() }
        for try await buffer in stream {
            if cut && !keepTail { continue }
            buffer.withUnsafeBytes { raw in
                bytes.append(contentsOf: raw)
                lines?.feed(raw)
            }
            if bytes.count > limit {
                if keepTail {
                    // Trim in chunks so a long stream costs linear time.
                    if bytes.count > 2 * max(limit, 1) { bytes.removeFirst(bytes.count - limit) }
                } else {
                    bytes.removeLast(bytes.count - limit)
                    overflow()
                }
                cut = true
            }
        }
        if keepTail && bytes.count > limit { bytes.removeFirst(bytes.count - limit) }
        // The cut may fall inside a secret: its end would start the tail, where no whole value is left to mask.
        if keepTail && cut, let mask { bytes = mask.maskingLeadingPart(bytes) }
        return (bytes, cut)
    }
}

/// The secret values of a command, masked as `***` byte for byte (so a value followed by a combining
/// mark, which would join it into another `Character`, is still found), longest first. A value that
/// spans several lines is also masked line by line: output reaches bakery line by line, so the whole
/// value never appears in one piece.
struct SecretMask: Sendable {
    /// UTF-8 of every value and of every line of a multi-line value, longest first.
    let patterns: [[UInt8]]
    /// Which bytes start a pattern (a fast path for the common byte).
    private let starts: [Bool]

    init(_ command: ChildCommand) {
        let values = (command.arguments + command.environment.values.compactMap { $0 }).filter(\.isSecret).map(\.value)
            + command.maskedValues
        self.init(values: values)
    }

    init(values: [String]) {
        var set = Set<[UInt8]>()
        for value in values where !value.isEmpty {
            set.insert(Array(value.utf8))
            for line in value.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
            where !line.allSatisfy(\.isWhitespace) {
                set.insert(Array(line.utf8))
            }
        }
        patterns = set.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        var starts = [Bool](repeating: false, count: 256)
        for p in patterns { starts[Int(p[0])] = true }
        self.starts = starts
    }

    var isEmpty: Bool { patterns.isEmpty }
    /// Bytes of the longest pattern.
    var longest: Int { patterns.first?.count ?? 0 }

    func callAsFunction(_ text: String) -> String {
        guard !patterns.isEmpty else { return text }
        let bytes = Array(text.utf8)
        let masked = mask(bytes)
        return masked == bytes ? text : String(decoding: masked, as: UTF8.self)
    }

    /// `bytes` with every occurrence of a pattern replaced by `***`.
    func mask(_ bytes: [UInt8]) -> [UInt8] {
        guard !patterns.isEmpty else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        scan: while i < n {
            if starts[Int(bytes[i])] {
                for p in patterns where p.count <= n - i {
                    if bytes[i..<(i + p.count)].elementsEqual(p) {
                        out.append(contentsOf: [0x2A, 0x2A, 0x2A])
                        i += p.count
                        continue scan
                    }
                }
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }

    /// `bytes` masked, and its start masked too when it is the end of a pattern (what a cut left of it).
    func maskingLeadingPart(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = mask(bytes)
        for p in patterns {
            for k in stride(from: min(p.count - 1, bytes.count), through: 1, by: -1) where bytes.starts(with: p.suffix(k)) {
                bytes.replaceSubrange(0..<k, with: [0x2A, 0x2A, 0x2A])
                return bytes
            }
        }
        return bytes
    }
}

/// Cuts a byte stream into lines (LF, CRLF, or a lone CR as progress bars use) and hands each one
/// over as UTF-8 text. A line longer than 64 KiB is handed over in pieces.
struct LineSplitter {
    private var pending: [UInt8] = []
    private let emit: (String) -> Void
    private let mask: SecretMask?
    static let longest = 64 << 10

    /// `mask`: the secrets of the command. A long line is cut into pieces only after its secrets are
    /// masked, keeping back what could be the start of one, so no piece ends inside a secret.
    init(mask: SecretMask? = nil, _ emit: @escaping (String) -> Void) {
        self.mask = mask
        self.emit = emit
    }

    mutating func feed(_ raw: UnsafeRawBufferPointer) {
        for byte in raw {
            if byte == 0x0A || byte == 0x0D {
                flush()
            } else {
                pending.append(byte)
                if pending.count >= Self.longest { flushPiece() }
            }
        }
    }

    /// Hands over a piece of an over-long line.
    private mutating func flushPiece() {
        guard let mask, !mask.isEmpty else { return flush() }
        pending = mask.mask(pending)
        // Never more than half a piece kept back, so a line always advances.
        let keep = min(mask.longest - 1, Self.longest / 2, pending.count)
        guard pending.count - keep > 0 else { return }
        emit(String(decoding: pending[..<(pending.count - keep)], as: UTF8.self))
        pending.removeFirst(pending.count - keep)
    }

    /// Hands over what is left after the stream ended without a final line break.
    mutating func finish() {
        flush()
    }

    private mutating func flush() {
        guard !pending.isEmpty else { return }
        emit(String(decoding: pending, as: UTF8.self))
        pending.removeAll(keepingCapacity: true)
    }
}
