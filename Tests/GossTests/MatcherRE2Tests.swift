// Go RE2 semantics on ICU (Matchers/RE2.swift): what matches like Go, and what Go refuses.
import Testing
@testable import Goss

private func re(_ pattern: String, _ subject: String) -> Bool? {
    switch RE2.compile(pattern) {
    case .success(let regex): return regex.search(subject)
    case .failure: return nil
    }
}

private func refused(_ pattern: String) -> String? {
    if case .failure(let e) = RE2.compile(pattern) { return e.message }
    return nil
}

@Suite struct MatcherRE2Tests {
    @Test func asciiClasses() {
        #expect(re("^\\s+$", " \t\n\r\u{0C}") == true)
        #expect(re("\\s", "\u{A0}") == false)
        #expect(re("\\s", "\u{0B}") == false)        // RE2's \s has no vertical tab
        #expect(re("\\d", "\u{0663}") == false)
        #expect(re("\\w", "é") == false)
        #expect(re("^\\W$", "é") == true)
        #expect(re("^[\\d.]+$", "4.5.3") == true)
        #expect(re("^[^\\s]+$", "a\u{A0}b") == true)
        #expect(re("^[[:alpha:]]+$", "abcXYZ") == true)
        #expect(re("[[:alpha:]]", "é") == false)
        #expect(re("^[[:^digit:]]+$", "ab") == true)
        #expect(re("\\pL", "é") == true)          // Unicode classes stay Unicode
        #expect(re("\\p{Greek}", "λ") == true)
    }

    @Test func anchorsAndFlags() {
        #expect(re("^a$", "a\n") == false)        // $ is the end of the text
        #expect(re("(?m)^b$", "a\nb\nc") == true)
        #expect(re("(?m:^b$)", "a\nb\nc") == true)
        #expect(re("(?i)ABC", "xabcx") == true)
        #expect(re("a.c", "a\nc") == false)
        #expect(re("(?s)a.c", "a\nc") == true)
        #expect(re("a.c", "a\rc") == true)        // only \n is a line end
        #expect(re("\\Aab\\z", "ab") == true)
        #expect(re("x$|^y", "y1") == true)
    }

    @Test func syntaxTranslated() {
        #expect(re("(?P<year>\\d{4})-(?P<m>\\d\\d)", "2026-05") == true)
        #expect(re("(?<year>\\d{4})", "2026") == true)
        #expect(re("a{", "a{") == true)           // a literal brace in RE2
        #expect(re("{x}", "{x}") == true)
        #expect(re("a{2}", "aa") == true)
        #expect(re("a{2,}b", "aaab") == true)
        #expect(re("^[[]$", "[") == true)
        #expect(re("^[a&&b]+$", "&&") == true)     // no set operators in RE2
        #expect(re("^[a-]+$", "-a") == true)
        #expect(re("^[]a]+$", "]a") == true)
        #expect(re("\\141", "a") == true)         // octal
        #expect(re("\\x41\\x{42}", "AB") == true)
        #expect(re("\\Qa.b\\E", "a.b") == true)
        #expect(re("\\Qa.b\\E", "axb") == false)
        #expect(re("a\\.b", "a.b") == true)
        #expect(re("\\v", "\u{0B}") == true)
        #expect(re("a*?b", "aab") == true)
        #expect(re("#x y", "#x y") == true)
    }

    @Test func refusedLikeGo() {
        #expect(refused("a(?=b)") == "error parsing regexp: invalid or unsupported Perl syntax: `(?=`")
        #expect(refused("(?<=a)b") != nil)
        #expect(refused("(?!a)") != nil)
        #expect(refused("(?>a)") != nil)
        #expect(refused("(a)\\1") == "error parsing regexp: invalid escape sequence: `\\1`")
        #expect(refused("a**") == "error parsing regexp: invalid nested repetition operator: `**`")
        #expect(refused("a++") != nil)
        #expect(refused("a{1001}") == "error parsing regexp: invalid repeat count: `{1001}`")
        #expect(refused("a{3,2}") != nil)
        #expect(refused("(a") == "error parsing regexp: missing closing ): `(a`")
        #expect(refused("a)") == "error parsing regexp: unexpected ): `a)`")
        #expect(refused("[a") == "error parsing regexp: missing closing ]: `[a`")
        #expect(refused("[z-a]")?.hasPrefix("error parsing regexp: ") == true)
        #expect(refused("a*+") == "error parsing regexp: invalid nested repetition operator: `*+`")
        #expect(refused("a{2}{3}") == "error parsing regexp: invalid nested repetition operator: `{2}{3}`")
        #expect(refused("a{3,2}") == "error parsing regexp: invalid repeat count: `{3,2}`")
        #expect(refused("a{2}?") == nil)
        #expect(refused("[*+]+") == nil)
        #expect(refused("\\*+") == nil)
        #expect(refused("(a*)+") == nil)
        #expect(refused("a\\") == "error parsing regexp: trailing backslash at end of expression: ``")
        #expect(refused("\\h") == "error parsing regexp: invalid escape sequence: `\\h`")
        #expect(refused("\\Z") != nil)
        #expect(refused("(?U)a") != nil)
        #expect(refused("*a") != nil)
        #expect(refused("(?P<>a)") != nil)
    }

    @Test func backtrackingBlowUpsAreAbandonedNotHung() throws {
        let regex = try RE2.compile("(a+)+b").get()
        #expect(regex.mayBacktrack)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(regex.search(String(repeating: "a", count: 60), budget: .milliseconds(200)) == nil) }
        #expect(elapsed < .seconds(15), "a 200 ms budget, with room for a loaded CI machine")
        // A match is still found on the guarded path.
        #expect(regex.search("aaab", budget: .milliseconds(200)) == true)
        #expect(try RE2.compile("^a+$").get().mayBacktrack == false)
        #expect(try RE2.compile("\\s*=\\s*").get().mayBacktrack == true)
        // Long subjects take the guarded path too, and still match.
        #expect(try RE2.compile("b$").get().search(String(repeating: "a", count: 100_000) + "b") == true)
    }

    @Test func cachedAndStable() {
        for _ in 0..<3 { #expect(re("^x+$", "xxx") == true) }
        for i in 0..<600 { #expect(re("^\(i)$", "\(i)") == true) }   // past the cache size: evicts, still right
    }
}
