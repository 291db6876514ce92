// hadolint could not lint a Containerfile: what happened, as the report shows it.
import Foundation

/// hadolint could not lint a Containerfile: it did not start, did not finish, or printed something
/// that is not its JSON while exiting unsuccessfully.
public struct HadolintExecutionFailure: Sendable {
    public var display: String
    /// What went wrong besides the exit code (a missing Containerfile, a time limit, unreadable output…).
    public var reason: String?
    public var termination: CommandOutput.Termination?
    public var standardOutput: String
    public var standardError: String
    public var commandLine: String?

    /// The report's block (posit-bakery's, with the reason and standard error added):
    ///
    ///     hadolint execution failed for image 'ImageTarget(image='x', version='1.0.0')'
    ///       - Exit code: 3
    ///       - Command output:
    ///           this is not json
    ///       - Command executed: hadolint --format json … /abs/Containerfile
    public var reportText: String {
        var lines = ["hadolint execution failed for image '\(display)'"]
        if let reason { lines.append("  - Reason: \(reason)") }
        switch termination {
        case .exited(let code)?: lines.append("  - Exit code: \(code)")
        case .signaled(let signal)?: lines.append("  - Killed by signal: \(signal)")
        case nil: break
        }
        func block(_ title: String, _ text: String, limit: Int) {
            var body = Substring(text)
            while body.last?.isNewline == true { body = body.dropLast() }
            let all = body.isEmpty ? [] : body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
            var shown = Array(all.prefix(limit))
            while shown.last?.trimmingWhitespace.isEmpty == true { shown.removeLast() }
            guard !shown.isEmpty else { return }
            lines.append("  - \(title): ")
            lines += shown.map { "      " + $0 }
            if all.count > limit { lines.append("      … (\(all.count - limit) more lines)") }
        }
        block("Command output", standardOutput, limit: 10)
        block("Error output", standardError, limit: 50)
        if let commandLine { lines.append("  - Command executed: \(commandLine)") }
        return lines.joined(separator: "\n")
    }
}
