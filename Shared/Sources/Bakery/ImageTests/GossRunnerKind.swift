// Which program evaluates a target's gossfile: bakery's own runner, or a real dgoss.

/// Which program evaluates the gossfile.
public enum GossRunnerKind: String, Sendable, CaseIterable {
    /// bakery's own runner: probes through `exec`, no goss binary in the image.
    case builtin
    /// A real `dgoss` (and goss) found as the reference finds them.
    case dgoss
}
