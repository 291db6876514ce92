// The phases of a target's test run, for the live display.

/// Progress of a target's run, for the live display.
public enum GossTargetPhase: Sendable {
    case starting, waiting(attempt: Int), evaluating, kept(containerID: String), finished(GossTargetResult)
}
