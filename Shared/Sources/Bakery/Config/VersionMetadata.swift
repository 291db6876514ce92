// Release-channel facts of a development version (empty for ordinary versions).
import BakeryYAML

/// Release-channel facts of a development version (empty for ordinary versions).
public struct VersionMetadata: Sendable, Hashable {
    public var releaseChannel: ReleaseChannel?
    public var releaseChannels: [ReleaseChannel] = []
    public var channelLatest = true
    /// The channels whose newest build this is, when that is not all of `releaseChannels` (a pinned build collapsed
    /// into another channel's newest one); floating channel tags (`daily`, `preview-ubuntu-24.04`) go to these only.
    /// nil: every channel of the build, when `channelLatest`.
    public var headChannels: [ReleaseChannel]?
    public init(releaseChannel: ReleaseChannel? = nil) { self.releaseChannel = releaseChannel }
}
