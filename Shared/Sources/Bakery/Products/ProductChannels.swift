// How a product publishes builds on its release channels: where the channel document lives, how to read
// a version and download URL out of it, and how to point that URL at another (pinned) version.
import Foundation

/// A product's release channels. A channel that cannot give a release throws a `BakeryError` with
/// code `.channel` whose message says what was looked up and what to do. Fetching is the caller's job (with an offline cache); implementations
/// only say what to fetch and read what came back, so they are tested on fixture documents.
///
///     let url = try channels.documentURL(for: .daily)              // what to fetch
///     let release = try channels.release(from: data, channel: .daily, os: ubuntu2404, architecture: "arm64")
public protocol ProductChannels: Sendable {
    var product: PositProduct { get }
    /// The channels this product publishes, in precedence order.
    var channels: [ReleaseChannel] { get }
    /// The document that lists the channel's current builds.
    func documentURL(for channel: ReleaseChannel) throws(BakeryError) -> URL
    /// The build the fetched document offers for an OS and architecture (`amd64`, `arm64`).
    func release(from document: Data, channel: ReleaseChannel, os: BuildOS, architecture: String) throws(BakeryError) -> ChannelRelease
    /// The download URL of `version`, derived from a release of the same channel (for pinned dev builds).
    func downloadURL(forPinned version: String, basedOn release: ChannelRelease) throws(BakeryError) -> String
    /// Whether a version string is a well-formed version of this product.
    func isValidVersion(_ version: String) -> Bool
    /// The same channels read from a release branch (`--dev-spec`: a pinned `YYYY.MM` or its `release_branch`), for
    /// products whose preview and daily documents are kept per branch.
    func onReleaseBranch(_ branch: String) -> any ProductChannels
}

extension ProductChannels {
    /// Most products keep one document per channel, whatever the branch.
    public func onReleaseBranch(_ branch: String) -> any ProductChannels { self }
}
