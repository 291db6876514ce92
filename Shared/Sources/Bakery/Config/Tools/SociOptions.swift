// SOCI index settings for publishing.
import BakeryYAML

/// SOCI index settings for publishing.
public struct SociOptions: Sendable, Hashable {
    public var enabled = false
    public var spanSize: Int?
    public var minLayerSize: Int?
    public var prefetchFiles: [String] = []
    public var optimizations: [String] = []
    /// nil means every platform of the target.
    public var platforms: [String]?
    public var explicitlySet: Set<String> = []
    public init() {}
}
