// Options that shape the plan.
import Foundation
import OrderedCollections

/// Options that shape the plan.
public struct PlanOptions: Sendable {
    public var cacheRegistry: String?
    public var tempRegistry: String?
    public var push = false
    /// Environment consulted for build secrets (`buildSecrets[].envVar` set → secret entry).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public init() {}
}
