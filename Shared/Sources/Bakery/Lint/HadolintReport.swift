// What `bakery hadolint run` found, Containerfile by Containerfile.
import Foundation

/// What `bakery hadolint run` found, Containerfile by Containerfile.
public struct HadolintReport: Sendable {
    public enum Outcome: Sendable {
        /// hadolint ran and printed its JSON; its exit status says whether a finding reached the failure threshold.
        case linted(findings: [HadolintFinding], termination: CommandOutput.Termination, resultsFile: URL)
        case failed(HadolintExecutionFailure)
    }

    public struct Entry: Sendable {
        public var job: HadolintJob
        public var outcome: Outcome

        public var findings: [HadolintFinding] {
            if case .linted(let findings, _, _) = outcome { return findings }
            return []
        }

        /// hadolint ran and exited 0.
        public var passed: Bool {
            if case .linted(_, let termination, _) = outcome { return termination == .exited(0) }
            return false
        }

        public var executionFailure: HadolintExecutionFailure? {
            if case .failed(let failure) = outcome { return failure }
            return nil
        }
    }

    public var entries: [Entry] = []
    /// Ctrl-C or SIGTERM stopped the run (the entries are those finished before).
    public var interrupted = false
    /// `results/hadolint/hadolint.sarif`, once written.
    public var sarifFile: URL?
    /// Why the SARIF file could not be written (the run then fails).
    public var sarifFailure: BakeryError?
    /// hadolint's version (`hadolint --version`), when it said.
    public var hadolintVersion: String?

    public init() {}

    public var executionFailures: [HadolintExecutionFailure] { entries.compactMap(\.executionFailure) }
    /// Containerfiles where hadolint ran and exited non-zero (a finding at or above the threshold).
    public var failedLints: [Entry] { entries.filter { $0.executionFailure == nil && !$0.passed } }
    /// Exit 0: every Containerfile linted, hadolint exited 0 for each, and the SARIF file was written.
    public var succeeded: Bool { !interrupted && sarifFailure == nil && entries.allSatisfy(\.passed) }
}
