// GoRegex: RE2 patterns mean in ICU what they mean in Go (ASCII Perl classes, named groups, `$`, literal braces),
// RE2's refusals are refusals, and Go's Find/Replace/Split semantics.
import Foundation
import Testing
@testable import GoTemplate

@Suite struct GoRegexTests {
    private func m(_ pattern: String, _ text: String) throws -> Bool { try GoRegex.matches(pattern, text) }

    @Test func perlClassesAreASCIIOnlyOutsideAndInsideClasses() throws {
        #expect(try m(#"^\d+$"#, "2024"))
        #expect(try !m(#"^\d+$"#, "٢٠٢٤"))            // Arabic-Indic digits are \d in ICU, not in RE2
        #expect(try !m(#"^\w+$"#, "café"))
        #expect(try m(#"^\w+$"#, "snake_Case9"))
        #expect(try !m(#"\s"#, "a\u{00A0}b"))          // no-break space
        #expect(try !m(#"\s"#, "a\u{0B}b"))            // RE2's \s has no \v
        #expect(try m(#"\s"#, "a\tb"))
        #expect(try m(#"^[\d.]+$"#, "1.2.3"))
        #expect(try !m(#"^[\d.]+$"#, "1.٢"))
        #expect(try m(#"^[\D]+$"#, "abc"))
        #expect(try !m(#"^[^\s]+$"#, "a b"))
        #expect(try m(#"^\S+$"#, "é"))
        #expect(try m(#"^[[:alpha:]]+$"#, "abc"))
        #expect(try !m(#"^[[:alpha:]]+$"#, "é"))
        #expect(try m(#"^[[:^digit:]]+$"#, "ab"))
        #expect(try m(#"\bword\b"#, "a word."))
        #expect(try !m(#"\bword\b"#, "swords"))
        #expect(try m(#"x\B"#, "xy"))
    }

