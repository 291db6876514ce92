// trivy scan settings.
import BakeryYAML

/// trivy scan settings.
public struct TrivyOptions: Sendable, Hashable {
    public static let severities = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO"]
    public var severity: [String]?
    public var ignoreUnfixed: Bool?
    public var skipFiles: [String]?
    public var skipDirs: [String]?
    public var exitCode: Int?
    public var scanners: [String]?
    public var timeout: String?
    public var failureSeverity: [String]?
    public var explicitlySet: Set<String> = []
    public init() {}
}
