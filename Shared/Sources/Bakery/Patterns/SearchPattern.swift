// Python `re.search` over a regular expression given on the command line.
import Foundation

/// Python `re.search` over a regular expression given on the command line.
struct SearchPattern {
    let regex: NSRegularExpression

    init(_ pattern: String, option: String) throws(BakeryError) {
        if let problem = RegexSafety.problem(pattern) {
            throw BakeryError(.invalidArgument, "\(option) '\(pattern)' is refused: \(problem)",
                              hint: "rewrite it without nested repetition (e.g. '(a+)+b' as 'a+b')")
        }
        do {
            regex = try NSRegularExpression(pattern: pattern.replacingOccurrences(of: "(?P<", with: "(?<"))
        } catch {
            throw BakeryError(.invalidArgument, "\(option) '\(pattern)' is not a valid regular expression", cause: error)
        }
    }

    func matches(_ s: String) -> Bool {
        RegexWatchdog.run(regex.pattern, what: "the pattern") { regex.firstMatch(in: s, range: NSRange(s.startIndex..<s.endIndex, in: s)) != nil }
    }
}
