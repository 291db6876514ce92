// Matchers against goss.md §4: the default forms, the type quirks and the pattern lists, with the
// expected outcomes written from the spec's own examples.
import Testing
@testable import Goss

// MARK: Helpers

func matcher(_ expected: GossValue) throws -> GossMatcher { try GossMatcher(expected) }

func outcome(_ expected: GossValue, _ actual: GossActual) throws -> GossMatch { try GossMatcher(expected).match(actual) }

func passes(_ expected: GossValue, _ actual: GossActual) throws -> Bool {
    if case .success = try outcome(expected, actual) { return true }
    return false
}

func fails(_ expected: GossValue, _ actual: GossActual) throws -> GossMatcherResult? {
    if case .failure(let r) = try outcome(expected, actual) { return r }
    return nil
}

func errorText(_ expected: GossValue, _ actual: GossActual) throws -> String? {
    if case .error(let m, _) = try outcome(expected, actual) { return m }
    return nil
}

func stream(_ text: String, _ make: ([UInt8]) -> GossStream = GossStream.commandOutput) -> GossActual {
    .stream(make(Array(text.utf8)))
}

func str(_ s: String) -> GossValue { .string(s) }
func list(_ items: GossValue...) -> GossValue { .list(items) }
func strs(_ items: String...) -> GossValue { .list(items.map(GossValue.string)) }
func one(_ key: String, _ value: GossValue) -> GossValue { .map([GossEntry(key, value)]) }
func val(_ v: GossValue) -> GossActual { .value(v) }

// MARK: Default forms (§4.1)

@Suite struct MatcherDefaultFormTests {
    @Test func stringExpectationComparesTheActualAsText() throws {
        #expect(try passes(str("0755"), val(str("0755"))))
        #expect(try passes(str("rstudio-server"), val(str("rstudio-server"))))
        #expect(try passes(str("42"), val(.int(42))))
        #expect(try passes(str("1.5"), val(.float(1.5))))
        #expect(try passes(str("1e+06"), val(.float(1_000_000))))
        #expect(try passes(str("true"), val(.bool(true))))
        // []string joined with newlines.
        #expect(try passes(str("1.2.3"), .strings(["1.2.3"])))
        #expect(try passes(str("a\nb"), .strings(["a", "b"])))
        #expect(try passes(str("map[a:1 b:x]"), val(.map([GossEntry("b", str("x")), GossEntry("a", .int(1))]))))
        #expect(try !passes(str("0755"), val(str("0644"))))
        // Byte equality, not Unicode canonical equivalence.
        #expect(try !passes(str("e\u{301}"), val(str("\u{E9}"))))
    }

    @Test func aStringFailureShowsToEqualAndTheTransform() throws {
        let r = try #require(try fails(str("43"), val(.int(42))))
        #expect(r.message == "to equal")
        #expect(r.actual == str("42"))
        #expect(r.expected == str("43"))
        #expect(r.transformChain == [one("to-string", .emptyObject)])
        #expect(r.untransformedValue == .int(42))
        // No conversion needed, no transform recorded.
        let plain = try #require(try fails(str("b"), val(str("a"))))
        #expect(plain.transformChain == nil)
        #expect(plain.untransformedValue == nil)
    }

    @Test func numbersCompareNumerically() throws {
        #expect(try passes(.int(999), val(.int(999))))
        #expect(try passes(.int(999), val(.float(999))))
        #expect(try passes(.float(1.1), val(str("1.10"))))
        #expect(try passes(.int(0), val(str("  0 \n"))))
        #expect(try !passes(.int(1000), val(.int(999))))
        let r = try #require(try fails(.int(999), val(.int(1000))))
        #expect(r.message == "to be numerically eq")
        #expect(r.expected == .int(999))
        #expect(r.actual == .int(1000))
        #expect(r.transformChain == nil)
    }

