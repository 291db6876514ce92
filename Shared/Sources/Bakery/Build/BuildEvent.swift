// What happens during a build, as the display and the summary see it.
import Foundation
import OrderedCollections

/// Something that happened while building, in the order it happened.
public enum BuildEvent: Sendable {
    /// A log message (`INFO:` level).
    case info(String)
    /// A warning (`WARNING:` level).
    case warning(String)
    /// A target's attempt started.
    case started(uid: String, display: String, attempt: Int)
    /// A line a target's engine command wrote (secret values already masked).
    case output(uid: String, line: String)
    /// A target failed and runs again after `delay`.
    case retrying(uid: String, display: String, attempt: Int, attempts: Int, delay: Duration)
    /// A target is done: built, failed, skipped or interrupted.
    case finished(TargetResult)
}

/// Receives build events; called from several tasks at once, so implementations synchronise.
public protocol BuildObserver: Sendable {
    func handle(_ event: BuildEvent)
}

/// How a failed target failed: the message, the command that failed, and where its log is.
public struct BuildFailure: Sendable, Equatable {
    /// `Failed to build image '<display>'`, or the reason it could not be built at all.
    public var message: String
    /// The failing command's arguments joined by spaces, as the reference prints them (secrets masked).
    public var command: String?
    /// How the failing command ended.
    public var termination: CommandOutput.Termination?
    /// The last lines the failing command wrote on standard error.
    public var errorTail: String
    /// Whether a retry could help (a missing Containerfile will not appear by waiting).
    public var retryable: Bool
}

/// The outcome of one target.
public struct TargetResult: Sendable {
    public enum Status: Sendable, Equatable {
        case built
        case failed(BuildFailure)
        /// Not started: an earlier failure with `--fail-fast`, or an interruption.
        case skipped(reason: String)
        /// Stopped while building by Ctrl-C or SIGTERM.
        case interrupted
    }

    public var uid: String
    public var display: String
    public var status: Status
    public var attempts: Int
    public var duration: Duration
    /// The target's full log (every command and every line it wrote), when one was written.
    public var logFile: URL?
    /// buildx-shaped metadata of the built image (`image.name`, `containerimage.digest`, …).
    public var metadata: JSONValue?

    public var isBuilt: Bool { status == .built }
    public var failure: BuildFailure? {
        if case .failed(let f) = status { return f }
        return nil
    }
}

/// Everything a build run produced.
public struct BuildReport: Sendable {
    public var engine: BuildEngine
    public var strategy: BuildStrategy
    /// Per target, in plan order.
    public var results: [TargetResult]
    public var wallTime: Duration
    /// Set when Ctrl-C or SIGTERM stopped the run.
    public var interrupted: Bool
    /// Where the logs are (kept when anything failed, or with `--no-clean`).
    public var runFolder: URL?

    public var built: [TargetResult] { results.filter(\.isBuilt) }
    public var failed: [TargetResult] { results.filter { $0.failure != nil } }
    public var skipped: [TargetResult] { results.filter { if case .skipped = $0.status { return true }; return false } }
    public var stopped: [TargetResult] { results.filter { $0.status == .interrupted } }
    public var succeeded: Bool { !interrupted && results.allSatisfy { $0.isBuilt || $0.isUnchanged } }

    /// The reference's text for several failures: per failure its message, the command and the
    /// target, then the count.
    public var failureGroupText: String {
        var text = ""
        for r in failed {
            guard let f = r.failure else { continue }
            text += "\(f.message)\n  - Command executed: '\(f.command ?? "")'\n  - Metadata:\n    - image_target: \(r.display)\n\n"
        }
        return text + "\n\(failed.count) build(s) returned errors\n"
    }

    /// `{ "<uid>": <metadata> }` for the built targets that have metadata, in plan order.
    public var metadata: JSONValue {
        var object = OrderedDictionary<String, JSONValue>()
        for r in results { if let m = r.metadata { object[r.uid] = m } }
        return .object(object)
    }
}
