// Positron version names as PEP 440 orders them (`2026.03.0-212` is a post-release of 2026.03.0), and the
// files workbench-positron-init downloads for a version and architecture (products.md §9.2).
import Bakery
import Foundation

/// A Positron version, read with PEP 440's grammar after an optional leading `v` (reference §14.1), and
/// printed in its original spelling.
///
///     let v = PositronVersion("2026.03.0-212")!
///     v > PositronVersion("2026.03.0")!       // true: "-212" is a post-release
///     v > PositronVersion("2026.02.1-5")!     // true
///     try v.serverURL(architecture: "amd64")
///     // "https://cdn.posit.co/positron/releases/pwb/x86_64/positron-workbench-linux-x64-2026.03.0-212.tar.gz"
///
/// Accepted (case-insensitive, as PEP 440): an epoch `N!`, a release `N(.N)*`, a pre-release (`a`, `b`,
/// `rc` and their spellings `alpha`, `beta`, `c`, `pre`, `preview`, with an optional number), a post-release
/// (`-N`, `.postN`, `.revN`, `.rN`), a development release (`.devN`) and a local label (`+ubuntu.1`).
/// Rejected: spaces anywhere (the name goes into URLs), empty parts, anything else; numbers beyond Int.
///
/// Equality is PEP 440's: `v2026.03.0` equals `2026.03.0` and `2026.3` equals `2026.3.0`, though their
/// descriptions differ.
public struct PositronVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The name as written (`v2026.03.0-212` keeps its `v`).
    public let description: String
    let key: Key

    public init?(_ text: String) {
        guard let key = Key(parsing: text) else { return nil }
        self.description = text
        self.key = key
    }

    public static func == (a: PositronVersion, b: PositronVersion) -> Bool { a.key == b.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public static func < (a: PositronVersion, b: PositronVersion) -> Bool { a.key < b.key }

    // MARK: Download URLs (products.md §9.2)

    /// The Positron server tarball for Workbench:
    /// `https://cdn.posit.co/positron/releases/pwb/<cdn arch>/positron-workbench-linux-<package arch>-<version>.tar.gz`.
    ///
    ///     try PositronVersion("2026.03.0-212")!.serverURL(architecture: "arm64")
    ///     // "https://cdn.posit.co/positron/releases/pwb/arm64/positron-workbench-linux-arm64-2026.03.0-212.tar.gz"
    public func serverURL(architecture: String) throws(BakeryError) -> String {
        let cdn = try Self.cdnArchitecture(architecture), package = try Self.packageArchitecture(architecture)
        return "https://cdn.posit.co/positron/releases/pwb/\(cdn)/positron-workbench-linux-\(package)-\(description).tar.gz"
    }

    /// The Positron documentation archive (one for every architecture):
    /// `https://cdn.posit.co/positron/releases/docs/positron-workbench-docs-2026.03.0-212.zip`.
    public var docsURL: String {
        "https://cdn.posit.co/positron/releases/docs/positron-workbench-docs-\(description).zip"
    }

    /// The manifest naming the newest positron-session-init binary per artifact (`.artifacts["<artifact>"].url`).
    public static let sessionInitManifestURL = "https://cdn.posit.co/pwb-components/positron-session-init/latest.json"

    /// The artifact key of positron-session-init in its manifest: `linux-x86_64` (amd64), `linux-arm64`.
    public static func sessionInitArtifact(architecture: String) throws(BakeryError) -> String {
        "linux-\(try cdnArchitecture(architecture))"
    }

    /// The architecture folder on the CDN: `x86_64` (amd64), `arm64`.
    public static func cdnArchitecture(_ architecture: String) throws(BakeryError) -> String {
        try checkArchitecture(architecture)
        return architecture == "amd64" ? "x86_64" : "arm64"
    }

    /// The architecture in the server tarball's name: `x64` (amd64), `arm64`.
    public static func packageArchitecture(_ architecture: String) throws(BakeryError) -> String {
        try checkArchitecture(architecture)
        return architecture == "amd64" ? "x64" : "arm64"
    }

    /// The architectures Positron is published for in Workbench (Docker's `TARGETARCH` values).
    public static let architectures = ["amd64", "arm64"]

    static func checkArchitecture(_ architecture: String) throws(BakeryError) {
        guard architectures.contains(architecture) else {
            throw BakeryError(.invalidArgument, "'\(architecture)' is not an architecture Positron is published for in Workbench",
                              hint: "use amd64 or arm64 (the TARGETARCH of linux/amd64 and linux/arm64)")
        }
    }
}

extension PositronVersion {
    /// PEP 440's sort key: epoch, release without trailing zeros, then pre-, post- and development release
    /// and local label, with PEP 440's sentinels (a development release of a final version before its
    /// pre-releases; no post-release before any; no development release after any).
    struct Key: Sendable, Hashable, Comparable {
        enum LocalPart: Sendable, Hashable, Comparable {
            // Words sort before numbers (PEP 440).
            case word(String)
            case number(Int)
        }

        let epoch: Int
        let release: [Int]
        /// (phase, number): phase -1 = development release of a final version, 0 = a, 1 = b, 2 = rc, 3 = final.
        let pre: Int, preNumber: Int
        /// -1 when there is none.
        let post: Int
        /// Int.max when there is none.
        let dev: Int
        let local: [LocalPart]

