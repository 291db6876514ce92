// The names of the dependencies an image version can pin or constrain (R, Python, Quarto, Positron).
import BakeryYAML

/// The dependencies bakery knows how to resolve; names are case-sensitive as in bakery.yaml.
public enum DependencyName: String, Sendable, Hashable, CaseIterable {
    case python
    case R
    case quarto
    case positron

    /// Whether a `prerelease` flag is meaningful (only these publish pre-releases).
    public var supportsPrerelease: Bool { self == .quarto || self == .positron }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> DependencyName? {
        guard let s = reader.string(node, path) else { return nil }
        if let name = DependencyName(rawValue: s) { return name }
        let hint = allCases.first { $0.rawValue.lowercased() == s.lowercased() }.map { "did you mean '\($0.rawValue)'? names are case-sensitive" }
            ?? "supported: " + allCases.map(\.rawValue).joined(separator: ", ")
        reader.error(node, path, "unsupported dependency '\(s)'", hint: hint)
        return nil
    }
}
