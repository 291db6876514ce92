// Sprig's semverCompare: Masterminds semver v3 versions and constraints, the subset gossfiles need.
//
// Versions: `1`, `1.2`, `1.2.3`, an optional `v`, `-prerelease` and `+metadata` (missing parts are 0).
// Constraints: `=`, `!=`, `>`, `<`, `>=`/`=>`, `<=`/`=<`, `~`/`~>`, `^`, no operator (= equality), wildcards
// `1.2.x`/`1.x`/`*` and partial versions (`= 1.2` is 1.2.x; `> 1.2` needs 1.3 or more; `<= 1.2` allows 1.2.x),
// hyphen ranges `1.2 - 1.4.5`, AND with `,` or spaces, OR with `||`. A version with a prerelease satisfies a
// constraint only if that constraint names a prerelease.

struct SemverError: Error {
    let message: String
}

struct Semver: Comparable {
    var major: Int, minor: Int, patch: Int
    var prerelease: String

    init(major: Int, minor: Int, patch: Int, prerelease: String = "") {
        self.major = major; self.minor = minor; self.patch = patch; self.prerelease = prerelease
    }

    init(_ text: String) throws {
        guard let parsed = Semver.parse(text, wildcards: false) else { throw SemverError(message: "Invalid Semantic Version") }
        self = parsed.version
    }

    struct Parsed {
        var version: Semver
        var majorDirty = false, minorDirty = false, patchDirty = false
    }

    /// Parses `v?MAJOR[.MINOR[.PATCH]][-PRE][+META]`; with `wildcards`, parts may be x, X or *, and missing parts
    /// are marked dirty.
    static func parse(_ text: String, wildcards: Bool) -> Parsed? {
        var body = Substring(text)
        if body.hasPrefix("v") { body = body.dropFirst() }
        var metadataFree = body
        if let plus = body.firstIndex(of: "+") {
            let metadata = body[body.index(after: plus)...]
            guard validIdentifiers(metadata) else { return nil }
            metadataFree = body[..<plus]
        }
        var core = metadataFree
        var prerelease = ""
        if let dash = metadataFree.firstIndex(of: "-") {
            let pre = metadataFree[metadataFree.index(after: dash)...]
            guard validIdentifiers(pre) else { return nil }
            prerelease = String(pre)
            core = metadataFree[..<dash]
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        var numbers: [Int] = []
        var dirty: [Bool] = []
        for part in parts {
            if wildcards, part == "x" || part == "X" || part == "*" { numbers.append(0); dirty.append(true); continue }
            guard !part.isEmpty, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(part) else { return nil }
            numbers.append(n)
            dirty.append(false)
        }
        while numbers.count < 3 { numbers.append(0); dirty.append(true) }
        // After a wildcard, the rest is a wildcard too.
        for i in 1..<3 where dirty[i - 1] { dirty[i] = true; numbers[i] = 0 }
        return Parsed(version: Semver(major: numbers[0], minor: numbers[1], patch: numbers[2], prerelease: prerelease),
                      majorDirty: dirty[0], minorDirty: dirty[1], patchDirty: dirty[2])
    }

    private static func validIdentifiers(_ text: Substring) -> Bool {
        !text.isEmpty && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
        }
    }

    static func < (a: Semver, b: Semver) -> Bool { compare(a, b) < 0 }

    static func compare(_ a: Semver, _ b: Semver) -> Int {
        for (x, y) in [(a.major, b.major), (a.minor, b.minor), (a.patch, b.patch)] where x != y { return x < y ? -1 : 1 }
        if a.prerelease == b.prerelease { return 0 }
        if a.prerelease.isEmpty { return 1 }
        if b.prerelease.isEmpty { return -1 }
        let left = a.prerelease.split(separator: "."), right = b.prerelease.split(separator: ".")
        for (x, y) in zip(left, right) where x != y {
            switch (Int(x), Int(y)) {
            case let (i?, j?): return i < j ? -1 : 1
            case (_?, nil): return -1
            case (nil, _?): return 1
            default: return GoFormat.less(String(x), String(y)) ? -1 : 1
            }
        }
        return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
    }
}

