// Identifies the distribution an OS entry names ("Ubuntu 24.04" → ubuntu 24.04 noble, family debian).

/// A known build OS: family, distribution, version and codename.
///
///     BuildOS.identify("Ubuntu 24.04")   // ubuntu 24.04 noble (debian family)
///     BuildOS.identify("Rocky Linux 9")  // rocky 9 (rhel family)
///     BuildOS.identify("Plan9 4")        // unknown
public struct BuildOS: Sendable, Hashable {
    public enum Family: String, Sendable, Hashable {
        case debian, rhel, sles, unknown

        public var packageSuffix: String? { self == .debian ? "deb" : (self == .rhel || self == .sles) ? "rpm" : nil }
        public var archSeparator: String { self == .debian ? "_" : "." }
        public var versionSeparator: String { self == .debian ? "_" : "-" }
    }

    public var family: Family
    public var name: String
    public var version: String
    public var codename: String?

    public init(family: Family, name: String, version: String, codename: String?) {
        self.family = family
        self.name = name
        self.version = version
        self.codename = codename
    }

    public var majorVersion: String { String(version.split(separator: ".", omittingEmptySubsequences: false).first ?? "") }

    public static let unknown = BuildOS(family: .unknown, name: "unknown", version: "", codename: nil)
    public static let scratch = BuildOS(family: .unknown, name: "scratch", version: "", codename: nil)

    /// Every OS bakery knows, newest first within a distribution.
    public static let known: [BuildOS] = [
        BuildOS(family: .debian, name: "ubuntu", version: "26.04", codename: "resolute"),
        BuildOS(family: .debian, name: "ubuntu", version: "24.04", codename: "noble"),
        BuildOS(family: .debian, name: "ubuntu", version: "22.04", codename: "jammy"),
        BuildOS(family: .debian, name: "debian", version: "13", codename: "trixie"),
        BuildOS(family: .debian, name: "debian", version: "12", codename: "bookworm"),
        BuildOS(family: .debian, name: "debian", version: "11", codename: "bullseye"),
    ] + ["rhel", "alma", "rocky"].flatMap { distro in
        ["10", "9", "8"].map { BuildOS(family: .rhel, name: distro, version: $0, codename: nil) }
    }

    private static let aliases: [String: String] = [
        "redhat": "rhel", "red hat": "rhel", "rh": "rhel", "el": "rhel",
        "almalinux": "alma", "alma linux": "alma",
        "rockylinux": "rocky", "rocky linux": "rocky",
    ]

    public static func identify(_ osName: String) -> BuildOS {
        let text = osName.lowercased().trimmingASCIIWhitespace()
        // Leading non-digit part, then a run of digits and dots.
        let digitStart = text.firstIndex { $0.isASCII && $0.isNumber } ?? text.endIndex
        var distro = String(text[..<digitStart]).trimmingASCIIWhitespace()
        let versionPart = String(text[digitStart...].prefix { ($0.isASCII && $0.isNumber) || $0 == "." })
        distro = aliases[distro] ?? distro
        if versionPart.isEmpty {
            if distro == "scratch" { return .scratch }
            if distro == "unknown" { return .unknown }
            let candidates = known.filter { $0.name == distro }
            return candidates.max { compareNumeric($0.version, $1.version) } ?? .unknown
        }
        let major = String(versionPart.split(separator: ".", omittingEmptySubsequences: false).first ?? "")
        return known.first { $0.name == distro && $0.majorVersion == major } ?? .unknown
    }

    private static func compareNumeric(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: ".").map { Int($0) ?? 0 }, y = b.split(separator: ".").map { Int($0) ?? 0 }
        return x.lexicographicallyPrecedes(y)
    }
}
