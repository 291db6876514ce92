// `--dev-spec` / BAKERY_DEV_SPEC: one development build pinned to a version or a release branch, for the images
// whose development version follows the chosen channel.
import Foundation

/// A pinned development build: `{"version": "2026.05.0-dev+185-g1a2b3c4", "channel": "daily"}` or
/// `{"release_branch": "2026.05"}`.
///
///     let spec = try DevelopmentSpec.parse(#"{"version": "2026.05.0", "channel": "preview"}"#)
///     spec.releaseBranch(forChannelSource: true)   // "2026.05" (from the version)
///     try DevelopmentSpec.effectiveChannel(spec: spec, devChannel: .daily)   // throws: the channels conflict
public struct DevelopmentSpec: Sendable, Equatable {
    /// The product version to build (CalVer), or nil to build the newest build of `releaseBranch`.
    public var version: String?
    /// The channel the pinned build belongs to; nil leaves the choice to `--dev-channel`.
    public var channel: ReleaseChannel?
    /// The release branch of the channel documents (Workbench's dailies folder, e.g. `2026.05`).
    public var releaseBranch: String?

    public init(version: String? = nil, channel: ReleaseChannel? = nil, releaseBranch: String? = nil) {
        self.version = version
        self.channel = channel
        self.releaseBranch = releaseBranch
    }

    static let keys = ["version", "channel", "release_branch"]
    /// The longest spec read, in bytes: its three short strings fit many times over.
    static let maximumLength = 4096

    /// Reads the JSON object of `--dev-spec`. Every problem is an `.invalidArgument` error saying what is wrong.
    public static func parse(_ text: String) throws(BakeryError) -> DevelopmentSpec {
        func invalid(_ problem: String) -> BakeryError {
            BakeryError(.invalidArgument, "Invalid value for '--dev-spec' (env var: 'BAKERY_DEV_SPEC'): \(problem)",
                        hint: #"pass a JSON object such as {"version": "2026.05.0-dev+185-g1a2b3c4", "channel": "daily"} or {"release_branch": "2026.05"}"#)
        }
        // What the user gave is echoed cut short: a spec of a megabyte is not printed back whole.
        func shown(_ text: String) -> String { text.count > 80 ? String(text.prefix(80)) + "…" : text }
        guard text.utf8.count <= maximumLength else {
            throw invalid("it is \(text.utf8.count) bytes long; a spec is a small JSON object of at most \(maximumLength) bytes")
        }
        guard let value = JSONValue.parse(text), case .object(let pairs) = value else {
            throw invalid("'\(shown(text))' is not a JSON object")
        }
        var spec = DevelopmentSpec()
        for (key, item) in pairs {
            guard keys.contains(key) else { throw invalid("unknown key '\(shown(key))'; the keys are version, channel and release_branch") }
            if case .null = item { continue }
            guard case .string(let raw) = item else { throw invalid("'\(key)' must be a string") }
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            switch key {
            case "version":
                guard !text.isEmpty else { throw invalid("'version' is empty") }
                guard CalendarVersion(text) != nil else {
                    throw invalid("'version' is '\(shown(text))', which is not a CalVer version (YYYY.MM.PATCH with an optional -prerelease and +build, e.g. 2026.05.0-dev+185-g1a2b3c4)")
                }
                spec.version = text
            case "channel":
                guard let channel = ReleaseChannel(rawValue: text) else {
                    throw invalid("'channel' is '\(shown(text))'; use release, preview or daily")
                }
                spec.channel = channel
            default:
                guard !text.isEmpty else { throw invalid("'release_branch' is empty") }
                spec.releaseBranch = text
            }
        }
        guard spec.version != nil || spec.releaseBranch != nil else {
            throw invalid("at least one of 'version' or 'release_branch' must be set")
        }
        return spec
    }

    /// The channel development versions are chosen by: `--dev-channel`, else the spec's. Both given and different is
    /// an error.
    public static func effectiveChannel(spec: DevelopmentSpec?, devChannel: ReleaseChannel?) throws(BakeryError) -> ReleaseChannel? {
        if let specChannel = spec?.channel, let devChannel, specChannel != devChannel {
            throw BakeryError(.invalidArgument,
                "Conflicting channels: --dev-spec has channel '\(specChannel.rawValue)' but --dev-channel is '\(devChannel.rawValue)'. Either omit 'channel' from --dev-spec or ensure they match.")
        }
        return devChannel ?? spec?.channel
    }

    /// The release branch a channel source reads: `YYYY.MM` of the pinned version, else the spec's `release_branch`.
    public func releaseBranch(forChannelSource: Bool) throws(BakeryError) -> String? {
        guard forChannelSource else { return nil }
        if let version {
            guard let calendar = CalendarVersion(version) else {
                throw BakeryError(.invalidArgument, "Cannot extract YYYY.MM from version '\(version)': not a valid CalVer string.")
            }
            return calendar.stream
        }
        return releaseBranch
    }
}
