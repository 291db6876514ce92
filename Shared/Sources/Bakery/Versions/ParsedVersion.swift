// Version order and `--image-version` matching, as posit-bakery orders and matches versions.

/// A version name parsed for ordering: `2026.03.1`, `2026.05.0-dev+185-gabc1234` (CalVer/semver),
/// or a matrix name such as `R4.3.3-python3.13.14` (dependency-prefixed).
///
///     ParsedVersion("2026.03.1")! > ParsedVersion("2026.03.1-rc.1")!   // true
public struct ParsedVersion: Sendable, Comparable, CustomStringConvertible {
    public enum Form: Sendable, Equatable {
        /// `N(.N)+[-prerelease][+build]`
        case semantic(release: [Int], prerelease: [String]?)
        /// One or more `<dep><N(.N)+>` joined by `-`, dep ∈ positron, quarto, python, R.
        case prefixed([Pair])
    }

    public struct Pair: Sendable, Equatable {
        public var dependency: String
        public var numbers: [Int]
    }

    public let text: String
    public let form: Form

    static let prefixes = ["positron", "quarto", "python", "R"]

    public init?(_ text: String) {
        self.text = text
        if let semantic = ParsedVersion.parseSemantic(text) {
            form = semantic
        } else if let pairs = ParsedVersion.parsePrefixed(text) {
            form = .prefixed(pairs)
        } else {
            return nil
        }
    }

    public var description: String { text }

    /// Release numbers used for ordering (the first component's for dependency-prefixed names).
    public var release: [Int] {
        switch form {
        case .semantic(let r, _): return r
        case .prefixed(let pairs): return pairs.first?.numbers ?? []
        }
    }

    public var prerelease: [String]? {
        if case .semantic(_, let p) = form { return p }
        return nil
    }

    private static func numbers(_ s: Substring) -> [Int]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        var out: [Int] = []
        for p in parts {
            guard !p.isEmpty, p.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(p) else { return nil }
            out.append(n)
        }
        return out
    }

    private static func isIdentifierText(_ s: Substring) -> Bool {
        !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
    }

    static func parseSemantic(_ text: String) -> Form? {
        var rest = Substring(text)
        var build: Substring? = nil
        if let plus = rest.firstIndex(of: "+") {
            build = rest[rest.index(after: plus)...]
            rest = rest[..<plus]
        }
        if let build, !isIdentifierText(build) { return nil }
        var prerelease: Substring? = nil
        if let dash = rest.firstIndex(of: "-") {
            prerelease = rest[rest.index(after: dash)...]
            rest = rest[..<dash]
        }
        if let prerelease, !isIdentifierText(prerelease) { return nil }
        guard let release = numbers(rest) else { return nil }
        return .semantic(release: release, prerelease: prerelease.map { $0.split(separator: ".", omittingEmptySubsequences: false).map(String.init) })
    }

    static func parsePrefixed(_ text: String) -> [Pair]? {
        var pairs: [Pair] = []
        for component in text.split(separator: "-", omittingEmptySubsequences: false) {
            guard let prefix = prefixes.first(where: { component.hasPrefix($0) }),
                  let numbers = numbers(component.dropFirst(prefix.count)) else { return nil }
            pairs.append(Pair(dependency: prefix, numbers: numbers))
        }
        return pairs.isEmpty ? nil : pairs
    }

    static func compareNumbers(_ a: [Int], _ b: [Int]) -> Int {
        for i in 0..<max(a.count, b.count) {
            let x = i < a.count ? a[i] : 0, y = i < b.count ? b[i] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    static func comparePrerelease(_ a: [String]?, _ b: [String]?) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, _): return 1
        case (_, nil): return -1
        case (let x?, let y?):
            for (p, q) in zip(x, y) where p != q {
                let pn = Int(p), qn = Int(q)
                switch (pn, qn) {
                case (let m?, let n?): return m < n ? -1 : 1
                case (_?, nil): return -1
                case (nil, _?): return 1
                case (nil, nil): return p < q ? -1 : 1
                }
            }
            return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
        }
    }

    public static func compare(_ a: ParsedVersion, _ b: ParsedVersion) -> Int {
        let r = compareNumbers(a.release, b.release)
        if r != 0 { return r }
        return comparePrerelease(a.prerelease, b.prerelease)
    }

    public static func < (a: ParsedVersion, b: ParsedVersion) -> Bool { compare(a, b) < 0 }
    public static func == (a: ParsedVersion, b: ParsedVersion) -> Bool { compare(a, b) == 0 }

    /// `--image-version` matching: exact text, or release/pair prefix, or dotted-part prefix.
    public static func matches(filter: String, version: String) -> Bool {
        if filter == version { return true }
        if let v = ParsedVersion(version), let f = ParsedVersion(filter) {
            if case .prefixed(let vp) = v.form, case .prefixed(let fp) = f.form {
                return fp.count <= vp.count && zip(fp, vp).allSatisfy { $0 == $1 }
            }
            let vr = v.release, fr = f.release
            guard fr.count <= vr.count, zip(fr, vr).allSatisfy({ $0 == $1 }) else { return false }
            return f.prerelease == nil || f.prerelease == v.prerelease
        }
        let fParts = filter.split(separator: ".", omittingEmptySubsequences: false)
        let vParts = version.split(separator: ".", omittingEmptySubsequences: false)
        guard fParts.count <= vParts.count else { return false }
        for (f, v) in zip(fParts, vParts) where f != v && !v.hasPrefix(f + "-") {
            if let fn = Int(f), let vn = Int(v), fn == vn { continue }
            return false
        }
        return true
    }
}
