// Workbench's release channels (reference §14.3): `release` from posit.co's downloads.json, `preview` and
// `daily` from the dailies index of a release branch; for the server (`workbench`) and for the session
// components (`workbench-session`).
import Bakery
import Foundation

/// Reads Workbench's channel documents, for the server or the session components.
///
///     let channels = WorkbenchChannels(product: .workbench)
///     try channels.documentURL(for: .daily)   // https://dailies.rstudio.com/rstudio/latest/index.json
///     try channels.release(from: index, channel: .daily, os: .identify("Ubuntu 24.04"), architecture: "arm64")
///     // ChannelRelease(version: "2026.05.0-daily+187.pro3", downloadURL: <link of products.workbench.platforms["noble-arm64"]>)
///
/// * `release`: `rstudio.pro.stable.server.installer.<os key>.{version,url}` of downloads.json
///   (`…session.installer…` for the session components). The document lists amd64 builds; arm64 is the same
///   URL with `amd64` → `arm64` (`x86_64` → `aarch64` for an rpm).
/// * `preview` and `daily`: `products.workbench.platforms["<os key>-<arch>"].{version,link}` of
///   `https://dailies.rstudio.com/rstudio/<release branch>/index.json` (`products.session…` for the session
///   components). Both channels read the same index, as the reference does; the release branch tells them apart.
public struct WorkbenchChannels: ProductChannels {
    public let product: PositProduct
    /// The dailies folder preview and daily builds are read from: `latest`, or a stream such as `2026.05`.
    public var releaseBranch: String

    public init(product: PositProduct) {
        self.init(product: product, releaseBranch: Self.defaultReleaseBranch)
    }

    public init(product: PositProduct, releaseBranch: String) {
        self.product = product
        self.releaseBranch = releaseBranch
    }

    public static let defaultReleaseBranch = "latest"

    /// Preview and daily builds of another dailies folder (`2026.05`).
    public func onReleaseBranch(_ branch: String) -> any ProductChannels {
        WorkbenchChannels(product: product, releaseBranch: branch)
    }
    public var channels: [ReleaseChannel] { product.channels }

    static let downloadsDocument = "https://posit.co/wp-content/uploads/downloads.json"
    static let versionForms = "YYYY.MM.P+BUILD.proN, or a channel build such as YYYY.MM.P-daily+BUILD.proN"

    /// The products this type reads; others get a `.channel` error from every method.
    static let readable: [PositProduct] = [.workbench, .workbenchSession]

    /// The key of the product in each document, and its name in messages.
    private var section: (downloads: String, dailies: String, name: String) {
        product == .workbenchSession ? ("session", "session", "Workbench session components") : ("server", "workbench", "Posit Workbench")
    }

    private func checkProduct() throws(BakeryError) {
        guard Self.readable.contains(product) else {
            throw BakeryError(.channel, "WorkbenchChannels reads the channels of workbench and workbench-session, not of \(product.rawValue)",
                              hint: "use the channels of the product module that publishes \(product.rawValue)")
        }
    }

