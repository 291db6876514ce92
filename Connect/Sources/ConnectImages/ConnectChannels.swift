// Connect's release channels: `release` (posit.co downloads.json) and `daily` (the CDN's latest-packages.json).
import Bakery
import Foundation

/// Reads Connect's channel documents. Connect publishes no `preview` channel.
///
///     let channels = ConnectChannels()
///     channels.documentURL(for: .daily)     // https://cdn.posit.co/connect/latest-packages.json
///     try channels.release(from: json, channel: .daily, os: .identify("Ubuntu 24.04"), architecture: "arm64")
public struct ConnectChannels: ProductChannels {
    public init() {}
    public let product = PositProduct.connect
    public let channels: [ReleaseChannel] = [.release, .daily]

    static let noPreview = BakeryError(.channel, "Posit Connect has no preview channel; use channel: release or channel: daily")

    public func documentURL(for channel: ReleaseChannel) throws(BakeryError) -> URL {
        let address: String
        switch channel {
        case .release: address = "https://posit.co/wp-content/uploads/downloads.json"
        case .daily: address = "https://cdn.posit.co/connect/latest-packages.json"
        case .preview: throw Self.noPreview
        }
        guard let url = URL(string: address) else { throw BakeryError(.internal, "'\(address)' is not a URL") }
        return url
    }

    public func isValidVersion(_ version: String) -> Bool { ConnectVersion(version) != nil }

