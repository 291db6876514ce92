// What testing one target ended with: a report, or why it could not be tested.
import Goss

/// What happened to one target.
public enum GossTargetOutcome: Sendable {
    /// The suite ran: its report (which may have failures), and how many attempts the readiness wait took.
    case tested(GossReport, attempts: Int)
    /// It could not be tested: the message, and details (exit code, output, command) for the report.
    case executionError(String, details: [String])
}
