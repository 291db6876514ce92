// Posit products whose release channels bakery can follow.
import BakeryYAML

/// Posit products whose release channels bakery can follow.
public enum PositProduct: String, Sendable, Hashable, CaseIterable {
    case connect
    case packageManager = "package-manager"
    case workbench
    case workbenchSession = "workbench-session"

    /// The channels a product publishes.
    public var channels: [ReleaseChannel] {
        self == .connect ? [.release, .daily] : [.release, .preview, .daily]
    }
}
