// Go's regular expressions (RE2 syntax and semantics) on top of ICU's NSRegularExpression: one translation for the
// template functions and goss's matchers (pattern lists, match-regexp), with a shared cache of compiled patterns.
import Foundation

/// A compiled Go (RE2) regular expression.
///
///     let re = try GoRegex.compile(#"^(?P<major>\d+)\.(\d+)"#)
///     re.matches("2024.08")                 // true
///     re.firstMatch(in: "2024.08")          // ["2024.08", "2024", "08"]
///     re.groupNames                         // ["", "major", ""]
///
/// The RE2 pattern is rewritten for ICU so that it means what it means in Go:
/// * `\d`, `\s`, `\w` (and `\D`, `\S`, `\W`, `[[:alpha:]]` and the other POSIX classes, `\b`, `\B`) are ASCII-only,
///   inside and outside character classes; `\s` is `[\t\n\f\r ]` as in RE2 (no `\v`);
/// * named groups `(?P<name>…)` and `(?<name>…)` become plain groups whose names are kept in `groupNames`
///   (ICU does not allow `_` in group names);
/// * `$` outside `(?m)` matches only at the very end (RE2's `\z`, not ICU's "before a final newline"); only `\n`
///   ends a line for `.`, `^` and `$`;
/// * `{` that does not start a repetition, a lone `}`, and `[`, `&`, spaces and other punctuation inside a class are
///   literal, as in RE2; repetition counts above 1000 are refused as in RE2;
/// * what RE2 refuses is refused: lookaround and atomic groups, backreferences, unknown escapes such as `\Z`.
/// `(?U)` (ungreedy) is not supported. Errors read like Go's: `error parsing regexp: missing closing ): `(a``.
public struct GoRegex: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as safe to share between threads.
    /// The RE2 pattern as written.
    public let pattern: String
    /// The ICU pattern it was translated to.
    public let translated: String
    /// Go's `SubexpNames`: index 0 is the whole match, then one entry per group ("" when unnamed).
    public let groupNames: [String]
    /// The compiled ICU expression (options: only `\n` ends a line).
    public let regex: NSRegularExpression

    /// Compiles a Go regular expression, from the cache when it was compiled before.
    public static func compile(_ pattern: String) throws -> GoRegex {
        if let cached = cache.value(for: pattern) { return cached }
        let (translated, names) = try translate(pattern)
        let regex: NSRegularExpression
        do {
            regex = try NSRegularExpression(pattern: translated, options: [.useUnixLineSeparators])
        } catch {
            throw GoRegexError(pattern: pattern, code: "invalid pattern", fragment: pattern)
        }
        let compiled = GoRegex(pattern: pattern, translated: translated, groupNames: names, regex: regex)
        cache.store(compiled, for: pattern)
        return compiled
    }

    /// Go's `regexp.MatchString`: true when the pattern matches anywhere in `text`.
    public static func matches(_ pattern: String, _ text: String) throws -> Bool {
        try compile(pattern).matches(text)
    }

    /// True when the expression matches anywhere in `text` (unanchored, as `regexp.MatchString`).
    public func matches(_ text: String) throws(GoRegexTimeout) -> Bool {
        try !ranges(in: text, limit: 1).isEmpty
    }

    /// Go's `FindStringSubmatch`: the whole match and each group (nil where a group did not take part), or nil.
    public func firstMatch(in text: String) throws(GoRegexTimeout) -> [String?]? {
        let ns = text as NSString
        guard let match = try ranges(in: text, limit: 1).first else { return nil }
        return Self.groups(of: match, in: ns)
    }

    /// Go's `FindAllStringSubmatch(text, limit)`: successive non-overlapping matches; an empty match right after the
    /// previous match is skipped, as Go does. A negative limit means all.
    public func allMatches(in text: String, limit: Int = -1) throws(GoRegexTimeout) -> [[String?]] {
        let ns = text as NSString
        return try ranges(in: text, limit: limit).map { Self.groups(of: $0, in: ns) }
    }

    /// Go's `ReplaceAllString`: `$1`, `${1}`, `$name`, `${name}` and `$$` in `replacement` are expanded.
    public func replaceAll(in text: String, with replacement: String, literal: Bool = false) throws(GoRegexTimeout) -> String {
        let ns = text as NSString
        var out = ""
        var last = 0
        for match in try ranges(in: text, limit: -1) {
            out += ns.substring(with: NSRange(location: last, length: match.range.location - last))
            out += literal ? replacement : expand(replacement, Self.groups(of: match, in: ns))
            last = match.range.location + match.range.length
        }
        out += ns.substring(from: last)
        return out
    }

    /// Go's `Regexp.Split(text, n)`: n < 0 all pieces, n == 0 none, n > 0 at most n pieces (the last one the rest).
    public func split(_ text: String, limit n: Int) throws(GoRegexTimeout) -> [String] {
        if n == 0 { return [] }
        if !pattern.isEmpty, text.isEmpty { return [""] }
        let ns = text as NSString
        var pieces: [String] = []
        var beginning = 0
        var end = 0
        for match in try ranges(in: text, limit: n) {
            if n > 0, pieces.count == n - 1 { break }
            end = match.range.location
            if match.range.location + match.range.length != 0 {
                pieces.append(ns.substring(with: NSRange(location: beginning, length: end - beginning)))
            }
            beginning = match.range.location + match.range.length
        }
        if end != ns.length { pieces.append(ns.substring(from: beginning)) }
        return pieces
    }

    /// Go's quoting of regexp metacharacters (`regexp.QuoteMeta`).
    public static func quoteMeta(_ text: String) -> String {
        var out = ""
        for c in text.unicodeScalars {
            if "\\.+*?()|[]{}^$".unicodeScalars.contains(c) { out += "\\" }
            out.unicodeScalars.append(c)
        }
        return out
    }

    /// How long one search may run: ICU backtracks, so a nested repetition (`(a+)+$`) can take exponential time
    /// where RE2 is linear. A search past this budget is abandoned with `GoRegexTimeout`.
    public static let searchBudget: Duration = .seconds(10)

    private func ranges(in text: String, limit: Int) throws(GoRegexTimeout) -> [NSTextCheckingResult] {
        let ns = text as NSString
        var result: [NSTextCheckingResult] = []
        var previousEnd = -1
        var abandoned = false
        let started = ContinuousClock.now
        let budget = Self.searchBudget
        if limit == 0 { return [] }
        // With .reportProgress ICU calls back now and then while it searches, so the budget holds within one match too.
        regex.enumerateMatches(in: text, options: [.reportProgress], range: NSRange(location: 0, length: ns.length)) { match, _, stop in
            guard let match else {
                if ContinuousClock.now - started > budget { abandoned = true; stop.pointee = true }
                return
            }
            if match.range.length == 0, match.range.location == previousEnd { return }
            result.append(match)
            previousEnd = match.range.location + match.range.length
            if limit >= 0, result.count >= limit { stop.pointee = true }
        }
        if abandoned { throw GoRegexTimeout(pattern: pattern, budget: budget) }
        return result
    }

    private static func groups(of match: NSTextCheckingResult, in text: NSString) -> [String?] {
        (0..<match.numberOfRanges).map { i in
            let range = match.range(at: i)
            return range.location == NSNotFound ? nil : text.substring(with: range)
        }
    }

    /// Go's `Regexp.Expand` template syntax.
    private func expand(_ template: String, _ groups: [String?]) -> String {
        let chars = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func isNameChar(_ c: Unicode.Scalar) -> Bool {
            c == "_" || (c.isASCII && (CharacterSet.alphanumerics.contains(c)))
        }
        while i < chars.count {
            let c = chars[i]
            guard c == "$", i + 1 < chars.count else { out.append(c); i += 1; continue }
            if chars[i + 1] == "$" { out.append("$"); i += 2; continue }
            var name = ""
            var next = i + 1
            if chars[next] == "{" {
                var j = next + 1
                while j < chars.count, isNameChar(chars[j]) { j += 1 }
                guard j < chars.count, chars[j] == "}", j > next + 1 else { out.append(c); i += 1; continue }
                name = String(String.UnicodeScalarView(chars[(next + 1)..<j]))
                next = j + 1
            } else {
                var j = next
                while j < chars.count, isNameChar(chars[j]) { j += 1 }
                guard j > next else { out.append(c); i += 1; continue }
                name = String(String.UnicodeScalarView(chars[next..<j]))
                next = j
            }
            var index: Int? = nil
            if name.unicodeScalars.allSatisfy({ $0.properties.numericType == .decimal && $0.isASCII }), let number = Int(name) {
                index = number
            } else if let named = groupNames.firstIndex(of: name) {
                index = named
            }
            if let index, groups.indices.contains(index), let value = groups[index] { out.append(contentsOf: value.unicodeScalars) }
            i = next
        }
        return String(out)
    }

    // MARK: RE2 → ICU

    private static let digit = #"0-9"#
    private static let space = #"\x{09}\x{0A}\x{0C}\x{0D}\x{20}"#
    private static let word = #"0-9A-Za-z_"#
    private static let posix: [String: String] = [
        "alnum": #"0-9A-Za-z"#, "alpha": #"A-Za-z"#, "ascii": #"\x{00}-\x{7F}"#, "blank": #"\x{09}\x{20}"#,
        "cntrl": #"\x{00}-\x{1F}\x{7F}"#, "digit": #"0-9"#, "graph": #"\x{21}-\x{7E}"#, "lower": #"a-z"#,
        "print": #"\x{20}-\x{7E}"#, "punct": #"\x{21}-\x{2F}\x{3A}-\x{40}\x{5B}-\x{60}\x{7B}-\x{7E}"#,
        "space": #"\x{09}-\x{0D}\x{20}"#, "upper": #"A-Z"#, "word": #"0-9A-Za-z_"#, "xdigit": #"0-9A-Fa-f"#,
    ]
    private static let wordBoundary = #"(?:(?<=[0-9A-Za-z_])(?![0-9A-Za-z_])|(?<![0-9A-Za-z_])(?=[0-9A-Za-z_]))"#
    private static let notWordBoundary = #"(?:(?<=[0-9A-Za-z_])(?=[0-9A-Za-z_])|(?<![0-9A-Za-z_])(?![0-9A-Za-z_]))"#

    /// The ranges of a Perl class letter (`d`, `s`, `w`, upper case negated) for use inside `[…]`.
    private static func perlRanges(_ letter: Unicode.Scalar) -> (ranges: String, negated: Bool)? {
        switch letter {
        case "d": return (digit, false)
        case "D": return (digit, true)
        case "s": return (space, false)
        case "S": return (space, true)
        case "w": return (word, false)
        case "W": return (word, true)
        default: return nil
        }
    }

    private static func hex(_ c: Unicode.Scalar) -> String { "\\x{" + String(c.value, radix: 16, uppercase: true) + "}" }

    private static func isASCIIAlnum(_ c: Unicode.Scalar) -> Bool {
        (c >= "0" && c <= "9") || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
    }

    /// Rewrites an RE2 pattern into an ICU pattern with the same meaning, and lists the group names
    /// (Go's `SubexpNames`). Throws `GoRegexError` for what RE2 refuses.
    public static func translate(_ pattern: String) throws -> (pattern: String, groupNames: [String]) {
        let s = Array(pattern.unicodeScalars)
        var out = ""
        var names = [""]
        var multiline = false
        var saved: [Bool] = []   // the multiline flag outside each open group
        var i = 0
        func fail(_ code: String, _ fragment: String) -> GoRegexError {
            GoRegexError(pattern: pattern, code: code, fragment: fragment)
        }
        func text(_ from: Int, _ to: Int) -> String {
            String(String.UnicodeScalarView(s[max(0, from)..<min(s.count, to)]))
        }
        while i < s.count {
            let c = s[i]
            switch c {
            case "\\":
                guard i + 1 < s.count else { throw fail("trailing backslash at end of expression", "") }
                let e = s[i + 1]
                if let (ranges, negated) = perlRanges(e) {
                    out += negated ? "[^\(ranges)]" : "[\(ranges)]"
                    i += 2
                    continue
                }
                switch e {
                case "Q":
                    var j = i + 2
                    while j < s.count, !(s[j] == "\\" && j + 1 < s.count && s[j + 1] == "E") {
                        out += isASCIIAlnum(s[j]) ? String(s[j]) : hex(s[j])
                        j += 1
                    }
                    i = j + 2
                case "b": out += wordBoundary; i += 2
                case "B": out += notWordBoundary; i += 2
                case "v": out += "\\x{0B}"; i += 2
                case "a", "f", "t", "n", "r", "A", "z": out += "\\" + String(e); i += 2
                case "p", "P":
                    let (translated, next) = try unicodeClass(s, i, pattern)
                    out += translated
                    i = next
                case "x":
                    let (translated, next) = try hexEscape(s, i, pattern)
                    out += translated
                    i = next
                case "0"..."7":
                    let (translated, next) = try octalEscape(s, i, pattern)
                    out += translated
                    i = next
                default:
                    guard e.isASCII, !isASCIIAlnum(e) else { throw fail("invalid escape sequence", text(i, i + 2)) }
                    out += hex(e)
                    i += 2
                }
            case "[":
                let (translated, next) = try characterClass(s, i, pattern)
                out += translated
                i = next
            case "(":
                guard i + 1 < s.count, s[i + 1] == "?" else {
                    names.append("")
                    saved.append(multiline)
                    out += "("
                    i += 1
                    continue
                }
                // (?P<name>…) or (?<name>…)
                var nameStart: Int? = nil
                if i + 3 < s.count, s[i + 2] == "P", s[i + 3] == "<" { nameStart = i + 4 }
                else if i + 2 < s.count, s[i + 2] == "<", i + 3 < s.count, s[i + 3] != "=", s[i + 3] != "!" { nameStart = i + 3 }
                if let start = nameStart {
                    var j = start
                    while j < s.count, s[j] != ">" { j += 1 }
                    guard j < s.count else { throw fail("invalid named capture", text(i, s.count)) }
                    let name = text(start, j)
                    guard !name.isEmpty, name.unicodeScalars.allSatisfy({ isASCIIAlnum($0) || $0 == "_" }) else {
                        throw fail("invalid named capture", text(i, j + 1))
                    }
                    guard !names.contains(name) else { throw fail("duplicate capture group name", text(i, j + 1)) }
                    names.append(name)
                    saved.append(multiline)
                    out += "("
                    i = j + 1
                    continue
                }
                // Flags: (?flags) or (?flags:…)
                var j = i + 2
                var on = true
                var newMultiline = multiline
                var flags = ""
                var sawFlag = false
                while j < s.count, s[j] != ")", s[j] != ":" {
                    switch s[j] {
                    case "i", "s": sawFlag = true
                    case "m": sawFlag = true; newMultiline = on
                    case "U": throw fail("ungreedy flag (?U) is not supported", text(i, j + 1))
                    case "-":
                        guard on else { throw fail("invalid or unsupported Perl syntax", text(i, j + 1)) }
                        on = false
                        sawFlag = false
                    default: throw fail("invalid or unsupported Perl syntax", text(i, j + 1))
                    }
                    flags.unicodeScalars.append(s[j])
                    j += 1
                }
                guard j < s.count else { throw fail("missing closing )", pattern) }
                if !on, !sawFlag { throw fail("invalid or unsupported Perl syntax", text(i, j + 1)) }
                if s[j] == ")" {
                    if flags.isEmpty { throw fail("missing argument to repetition operator", "?") }
                    multiline = newMultiline
                    out += "(?\(flags))"
                } else {
                    saved.append(multiline)
                    multiline = newMultiline
                    out += "(?\(flags):"
                }
                i = j + 1
            case ")":
                guard let outer = saved.popLast() else { throw fail("unexpected )", pattern) }
                multiline = outer
                out += ")"
                i += 1
            case "$":
                out += multiline ? "$" : "\\z"
                i += 1
            case "{":
                if let (count, next) = repetition(s, i) {
                    guard count.allSatisfy({ $0 <= 1000 }) else { throw fail("invalid repeat count", text(i, next)) }
                    out += text(i, next)
                    i = next
                } else {
                    out += "\\{"
                    i += 1
                }
            case "}": out += "\\}"; i += 1
            case "#", " ", "\t", "\n", "\r":
                out += hex(c)
                i += 1
            default:
                out.unicodeScalars.append(c)
                i += 1
            }
        }
        guard saved.isEmpty else { throw fail("missing closing )", pattern) }
        // ICU refuses an empty pattern; RE2's matches the empty string everywhere.
        return (out.isEmpty ? "(?:)" : out, names)
    }

    /// `{n}`, `{n,}` or `{n,m}` at `start`: the counts and the index after `}`.
    private static func repetition(_ s: [Unicode.Scalar], _ start: Int) -> ([Int], Int)? {
        var j = start + 1
        var counts: [Int] = []
        var digits = ""
        var sawComma = false
        while j < s.count {
            let c = s[j]
            if c >= "0" && c <= "9" { digits.unicodeScalars.append(c); if digits.count > 8 { return nil } }
            else if c == ",", !sawComma {
                guard let n = Int(digits) else { return nil }
                counts.append(n); digits = ""; sawComma = true
            } else if c == "}" {
                if !sawComma { guard let n = Int(digits) else { return nil }; counts.append(n) }
                else if !digits.isEmpty { guard let m = Int(digits), m >= counts[0] else { return nil }; counts.append(m) }
                return (counts, j + 1)
            } else { return nil }
            j += 1
        }
        return nil
    }

    private static func unicodeClass(_ s: [Unicode.Scalar], _ i: Int, _ pattern: String) throws -> (String, Int) {
        // \pL, \p{Greek}, \p{^Greek}, \PL …
        var negated = s[i + 1] == "P"
        guard i + 2 < s.count else { throw GoRegexError(pattern: pattern, code: "invalid character class range", fragment: String(String.UnicodeScalarView(s[i...]))) }
        var name: String
        var next: Int
        if s[i + 2] == "{" {
            var j = i + 3
            while j < s.count, s[j] != "}" { j += 1 }
            guard j < s.count else {
                throw GoRegexError(pattern: pattern, code: "invalid character class range", fragment: String(String.UnicodeScalarView(s[i...])))
            }
            name = String(String.UnicodeScalarView(s[(i + 3)..<j]))
            next = j + 1
        } else {
            name = String(s[i + 2])
            next = i + 3
        }
        if name.hasPrefix("^") { negated.toggle(); name.removeFirst() }
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ isASCIIAlnum($0) || $0 == "_" }) else {
            throw GoRegexError(pattern: pattern, code: "invalid character class range", fragment: String(String.UnicodeScalarView(s[i..<next])))
        }
        return ((negated ? "\\P{" : "\\p{") + name + "}", next)
    }

    private static func hexEscape(_ s: [Unicode.Scalar], _ i: Int, _ pattern: String) throws -> (String, Int) {
        func isHex(_ c: Unicode.Scalar) -> Bool { (c >= "0" && c <= "9") || (c >= "a" && c <= "f") || (c >= "A" && c <= "F") }
        let bad = GoRegexError(pattern: pattern, code: "invalid escape sequence", fragment: String(String.UnicodeScalarView(s[i..<min(s.count, i + 4)])))
        if i + 2 < s.count, s[i + 2] == "{" {
            var j = i + 3
            while j < s.count, isHex(s[j]) { j += 1 }
            guard j < s.count, s[j] == "}", j > i + 3, let value = UInt32(String(String.UnicodeScalarView(s[(i + 3)..<j])), radix: 16),
                  value <= 0x10FFFF else { throw bad }
            return ("\\x{" + String(value, radix: 16, uppercase: true) + "}", j + 1)
        }
        guard i + 3 < s.count, isHex(s[i + 2]), isHex(s[i + 3]) else { throw bad }
        return ("\\x{" + String(s[i + 2]) + String(s[i + 3]) + "}", i + 4)
    }

    private static func octalEscape(_ s: [Unicode.Scalar], _ i: Int, _ pattern: String) throws -> (String, Int) {
        // RE2: \0, or \1-\7 followed by another octal digit, start an octal code of up to three digits;
        // a lone \1-\7 would be a backreference, which RE2 refuses.
        func isOctal(_ j: Int) -> Bool { j < s.count && s[j] >= "0" && s[j] <= "7" }
        if s[i + 1] != "0", !isOctal(i + 2) {
            throw GoRegexError(pattern: pattern, code: "invalid escape sequence", fragment: String(String.UnicodeScalarView(s[i..<(i + 2)])))
        }
        var j = i + 1
        var value: UInt32 = 0
        while j < s.count, j < i + 4, isOctal(j) { value = value * 8 + (s[j].value - 48); j += 1 }
        return ("\\x{" + String(value, radix: 16, uppercase: true) + "}", j)
    }

    private static func characterClass(_ s: [Unicode.Scalar], _ start: Int, _ pattern: String) throws -> (String, Int) {
        var out = "["
        var j = start + 1
        if j < s.count, s[j] == "^" { out += "^"; j += 1 }
        var first = true
        let missing = GoRegexError(pattern: pattern, code: "missing closing ]", fragment: String(String.UnicodeScalarView(s[start...])))
        while true {
            guard j < s.count else { throw missing }
            let c = s[j]
            if c == "]", !first { out += "]"; return (out, j + 1) }
            first = false
            if c == "[", j + 1 < s.count, s[j + 1] == ":" {
                // [:alpha:] and [:^alpha:]
                var k = j + 2
                while k + 1 < s.count, !(s[k] == ":" && s[k + 1] == "]") { k += 1 }
                if k + 1 < s.count {
                    var name = String(String.UnicodeScalarView(s[(j + 2)..<k]))
                    let negated = name.hasPrefix("^")
                    if negated { name.removeFirst() }
                    guard let ranges = posix[name] else {
                        throw GoRegexError(pattern: pattern, code: "invalid character class range", fragment: String(String.UnicodeScalarView(s[j..<(k + 2)])))
                    }
                    out += negated ? "[^\(ranges)]" : ranges
                    j = k + 2
                    continue
                }
            }
            if c == "\\" {
                guard j + 1 < s.count else { throw missing }
                let e = s[j + 1]
                if let (ranges, negated) = perlRanges(e) {
                    out += negated ? "[^\(ranges)]" : ranges
                    j += 2
                    continue
                }
                switch e {
                case "p", "P":
                    let (translated, next) = try unicodeClass(s, j, pattern)
                    out += translated; j = next
                case "x":
                    let (translated, next) = try hexEscape(s, j, pattern)
                    out += translated; j = next
                case "0"..."7":
                    let (translated, next) = try octalEscape(s, j, pattern)
                    out += translated; j = next
                case "a": out += "\\x{07}"; j += 2
                case "f": out += "\\x{0C}"; j += 2
                case "t": out += "\\x{09}"; j += 2
                case "n": out += "\\x{0A}"; j += 2
                case "r": out += "\\x{0D}"; j += 2
                case "v": out += "\\x{0B}"; j += 2
                default:
                    guard e.isASCII, !isASCIIAlnum(e) else {
                        throw GoRegexError(pattern: pattern, code: "invalid escape sequence", fragment: String(String.UnicodeScalarView(s[j..<(j + 2)])))
                    }
                    out += hex(e); j += 2
                }
                continue
            }
            if c == "-" {
                // A range dash between two items stays; a leading or trailing dash is literal.
                let atEnd = j + 1 < s.count && s[j + 1] == "]"
                out += (out.hasSuffix("[") || out.hasSuffix("[^") || atEnd) ? hex(c) : "-"
                j += 1
                continue
            }
            out += c.isASCII && !isASCIIAlnum(c) ? hex(c) : String(c)
            j += 1
        }
    }

    // MARK: Cache

    private static let cache = RegexCache()
}

/// A pattern that Go's regexp package would refuse, worded as Go words it.
public struct GoRegexError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The whole pattern.
    public let pattern: String
    /// Go's error code text, e.g. `missing closing )`.
    public let code: String
    /// The part of the pattern at fault.
    public let fragment: String
    public var description: String { "error parsing regexp: \(code): `\(fragment)`" }
}

/// A search abandoned after `GoRegex.searchBudget` (a backtracking blow-up that Go's RE2 would not have).
public struct GoRegexTimeout: Error, Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    public let budget: Duration
    public var description: String {
        "regexp: search for `\(pattern)` abandoned after \(budget.components.seconds)s (a backtracking blow-up that Go's RE2 would not have)"
    }
}

/// Compiled patterns by source text, shared by every thread; bounded so that generated patterns cannot grow it forever.
private final class RegexCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: GoRegex] = [:]
    private let capacity = 1024

    func value(for pattern: String) -> GoRegex? {
        lock.lock()
        defer { lock.unlock() }
        return entries[pattern]
    }

    func store(_ regex: GoRegex, for pattern: String) {
        lock.lock()
        defer { lock.unlock() }
        if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
        entries[pattern] = regex
    }
}
