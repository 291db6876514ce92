// Connect version names: releases `YYYY.MM.P`, development builds `YYYY.MM.P-dev+<commits>-g<sha>`.
import Bakery
import Foundation

/// A Posit Connect version.
///
///     let v = ConnectVersion("2026.05.0-dev+185-g1a2b3c4")!
///     v.stream                  // "2026.05"
///     v.isDevelopment           // true
///     v.urlEncoded              // "2026.05.0-dev%2B185-g1a2b3c4"
public struct ConnectVersion: Sendable, Equatable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let patch: Int
    /// Development builds: commits since the stream's branch point and the abbreviated commit.
    public let development: (commits: Int, commit: String)?

    public init?(_ text: String) {
        guard let calver = CalendarVersion(text), calver.major >= 2000, calver.minor.count == 2,
              let month = Int(calver.minor), (1...12).contains(month) else { return nil }
        switch (calver.prerelease, calver.build) {
        case ([], []):
            development = nil
        case (["dev"], let build) where build.count == 1:
            // "+185-g1a2b3c4": commit count, then "g" and a hexadecimal commit.
            let pieces = build[0].split(separator: "-", maxSplits: 1)
            guard pieces.count == 2, let commits = Int(pieces[0]), pieces[1].first == "g", pieces[1].count > 1,
                  pieces[1].dropFirst().allSatisfy(\.isHexDigit) else { return nil }
            development = (commits, String(pieces[1].dropFirst()))
        default:
            return nil
        }
        year = calver.major
        self.month = month
        patch = calver.patch
    }

    public static func == (a: ConnectVersion, b: ConnectVersion) -> Bool { a.description == b.description }

    /// Releases order by year, month, patch; a development build comes before its release and after
    /// fewer commits on the same stream.
    public static func < (a: ConnectVersion, b: ConnectVersion) -> Bool {
        if (a.year, a.month, a.patch) != (b.year, b.month, b.patch) { return (a.year, a.month, a.patch) < (b.year, b.month, b.patch) }
        switch (a.development, b.development) {
        case (nil, _): return false
        case (_, nil): return true
        case let (x?, y?): return x.commits < y.commits
        }
    }

    public var isDevelopment: Bool { development != nil }

    /// `YYYY.MM`: the release stream, and the folder of the CDN that holds its files.
    public var stream: String { String(format: "%04d.%02d", year, month) }

    public var description: String {
        let release = "\(stream).\(patch)"
        guard let development else { return release }
        return "\(release)-dev+\(development.commits)-g\(development.commit)"
    }

    /// The version percent-encoded for URLs (`+` becomes `%2B`).
    public var urlEncoded: String { ConnectVersion.percentEncode(description) }

    static func percentEncode(_ text: String) -> String {
        var unreserved = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        unreserved.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Whether the release carries a Debian revision in Posit's apt repository (`2026.02.1-1`); releases
    /// before 2026.02 are published without one.
    public var hasDebianRevision: Bool { (year, month) >= (2026, 2) }

    /// The `rstudio-connect=` pin for apt.
    public var aptPackageVersion: String { description + (hasDebianRevision ? "-1" : "") }

    /// Whether Connect publishes per-architecture runtime tarballs (from 2026.02; amd64 only before).
    public var hasArchitectureRuntimes: Bool { (year, month) >= (2026, 2) }

    /// The content runtime tarball `connect-content-init` unpacks. `architecture` may be a build-time
    /// variable such as `${TARGETARCH}`; it is ignored for versions without per-architecture tarballs.
    public func runtimeURL(architecture: String) -> String {
        "https://cdn.posit.co/connect/\(stream)/rstudio-connect-runtime-\(urlEncoded)"
            + (hasArchitectureRuntimes ? "-\(architecture)" : "") + ".tar.gz"
    }

    /// The installer package on Posit's CDN for an OS and architecture (`amd64`, `arm64`).
    /// Debian family: `rstudio-connect_<version>~ubuntu24_amd64.deb`; RHEL family:
    /// `rstudio-connect-<version>.el9.x86_64.rpm`.
    public func packageURL(os: BuildOS, architecture: String) throws(BakeryError) -> String {
        let platform = try ConnectChannels.platformName(of: os)
        let base = "https://cdn.posit.co/connect/\(stream)/rstudio-connect"
        switch os.family {
        case .debian: return "\(base)_\(urlEncoded)~\(platform)_\(architecture).deb"
        case .rhel: return "\(base)-\(urlEncoded).\(platform).\(ConnectChannels.rpmArchitecture(architecture)).rpm"
        default: throw BakeryError(.channel, "Posit Connect publishes no packages for \(os.name) \(os.version)")
        }
    }
}
