// `--dev-versions` / `--matrix-versions`.
import Foundation

/// `--dev-versions` / `--matrix-versions`.
public enum VersionInclusion: String, Sendable, CaseIterable {
    case include, exclude, only
}
