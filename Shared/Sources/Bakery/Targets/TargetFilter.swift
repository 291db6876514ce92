// The filters of target-producing commands.
import Foundation

/// The filters of target-producing commands.
public struct TargetFilter: Sendable {
    public var imageName: String?
    public var imageVersion: String?
    public var imageVariant: String?
    public var imageOS: String?
    public var imagePlatforms: [String] = []
    public var devVersions: VersionInclusion = .exclude
    public var devChannel: ReleaseChannel?
    /// `--dev-spec`: the development build pinned for the images whose dev version follows the effective channel.
    public var devSpec: DevelopmentSpec?
    public var matrixVersions: VersionInclusion = .exclude
    public var latest = false
    public var recent: Int?

    public init() {}

    /// `--image-name 'x', --image-version 'y', …` for the no-target message.
    public var description: String {
        var parts: [String] = []
        if let imageName { parts.append("--image-name '\(imageName)'") }
        if let imageVersion { parts.append("--image-version '\(imageVersion)'") }
        if let imageVariant { parts.append("--image-variant '\(imageVariant)'") }
        if let imageOS { parts.append("--image-os '\(imageOS)'") }
        if !imagePlatforms.isEmpty { parts.append("--image-platform [" + imagePlatforms.map { "'\($0)'" }.joined(separator: ", ") + "]") }
        if let recent { parts.append("--recent \(recent)") }
        return parts.joined(separator: ", ")
    }
}
