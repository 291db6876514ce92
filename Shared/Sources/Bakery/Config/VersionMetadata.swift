// Release-channel facts of a development version (empty for ordinary versions).
import BakeryYAML

/// Release-channel facts of a development version (empty for ordinary versions).
public struct VersionMetadata: Sendable, Hashable {
    public var releaseChannel: ReleaseChannel?
    public var releaseChannels: [ReleaseChannel] = []
    public var channelLatest = true
    public init(releaseChannel: ReleaseChannel? = nil) { self.releaseChannel = releaseChannel }
}
