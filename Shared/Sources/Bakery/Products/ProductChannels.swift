// How a product publishes builds on its release channels: where the channel document lives, how to read
// a version and download URL out of it, and how to point that URL at another (pinned) version.
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
}

/// The CalVer grammar of Posit products: `MAJOR.MINOR.PATCH` (MAJOR and PATCH without leading zeros,
/// MINOR any digits), an optional `-prerelease` of dot-separated identifiers and an optional `+build`.
///
///     CalendarVersion("2026.05.0-dev+185-g1a2b3c4")?.stream   // "2026.05"
public struct CalendarVersion: Sendable, Equatable {
    public let major: Int
    public let minor: String
    public let patch: Int
    public let prerelease: [String]
    public let build: [String]

    public init?(_ text: String) {
        var rest = Substring(text)
        var build: [String] = []
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<plus]
            guard !build.isEmpty, build.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }) else { return nil }
        }
        var prerelease: [String] = []
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            rest = rest[..<dash]
            guard prerelease.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") } }) else { return nil }
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        func number(_ s: Substring, leadingZeroAllowed: Bool) -> Bool {
            !s.isEmpty && s.allSatisfy { $0.isASCII && $0.isNumber } && (leadingZeroAllowed || s == "0" || s.first != "0")
        }
        guard parts.count == 3,
              number(parts[0], leadingZeroAllowed: false), number(parts[1], leadingZeroAllowed: true),
              number(parts[2], leadingZeroAllowed: false),
              let major = Int(parts[0]), let patch = Int(parts[2]) else { return nil }
        self.major = major
        self.minor = String(parts[1])
        self.patch = patch
        self.prerelease = prerelease
        self.build = build
    }

    /// `MAJOR.MINOR`, the release stream (`2026.05`).
    public var stream: String { "\(major).\(minor)" }
    public var isPrerelease: Bool { !prerelease.isEmpty }
}