    @Test func typeQuirksOfTheSpec() throws {
        // mode: 755 (an int) against "0755" converted to 755: passes.
        #expect(try passes(.int(755), val(str("0755"))))
        let converted = try #require(try fails(.int(756), val(str("0755"))))
        #expect(converted.transformChain == [one("to-numeric", .emptyObject)])
        #expect(converted.untransformedValue == str("0755"))
        #expect(converted.actual == .float(755))
        // mode: 0755 unquoted is octal 493: fails.
        #expect(try !passes(.int(493), val(str("0755"))))
        // exists: "true" passes against bool true through the string conversion.
        #expect(try passes(str("true"), val(.bool(true))))
        // A bool expectation is strict: the string "true" does not match.
        #expect(try !passes(.bool(true), val(str("true"))))
        // stdout: {gt: 5} works on "42\n"; stdout: "42" does not equal "42\n".
        #expect(try passes(one("gt", .int(5)), stream("42\n")))
        #expect(try !passes(str("42"), stream("42\n")))
        #expect(try passes(str("42\n"), stream("42\n")))
    }

    @Test func numericConversionErrors() throws {
        #expect(try errorText(.int(1), val(str("abc"))) == "strconv.ParseFloat: parsing \"abc\": invalid syntax")
        #expect(try errorText(.int(1), val(.bool(true))) == "Expected numeric, Got: true")
        #expect(try errorText(.int(1), val(str("1_000"))) != nil)
        #expect(try errorText(.int(1), val(str("0x1F"))) != nil)
        #expect(try passes(.int(1000), val(str("1e3"))))
    }

    @Test func boolsAreStrict() throws {
        #expect(try passes(.bool(true), val(.bool(true))))
        #expect(try passes(.bool(false), val(.bool(false))))
        let r = try #require(try fails(.bool(true), val(.bool(false))))
        #expect(r.message == "to equal")
        #expect(r.actual == .bool(false))
        #expect(r.expected == .bool(true))
        #expect(try !passes(.bool(true), val(.int(1))))
    }

    @Test func listsAreContainElementsWithDistinctPairs() throws {
        #expect(try passes(strs("rstudio-server"), .strings(["rstudio-server"])))
        #expect(try passes(strs("0.0.0.0"), .strings(["127.0.0.1", "0.0.0.0"])))
        #expect(try passes(strs(), .strings([])))
        #expect(try passes(strs(), .strings(["x"])))
        // [a, a] needs two a's.
        #expect(try !passes(strs("a", "a"), .strings(["a"])))
        #expect(try passes(strs("a", "a"), .strings(["a", "b", "a"])))
        // Order does not matter; elements are matchers themselves.
        #expect(try passes(list(one("have-prefix", str("b")), str("a")), .strings(["a", "bc"])))
        // A maximum matching, not a greedy one: the prefix matcher must not steal "ab".
        #expect(try passes(list(one("have-prefix", str("a")), str("ab")), .strings(["ab", "ax"])))
        #expect(try passes(list(.int(1), .int(2)), val(list(.int(2), .int(1)))))
        // Map values count as elements.
        #expect(try passes(strs("x"), val(.map([GossEntry("k", str("x"))]))))
        let r = try #require(try fails(strs("a", "b", "c"), .strings(["b"])))
        #expect(r.message == "to contain elements matching")
        #expect(r.missingElements == [str("a"), str("c")])
        #expect(r.foundElements == [str("b")])
        #expect(r.expected == strs("a", "b", "c"))
        #expect(r.actual == strs("b"))
    }

    @Test func aListAgainstAScalarIsAnError() throws {
        let text = try #require(try errorText(strs("a"), val(str("a"))))
        #expect(text.hasPrefix("ContainElements matcher expects an array/slice/map"))
        // groups: [] on a non-list actual errors too.
        #expect(try errorText(strs(), val(.int(3))) != nil)
        // The matcher's report is filled in beside the error.
        if case .error(_, let report?) = try outcome(strs("a"), val(str("a"))) {
            #expect(report.message == "to contain elements matching")
        } else {
            Issue.record("expected an error with a report")
        }
    }

    @Test func successCarriesTheRawActualAndTheExpectedAsWritten() throws {
        guard case .success(let r) = try outcome(.int(999), val(.int(999))) else { Issue.record("no success"); return }
        #expect(r == GossMatcherResult(actual: .int(999), expected: .int(999), message: "matches expectation"))
        guard case .success(let s) = try outcome(strs("/usr/bin/openssl"), stream("/usr/bin/openssl\n")) else { Issue.record("no success"); return }
        #expect(s.actual == .emptyObject)
        #expect(s.expected == strs("/usr/bin/openssl"))
        guard case .success(let t) = try outcome(str("x"), stream("x")) else { Issue.record("no success"); return }
        #expect(t.actual == .emptyObject)
        guard case .success(let g) = try outcome(strs("a"), .strings(["a"])) else { Issue.record("no success"); return }
        #expect(g.actual == strs("a"))
        #expect(try matcher(one("have-prefix", str("x"))).expectedJSON == one("have-prefix", str("x")))
    }