    public func documentURL(for channel: ReleaseChannel) throws(BakeryError) -> URL {
        try checkProduct()
        let address: String
        switch channel {
        case .release:
            address = Self.downloadsDocument
        case .preview, .daily:
            // A branch names one folder: letters, digits, '.', '-' and '_' (`latest`, `2026.05`).
            guard !releaseBranch.isEmpty, !releaseBranch.hasPrefix("."),
                  releaseBranch.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                throw BakeryError(.channel, "'\(releaseBranch)' is not a Workbench release branch for the dailies index",
                                  hint: "use latest or a stream such as 2026.05")
            }
            address = "https://dailies.rstudio.com/rstudio/\(releaseBranch)/index.json"
        }
        guard let url = URL(string: address) else { throw BakeryError(.internal, "'\(address)' is not a URL") }
        return url
    }

    public func isValidVersion(_ version: String) -> Bool { WorkbenchVersion(version) != nil }

    public func release(from document: Data, channel: ReleaseChannel, os: BuildOS, architecture: String) throws(BakeryError) -> ChannelRelease {
        let source = try documentURL(for: channel).absoluteString
        guard WorkbenchVersion.architectures.contains(architecture) else {
            throw BakeryError(.channel, "\(source): '\(architecture)' is not an architecture Posit Workbench is built for; use amd64 or arm64")
        }
        let json: Any
        do { json = try JSONSerialization.jsonObject(with: document) } catch {
            throw BakeryError(.channel, "\(source) is not valid JSON", hint: "the download may have been cut short or replaced by an error page; try again")
        }
        let key = try Self.osKey(of: os)
        let release: ChannelRelease
        let path: String
        switch channel {
        case .release:
            path = "rstudio.pro.stable.\(section.downloads).installer"
            guard let installers = Self.object(json, at: path) else {
                throw BakeryError(.channel, "\(source) has no \(path) section")
            }
            guard let entry = installers[key] as? [String: Any] else {
                throw BakeryError(.channel, "\(source) lists no \(section.name) installer under \(path).\(key) (\(os.name) \(os.version)); it has: "
                                   + installers.keys.sorted().joined(separator: ", "),
                                  hint: "build on an OS the release channel lists")
            }
            guard let version = entry["version"] as? String, let url = entry["url"] as? String else {
                throw BakeryError(.channel, "\(source): \(path).\(key) needs string 'version' and 'url'")
            }
            let archURL = architecture == "amd64" ? url
                : url.replacingOccurrences(of: "amd64", with: architecture)
                     .replacingOccurrences(of: "x86_64", with: Self.rpmArchitecture(architecture))
            release = ChannelRelease(version: version, downloadURL: archURL)
        case .preview, .daily:
            path = "products.\(section.dailies).platforms"
            guard let platforms = Self.object(json, at: path) else {
                throw BakeryError(.channel, "\(source) has no \(path) section")
            }
            let platform = "\(key)-\(Self.architectureIdentifier(architecture, os: os))"
            guard let entry = platforms[platform] as? [String: Any] else {
                throw BakeryError(.channel, "\(source) has no \(section.name) \(channel.rawValue) build for platform '\(platform)' under \(path); it has: "
                                   + platforms.keys.sorted().joined(separator: ", "),
                                  hint: "build on an OS and architecture the branch '\(releaseBranch)' publishes, or pin another release branch")
            }
            guard let version = entry["version"] as? String, let link = entry["link"] as? String else {
                throw BakeryError(.channel, "\(source): \(path).\(platform) needs string 'version' and 'link'")
            }
            release = ChannelRelease(version: version, downloadURL: link)
        }
        guard WorkbenchVersion(release.version) != nil else {
            throw BakeryError(.channel, "\(source) gives '\(release.version)' under \(path), which is not a Workbench version (\(Self.versionForms))")
        }
        guard let scheme = URL(string: release.downloadURL)?.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw BakeryError(.channel, "\(source) gives download URL '\(release.downloadURL)' under \(path), which is not an HTTP URL")
        }
        return release
    }

    /// The dictionary at a dotted key path of a JSON document, or nil.
    static func object(_ json: Any, at path: String) -> [String: Any]? {
        var node: Any? = json
        for key in path.split(separator: ".") { node = (node as? [String: Any])?[String(key)] }
        return node as? [String: Any]
    }

    /// The URL of `pinned` on the channel `release` came from: the channel version, encoded as the file names
    /// spell it (`+` → `-`), replaced in its URL by the pinned one encoded the same way (reference §14.3).
    ///
    ///     // release: 2026.05.0-daily+187.pro3, …/rstudio-workbench-2026.05.0-daily-187.pro3-amd64.deb
    ///     try channels.downloadURL(forPinned: "2026.05.0-daily+190.pro1", basedOn: release)
    ///     // "…/rstudio-workbench-2026.05.0-daily-190.pro1-amd64.deb"
    public func downloadURL(forPinned pinned: String, basedOn release: ChannelRelease) throws(BakeryError) -> String {
        guard let pinnedVersion = WorkbenchVersion(pinned) else {
            throw BakeryError(.channel, "'\(pinned)' is not a Workbench version (\(Self.versionForms))")
        }
        let encoded = WorkbenchVersion.fileEncoded(release.version)
        guard !encoded.isEmpty, release.downloadURL.contains(encoded) else {
            throw BakeryError(.channel, "Cannot substitute version '\(pinned)' into URL '\(release.downloadURL)': manifest version '\(release.version)' (encoded as '\(encoded)') not found in URL.")
        }
        return release.downloadURL.replacingOccurrences(of: encoded, with: pinnedVersion.fileVersion)
    }

    /// The OS key of Workbench's channel documents (downloads.json's installer key, and the first part of a
    /// dailies platform key): the Ubuntu codename (`noble`); for Debian, the Ubuntu release it is built like
    /// (bookworm → `noble`, bullseye → `jammy`, buster → `focal`); for the RHEL family `rhel<major>` (`rhel9`);
    /// for SUSE `opensuse<version without dots>` (`opensuse156`); `multi` for anything else.
    ///
    /// Reference §14.3 states the SUSE rule for all products and spells the RHEL rule `rhel<version>`; taking
    /// the major version and dropping the dots of a SUSE version are assumptions matching Workbench's
    /// published keys (`rhel9`, `opensuse156`), not spelled out there.
    public static func osKey(of os: BuildOS) throws(BakeryError) -> String {
        switch (os.name, os.family) {
        case ("ubuntu", _):
            guard let codename = os.codename else {
                throw BakeryError(.channel, "no codename known for Ubuntu \(os.version), which Workbench's channels key builds by",
                                  hint: "use an Ubuntu release bakery knows (22.04, 24.04)")
            }
            return codename
        case ("debian", _):
            let mapped = ["bookworm": "noble", "bullseye": "jammy", "buster": "focal"]
            guard let codename = os.codename, let ubuntu = mapped[codename] else {
                throw BakeryError(.channel, "Posit Workbench publishes no installer for Debian \(os.version)",
                                  hint: "Debian 10, 11 and 12 are served the Ubuntu focal, jammy and noble builds")
            }
            return ubuntu
        case (_, .rhel):
            return "rhel\(os.majorVersion)"
        case (_, .sles):
            return "opensuse\(os.version.replacingOccurrences(of: ".", with: ""))"
        default:
            return "multi"
        }
    }

    /// The architecture in a dailies platform key: `amd64`/`arm64`, or `x86_64`/`aarch64` for the RHEL family.
    static func architectureIdentifier(_ architecture: String, os: BuildOS) -> String {
        os.family == .rhel ? rpmArchitecture(architecture) : architecture
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