    public func release(from document: Data, channel: ReleaseChannel, os: BuildOS, architecture: String) throws(BakeryError) -> ChannelRelease {
        let source = try documentURL(for: channel).absoluteString
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: document) } catch {
            throw BakeryError(.channel, "\(source) is not valid JSON")
        }
        let release: ChannelRelease
        switch channel {
        case .preview:
            throw Self.noPreview
        case .release:
            // connect.installer.<os key>.{version,url}; the document lists amd64 builds.
            let key = try ConnectChannels.downloadsKey(of: os)
            guard let installers = ((json as? [String: Any])?["connect"] as? [String: Any])?["installer"] as? [String: Any] else {
                throw BakeryError(.channel, "\(source) has no connect.installer section")
            }
            guard let entry = installers[key] as? [String: Any] else {
                throw BakeryError(.channel, "\(source) lists no Connect installer for '\(key)' (\(os.name) \(os.version)); it has: "
                                   + installers.keys.sorted().joined(separator: ", "))
            }
            guard let version = entry["version"] as? String, let url = entry["url"] as? String else {
                throw BakeryError(.channel, "\(source): connect.installer.\(key) needs string 'version' and 'url'")
            }
            let archURL = architecture == "amd64" ? url
                : url.replacingOccurrences(of: "amd64", with: architecture)
                     .replacingOccurrences(of: "x86_64", with: ConnectChannels.rpmArchitecture(architecture))
            release = ChannelRelease(version: version, downloadURL: archURL, stream: nil)
        case .daily:
            // packages[] item whose platform is "<connect os>/<arch>".
            let platform = "\(try ConnectChannels.platformName(of: os))/\(os.family == .rhel ? ConnectChannels.rpmArchitecture(architecture) : architecture)"
            guard let packages = (json as? [String: Any])?["packages"] as? [[String: Any]] else {
                throw BakeryError(.channel, "\(source) has no 'packages' list")
            }
            guard let entry = packages.first(where: { $0["platform"] as? String == platform }) else {
                let offered = packages.compactMap { $0["platform"] as? String }.sorted()
                throw BakeryError(.channel, "\(source) has no daily build for platform '\(platform)'; it has: " + offered.joined(separator: ", "))
            }
            guard let version = entry["version"] as? String, let url = entry["url"] as? String else {
                throw BakeryError(.channel, "\(source): the '\(platform)' package needs string 'version' and 'url'")
            }
            release = ChannelRelease(version: version, downloadURL: url, stream: entry["primary_version"] as? String)
        }
        guard ConnectVersion(release.version) != nil else {
            throw BakeryError(.channel, "\(source) gives '\(release.version)', which is not a Connect version (YYYY.MM.P or YYYY.MM.P-dev+N-gSHA)")
        }
        guard let scheme = URL(string: release.downloadURL)?.scheme, scheme == "https" || scheme == "http" else {
            throw BakeryError(.channel, "\(source) gives download URL '\(release.downloadURL)', which is not an HTTP URL")
        }
        return release
    }

    public func downloadURL(forPinned pinned: String, basedOn release: ChannelRelease) throws(BakeryError) -> String {
        guard let pinnedVersion = ConnectVersion(pinned) else {
            throw BakeryError(.channel, "'\(pinned)' is not a Connect version (YYYY.MM.P or YYYY.MM.P-dev+N-gSHA)")
        }
        let encoded = ConnectVersion.percentEncode(release.version)
        guard release.downloadURL.contains(encoded) else {
            throw BakeryError(.channel, "Cannot substitute version '\(pinned)' into URL '\(release.downloadURL)': manifest version '\(release.version)' (encoded as '\(encoded)') not found in URL.")
        }
        var url = release.downloadURL.replacingOccurrences(of: encoded, with: pinnedVersion.urlEncoded)
        let manifestStream = release.stream ?? ConnectVersion(release.version)?.stream
        if let manifestStream, manifestStream != pinnedVersion.stream,
           let range = url.range(of: "/\(manifestStream)/") {
            url.replaceSubrange(range, with: "/\(pinnedVersion.stream)/")
        }
        return url
    }

    /// The downloads.json key of an OS: the Ubuntu codename (Debian maps to the Ubuntu release it is
    /// built like), `redhat8`/`rhel9`, `opensuse<version>`.
    public static func downloadsKey(of os: BuildOS) throws(BakeryError) -> String {
        switch (os.name, os.family) {
        case ("ubuntu", _):
            guard let codename = os.codename else { throw BakeryError(.channel, "no codename known for Ubuntu \(os.version)") }
            return codename
        case ("debian", _):
            let mapped = ["bookworm": "noble", "bullseye": "jammy", "buster": "focal"]
            guard let codename = os.codename, let ubuntu = mapped[codename] else {
                throw BakeryError(.channel, "Posit Connect publishes no installer for Debian \(os.version)")
            }
            return ubuntu
        case (_, .rhel):
            switch os.majorVersion {
            case "8": return "redhat8"
            case "9": return "rhel9"
            default: throw BakeryError(.channel, "Posit Connect publishes no installer for \(os.name) \(os.version)")
            }
        case (_, .sles): return "opensuse\(os.version.replacingOccurrences(of: ".", with: ""))"
        default: return "multi"
        }
    }

    /// The platform name in Connect's package names and daily document: `ubuntu24`, `el9`; Debian N is
    /// served the `ubuntu<2N>` build.
    public static func platformName(of os: BuildOS) throws(BakeryError) -> String {
        switch (os.name, os.family) {
        case ("debian", _):
            guard let major = Int(os.majorVersion) else { throw BakeryError(.channel, "unknown Debian version '\(os.version)'") }
            return "ubuntu\(2 * major)"
        case (_, .rhel):
            guard ["8", "9"].contains(os.majorVersion) else {
                throw BakeryError(.channel, "Posit Connect publishes no packages for \(os.name) \(os.version)")
            }
            return "el\(os.majorVersion)"
        case (_, .debian):
            return "\(os.name)\(os.majorVersion)"
        default:
            throw BakeryError(.channel, "Posit Connect publishes no packages for \(os.name) \(os.version)")
        }
    }

    /// RPM architecture names: amd64 is x86_64, arm64 is aarch64.
    static func rpmArchitecture(_ architecture: String) -> String {
        switch architecture {
        case "amd64": return "x86_64"
        case "arm64": return "aarch64"
        default: return architecture
        }
    }
}
