// Options that shape the plan.
import Foundation
import OrderedCollections

/// Options that shape the plan.
public struct PlanOptions: Sendable {
    public var cacheRegistry: String?
    public var tempRegistry: String?
    public var push = false
    /// `--image-platform` values of a real build: they choose the cache tag's platform suffix
    /// (empty: each target's own platforms, as `--plan` does).
    public var platforms: [String] = []
    /// Environment consulted for build secrets (`buildSecrets[].envVar` set → secret entry).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public init() {}
}
