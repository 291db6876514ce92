// Package Manager's release channels (reference §14.3): `release` (posit.co downloads.json), `preview` and
// `daily` (one-line text files on the CDN naming the newest build; the URL follows the CDN's file naming).
import Bakery
import Foundation

/// Reads Package Manager's channel documents.
///
///     let channels = PackageManagerChannels()
///     try channels.documentURL(for: .daily)   // https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm-main-latest.txt
///     try channels.release(from: text, channel: .daily, os: .identify("Ubuntu 24.04"), architecture: "arm64")
///     // ChannelRelease(version: "2026.06.0-dev+314-g7c2e9f1",
///     //   downloadURL: "https://cdn.posit.co/package-manager/deb/arm64/rstudio-pm_2026.06.0-dev%2B314-g7c2e9f1_arm64.deb")
///
/// * `release`: `rspm.installer.<os key>.{version,url}` of downloads.json (the URL it lists is the amd64
///   one; arm64 is the same URL with `amd64` → `arm64`, or `x86_64` → `aarch64` for an rpm).
/// * `preview` (`rstudio-pm-rc-latest.txt`) and `daily` (`rstudio-pm-main-latest.txt`): the body, trimmed, is
///   the version; the URL is `PackageManagerVersion.downloadURL(os:architecture:)`.
public struct PackageManagerChannels: ProductChannels {
    public init() {}
    public let product = PositProduct.packageManager
    public let channels: [ReleaseChannel] = [.release, .preview, .daily]

    public func documentURL(for channel: ReleaseChannel) throws(BakeryError) -> URL {
        let address: String
        switch channel {
        case .release: address = "https://posit.co/wp-content/uploads/downloads.json"
        case .preview: address = "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm-rc-latest.txt"
        case .daily: address = "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm-main-latest.txt"
        }
        guard let url = URL(string: address) else { throw BakeryError(.internal, "'\(address)' is not a URL") }
        return url
    }

    public func isValidVersion(_ version: String) -> Bool { PackageManagerVersion(version) != nil }

    static let versionForms = "YYYY.MM.P, YYYY.MM.P-N or a CalVer channel build such as YYYY.MM.P-dev+N"

    public func release(from document: Data, channel: ReleaseChannel, os: BuildOS, architecture: String) throws(BakeryError) -> ChannelRelease {
        let source = try documentURL(for: channel).absoluteString
        guard PackageManagerVersion.architectures.contains(architecture) else {
            throw BakeryError(.channel, "\(source): '\(architecture)' is not an architecture Posit Package Manager is built for; use amd64 or arm64")
        }
        let release: ChannelRelease
        switch channel {
        case .release:
            release = try Self.downloadsRelease(from: document, source: source, os: os, architecture: architecture)
        case .preview, .daily:
            guard let body = String(data: document, encoding: .utf8) else {
                throw BakeryError(.channel, "\(source) is not UTF-8 text", hint: "the \(channel.rawValue) channel document is one line naming a version")
            }
            let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else {
                throw BakeryError(.channel, "\(source) is empty; it should name the newest \(channel.rawValue) build",
                                  hint: "try again later, or pin a version with --dev-spec")
            }
            guard let version = PackageManagerVersion(text) else {
                let shown = text.count > 80 ? String(text.prefix(80)) + "…" : text
                throw BakeryError(.channel, "\(source) gives '\(shown)', which is not a Package Manager version (\(Self.versionForms))")
            }
            release = ChannelRelease(version: text, downloadURL: try version.downloadURL(os: os, architecture: architecture))
        }
        guard let scheme = URL(string: release.downloadURL)?.scheme, scheme == "https" || scheme == "http" else {
            throw BakeryError(.channel, "\(source) gives download URL '\(release.downloadURL)', which is not an HTTP URL")
        }
        return release
    }

