// What a finished child process left: how it ended, its standard output and the tail of its standard error.

/// The result of a child process that ran to its end (successfully or not).
public struct CommandOutput: Sendable {
    public enum Termination: Sendable, Hashable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        public var description: String {
            switch self {
            case .exited(let code): return "exit status \(code)"
            case .signaled(let signal): return "signal \(signal)"
            }
        }
    }

    /// The command line, secrets masked (for messages).
    public var commandLine: String
    public var termination: Termination
    public var standardOutput: [UInt8]
    /// The last bytes of standard error (at most the command's `errorLimit`).
    public var standardError: [UInt8]
    /// Whether standard error was longer than what `standardError` kept.
    public var standardErrorWasCut: Bool
    /// Secret values of the command, masked in `stderr`.
    var secretMask: @Sendable (String) -> String = { $0 }

    public init(commandLine: String, termination: Termination, standardOutput: [UInt8], standardError: [UInt8],
                standardErrorWasCut: Bool = false) {
        self.commandLine = commandLine
        self.termination = termination
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.standardErrorWasCut = standardErrorWasCut
    }

    public var succeeded: Bool { termination == .exited(0) }

    /// Standard output as UTF-8 (invalid bytes replaced).
    public var stdout: String { String(decoding: standardOutput, as: UTF8.self) }

    /// Standard error as UTF-8, secrets masked, with a leading `…` when it was cut.
    public var stderr: String {
        secretMask((standardErrorWasCut ? "…" : "") + String(decoding: standardError, as: UTF8.self))
    }

    /// The output when the child succeeded; otherwise a `.commandFailed` error naming the command
    /// line, how it ended and the end of its standard error.
    @discardableResult
    public func requireSuccess() throws(BakeryError) -> CommandOutput {
        guard succeeded else { throw failure() }
        return self
    }

    /// The `.commandFailed` error that explains this output (its cause is a `CommandFailure`).
    public func failure() -> BakeryError {
        let detail = CommandFailure(commandLine: commandLine, termination: termination, standardError: stderr)
        return BakeryError(.commandFailed, detail.description, cause: detail)
    }
}

/// What a failed child process said: never thrown on its own, only carried as the `cause` of the
/// `.commandFailed` BakeryError that reports it (callers read git's own words from it).
public struct CommandFailure: Error, Sendable, CustomStringConvertible {
    public var commandLine: String
    public var termination: CommandOutput.Termination
    /// The end of the child's standard error, secrets masked.
    public var standardError: String

    /// The last lines of standard error, trimmed, at most `lines` of them.
    public func standardErrorTail(lines: Int = 20) -> String {
        let all = standardError.split(whereSeparator: \.isNewline)
        return all.suffix(lines).joined(separator: "\n").trimmingWhitespace
    }

    public var description: String {
        let tail = standardErrorTail()
        return "`\(commandLine)` failed (\(termination))" + (tail.isEmpty ? "" : ": \(tail)")
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
