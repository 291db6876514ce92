// Package Manager version names (`2026.04.2`, `2025.12.0-14`, channel builds such as `2026.06.0-dev+314-g7c2e9f1`)
// and the package URLs on Posit's CDN that each version, OS and architecture installs from.
import Bakery
import Foundation

/// A Posit Package Manager version: `YYYY.MM.P`, optionally with a package build number (`-14`), or a
/// preview/daily channel build in the CalVer grammar (reference §14.3): other `-prerelease` identifiers
/// and `+build` metadata.
///
///     let v = PackageManagerVersion("2025.12.0-14")!
///     v.stream                  // "2025.12"
///     v.buildNumber             // 14
///     v.isRelease               // true
///     PackageManagerVersion("2026.06.0-dev+314-g7c2e9f1")?.urlEncoded   // "2026.06.0-dev%2B314-g7c2e9f1"
///
/// Rejected: a month that is not two digits from 01 to 12 (`2026.4.2`, `2026.13.0`), leading zeros in the
/// year, patch or a numeric identifier (`2026.04.02`, `2025.12.0-014`), a leading `v`, empty identifiers,
/// anything but ASCII letters, digits and `-` in the identifiers, years before 2000.
public struct PackageManagerVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let patch: Int
    /// The package build number of a release (`2025.12.0-14` → 14); nil when the name has none.
    public let buildNumber: Int?
    /// Pre-release identifiers of a channel build (`2026.06.0-rc.2` → `["rc", "2"]`); empty for releases.
    public let prerelease: [String]
    /// Build metadata after `+` (`2026.06.0-dev+314-g7c2e9f1` → `["314-g7c2e9f1"]`).
    public let metadata: [String]

    public init?(_ text: String) {
        guard let calver = CalendarVersion(text), (2000...9999).contains(calver.major), calver.minor.count == 2,
              let month = Int(calver.minor), (1...12).contains(month) else { return nil }
        // Numeric pre-release identifiers without leading zeros, so that the name round-trips and orders.
        guard calver.prerelease.allSatisfy({ !Self.isNumeric($0) || $0 == "0" || $0.first != "0" }) else { return nil }
        if calver.prerelease.count == 1, Self.isNumeric(calver.prerelease[0]) {
            guard let number = Int(calver.prerelease[0]) else { return nil }
            buildNumber = number
            prerelease = []
        } else {
            buildNumber = nil
            prerelease = calver.prerelease
        }
        year = calver.major
        self.month = month
        patch = calver.patch
        metadata = calver.build
    }

    /// Whether the name is a release (`YYYY.MM.P` or `YYYY.MM.P-N`) rather than a channel build.
    public var isRelease: Bool { prerelease.isEmpty && metadata.isEmpty }

    /// `YYYY.MM`: the release stream (and the subpath of a release's version folder).
    public var stream: String { String(format: "%04d.%02d", year, month) }

    public var description: String {
        var text = "\(stream).\(patch)"
        if let buildNumber { text += "-\(buildNumber)" }
        if !prerelease.isEmpty { text += "-" + prerelease.joined(separator: ".") }
        if !metadata.isEmpty { text += "+" + metadata.joined(separator: ".") }
        return text
    }

    /// Orders like PEP 440 (reference §14.1): by year, month and patch; then pre-release identifiers
    /// (`-rc.2`, `-dev`) before the release, the release before its numbered builds (`2026.03.0` <
    /// `2026.03.0-5` < `2026.03.0-212`); pre-release identifiers compare one by one (numbers numerically and
    /// before words, a shorter list first); a name with `+metadata` after the same name without, metadata
    /// compared like pre-release identifiers.
    public static func < (a: PackageManagerVersion, b: PackageManagerVersion) -> Bool {
        if (a.year, a.month, a.patch) != (b.year, b.month, b.patch) { return (a.year, a.month, a.patch) < (b.year, b.month, b.patch) }
        let (aPre, bPre) = (!a.prerelease.isEmpty, !b.prerelease.isEmpty)
        if aPre != bPre { return aPre }
        if aPre {
            if a.prerelease != b.prerelease { return identifiersPrecede(a.prerelease, b.prerelease) }
        } else if a.buildNumber != b.buildNumber {
            return (a.buildNumber ?? -1) < (b.buildNumber ?? -1)
        }
        if a.metadata.isEmpty != b.metadata.isEmpty { return a.metadata.isEmpty }
        return a.metadata != b.metadata && identifiersPrecede(a.metadata, b.metadata)
    }

    static func isNumeric(_ identifier: String) -> Bool { CalendarVersion.isNumericIdentifier(identifier) }

    static func identifiersPrecede(_ a: [String], _ b: [String]) -> Bool { CalendarVersion.identifiersPrecede(a, b) }

    /// The version percent-encoded for URLs (`+` becomes `%2B`), as the CDN's file names spell it.
    public var urlEncoded: String {
        var unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        unreserved.insert(charactersIn: "-._~")
        return description.addingPercentEncoding(withAllowedCharacters: unreserved) ?? description
    }

    // MARK: Download URLs

    /// The architectures Package Manager images are built for (Docker's `TARGETARCH` values).
    public static let architectures = ["amd64", "arm64"]

    /// The `rstudio-pm` package of this version on Posit's CDN for an OS and architecture (reference §14.3:
    /// `https://cdn.posit.co/package-manager/<deb|rpm>/<arch>/rstudio-pm<sep><version><sep><arch>.<deb|rpm>`).
    ///
    /// `architecture` is `amd64` or `arm64` (Docker's `TARGETARCH`). Debian-family OSes (Ubuntu, Debian) get
    /// the deb, whose file name and folder carry the architecture as is; RHEL-family and SUSE OSes get the
    /// rpm, whose name and folder use the RPM spelling (`x86_64`, `aarch64`). The version is percent-encoded.
    ///
    ///     let v = PackageManagerVersion("2025.12.0-14")!
    ///     try v.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "amd64")
    ///     // "https://cdn.posit.co/package-manager/deb/amd64/rstudio-pm_2025.12.0-14_amd64.deb"
    ///     try v.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "arm64")
    ///     // "https://cdn.posit.co/package-manager/deb/arm64/rstudio-pm_2025.12.0-14_arm64.deb"
    ///     try v.downloadURL(os: .identify("RHEL 9"), architecture: "arm64")
    ///     // "https://cdn.posit.co/package-manager/rpm/aarch64/rstudio-pm-2025.12.0-14.aarch64.rpm"
    ///
    /// Throws `.invalidArgument` for another architecture and `.channel` for an OS Package Manager
    /// publishes no package for (neither Debian, RHEL nor SUSE family).
    public func downloadURL(os: BuildOS, architecture: String) throws(BakeryError) -> String {
        guard Self.architectures.contains(architecture) else {
            throw BakeryError(.invalidArgument, "'\(architecture)' is not an architecture Posit Package Manager images are built for",
                              hint: "use amd64 or arm64 (the TARGETARCH of linux/amd64 and linux/arm64)")
        }
        let suffix = try Self.packageSuffix(of: os)
        let arch = suffix == "rpm" ? Self.rpmArchitecture(architecture) : architecture
        return Self.packageURL(suffix: suffix, architecture: arch, version: urlEncoded, family: os.family)
    }

    /// The download URL a Containerfile or install script names for a multi-platform build: the URL with
    /// the architecture left to the build, as `$TARGETARCH` (the "architecture-generalised" URL of
    /// reference §14.3, the value bakery gives templates as `Image.DownloadURL` for an OS with non-default
    /// platforms). `$TARGETARCH` stands in both the folder and the file name:
    ///
    ///     try PackageManagerVersion("2025.12.0-14")!.downloadURLTemplate(os: .identify("Ubuntu 24.04"))
    ///     // "https://cdn.posit.co/package-manager/deb/$TARGETARCH/rstudio-pm_2025.12.0-14_$TARGETARCH.deb"
    ///
    /// With `TARGETARCH` set to `amd64` or `arm64` it is exactly `downloadURL(os:architecture:)`. Debian
    /// family only: RPM names spell the architectures `x86_64`/`aarch64`, which `TARGETARCH` is not, so
    /// RHEL-family and SUSE OSes throw `.channel` (use `downloadURL(os:architecture:)` per architecture).
    public func downloadURLTemplate(os: BuildOS) throws(BakeryError) -> String {
        let suffix = try Self.packageSuffix(of: os)
        guard suffix == "deb" else {
            throw BakeryError(.channel, "Posit Package Manager's rpm for \(os.name) \(os.version) cannot be named with $TARGETARCH: RPM file names use x86_64 and aarch64",
                              hint: "name each architecture's URL (downloadURL(os:architecture:)) or map TARGETARCH to the RPM architecture in the script")
        }
        return Self.packageURL(suffix: suffix, architecture: "$TARGETARCH", version: urlEncoded, family: os.family)
    }

    static func packageURL(suffix: String, architecture: String, version: String, family: BuildOS.Family) -> String {
        "https://cdn.posit.co/package-manager/\(suffix)/\(architecture)/rstudio-pm"
            + "\(family.versionSeparator)\(version)\(family.archSeparator)\(architecture).\(suffix)"
    }

    /// `deb` for the Debian family, `rpm` for RHEL and SUSE.
    static func packageSuffix(of os: BuildOS) throws(BakeryError) -> String {
        guard let suffix = os.family.packageSuffix else {
            let named = os.version.isEmpty ? os.name : "\(os.name) \(os.version)"
            throw BakeryError(.channel, "Posit Package Manager publishes no package for \(named)",
                              hint: "Package Manager ships .deb packages for Ubuntu/Debian and .rpm packages for RHEL-family and SUSE systems")
        }
        return suffix
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
