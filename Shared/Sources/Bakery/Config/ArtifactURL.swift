// The URL pattern accepted for `artifactDownloadURL`: http(s), with `$VAR` / `${VAR}` tokens allowed.
import BakeryYAML

/// The URL pattern accepted for `artifactDownloadURL`: http(s), with `$VAR` / `${VAR}` tokens allowed.
enum ArtifactURL {
    static func isValid(_ s: String) -> Bool {
        let lower = s.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return false }
        let rest = s.drop { $0 != "/" }.dropFirst(2)
        guard let first = rest.first, first != "/" else { return false }
        return !rest.contains { $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" }
    }
}
