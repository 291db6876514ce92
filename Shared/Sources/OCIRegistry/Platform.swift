// The platform of an image (image-spec `image-index.md`, the `platform` object) and its `os/arch[/variant]` spelling.
import Foundation

/// The operating system and CPU an image runs on.
///
///     let platform = try Platform(parsing: "linux/arm/v7")
///     platform.architecture    // "arm"
///     platform.description     // "linux/arm/v7"
public struct Platform: Codable, Sendable, Hashable, CustomStringConvertible {
    /// CPU architecture in Go's spelling: `amd64`, `arm64`, `arm`, `ppc64le`, `s390x`, …
    public var architecture: String
    /// Operating system in Go's spelling: `linux`, `windows`, …
    public var os: String
    /// CPU variant: `v7` for `arm`, `v8` for `arm64`, …
    public var variant: String?
    /// `os.version` (Windows builds).
    public var osVersion: String?
    /// `os.features` (Windows: `win32k`).
    public var osFeatures: [String]?

    public init(architecture: String, os: String, variant: String? = nil, osVersion: String? = nil, osFeatures: [String]? = nil) {
        self.architecture = architecture
        self.os = os
        self.variant = variant
        self.osVersion = osVersion
        self.osFeatures = osFeatures
    }

    /// Reads `os/architecture[/variant]` as `--platform` flags spell it: `linux/amd64`, `linux/arm64`, `linux/arm/v7`.
    public init(parsing text: String) throws(RegistryError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let shown = "'\(text.prefix(100))'"
        guard (2...3).contains(parts.count) else {
            throw RegistryError(.invalidPlatform, "\(shown) is not a platform: write os/architecture[/variant], e.g. linux/amd64 or linux/arm/v7")
        }
        for part in parts where part.isEmpty || !part.unicodeScalars.allSatisfy(Platform.allowed.contains) {
            let problem = part.isEmpty ? "has an empty component" : "has '\(part.prefix(40))', which is not lowercase letters, digits, '.', '_' or '-'"
            throw RegistryError(.invalidPlatform, "\(shown) is not a platform: it \(problem); write os/architecture[/variant], e.g. linux/arm64")
        }
        self.init(architecture: parts[1], os: parts[0], variant: parts.count == 3 ? parts[2] : nil)
    }

    private static let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz0123456789._-")

    /// `os/architecture[/variant]`.
    public var description: String {
        [os, architecture, variant].compactMap { $0 }.joined(separator: "/")
    }

    enum CodingKeys: String, CodingKey {
        case architecture, os, variant
        case osVersion = "os.version"
        case osFeatures = "os.features"
    }
}