    @Test func namedGroupsAndSubmatches() throws {
        let re = try GoRegex.compile(#"(?P<major>\d+)\.(?<minor_v>\d+)(\.\d+)?"#)
        #expect(re.groupNames == ["", "major", "minor_v", ""])
        #expect(try re.firstMatch(in: "v2024.08") == ["2024.08", "2024", "08", nil])
        #expect(try re.firstMatch(in: "none") == nil)
        #expect(throws: GoRegexError.self) { try GoRegex.compile("(?P<a-b>x)") }
    }

    @Test func dollarMatchesOnlyAtTheVeryEndUnlessMultiline() throws {
        #expect(try !m("a$", "a\n"))         // ICU alone would say yes
        #expect(try m("a$", "xa"))
        #expect(try m("(?m)a$", "a\nb"))
        #expect(try !m("(?m:x)a$", "a\nb"))
        #expect(try m("^b", "b") && !(try m("^b", "a\nb")))
        #expect(try m("(?m)^b", "a\nb"))
        #expect(try !m("a.b", "a\nb"))
        #expect(try m("(?s)a.b", "a\nb"))
        #expect(try m("(?i)ABC", "xabc"))
    }

    @Test func bracesSpacesAndPunctuationAreLiteralWhereRE2SaysSo() throws {
        #expect(try m(#"\{"status":"ok"\}"#, #"{"status":"ok"}"#))
        #expect(try m(#"{"status"}"#, #"{"status"}"#))
        #expect(try m("a{2}", "baab") && !(try m("^a{2}$", "a")))
        #expect(try m("x{,3}", "x{,3}"))
        #expect(try m("[[]", "["))
        #expect(try m("[]a]", "]"))
        #expect(try m("^[a&&b]+$", "a&b"))
        #expect(try m("^[ -]+$", " - "))
        #expect(try m("[-a]", "-"))
        #expect(try m("a # b", "a # b"))
        #expect(try m(#"\Q.*\E"#, "a.*b") && !(try m(#"\Q.*\E"#, "ab")))
        #expect(try m(#"\x41\x{42}\101"#, "ABA"))
        #expect(try m(#"^\pL\p{Greek}\P{L}$"#, "aλ1"))
    }

    @Test func whatRE2RefusesIsRefused() {
        let refused: [(String, String)] = [
            ("(?=a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?=`"),
            ("(?!a)", "error parsing regexp: invalid or unsupported Perl syntax: `(?!`"),
            ("(a)\\1", "error parsing regexp: invalid escape sequence: `\\1`"),
            ("a\\Z", "error parsing regexp: invalid escape sequence: `\\Z`"),
            ("(abc", "error parsing regexp: missing closing ): `(abc`"),
            ("abc)", "error parsing regexp: unexpected ): `abc)`"),
            ("[abc", "error parsing regexp: missing closing ]: `[abc`"),
            ("abc\\", "error parsing regexp: trailing backslash at end of expression: ``"),
            ("a{1001}", "error parsing regexp: invalid repeat count: `{1001}`"),
            ("[[:nope:]]", "error parsing regexp: invalid character class range: `[:nope:]`"),
        ]
        for (pattern, message) in refused {
            do {
                _ = try GoRegex.compile(pattern)
                Issue.record("\(pattern) should be refused")
            } catch {
                #expect("\(error)" == message, "\(pattern)")
            }
        }
        // ICU refuses the rest; the message still names the pattern.
        #expect(throws: GoRegexError.self) { try GoRegex.compile("a**") }
    }

    @Test func findAllSkipsEmptyMatchesRightAfterAMatch() throws {
        let re = try GoRegex.compile("a*")
        #expect(try re.allMatches(in: "baaac").map { $0[0] } == ["", "aaa", ""])
        #expect(try GoRegex.compile(#"\d"#).allMatches(in: "a1b2c3", limit: 2).map { $0[0] } == ["1", "2"])
    }

    @Test func replaceExpandsGoTemplates() throws {
        let re = try GoRegex.compile(#"(?P<k>\w+)=(\w+)"#)
        #expect(try re.replaceAll(in: "a=1 b=2", with: "$2:${k}") == "1:a 2:b")
        #expect(try re.replaceAll(in: "a=1", with: "$1x|$$|${2}x") == "|$|1x")   // $1x is the (missing) group named "1x"
        #expect(try re.replaceAll(in: "a=1", with: "$2", literal: true) == "$2")
        #expect(try GoRegex.compile("a*").replaceAll(in: "baaac", with: "-") == "-b-c-")
    }

    @Test func splitFollowsGo() throws {
        #expect(try GoRegex.compile(",").split("a,b,", limit: -1) == ["a", "b", ""])
        #expect(try GoRegex.compile(",").split("a,b,c", limit: 2) == ["a", "b,c"])
        #expect(try GoRegex.compile("").split("abc", limit: -1) == ["a", "b", "c"])
        #expect(try GoRegex.compile("x*").split("axbc", limit: -1) == ["a", "b", "c"])
        #expect(try GoRegex.compile(",").split("", limit: -1) == [""])
        #expect(try GoRegex.compile(",").split("a,b", limit: 0) == [])
    }

    @Test func quoteMeta() {
        #expect(GoRegex.quoteMeta("1.2+[x]") == #"1\.2\+\[x\]"#)
    }

    @Test func theCacheIsSharedAcrossThreads() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<64 {
                group.addTask { try GoRegex.matches("^v\(i % 4)\\.\\d+$", "v\(i % 4).10") }
            }
            for try await matched in group { #expect(matched) }
        }
    }
}

@Suite struct GoTemplatePassthroughTests {
    struct NeedsFile: GoTemplatePassthrough, Equatable { let path: String }
    struct Other: Error {}

    @Test func aPassthroughErrorLeavesRenderUnchanged() throws {
        let template = try GoTemplate(name: "test", source: "a: {{ readFile \"/etc/x\" | splitList \"\\n\" }}\n")
        let functions = GoFunctions.goss(readFile: { path in throw NeedsFile(path: path) })
        do {
            _ = try template.render(data: .map([:]), functions: functions)
            Issue.record("render should throw")
        } catch let error as NeedsFile {
            #expect(error == NeedsFile(path: "/etc/x"))
        }
        // Also from any other function, at any depth.
        var custom = GoFunctions.goss()
        custom.table["fetch"] = { _ in throw NeedsFile(path: "deep") }
        let nested = try GoTemplate(name: "test", source: "{{ if and true (eq (fetch | toString) \"x\") }}{{ end }}")
        #expect(throws: NeedsFile(path: "deep")) { try nested.render(data: .map([:]), functions: custom) }
    }

    @Test func otherReadErrorsStayNoSuchFile() throws {
        let template = try GoTemplate(name: "test", source: "{{ readFile \"/x\" }}")
        do {
            _ = try template.render(data: .map([:]), functions: .goss(readFile: { _ in throw Other() }))
            Issue.record("render should throw")
        } catch let error as GoTemplateError {
            #expect(error.message.contains("open /x: no such file or directory"))
        }
    }
}
