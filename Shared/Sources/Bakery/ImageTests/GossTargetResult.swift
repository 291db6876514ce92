// One target's test run, for tables, reports and the exit status.
import Goss

/// One target's run, for tables and reports.
public struct GossTargetResult: Sendable {
    public var setup: GossTargetSetup
    public var outcome: GossTargetOutcome
    public var seconds: Double
    /// goss's warnings (deprecations, duplicate includes).
    public var warnings: [String] = []

    public init(setup: GossTargetSetup, outcome: GossTargetOutcome, seconds: Double, warnings: [String] = []) {
        self.setup = setup
        self.outcome = outcome
        self.seconds = seconds
        self.warnings = warnings
    }

    public var report: GossReport? { if case .tested(let r, _) = outcome { r } else { nil } }
    public var failed: Bool {
        switch outcome {
        case .tested(let r, _): r.failedCount > 0
        case .executionError: true
        }
    }
}