        static func < (a: Key, b: Key) -> Bool {
            if a.epoch != b.epoch { return a.epoch < b.epoch }
            if a.release != b.release { return a.release.lexicographicallyPrecedes(b.release) }
            if (a.pre, a.preNumber) != (b.pre, b.preNumber) { return (a.pre, a.preNumber) < (b.pre, b.preNumber) }
            if a.post != b.post { return a.post < b.post }
            if a.dev != b.dev { return a.dev < b.dev }
            return a.local.lexicographicallyPrecedes(b.local)
        }

        init?(parsing text: String) {
            var scanner = Scanner440(text.lowercased())
            if scanner.peek("v") { scanner.advance(1) }
            // Epoch "N!" or the release's first number.
            guard let first = scanner.number() else { return nil }
            var epoch = 0
            var release = [first]
            if scanner.peek("!") {
                scanner.advance(1)
                epoch = first
                guard let n = scanner.number() else { return nil }
                release = [n]
            }
            while scanner.peek("."), scanner.isDigit(at: 1) {
                scanner.advance(1)
                guard let n = scanner.number() else { return nil }
                release.append(n)
            }
            // Pre-release: [sep] word [sep] [N].
            var pre = 3, preNumber = 0
            let preWords: [(String, Int)] = [("alpha", 0), ("beta", 1), ("preview", 2), ("pre", 2), ("rc", 2), ("a", 0), ("b", 1), ("c", 2)]
            if let match = scanner.word(preWords, afterSeparator: true) {
                scanner.advance(match.length)
                pre = match.value
                preNumber = scanner.optionalNumber() ?? 0
                if scanner.failed { return nil }
            }
            // Post-release: "-N", or [sep] (post|rev|r) [sep] [N].
            var post = -1
            if scanner.peek("-"), scanner.isDigit(at: 1) {
                scanner.advance(1)
                guard let n = scanner.number() else { return nil }
                post = n
            } else if let match = scanner.word([("post", 0), ("rev", 0), ("r", 0)], afterSeparator: true) {
                scanner.advance(match.length)
                post = scanner.optionalNumber() ?? 0
                if scanner.failed { return nil }
            }
            // Development release: [sep] dev [sep] [N].
            var dev = Int.max
            if let match = scanner.word([("dev", 0)], afterSeparator: true) {
                scanner.advance(match.length)
                dev = scanner.optionalNumber() ?? 0
                if scanner.failed { return nil }
            }
            // Local label: "+" segments of letters and digits separated by ".", "-" or "_".
            var local: [LocalPart] = []
            if scanner.peek("+") {
                scanner.advance(1)
                let label = scanner.rest
                let parts = label.split(omittingEmptySubsequences: false) { ".-_".contains($0) }
                guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }) else { return nil }
                for part in parts {
                    if part.allSatisfy(\.isNumber) {
                        guard let n = Int(part) else { return nil }
                        local.append(.number(n))
                    } else {
                        local.append(.word(String(part)))
                    }
                }
                scanner.advance(label.count)
            }
            guard scanner.atEnd else { return nil }
            if pre == 3, post == -1, dev != Int.max { pre = -1 }
            while release.count > 1, release.last == 0 { release.removeLast() }
            self.epoch = epoch
            self.release = release
            self.pre = pre
            self.preNumber = preNumber
            self.post = post
            self.dev = dev
            self.local = local
        }
    }

    /// A cursor over the lower-cased name for `Key`'s parser.
    struct Scanner440 {
        let characters: [Character]
        var index = 0
        /// Set when a number was started but does not fit an Int.
        var failed = false

        init(_ text: String) { characters = Array(text) }

        var atEnd: Bool { index == characters.count }
        var rest: String { String(characters[index...]) }

        func peek(_ text: String) -> Bool {
            let wanted = Array(text)
            return index + wanted.count <= characters.count && Array(characters[index..<index + wanted.count]) == wanted
        }

        func isDigit(at offset: Int) -> Bool {
            let i = index + offset
            return i < characters.count && characters[i].isASCII && characters[i].isNumber
        }

        mutating func advance(_ count: Int) { index += count }

        /// Digits at the cursor as an Int (leading zeros allowed, as PEP 440); nil when there are none or too many.
        mutating func number() -> Int? {
            var digits = ""
            while isDigit(at: 0) { digits.append(characters[index]); index += 1 }
            guard !digits.isEmpty, let value = Int(digits) else { return nil }
            return value
        }

        /// An optional [sep] N after a pre/post/dev word; sets `failed` for a number beyond Int.
        mutating func optionalNumber() -> Int? {
            let start = index
            if let c = characters[safe: index], ".-_".contains(c), isDigit(at: 1) { index += 1 }
            guard isDigit(at: 0) else { index = start; return nil }
            guard let value = number() else { failed = true; return nil }
            return value
        }

        /// The first of `words` at the cursor (after an optional separator when allowed): the characters to
        /// skip and the word's value. Longer spellings are listed first.
        func word(_ words: [(String, Int)], afterSeparator: Bool) -> (length: Int, value: Int)? {
            var skip = 0
            if afterSeparator, let c = characters[safe: index], ".-_".contains(c) { skip = 1 }
            for (word, value) in words {
                let wanted = Array(word)
                let start = index + skip
                if start + wanted.count <= characters.count, Array(characters[start..<start + wanted.count]) == wanted {
                    return (skip + wanted.count, value)
                }
            }
            return nil
        }
    }
}

extension Array {
    fileprivate subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
