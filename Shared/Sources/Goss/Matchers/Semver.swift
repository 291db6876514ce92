// `semver-constraint` (goss.md §4.3): blang/semver's strict versions and its range syntax.
import Foundation

struct SemverError: Error, Sendable {
    var message: String
}

/// A strict semantic version: MAJOR.MINOR.PATCH[-prerelease][+build].
struct Semver: Sendable, Comparable {
    enum Identifier: Sendable, Equatable {
        case numeric(UInt64)
        case alphanumeric(String)
    }

    var major: UInt64
    var minor: UInt64
    var patch: UInt64
    var prerelease: [Identifier]

    private static let alphanumeric = Set("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-")

    static func parse(_ text: String) -> Result<Semver, SemverError> {
        func fail(_ m: String) -> Result<Semver, SemverError> { .failure(SemverError(message: m)) }
        if text.isEmpty { return fail("Version string empty") }
        let parts = text.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return fail("No Major.Minor.Patch elements found") }
        func number(_ s: String, _ name: String) -> Result<UInt64, SemverError> {
            guard s.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return .failure(SemverError(message: "Invalid character(s) found in \(name) number \(GoFormat.quote(s))"))
            }
            if s.count > 1, s.hasPrefix("0") {
                return .failure(SemverError(message: "\(name.prefix(1).uppercased() + name.dropFirst()) number must not contain leading zeroes \(GoFormat.quote(s))"))
            }
            guard let v = UInt64(s) else {
                return .failure(SemverError(message: "strconv.ParseUint: parsing \(GoFormat.quote(s)): \(s.isEmpty ? "invalid syntax" : "value out of range")"))
            }
            return .success(v)
        }
        var patchText = parts[2]
        var build: [String] = []
        var prerelease: [String] = []
        if let plus = patchText.firstIndex(of: "+") {
            build = patchText[patchText.index(after: plus)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            patchText = String(patchText[..<plus])
        }
        if let dash = patchText.firstIndex(of: "-") {
            prerelease = patchText[patchText.index(after: dash)...].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            patchText = String(patchText[..<dash])
        }
        let major: UInt64, minor: UInt64, patch: UInt64
        switch number(parts[0], "major") { case .failure(let e): return .failure(e); case .success(let v): major = v }
        switch number(parts[1], "minor") { case .failure(let e): return .failure(e); case .success(let v): minor = v }
        switch number(patchText, "patch") { case .failure(let e): return .failure(e); case .success(let v): patch = v }
        var identifiers: [Identifier] = []
        for p in prerelease {
            if p.isEmpty { return fail("Prerelease is empty") }
            if p.allSatisfy({ $0.isASCII && $0.isNumber }) {
                if p.count > 1, p.hasPrefix("0") { return fail("Numeric PreRelease version must not contain leading zeroes \(GoFormat.quote(p))") }
                guard let v = UInt64(p) else { return fail("strconv.ParseUint: parsing \(GoFormat.quote(p)): value out of range") }
                identifiers.append(.numeric(v))
            } else {
                guard p.allSatisfy({ alphanumeric.contains($0) }) else { return fail("Invalid character(s) found in prerelease \(GoFormat.quote(p))") }
                identifiers.append(.alphanumeric(p))
            }
        }
        for b in build {
            if b.isEmpty { return fail("Build meta data is empty") }
            guard b.allSatisfy({ alphanumeric.contains($0) }) else { return fail("Invalid character(s) found in build meta data \(GoFormat.quote(b))") }
        }
        return .success(Semver(major: major, minor: minor, patch: patch, prerelease: identifiers))
    }

    /// -1, 0, 1 as blang's `Compare` (build metadata ignored; a prerelease sorts before its release).
    func compare(_ other: Semver) -> Int {
        for (a, b) in [(major, other.major), (minor, other.minor), (patch, other.patch)] where a != b {
            return a < b ? -1 : 1
        }
        if prerelease.isEmpty && other.prerelease.isEmpty { return 0 }
        if prerelease.isEmpty { return 1 }
        if other.prerelease.isEmpty { return -1 }
        for (a, b) in zip(prerelease, other.prerelease) {
            switch (a, b) {
            case (.numeric(let x), .numeric(let y)) where x != y: return x < y ? -1 : 1
            case (.alphanumeric(let x), .alphanumeric(let y)) where x != y:
                return x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1
            case (.numeric, .alphanumeric): return -1
            case (.alphanumeric, .numeric): return 1
            default: continue
            }
        }
        if prerelease.count == other.prerelease.count { return 0 }
        return prerelease.count < other.prerelease.count ? -1 : 1
    }

    static func < (a: Semver, b: Semver) -> Bool { a.compare(b) < 0 }
    static func == (a: Semver, b: Semver) -> Bool { a.compare(b) == 0 }
}

/// blang/semver `ParseRange`: `||` separates alternatives, spaces separate conditions that must all hold.
struct SemverRange: Sendable {
    enum Comparator: String, Sendable {
        case eq, ne, gt, ge, lt, le
        init?(_ text: String) {
            switch text {
            case "", "=", "==": self = .eq
            case "!", "!=": self = .ne
            case ">": self = .gt
            case ">=": self = .ge
            case "<": self = .lt
            case "<=": self = .le
            default: return nil
            }
        }
        func holds(_ c: Int) -> Bool {
            switch self {
            case .eq: c == 0
            case .ne: c != 0
            case .gt: c > 0
            case .ge: c >= 0
            case .lt: c < 0
            case .le: c <= 0
            }
        }
    }

