// One build a channel offers for one OS and architecture.
import Foundation

/// One build a channel offers for one OS and architecture.
public struct ChannelRelease: Sendable, Equatable {
    /// The product version, e.g. `2026.05.0-dev+185-g1a2b3c4`.
    public var version: String
    /// The package to download for that version, OS and architecture.
    public var downloadURL: String
    /// The release stream the channel says the build belongs to (Connect's `primary_version`, e.g. `2026.05`).
    public var stream: String?

    public init(version: String, downloadURL: String, stream: String? = nil) {
        self.version = version
        self.downloadURL = downloadURL
        self.stream = stream
    }

    /// The URL with the architecture replaced by `$TARGETARCH`, for targets built for several platforms.
    public var architectureGeneralisedURL: String {
        downloadURL.replacingOccurrences(of: "x86_64", with: "$TARGETARCH").replacingOccurrences(of: "amd64", with: "$TARGETARCH")
    }
}
