// Workbench version names (`2026.04.0+526.pro2`, channel builds such as `2026.05.0-daily+187.pro3`) and the
// files each version installs from: the rstudio-workbench .deb and the session components tarball.
import Bakery
import Foundation

/// A Posit Workbench version: `YYYY.MM.P+BUILD.proN` (`2026.04.0+526.pro2`), the open-source form
/// `YYYY.MM.P+BUILD`, or a preview/daily channel build with pre-release identifiers in the CalVer grammar
/// (reference §14.3): `2026.05.0-daily+187.pro3`, `2026.05.0-preview+12.pro1`.
///
///     let v = WorkbenchVersion("2026.04.0+526.pro2")!
///     v.stream        // "2026.04"
///     v.fileVersion   // "2026.04.0-526.pro2" (Posit's file names spell "+" as "-")
///     v.build         // 526
///     v.pro           // 2
///
/// Rejected: no build (`2026.04.0`), a build that is not a number (`2026.04.0+pro2`), `.pro` without a
/// number, anything after `.proN`, a second `+`, a month that is not two digits from 01 to 12, leading zeros
/// in the year, patch, build or pro number, a leading `v`, spaces, years before 2000.
public struct WorkbenchVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let patch: Int
    /// The build number after `+` (`2026.04.0+526.pro2` → 526).
    public let build: Int
    /// The Pro build number (`.pro2` → 2); nil for the open-source form `YYYY.MM.P+BUILD`.
    public let pro: Int?
    /// Pre-release identifiers of a channel build (`["daily"]`, `["preview"]`); empty for releases.
    public let prerelease: [String]
    /// The name as written; the grammar admits one spelling per version, so it is also the canonical one.
    public let description: String

    public init?(_ text: String) {
        guard let calver = CalendarVersion(text), (2000...9999).contains(calver.major), calver.minor.count == 2,
              let month = Int(calver.minor), (1...12).contains(month) else { return nil }
        // Numeric pre-release identifiers without leading zeros, as in the rest of the name.
        guard calver.prerelease.allSatisfy({ !Self.isNumeric($0) || Self.plainNumber($0) != nil }) else { return nil }
        switch calver.build.count {
        case 1, 2:
            guard let build = Self.plainNumber(calver.build[0]) else { return nil }
            self.build = build
            if calver.build.count == 2 {
                let tag = calver.build[1]
                guard tag.hasPrefix("pro"), let pro = Self.plainNumber(String(tag.dropFirst(3))) else { return nil }
                self.pro = pro
            } else {
                pro = nil
            }
        default:
            return nil
        }
        year = calver.major
        self.month = month
        patch = calver.patch
        prerelease = calver.prerelease
        description = text
    }

    /// Whether the name is a release (no pre-release identifiers) rather than a channel build.
    public var isRelease: Bool { prerelease.isEmpty }

    /// `YYYY.MM`: the release stream, and the subpath of a release's version folder.
    public var stream: String { String(format: "%04d.%02d", year, month) }

    /// The version as Posit's download server and S3 file names spell it: `+` becomes `-`
    /// (`2026.04.0+526.pro2` → `2026.04.0-526.pro2`). Also the encoding pinned-version substitution uses (§14.3).
    public var fileVersion: String { Self.fileEncoded(description) }

    static func fileEncoded(_ version: String) -> String { version.replacingOccurrences(of: "+", with: "-") }

    /// Orders by year, month and patch; then a channel build before the release of the same number
    /// (pre-release identifiers compared one by one: numbers numerically and before words, a shorter list
    /// first); then by build number; then the open-source form before any `.proN`, and `.proN` by N.
    ///
    ///     WorkbenchVersion("2026.04.0-daily+530.pro1")! < WorkbenchVersion("2026.04.0+526.pro2")!   // true
    ///     WorkbenchVersion("2026.04.0+526.pro2")! < WorkbenchVersion("2026.04.0+527.pro1")!         // true
    public static func < (a: WorkbenchVersion, b: WorkbenchVersion) -> Bool {
        if (a.year, a.month, a.patch) != (b.year, b.month, b.patch) { return (a.year, a.month, a.patch) < (b.year, b.month, b.patch) }
        if a.prerelease.isEmpty != b.prerelease.isEmpty { return !a.prerelease.isEmpty }
        if a.prerelease != b.prerelease { return identifiersPrecede(a.prerelease, b.prerelease) }
        if a.build != b.build { return a.build < b.build }
        return (a.pro ?? -1) < (b.pro ?? -1)
    }

    static func isNumeric(_ identifier: String) -> Bool { CalendarVersion.isNumericIdentifier(identifier) }

    /// The value of a run of ASCII digits without leading zeros ("0" itself allowed), else nil.
    static func plainNumber(_ text: String) -> Int? {
        guard isNumeric(text), text == "0" || text.first != "0" else { return nil }
        return Int(text)
    }

    /// SemVer-style precedence of pre-release identifiers (CalendarVersion's).
    static func identifiersPrecede(_ a: [String], _ b: [String]) -> Bool { CalendarVersion.identifiersPrecede(a, b) }

    /// What is wrong with a name that is not a Workbench version, for hints; nil for a valid one.
    ///
    ///     WorkbenchVersion.problem(with: "2026.04.0")   // "it has no build: add '+BUILD.proN' as the release is named"
    public static func problem(with text: String) -> String? {
        guard WorkbenchVersion(text) == nil else { return nil }
        if text.contains(where: \.isWhitespace) { return "it contains spaces; remove them" }
        if text.hasPrefix("v") || text.hasPrefix("V") { return "drop the leading 'v'" }
        if !text.contains("+") { return "it has no build: add '+BUILD.proN' as the release is named" }
        if text.filter({ $0 == "+" }).count > 1 { return "it has more than one '+'; only the build follows '+'" }
        return "the form is YYYY.MM.P+BUILD.proN, with a two-digit month and no leading zeros elsewhere"
    }

    /// The version the examples and hints name.
    static let example = "2026.04.0+526.pro2"

    // MARK: Download URLs

    /// The architectures Workbench images are built for (Docker's `TARGETARCH` values).
    public static let architectures = ["amd64", "arm64"]

    /// The rstudio-workbench .deb of this version on Posit's download server, for an Ubuntu release and
    /// architecture (`amd64`, `arm64`):
    /// `https://download2.rstudio.org/server/<codename>/<arch>/rstudio-workbench-<fileVersion>-<arch>.deb`.
    ///
    ///     try WorkbenchVersion("2026.04.0+526.pro2")!.downloadURL(os: .identify("Ubuntu 24.04"), architecture: "arm64")
    ///     // "https://download2.rstudio.org/server/noble/arm64/rstudio-workbench-2026.04.0-526.pro2-arm64.deb"
    ///
    /// Throws `.invalidArgument` for another architecture and `.channel` for an OS other than Ubuntu (the
    /// images are Ubuntu-based; other systems' packages are named differently).
    public func downloadURL(os: BuildOS, architecture: String) throws(BakeryError) -> String {
        try Self.checkArchitecture(architecture)
        guard os.name == "ubuntu" else {
            let named = os.version.isEmpty ? os.name : "\(os.name) \(os.version)"
            throw BakeryError(.channel, "bakery names the rstudio-workbench package for Ubuntu only, not for \(named)",
                              hint: "build Workbench images on Ubuntu 22.04 or 24.04, or take the URL from the release channel")
        }
        guard let codename = os.codename else {
            throw BakeryError(.channel, "no codename known for Ubuntu \(os.version), which the download folder is named after",
                              hint: "use an Ubuntu release bakery knows (22.04, 24.04)")
        }
        return "https://download2.rstudio.org/server/\(codename)/\(architecture)/rstudio-workbench-\(fileVersion)-\(architecture).deb"
    }

    /// The multi-platform session components tarball `workbench-session-init` unpacks (products.md §8.2):
    /// `https://s3.amazonaws.com/rstudio-ide-build/session/multi/<x86_64|arm64>/rsp-session-multi-linux-<fileVersion>-<x86_64|arm64>.tar.gz`.
    /// `architecture` is `amd64` (named `x86_64` in the URL) or `arm64`.
    ///
    ///     try WorkbenchVersion("2026.04.0+526.pro2")!.sessionComponentsURL(architecture: "amd64")
    ///     // "https://s3.amazonaws.com/rstudio-ide-build/session/multi/x86_64/rsp-session-multi-linux-2026.04.0-526.pro2-x86_64.tar.gz"
    public func sessionComponentsURL(architecture: String) throws(BakeryError) -> String {
        try Self.checkArchitecture(architecture)
        let arch = architecture == "amd64" ? "x86_64" : architecture
        return "https://s3.amazonaws.com/rstudio-ide-build/session/multi/\(arch)/rsp-session-multi-linux-\(fileVersion)-\(arch).tar.gz"
    }

    static func checkArchitecture(_ architecture: String) throws(BakeryError) {
        guard architectures.contains(architecture) else {
            throw BakeryError(.invalidArgument, "'\(architecture)' is not an architecture Posit Workbench images are built for",
                              hint: "use amd64 or arm64 (the TARGETARCH of linux/amd64 and linux/arm64)")
        }
    }
}