struct SemverConstraint {
    struct Clause {
        let operation: String
        let parsed: Semver.Parsed
        var version: Semver { parsed.version }
        var dirty: Bool { parsed.majorDirty || parsed.minorDirty || parsed.patchDirty }
    }

    let alternatives: [[Clause]]

    private static let operations = ["!=", ">=", "=>", "<=", "=<", "~>", "=", ">", "<", "~", "^"]

    init(_ text: String) throws {
        var alternatives: [[Clause]] = []
        for group in text.components(separatedBy: "||") {
            var tokens = group.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" }).map(String.init)
            // Hyphen ranges: A - B is >= A, <= B.
            var i = 0
            while i + 2 < tokens.count {
                if tokens[i + 1] == "-" {
                    tokens.replaceSubrange(i...(i + 2), with: [">=" + tokens[i], "<=" + tokens[i + 2]])
                }
                i += 1
            }
            // An operator written apart from its version ("> = 1.2" is not allowed, ">= 1.2" is).
            var clauses: [Clause] = []
            var pending = ""
            for token in tokens {
                if Self.operations.contains(token) {
                    guard pending.isEmpty else { throw SemverError(message: "improper constraint: \(text)") }
                    pending = token
                    continue
                }
                clauses.append(try Self.clause(pending + token, text))
                pending = ""
            }
            guard pending.isEmpty, !clauses.isEmpty else { throw SemverError(message: "improper constraint: \(text)") }
            alternatives.append(clauses)
        }
        self.alternatives = alternatives
    }

    private static func clause(_ token: String, _ whole: String) throws -> Clause {
        var operation = ""
        for candidate in operations where token.hasPrefix(candidate) {
            operation = candidate
            break
        }
        let versionText = String(token.dropFirst(operation.count))
        guard let parsed = Semver.parse(versionText, wildcards: true) else {
            throw SemverError(message: "improper constraint: \(whole)")
        }
        let normalized = ["=>": ">=", "=<": "<=", "~>": "~", "": "="][operation] ?? operation
        return Clause(operation: normalized, parsed: parsed)
    }

    func check(_ version: Semver) -> Bool {
        alternatives.contains { clauses in clauses.allSatisfy { Self.check(version, $0) } }
    }

    private static func check(_ v: Semver, _ c: Clause) -> Bool {
        let con = c.version
        if !v.prerelease.isEmpty, con.prerelease.isEmpty { return false }
        let compared = Semver.compare(v, con)
        switch c.operation {
        case "=": return c.dirty ? tilde(v, c) : compared == 0
        case "!=": return c.dirty ? !tilde(v, c) : compared != 0
        case ">":
            if !c.dirty { return compared > 0 }
            if c.parsed.majorDirty { return false }
            if v.major != con.major { return v.major > con.major }
            if c.parsed.minorDirty { return false }
            return v.minor > con.minor
        case ">=": return compared >= 0
        case "<": return compared < 0
        case "<=":
            if !c.dirty { return compared <= 0 }
            if c.parsed.majorDirty { return true }
            if v.major != con.major { return v.major < con.major }
            if c.parsed.minorDirty { return true }
            return v.minor <= con.minor
        case "~": return tilde(v, c)
        default: return caret(v, c)
        }
    }

    private static func tilde(_ v: Semver, _ c: Clause) -> Bool {
        let con = c.version
        if c.parsed.majorDirty { return true }
        if v < con { return false }
        if con.major == 0, con.minor == 0, con.patch == 0, !c.parsed.minorDirty, !c.parsed.patchDirty { return true }
        if v.major != con.major { return false }
        if v.minor != con.minor, !c.parsed.minorDirty { return false }
        return true
    }

    private static func caret(_ v: Semver, _ c: Clause) -> Bool {
        let con = c.version
        if c.parsed.majorDirty { return true }
        if v < con { return false }
        if con.major > 0 || c.parsed.minorDirty { return v.major == con.major }
        if v.major > 0 { return false }
        if con.minor > 0 || c.parsed.patchDirty { return v.minor == con.minor }
        if v.minor > 0 { return false }
        return v.patch == con.patch
    }
}
