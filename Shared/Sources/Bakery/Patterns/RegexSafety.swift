// Regular expressions from users run on a backtracking engine (ICU): a pattern that repeats a group
// which itself repeats, such as `(a+)+b`, takes exponential time on a near-miss. Such patterns are
// refused before they run.
import Foundation

public enum RegexSafety {
    /// Why `pattern` could backtrack exponentially, or nil when it cannot in this way. Refuses an
    /// unbounded quantifier (`*`, `+`, `{n,}`) on a group one of whose alternatives itself ends in an
    /// unbounded quantifier (`(a+)+`, `(a|b*)*`: the ways to split the input multiply), and
    /// backreferences (which make matching NP-hard). `(\d+\.)+` stays allowed: each repetition ends
    /// at a literal.
    public static func problem(_ pattern: String) -> String? {
        if pattern.contains("(?P=") { return "it uses a backreference, which can take exponential time to match" }
        let chars = Array(pattern.unicodeScalars)
        struct Group { var ambiguous = false; var lastUnbounded = false }
        var stack = [Group()]
        var closedAmbiguous = false   // the atom just before is a group that is ambiguous when repeated
        var i = 0
        func atom() { stack[stack.count - 1].lastUnbounded = false; closedAmbiguous = false }
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\\":
                if i + 1 < chars.count, ("1"..."9").contains(chars[i + 1]) || chars[i + 1] == "k" {
                    return "it uses a backreference, which can take exponential time to match"
                }
                i += 2
                atom()
            case "[":
                i += 1
                if i < chars.count, chars[i] == "^" { i += 1 }
                if i < chars.count, chars[i] == "]" { i += 1 }
                while i < chars.count, chars[i] != "]" { i += chars[i] == "\\" ? 2 : 1 }
                i += 1
                atom()
            case "(":
                stack.append(Group())
                i += 1
                // `(?:`, `(?P<name>`, `(?=` …: the prefix is not an atom.
                if i < chars.count, chars[i] == "?" {
                    while i < chars.count, chars[i] != ":" && chars[i] != ">" && chars[i] != "=" && chars[i] != "!" && chars[i] != ")" { i += 1 }
                    if i < chars.count, chars[i] != ")" { i += 1 }
                }
            case "|":
                if stack[stack.count - 1].lastUnbounded { stack[stack.count - 1].ambiguous = true }
                stack[stack.count - 1].lastUnbounded = false
                closedAmbiguous = false
                i += 1
            case ")":
                var group = stack.count > 1 ? stack.removeLast() : Group()
                if group.lastUnbounded { group.ambiguous = true }
                stack[stack.count - 1].lastUnbounded = false
                closedAmbiguous = group.ambiguous
                i += 1
            case "*", "+", "{":
                var unbounded = c != "{"
                if c == "{" {
                    var j = i + 1
                    var body = ""
                    while j < chars.count, chars[j] != "}" { body.unicodeScalars.append(chars[j]); j += 1 }
                    let parts = body.split(separator: ",", omittingEmptySubsequences: false)
                    guard !body.isEmpty, parts.count <= 2, parts.allSatisfy({ $0.allSatisfy(\.isNumber) }) else { i += 1; atom(); continue }
                    unbounded = parts.count == 2 && parts[1].isEmpty
                    i = j
                }
                if unbounded, closedAmbiguous {
                    return "it repeats a group that itself ends in a repetition, which can take exponential time on a near-miss"
                }
                i += 1
                // A lazy or possessive suffix belongs to this quantifier.
                if i < chars.count, chars[i] == "?" || chars[i] == "+" { i += 1 }
                stack[stack.count - 1].lastUnbounded = unbounded
                closedAmbiguous = false
            case "?":
                i += 1
                closedAmbiguous = false
            default:
                i += 1
                atom()
            }
        }
        return nil
    }

    /// Compiles a user's pattern (Python group syntax `(?P<name>` accepted), refusing one that could
    /// backtrack exponentially. `what` names it in messages (`--image-name`, `regexReplace`).
    public static func compile(_ pattern: String, what: String) throws(BakeryError) -> NSRegularExpression {
        if let problem = problem(pattern) {
            throw BakeryError(.invalidArgument, "\(what) '\(pattern)' is refused: \(problem)",
                              hint: "rewrite it without nested repetition, e.g. '(a+)+b' as 'a+b'")
        }
        do {
            return try NSRegularExpression(pattern: pattern.replacingOccurrences(of: "(?P<", with: "(?<"))
        } catch {
            throw BakeryError(.invalidArgument, "\(what) '\(pattern)' is not a valid regular expression", hint: "check its brackets and escapes")
        }
    }
}
