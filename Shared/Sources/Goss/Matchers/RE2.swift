// Go (RE2) regular expressions on ICU: the matchers' one entry point for regexes.
//
// Stand-in until the shared `GoRegex` helper lands in GoTemplate: swap the body of `RE2.compile`
// for it and delete the translator below. Everything else in Goss calls only `RE2.compile` and
// `RE2Regex.matches`.
import Foundation

/// A compiled Go regular expression; `search` is an unanchored search, as Go's `MatchString`.
struct RE2Regex: @unchecked Sendable {
    // NSRegularExpression is immutable once made, and documented thread-safe for matching.
    let regex: NSRegularExpression
    /// ICU backtracks: a nested repetition can take exponential time (and any repetition quadratic time on a
    /// long subject) where RE2 is linear. Such searches run under a time budget.
    let mayBacktrack: Bool

    /// How long one guarded search may run before it is abandoned.
    static let budget: Duration = .seconds(10)

    /// The error text for an abandoned search.
    static let tooSlow = "regexp: search abandoned after 10s (a backtracking blow-up that Go's RE2 would not have)"

    /// true/false, or nil when the search ran out of `budget`.
    func search(_ subject: String, budget: Duration = RE2Regex.budget) -> Bool? {
        let range = NSRange(subject.startIndex..., in: subject)
        guard mayBacktrack || range.length > 2048 else {
            return regex.firstMatch(in: subject, options: [], range: range) != nil
        }
        var found = false
        var abandoned = false
        var started: ContinuousClock.Instant?
        regex.enumerateMatches(in: subject, options: [.reportProgress], range: range) { match, _, stop in
            if match != nil {
                found = true
                stop.pointee = true
                return
            }
            let now = ContinuousClock.now
            if let started {
                if now - started > budget {
                    abandoned = true
                    stop.pointee = true
                }
            } else {
                started = now
            }
        }
        return abandoned && !found ? nil : found
    }
}

/// Go's compile error text: `error parsing regexp: missing closing ): `(a``.
struct RE2Error: Error, Sendable, Hashable {
    var message: String
}

enum RE2 {
    private final class Cache: @unchecked Sendable {
        let lock = NSLock()
        var entries: [String: Result<RE2Regex, RE2Error>] = [:]
    }
    private static let cache = Cache()

    /// Compiles `pattern` with RE2 semantics (cached; the matchers compile the same patterns for every line).
    static func compile(_ pattern: String) -> Result<RE2Regex, RE2Error> {
        cache.lock.lock()
        if let hit = cache.entries[pattern] {
            cache.lock.unlock()
            return hit
        }
        cache.lock.unlock()
        let result: Result<RE2Regex, RE2Error>
        switch RE2Translator.translate(pattern) {
        case .failure(let error): result = .failure(error)
        case .success(let icu):
            do {
                let regex = try NSRegularExpression(pattern: icu, options: [.useUnixLineSeparators])
                result = .success(RE2Regex(regex: regex, mayBacktrack: RE2Translator.mayBacktrack(pattern)))
            } catch {
                result = .failure(RE2Error(message: "error parsing regexp: invalid regular expression: `\(pattern)`"))
            }
        }
        cache.lock.lock()
        if cache.entries.count > 512 { cache.entries.removeAll() }
        cache.entries[pattern] = result
        cache.lock.unlock()
        return result
    }
}

/// RE2 syntax → ICU syntax. ASCII `\d \s \w` and POSIX classes, `(?P<name>`, `$` as end of text outside
/// `(?m)`, octal escapes, literal `{`/`[` where RE2 takes them literally; RE2 rejections that ICU would
/// accept (lookaround, backreferences, possessive quantifiers) are errors as in Go.
enum RE2Translator {
    private static let asciiClasses: [Character: String] = [
        "d": "0-9", "s": "\\t\\n\\f\\r\\x20", "w": "0-9A-Za-z_",
    ]
    private static let posixClasses: [String: String] = [
        "alnum": "0-9A-Za-z", "alpha": "A-Za-z", "ascii": "\\x00-\\x7F", "blank": "\\t\\x20",
        "cntrl": "\\x00-\\x1F\\x7F", "digit": "0-9", "graph": "!-~", "lower": "a-z", "print": "\\x20-~",
        "punct": "!-/:-@\\[-`{-~", "space": "\\t\\n\\x0B\\f\\r\\x20", "upper": "A-Z", "word": "0-9A-Za-z_",
        "xdigit": "0-9A-Fa-f",
    ]

