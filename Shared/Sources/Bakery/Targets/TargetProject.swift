// One project's images, ready for selection.
import Foundation

/// One project's images, ready for selection.
public struct TargetProject: Sendable {
    public var config: BakeryConfig
    /// Where the project is, relative to where bakery runs ("." for a single project).
    public var context: String
    public init(config: BakeryConfig, context: String) {
        self.config = config
        self.context = context
    }
}
