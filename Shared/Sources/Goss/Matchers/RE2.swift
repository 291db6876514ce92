// Go (RE2) regular expressions for the matchers: GoTemplate's shared `GoRegex` (RE2 syntax translated for ICU,
// cached), with a time budget on searches that ICU's backtracking could blow up.
import Foundation
import GoTemplate

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
    /// Compiles `pattern` with RE2 semantics (GoRegex caches compiled patterns).
    static func compile(_ pattern: String) -> Result<RE2Regex, RE2Error> {
        if let refusal = repetitionRefusal(pattern) { return .failure(RE2Error(message: refusal)) }
        do {
            let compiled = try GoRegex.compile(pattern)
            return .success(RE2Regex(regex: compiled.regex, mayBacktrack: mayBacktrack(pattern)))
        } catch {
            return .failure(RE2Error(message: String(describing: error)))
        }
    }

    /// What Go refuses about repetitions and ICU would accept with another meaning: a repetition of a
    /// repetition (`a**`, and `a*+`, which ICU reads as possessive) and a count range backwards (`a{3,2}`).
    static func repetitionRefusal(_ pattern: String) -> String? {
        let c = Array(pattern)
        var i = 0
        var lastRepeatStart: Int?   // where the operator just before started, when the previous item is a repetition
        while i < c.count {
            switch c[i] {
            case "\\":
                if i + 1 < c.count, c[i + 1] == "Q" {
                    i += 2
                    while i < c.count, !(c[i] == "\\" && i + 1 < c.count && c[i + 1] == "E") { i += 1 }
                    i += 2
                } else {
                    i += 2
                }
                lastRepeatStart = nil
            case "[":
                i += 1
                if i < c.count, c[i] == "^" { i += 1 }
                if i < c.count, c[i] == "]" { i += 1 }
                while i < c.count, c[i] != "]" {
                    if c[i] == "\\" { i += 2; continue }
                    if c[i] == "[", i + 1 < c.count, c[i + 1] == ":" {
                        var k = i + 2
                        while k + 1 < c.count, !(c[k] == ":" && c[k + 1] == "]") { k += 1 }
                        i = k + 2
                        continue
                    }
                    i += 1
                }
                i += 1
                lastRepeatStart = nil
            case "*", "+", "?", "{":
                var end = i + 1
                if c[i] == "{" {
                    var j = i + 1
                    var numbers: [String] = [""]
                    while j < c.count, c[j].isASCII, c[j].isNumber || (c[j] == "," && numbers.count == 1) {
                        if c[j] == "," { numbers.append("") } else { numbers[numbers.count - 1].append(c[j]) }
                        j += 1
                    }
                    guard j < c.count, c[j] == "}", !numbers[0].isEmpty else {
                        // A literal brace in RE2.
                        i += 1
                        lastRepeatStart = nil
                        continue
                    }
                    end = j + 1
                    let low = Int(numbers[0].prefix(7)) ?? Int.max
                    let high = numbers.count == 2 ? (numbers[1].isEmpty ? nil : (Int(numbers[1].prefix(7)) ?? Int.max)) : low
                    if low > 1000 || (high ?? 0) > 1000 || (high.map { $0 < low } ?? false) {
                        return "error parsing regexp: invalid repeat count: `\(String(c[i..<end]))`"
                    }
                }
                if let start = lastRepeatStart {
                    return "error parsing regexp: invalid nested repetition operator: `\(String(c[start..<end]))`"
                }
                // A lazy `?` belongs to this operator.
                if end < c.count, c[end] == "?" { end += 1 }
                lastRepeatStart = i
                i = end
            default:
                i += 1
                lastRepeatStart = nil
            }
        }
        return nil
    }

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
}