    /// Whether a backtracking engine could take much more than linear time: a repeated group, or more than one
    /// repetition operator.
    static func mayBacktrack(_ pattern: String) -> Bool {
        let chars = Array(pattern)
        var repeats = 0
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\" { i += 2; continue }
            if c == "*" || c == "+" || c == "{" {
                repeats += 1
                if i > 0, chars[i - 1] == ")" { return true }
            }
            i += 1
        }
        return repeats > 1
    }

    static func translate(_ pattern: String) -> Result<String, RE2Error> {
        let chars = Array(pattern)
        var out = ""
        var i = 0
        // The multi-line flag per open group (RE2 flags last to the end of the group).
        var multiline: [Bool] = [false]
        // Whether the previous item can take a repetition, and whether it already is one.
        var lastWasRepeat = false
        func fail(_ code: String, _ text: String) -> Result<String, RE2Error> {
            .failure(RE2Error(message: "error parsing regexp: \(code): `\(text)`"))
        }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                switch escape(chars, &i, inClass: false) {
                case .failure(let e): return .failure(e)
                case .success(let text): out += text
                }
                lastWasRepeat = false
                continue
            case "[":
                switch characterClass(chars, &i) {
                case .failure(let e): return .failure(e)
                case .success(let text): out += text
                }
                lastWasRepeat = false
                continue
            case "(":
                if i + 1 < chars.count, chars[i + 1] == "?" {
                    // Group options.
                    var j = i + 2
                    if j < chars.count, chars[j] == "P", j + 1 < chars.count, chars[j + 1] == "<" {
                        j += 2
                        var name = ""
                        while j < chars.count, chars[j] != ">" { name.append(chars[j]); j += 1 }
                        guard j < chars.count, !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                            return fail("invalid named capture", String(chars[i..<min(j + 1, chars.count)]))
                        }
                        out += "(?<\(name)>"
                        multiline.append(multiline.last ?? false)
                        i = j + 1
                        lastWasRepeat = false
                        continue
                    }
                    if j < chars.count, chars[j] == "<", j + 1 < chars.count, chars[j + 1] != "=" && chars[j + 1] != "!" {
                        // Go 1.22 accepts (?<name>…) too.
                        var k = j + 1
                        var name = ""
                        while k < chars.count, chars[k] != ">" { name.append(chars[k]); k += 1 }
                        guard k < chars.count, !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
                            return fail("invalid named capture", String(chars[i..<min(k + 1, chars.count)]))
                        }
                        out += "(?<\(name)>"
                        multiline.append(multiline.last ?? false)
                        i = k + 1
                        lastWasRepeat = false
                        continue
                    }
                    // Flags: (?flags) or (?flags:…).
                    var flags = ""
                    while j < chars.count, "imsU-".contains(chars[j]) { flags.append(chars[j]); j += 1 }
                    guard j < chars.count, chars[j] == ")" || chars[j] == ":" else {
                        return fail("invalid or unsupported Perl syntax", String(chars[i..<min(j + 1, chars.count)]))
                    }
                    if flags.contains("U") {
                        return fail("invalid or unsupported Perl syntax", String(chars[i...j]))
                    }
                    var m = multiline.last ?? false
                    var negate = false
                    for f in flags {
                        if f == "-" { negate = true } else if f == "m" { m = !negate }
                    }
                    if chars[j] == ")" {
                        if flags.isEmpty { return fail("missing argument to repetition operator", "?") }
                        multiline[multiline.count - 1] = m
                        out += "(?\(flags))"
                    } else {
                        multiline.append(m)
                        out += "(?\(flags):"
                    }
                    i = j + 1
                    lastWasRepeat = false
                    continue
                }
                multiline.append(multiline.last ?? false)
                out += "("
                i += 1
                lastWasRepeat = false
                continue
            case ")":
                if multiline.count <= 1 { return fail("unexpected )", pattern) }
                multiline.removeLast()
                out += ")"
                i += 1
                lastWasRepeat = false
                continue
            case "$":
                out += (multiline.last ?? false) ? "$" : "\\z"
                i += 1
                lastWasRepeat = false
                continue
            case "*", "+", "?":
                if lastWasRepeat { return fail("invalid nested repetition operator", String(chars[max(0, i - 1)...i])) }
                out.append(c)
                i += 1
                // A lazy suffix belongs to this operator.
                if i < chars.count, chars[i] == "?" { out += "?"; i += 1 }
                lastWasRepeat = true
                continue
            case "{":
                if let (text, end) = repeatCount(chars, i) {
                    if lastWasRepeat { return fail("invalid nested repetition operator", String(chars[i..<end])) }
                    if let problem = text.problem { return fail(problem, String(chars[i..<end])) }
                    out += text.text
                    i = end
                    if i < chars.count, chars[i] == "?" { out += "?"; i += 1 }
                    lastWasRepeat = true
                    continue
                }
                out += "\\{"
                i += 1
                lastWasRepeat = false
                continue
            case "}":
                out += "\\}"
            case "#", " ":
                out.append(c)
            default:
                out.append(c)
            }
            i += 1
            lastWasRepeat = false
        }
        if multiline.count > 1 { return fail("missing closing )", pattern) }
        return .success(out)
    }

    /// `{n}`, `{n,}`, `{n,m}` at `start`; nil when RE2 takes the brace literally.
    private static func repeatCount(_ chars: [Character], _ start: Int) -> ((text: String, problem: String?), Int)? {
        var j = start + 1
        var first = ""
        while j < chars.count, chars[j].isASCII, chars[j].isNumber { first.append(chars[j]); j += 1 }
        guard !first.isEmpty, j < chars.count else { return nil }
        var second: String?
        if chars[j] == "," {
            j += 1
            var s = ""
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { s.append(chars[j]); j += 1 }
            second = s
        }
        guard j < chars.count, chars[j] == "}" else { return nil }
        let text = String(chars[start...j])
        let n = Int(first.prefix(6)) ?? Int.max
        let m = second.flatMap { $0.isEmpty ? nil : (Int($0.prefix(6)) ?? Int.max) }
        var problem: String?
        if n > 1000 || (m ?? 0) > 1000 || (m.map { $0 < n } ?? false) { problem = "invalid repeat count" }
        return ((text, problem), j + 1)
    }

    /// One escape at `i` (a backslash), outside or inside a class; advances `i`.
    private static func escape(_ chars: [Character], _ i: inout Int, inClass: Bool) -> Result<String, RE2Error> {
        guard i + 1 < chars.count else {
            return .failure(RE2Error(message: "error parsing regexp: trailing backslash at end of expression: ``"))
        }
        let c = chars[i + 1]
        func bad() -> Result<String, RE2Error> {
            .failure(RE2Error(message: "error parsing regexp: invalid escape sequence: `\\\(c)`"))
        }
        switch c {
        case "d", "s", "w":
            i += 2
            let body = asciiClasses[c] ?? ""
            return .success(inClass ? body : "[\(body)]")
        case "D", "S", "W":
            i += 2
            let body = asciiClasses[Character(c.lowercased())] ?? ""
            return .success("[^\(body)]")
        case "v":
            i += 2
            return .success("\\x0B")
        case "a", "f", "n", "r", "t":
            i += 2
            return .success("\\\(c)")
        case "b", "B", "A", "z":
            if inClass { return bad() }
            i += 2
            return .success("\\\(c)")
        case "p", "P":
            var j = i + 2
            guard j < chars.count else { return .failure(RE2Error(message: "error parsing regexp: invalid character class range: `\\\(c)`")) }
            if chars[j] == "{" {
                while j < chars.count, chars[j] != "}" { j += 1 }
                guard j < chars.count else { return .failure(RE2Error(message: "error parsing regexp: invalid character class range: `\(String(chars[i...]))`")) }
                j += 1
                let text = String(chars[i..<j])
                i = j
                return .success(text)
            }
            // `\pL` (one-letter name): ICU wants braces.
            let text = "\\\(c){\(chars[j])}"
            i = j + 1
            return .success(text)
        case "Q":
            // Literal text up to \E.
            var j = i + 2
            var literal = ""
            while j < chars.count {
                if chars[j] == "\\", j + 1 < chars.count, chars[j + 1] == "E" { j += 2; break }
                literal.append(chars[j])
                j += 1
            }
            i = j
            return .success(literal.map { quote($0, inClass: inClass) }.joined())
        case "x":
            var j = i + 2
            var hex = ""
            if j < chars.count, chars[j] == "{" {
                j += 1
                while j < chars.count, chars[j] != "}" { hex.append(chars[j]); j += 1 }
                guard j < chars.count, !hex.isEmpty, hex.allSatisfy(\.isHexDigit), let v = UInt32(hex, radix: 16), v <= 0x10FFFF else {
                    return .failure(RE2Error(message: "error parsing regexp: invalid escape sequence: `\(String(chars[i..<min(j + 1, chars.count)]))`"))
                }
                j += 1
            } else {
                while j < chars.count, hex.count < 2, chars[j].isHexDigit { hex.append(chars[j]); j += 1 }
                guard hex.count == 2 else {
                    return .failure(RE2Error(message: "error parsing regexp: invalid escape sequence: `\(String(chars[i..<j]))`"))
                }
            }
            i = j
            return .success("\\x{\(hex)}")
        case "0"..."7":
            // A single non-zero digit would be a backreference, which RE2 refuses.
            if c != "0", !(i + 2 < chars.count && chars[i + 2].isASCII && chars[i + 2].isNumber) { return bad() }
            var j = i + 1
            var octal = ""
            while j < chars.count, octal.count < 3, ("0"..."7").contains(chars[j]) { octal.append(chars[j]); j += 1 }
            i = j
            return .success("\\x{\(String(UInt32(octal, radix: 8) ?? 0, radix: 16))}")
        default:
            if c.isASCII, !(c.isLetter || c.isNumber) {
                i += 2
                return .success("\\\(c)")
            }
            return bad()
        }
    }

    /// A literal character, escaped for ICU.
    private static func quote(_ c: Character, inClass: Bool) -> String {
        if c.isASCII, !(c.isLetter || c.isNumber || c == "_" || c == " ") { return "\\\(c)" }
        return String(c)
    }

    /// A bracketed class at `i`; advances `i` past its `]`.
    private static func characterClass(_ chars: [Character], _ i: inout Int) -> Result<String, RE2Error> {
        let start = i
        var j = i + 1
        var out = "["
        if j < chars.count, chars[j] == "^" { out += "^"; j += 1 }
        var items = 0
        // The previous single character (for ranges), as ICU text.
        var pendingRangeStart = false
        while true {
            guard j < chars.count else {
                return .failure(RE2Error(message: "error parsing regexp: missing closing ]: `\(String(chars[start...]))`"))
            }
            let c = chars[j]
            if c == "]", items > 0 { j += 1; break }
            // POSIX class.
            if c == "[", j + 1 < chars.count, chars[j + 1] == ":" {
                var k = j + 2
                var negated = false
                if k < chars.count, chars[k] == "^" { negated = true; k += 1 }
                var name = ""
                while k < chars.count, chars[k].isLetter { name.append(chars[k]); k += 1 }
                if k + 1 < chars.count, chars[k] == ":", chars[k + 1] == "]" {
                    guard let body = posixClasses[name] else {
                        return .failure(RE2Error(message: "error parsing regexp: invalid character class range: `\(String(chars[j...(k + 1)]))`"))
                    }
                    out += negated ? "[^\(body)]" : body
                    j = k + 2
                    items += 1
                    pendingRangeStart = false
                    continue
                }
            }
            var piece: String
            var single = true
            if c == "\\" {
                let before = j
                switch escape(chars, &j, inClass: true) {
                case .failure(let e): return .failure(e)
                case .success(let text): piece = text
                }
                let e = chars[before + 1]
                if "dswDSWpPQ".contains(e) { single = false }
            } else {
                piece = quote(c, inClass: true)
                if c == "-" { piece = "\\-" }
                j += 1
            }
            // A range: single '-' single.
            if single, j + 1 < chars.count, chars[j] == "-", chars[j + 1] != "]" {
                var k = j + 1
                var upper: String
                if chars[k] == "\\" {
                    let before = k
                    switch escape(chars, &k, inClass: true) {
                    case .failure(let e): return .failure(e)
                    case .success(let text): upper = text
                    }
                    if "dswDSWpPQ".contains(chars[before + 1]) {
                        return .failure(RE2Error(message: "error parsing regexp: invalid character class range: `\(String(chars[(j - 1)..<k]))`"))
                    }
                } else {
                    upper = quote(chars[k], inClass: true)
                    k += 1
                }
                if c != "\\", let lo = chars[j - 1].unicodeScalars.first, chars[k - 1] != "\\",
                   let hi = chars[k - 1].unicodeScalars.first, chars[j + 1] != "\\", hi.value < lo.value {
                    return .failure(RE2Error(message: "error parsing regexp: invalid character class range: `\(String(chars[(j - 1)..<k]))`"))
                }
                out += piece + "-" + upper
                j = k
                items += 1
                pendingRangeStart = false
                continue
            }
            out += piece
            items += 1
            pendingRangeStart = single
        }
        _ = pendingRangeStart
        i = j
        return .success(out + "]")
    }
}