    /// `rspm.installer.<os key>` of downloads.json, for an architecture.
    static func downloadsRelease(from document: Data, source: String, os: BuildOS, architecture: String) throws(BakeryError) -> ChannelRelease {
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: document) } catch {
            throw BakeryError(.channel, "\(source) is not valid JSON")
        }
        let key = try downloadsKey(of: os)
        guard let installers = ((json as? [String: Any])?["rspm"] as? [String: Any])?["installer"] as? [String: Any] else {
            throw BakeryError(.channel, "\(source) has no rspm.installer section")
        }
        guard let entry = installers[key] as? [String: Any] else {
            throw BakeryError(.channel, "\(source) lists no Package Manager installer for '\(key)' (\(os.name) \(os.version)); it has: "
                               + installers.keys.sorted().joined(separator: ", "))
        }
        guard let version = entry["version"] as? String, let url = entry["url"] as? String else {
            throw BakeryError(.channel, "\(source): rspm.installer.\(key) needs string 'version' and 'url'")
        }
        guard PackageManagerVersion(version) != nil else {
            throw BakeryError(.channel, "\(source) gives '\(version)' for rspm.installer.\(key), which is not a Package Manager version (\(versionForms))")
        }
        let archURL = architecture == "amd64" ? url
            : url.replacingOccurrences(of: "amd64", with: architecture)
                 .replacingOccurrences(of: "x86_64", with: PackageManagerVersion.rpmArchitecture(architecture))
        return ChannelRelease(version: version, downloadURL: archURL)
    }

    /// The URL of `pinned` on the channel `release` came from: the channel release's version, percent-encoded,
    /// replaced in its URL by the pinned one (the URLs follow the CDN's file naming, reference §14.3).
    ///
    ///     // release: 2026.06.0-dev+314-g7c2e9f1, …/deb/amd64/rstudio-pm_2026.06.0-dev%2B314-g7c2e9f1_amd64.deb
    ///     try channels.downloadURL(forPinned: "2026.06.0-dev+320-gabc1234", basedOn: release)
    ///     // "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm_2026.06.0-dev%2B320-gabc1234_amd64.deb"
    public func downloadURL(forPinned pinned: String, basedOn release: ChannelRelease) throws(BakeryError) -> String {
        guard let pinnedVersion = PackageManagerVersion(pinned) else {
            throw BakeryError(.channel, "'\(pinned)' is not a Package Manager version (\(Self.versionForms))")
        }
        let encoded = PackageManagerVersion(release.version)?.urlEncoded ?? release.version
        guard release.downloadURL.contains(encoded) else {
            throw BakeryError(.channel, "Cannot substitute version '\(pinned)' into URL '\(release.downloadURL)': manifest version '\(release.version)' (encoded as '\(encoded)') not found in URL.")
        }
        return release.downloadURL.replacingOccurrences(of: encoded, with: pinnedVersion.urlEncoded)
    }

    /// The downloads.json key of an OS (reference §14.3): `ubuntu64` for Ubuntu after 22.04 and Debian after
    /// 11; the Ubuntu codename for older Ubuntu (`jammy`), the Ubuntu release older Debian is built like
    /// (bullseye → `jammy`, buster → `focal`); RHEL family 7 → `rhel7_64`, 8 → `fedora28`, 9 → `rhel9`;
    /// SUSE → `opensuse<version without dots>`; anything else `multi`.
    public static func downloadsKey(of os: BuildOS) throws(BakeryError) -> String {
        let major = Int(os.majorVersion)
        switch (os.name, os.family) {
        case ("ubuntu", _):
            guard let major else { throw BakeryError(.channel, "unknown Ubuntu version '\(os.version)'") }
            if major > 22 { return "ubuntu64" }
            guard let codename = os.codename else { throw BakeryError(.channel, "no codename known for Ubuntu \(os.version)") }
            return codename
        case ("debian", _):
            guard let major else { throw BakeryError(.channel, "unknown Debian version '\(os.version)'") }
            if major > 11 { return "ubuntu64" }
            let mapped = ["bullseye": "jammy", "buster": "focal"]
            guard let codename = os.codename, let ubuntu = mapped[codename] else {
                throw BakeryError(.channel, "Posit Package Manager publishes no installer for Debian \(os.version)")
            }
            return ubuntu
        case (_, .rhel):
            switch os.majorVersion {
            case "7": return "rhel7_64"
            case "8": return "fedora28"
            case "9": return "rhel9"
            default: return "multi"
            }
        case (_, .sles): return "opensuse\(os.version.replacingOccurrences(of: ".", with: ""))"
        default: return "multi"
        }
    }
}