    @Test func syntaxErrors() throws {
        #expect(throws: GossMatcherSyntaxError("Syntax Error: Missing required attribute")) { try GossMatcher(.null) }
        #expect(throws: GossMatcherSyntaxError("Syntax Error: Unknown matcher: be-empty")) { try GossMatcher(one("be-empty", .bool(true))) }
        #expect(throws: GossMatcherSyntaxError("Syntax Error: Unknown matcher: eq")) { try GossMatcher(one("eq", .int(1))) }
        do {
            _ = try GossMatcher(.map([GossEntry("or", strs("a")), GossEntry("and", strs("b"))]))
            Issue.record("two keys accepted")
        } catch {
            #expect(error.message.hasPrefix("Syntax Error: Invalid matcher configuration. At a given nesting level, only one matcher is allowed"))
            #expect(error.message.hasSuffix("[and or]"))
        }
        // Nested syntax errors surface at build time.
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(list(one("nope", .int(1)))) }
    }
}

// MARK: Pattern lists (§4.2)

@Suite struct MatcherPatternListTests {
    @Test func positOpenSSLExample() throws {
        // §13 example 4: "/usr/bin/openssl" looks for the substring "usr/bin/openssl".
        let r = try #require(try fails(strs("/usr/bin/openssl"), stream("/usr/local/bin/openssl\n")))
        #expect(r == GossMatcherResult(actual: str("object: *bytes.Reader"), expected: strs("/usr/bin/openssl"), message: "to have patterns",
                                       missingElements: [str("/usr/bin/openssl")], foundElements: nil))
        #expect(try passes(strs("/usr/bin/openssl"), stream("/usr/bin/openssl\n")))
        #expect(try passes(strs("/usr/bin/openssl"), stream("xusr/bin/openssl")))
    }

    @Test func goTypeOfTheStreamIsShown() throws {
        let file = try #require(try fails(strs("nope"), stream("x", GossStream.fileContents)))
        #expect(file.actual == str("object: *os.File"))
        let reader = try #require(try fails(strs("nope"), stream("x", GossStream.reader)))
        #expect(reader.actual == str("object: *strings.Reader"))
    }

    @Test func positSubstrings() throws {
        let text = """
        R version 4.5.3 (2026-02-28) -- "Some Name"
        enabled=1
        session required pam_mkhomedir.so skel=/etc/skel umask=0077
        RSPM=https://p3m.dev/cran/__linux__/noble/latest
        2026.04.0+526.pro2 Workbench
        2026.03.1

        """
        #expect(try passes(strs("2026.03.1", "R version 4.5.3", "enabled=1", "session required pam_mkhomedir.so skel=/etc/skel umask=0077",
                                "RSPM=https://p3m.dev/cran/__linux__/noble/latest", "2026.04.0+526.pro2 Workbench"), stream(text)))
    }

    @Test func positRegexes() throws {
        #expect(try passes(strs("/tinytex\\s+Up to date/"), stream("ok\ntinytex \t  Up to date\n")))
        #expect(try !passes(strs("/tinytex\\s+Up to date/"), stream("tinytexUp to date\n")))
        #expect(try passes(strs("/PostgreSQL|MySQL|SQLServer/"), stream("drivers: MySQL\n")))
        #expect(try passes(strs("/^\\[program:sssd\\]$/"), stream("x\n[program:sssd]\n")))
        #expect(try !passes(strs("/^\\[program:sssd\\]$/"), stream(" [program:sssd]\n")))
        // RE2's \s is ASCII: a no-break space is not white space.
        #expect(try !passes(strs("/a\\sb/"), stream("a\u{A0}b\n")))
        #expect(try passes(strs("/a\\sb/"), stream("a\u{0C}b\n")))
        // \d is ASCII only.
        #expect(try !passes(strs("/^\\d$/"), stream("\u{0663}\n")))
        // Unanchored search inside the line; lines end before "\r".
        #expect(try passes(strs("/ok$/"), stream("this is ok\r\nnext\n")))
    }

    @Test func inverseAndTrimmedPatterns() throws {
        // "!Error reading …" passes when no line contains it, fails when one does.
        let inverse = "!Error reading /etc/rstudio/rserver.conf:"
        #expect(try passes(strs(inverse), stream("all good\n")))
        let r = try #require(try fails(strs(inverse), stream("x\nError reading /etc/rstudio/rserver.conf: denied\n")))
        #expect(r.missingElements == [str(inverse)])
        #expect(r.foundElements == nil)
        // "\\!foo" (YAML for \!foo) is not inverse and looks for "foo".
        #expect(try passes(strs("\\!foo"), stream("foo\n")))
        #expect(try !passes(strs("\\!foo"), stream("!fo\n")))
        // "!!foo" is inverse on "foo".
        #expect(try passes(strs("!!foo"), stream("bar\n")))
        #expect(try !passes(strs("!!foo"), stream("foo\n")))
        // An inverse regex.
        #expect(try passes(strs("!/^error/"), stream("an error\n")))
        #expect(try !passes(strs("!/^error/"), stream("error here\n")))
        // Empty patterns count as found even with no lines at all.
        #expect(try passes(strs(""), stream("")))
        #expect(try !passes(strs("x"), stream("")))
        #expect(try passes(strs("!x"), stream("")))
    }

    @Test func foundAndMissingKeepTheWrittenForm() throws {
        let r = try #require(try fails(strs("/^a/", "b", "!c", "/zz/"), stream("apple\nbanana\ncherry\n")))
        #expect(r.foundElements == [str("/^a/"), str("b")])
        #expect(r.missingElements == [str("!c"), str("/zz/")])
        #expect(r.message == "to have patterns")
    }

    @Test func patternErrors() throws {
        #expect(try errorText(list(.int(1)), stream("1\n")) == "HavePatterns matcher expects patterns to be a string")
        let bad = try #require(try errorText(strs("/(unclosed/"), stream("x\n")))
        #expect(bad.hasPrefix("error parsing regexp:"))
        // RE2 refuses what ICU would accept.
        #expect(try errorText(strs("/a(?=b)/"), stream("ab\n")) != nil)
        #expect(try errorText(strs("/(a)\\1/"), stream("aa\n")) != nil)
        #expect(try errorText(strs("/a*+/"), stream("aa\n")) != nil)
    }

    @Test func lineLimitAndEarlyStop() throws {
        let long = String(repeating: "x", count: 1 << 20)
        #expect(try errorText(strs("nope"), stream("ok\n" + long + "\n")) == "bufio.Scanner: token too long")
        #expect(try errorText(strs("nope"), stream(long)) == "bufio.Scanner: token too long")
        // One byte less fits.
        #expect(try !passes(strs("nope"), stream(String(long.dropFirst()) + "\n")))
        #expect(try errorText(strs("nope"), stream(String(long.dropFirst()) + "\n")) == nil)
        // Every pattern decided before the long line: no error.
        #expect(try passes(strs("ok"), stream("ok\n" + long + "\n")))
    }

    @Test func havePatternsOnAStringShowsTheString() throws {
        let r = try #require(try fails(one("have-patterns", strs("zz")), val(str("a\nb"))))
        #expect(r.actual == str("a\nb"))
        #expect(try passes(one("have-patterns", strs("/^b$/")), val(str("a\nb"))))
        #expect(try passes(one("have-patterns", strs("b")), .strings(["a", "b"])))
    }

    @Test func nonListExpectationsReadTheWholeStream() throws {
        #expect(try passes(one("contain-substring", str("Up to date")), stream("tinytex Up to date\n")))
        #expect(try passes(one("match-regexp", str("(?m)^b$")), stream("a\nb\nc\n")))
        // Without (?m), $ is the end of the text, not before a final newline (RE2).
        #expect(try !passes(one("match-regexp", str("^42$")), stream("42\n")))
        #expect(try passes(one("match-regexp", str("^42\\n$")), stream("42\n")))
    }
}
