// goss test settings for `dgoss run`.
import BakeryYAML

/// goss test settings for `dgoss run`.
public struct GossOptions: Sendable, Hashable {
    public var runtimeOptions: String?
    public var command: String = "sleep infinity"
    /// Seconds to wait before testing (`GOSS_SLEEP`).
    public var wait: Int = 0
    /// Seconds before the run is stopped; 0 disables.
    public var timeout: Int = 900
    public var explicitlySet: Set<String> = []
    public init() {}
}
