// The CalVer grammar of Posit product versions (`2026.05.0-dev+185-g1a2b3c4`).
import Foundation

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

    /// Whether a pre-release or build identifier is a number (ASCII digits only, `0`–`9`).
    public static func isNumericIdentifier(_ identifier: String) -> Bool {
        !identifier.isEmpty && identifier.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// SemVer precedence of two identifier lists (pre-release or build identifiers): compared one by one,
    /// numbers numerically (by length, then digits: no overflow) and before words, words in ASCII order; when
    /// one list is a prefix of the other, the shorter comes first.
    ///
    ///     CalendarVersion.identifiersPrecede(["rc", "2"], ["rc", "10"])   // true
    ///     CalendarVersion.identifiersPrecede(["dev"], ["1"])              // false: numbers come first
    public static func identifiersPrecede(_ a: [String], _ b: [String]) -> Bool {
        for (x, y) in zip(a, b) where x != y {
            switch (isNumericIdentifier(x), isNumericIdentifier(y)) {
            case (true, true): return (x.count, x) < (y.count, y)
            case (true, false): return true
            case (false, true): return false
            case (false, false): return x < y
            }
        }
        return a.count < b.count
    }
}
