// A child process to run: what, where, with which environment and input, and within which limits.
import Foundation

/// Everything bakery needs to start one child process and to describe it in a message.
///
///     var command = ChildCommand("git", arguments: ["-C", root.path, "rev-parse", "HEAD"])
///     command.timeout = .seconds(30)
///     let output = try CommandRunner().runBlocking(command).requireSuccess()
///
/// Container engines, hadolint and shellcheck go through the same type: a registry token is an
/// argument or environment value made with `CommandValue.secret`, so no message shows it.
public struct ChildCommand: Sendable {
    /// A name looked up on PATH (`git`), or a path when it contains a slash (`/usr/bin/git`, `./tool`).
    public var executable: String
    public var arguments: [CommandValue]
    /// The child's working directory; nil: bakery's own.
    public var workingDirectory: URL?
    /// Changes to bakery's environment for the child: a value sets the variable, nil removes it.
    public var environment: [String: CommandValue?]
    /// Bytes written to the child's standard input, which is then closed; nil: no input.
    public var input: [UInt8]?
    /// How long the child may run before it is stopped (SIGTERM, then SIGKILL after `gracePeriod`).
    public var timeout: Duration
    /// How long a child that was asked to stop may take before it is killed.
    public var gracePeriod: Duration
    /// The most standard output kept; a child that writes more is stopped and the run fails.
    public var outputLimit: Int
    /// The most standard error kept: its last bytes, which are what explains a failure.
    public var errorLimit: Int
    /// Start the child in a process group of its own, and stop the whole group on a time limit or
    /// a cancellation (a shell script's own children too). Off by default: a child in bakery's
    /// group also receives the terminal's Ctrl-C.
    public var stopsProcessGroup = false
    /// Called with every line the child writes, as it writes it (without the line break; secret
    /// values already masked), from either stream. With a handler the run keeps only the last
    /// `errorLimit` bytes of each stream, and never stops a child for writing too much: a build's
    /// log may be long, and it is shown (or written to a file) as it comes.
    public var lineHandler: (@Sendable (OutputStream, String) -> Void)?
    /// Values masked as `***` in the lines given to `lineHandler` and in the kept standard error,
    /// besides the command's own secret arguments (a build secret's value, which reaches the child
    /// through its environment and which a careless `RUN` may print).
    public var maskedValues: [String] = []

    /// Which of the child's output streams a line came from.
    public enum OutputStream: Sendable, Hashable {
        case standardOutput, standardError
    }

    public init(_ executable: String, arguments: [CommandValue] = [], workingDirectory: URL? = nil,
                environment: [String: CommandValue?] = [:], input: [UInt8]? = nil,
                timeout: Duration = .seconds(120), gracePeriod: Duration = .seconds(2),
                outputLimit: Int = 64 << 20, errorLimit: Int = 64 << 10) {
        self.executable = executable
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        self.environment = environment
        self.input = input
        self.timeout = timeout
        self.gracePeriod = gracePeriod
        self.outputLimit = outputLimit
        self.errorLimit = errorLimit
    }

    /// Plain (not secret) arguments.
    public init(_ executable: String, _ arguments: [String], workingDirectory: URL? = nil) {
        self.init(executable, arguments: arguments.map { CommandValue($0) }, workingDirectory: workingDirectory)
    }

    /// The command line as messages show it: environment changes first (`env -u A B=***`), then the
    /// executable and its arguments, shell-quoted, with every secret value masked.
    public var commandLine: String {
        var words: [String] = []
        let changes = environment.sorted { $0.key < $1.key }
        if !changes.isEmpty {
            words.append("env")
            for (key, value) in changes {
                if let value {
                    words.append(CommandValue.quoted(key) + "=" + (value.isSecret ? "***" : CommandValue.quoted(value.value)))
                } else {
                    words.append(contentsOf: ["-u", CommandValue.quoted(key)])
                }
            }
        }
        words.append(CommandValue.quoted(executable))
        words.append(contentsOf: arguments.map(\.displayed))
        return words.joined(separator: " ")
    }

    /// `text` with every secret value of this command replaced by `***` (for a child's stderr, which may echo one).
    public func masking(_ text: String) -> String {
        var out = text
        let secrets = (arguments + environment.values.compactMap { $0 }).filter { $0.isSecret && !$0.value.isEmpty }.map(\.value)
            + maskedValues.filter { !$0.isEmpty }
        // Longest first, so a secret that contains another is masked whole.
        for secret in secrets.sorted(by: { $0.count > $1.count }) {
            out = out.split(separator: secret, omittingEmptySubsequences: false).joined(separator: "***")
        }
        return out
    }
}
