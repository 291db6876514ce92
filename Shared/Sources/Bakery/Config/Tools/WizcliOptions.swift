// wizcli scan settings.
import BakeryYAML

/// wizcli scan settings.
public struct WizcliOptions: Sendable, Hashable {
    public var projects: [String]?
    public var policies: [String]?
    public var tags: [String]?
    public var scanOsManagedLibraries: Bool?
    public var scanGoStandardLibrary: Bool?
    public var explicitlySet: Set<String> = []
    public init() {}
}