    /// OR of ANDs.
    var alternatives: [[(Comparator, Semver)]]

    func contains(_ v: Semver) -> Bool {
        alternatives.contains { conditions in conditions.allSatisfy { $0.0.holds(v.compare($0.1)) } }
    }

    static func parse(_ text: String) -> Result<SemverRange, SemverError> {
        func fail(_ m: String) -> Result<SemverRange, SemverError> { .failure(SemverError(message: m)) }
        let tokens = splitAndTrim(text)
        var groups: [[String]] = []
        var current: [String] = []
        for (i, token) in tokens.enumerated() {
            if token == "||" {
                if i == 0 { return fail("First element in range is '||'") }
                groups.append(current)
                current = []
            } else {
                current.append(token)
            }
        }
        if !tokens.isEmpty, tokens.last == "||" { return fail("Last element in range is '||'") }
        groups.append(current)
        var alternatives: [[(Comparator, Semver)]] = []
        for group in groups {
            var conditions: [(Comparator, Semver)] = []
            for part in expandWildcards(group) {
                guard let digit = part.firstIndex(where: { $0.isASCII && $0.isNumber }) else {
                    return fail("Could not get version from string: \(GoFormat.quote(part))")
                }
                let op = String(part[..<digit]).trimmingGoSpace()
                let version = String(part[digit...])
                guard let comparator = Comparator(op) else {
                    return fail("Could not parse Range \(GoFormat.quote(part)): Could not parse comparator \(GoFormat.quote(op)) in \(GoFormat.quote(part))")
                }
                switch Semver.parse(version) {
                case .failure(let e):
                    return fail("Could not parse Range \(GoFormat.quote(part)): Could not parse version \(GoFormat.quote(version)) in \(GoFormat.quote(part)): \(e.message)")
                case .success(let v): conditions.append((comparator, v))
                }
            }
            alternatives.append(conditions)
        }
        if alternatives.allSatisfy(\.isEmpty) { return fail("Could not get version from string: \"\"") }
        return .success(SemverRange(alternatives: alternatives))
    }

    /// Splits on spaces, except after an operator character (`> 1.2.3` is one condition); spaces removed.
    static func splitAndTrim(_ s: String) -> [String] {
        let bytes = Array(s.utf8)
        var result: [String] = []
        var last = 0
        var lastChar: UInt8 = 0
        for (i, b) in bytes.enumerated() {
            if b == UInt8(ascii: " ") && lastChar != UInt8(ascii: ">") && lastChar != UInt8(ascii: "<") && lastChar != UInt8(ascii: "=") {
                if last < i { result.append(String(decoding: bytes[last..<i], as: UTF8.self)) }
                last = i + 1
            } else if b != UInt8(ascii: " ") {
                lastChar = b
            }
        }
        if last < bytes.count { result.append(String(decoding: bytes[last...], as: UTF8.self)) }
        return result.map { $0.replacingOccurrences(of: " ", with: "") }.filter { !$0.isEmpty }
    }

    /// `1.2.x` / `1.x` (also `X`) become explicit bounds, as blang expands them.
    static func expandWildcards(_ parts: [String]) -> [String] {
        var out: [String] = []
        for part in parts {
            let lowered = part.replacingOccurrences(of: "X", with: "x")
            guard lowered.contains("x"), let digit = lowered.firstIndex(where: { $0.isASCII && $0.isNumber }) else {
                out.append(part)
                continue
            }
            let op = String(lowered[..<digit]).trimmingGoSpace()
            let version = String(lowered[digit...])
            let pieces = version.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            let isWildcard = pieces.last == "x"
            // 1: minor wildcard (`1.x`, `1.x.x`), 2: patch wildcard (`1.2.x`).
            var kind = !isWildcard ? 0 : (pieces.count == 2 ? 1 : (pieces.count == 3 ? 2 : 0))
            if kind == 2, pieces[1] == "x" { kind = 1 }
            var flat = version.replacingOccurrences(of: ".x.x", with: ".x")
            if let r = flat.range(of: ".x") { flat.replaceSubrange(r, with: ".0") }
            if flat.split(separator: ".", omittingEmptySubsequences: false).count == 2 { flat += ".0" }
            func increment(_ index: Int) -> String {
                var p = flat.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                guard index < p.count else { return flat }
                p[index] = String((Int(p[index]) ?? 0) + 1)
                return p.joined(separator: ".")
            }
            var resultOp = op
            var bump = false
            switch op {
            case ">": resultOp = ">="; bump = true
            case ">=": resultOp = ">="
            case "<": resultOp = "<"
            case "<=": resultOp = "<"; bump = true
            case "", "=", "==": out.append(">=" + flat); resultOp = "<"; bump = true
            case "!=", "!": out.append("<" + flat); resultOp = ">="; bump = true
            default: break
            }
            var resultVersion = flat
            if bump {
                switch kind {
                case 2: resultVersion = increment(1)
                case 1: resultVersion = increment(0)
                default: resultVersion = ""
                }
            }
            out.append(resultOp + resultVersion)
        }
        return out
    }
}
