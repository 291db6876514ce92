// hadolint settings; nil means "not set" (the tool's defaults apply).
import BakeryYAML

/// hadolint settings; nil means "not set" (the tool's defaults apply).
public struct HadolintOptions: Sendable, Hashable {
    public static let defaultIgnored = ["DL3008", "DL3018", "DL3033", "DL3037", "DL3041"]
    public static let thresholds = ["error", "warning", "info", "style", "ignore", "none"]

    public var failureThreshold: String?
    public var ignored: [String]?
    /// Label name → type, in bakery.yaml's order (hadolint's `--require-label name:type`, in that order).
    public var labelSchema: [KeyValue]?
    public var noFail: Bool?
    public var override: [String: [String]]?
    public var strictLabels: Bool?
    public var disableIgnorePragma: Bool?
    public var trustedRegistries: [String]?
    public var explicitlySet: Set<String> = []
    public init() {}

    public var effectiveFailureThreshold: String { failureThreshold ?? "error" }
    /// The default ignore list applies when `ignored` was never set; an explicit `[]` clears it.
    public var effectiveIgnored: [String] { ignored ?? Self.defaultIgnored }
}
