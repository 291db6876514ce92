// The one-key map matchers of goss.md §4.3 and their result texts (§4.4).
import Testing
@testable import Goss

@Suite struct MatcherAdvancedTests {
    @Test func equalIsDeepEqualityWithoutConversion() throws {
        #expect(try passes(one("equal", str("a")), val(str("a"))))
        #expect(try passes(one("equal", .int(1)), val(.int(1))))
        // An int never equals a float; a string never equals a number.
        #expect(try !passes(one("equal", .float(1)), val(.int(1))))
        #expect(try !passes(one("equal", str("1")), val(.int(1))))
        // A []string actual never equals a YAML list.
        #expect(try !passes(one("equal", strs("a")), .strings(["a"])))
        // matching content: lists and maps compare deeply, maps without regard to key order.
        #expect(try passes(one("equal", list(.int(1), str("x"))), val(list(.int(1), str("x")))))
        #expect(try passes(one("equal", .map([GossEntry("a", .int(1)), GossEntry("b", .int(2))])),
                           val(.map([GossEntry("b", .int(2)), GossEntry("a", .int(1))]))))
        #expect(try !passes(one("equal", .map([GossEntry("a", .int(1))])), val(.map([GossEntry("a", .int(2))]))))
        // null == null is an error.
        #expect(try errorText(one("equal", .null), val(.null))?.hasPrefix("Refusing to compare <nil> to <nil>.") == true)
        let r = try #require(try fails(one("equal", str("b")), val(str("a"))))
        #expect(r.message == "to equal" && r.expected == str("b") && r.actual == str("a") && r.transformChain == nil)
    }

    @Test func prefixSuffixSubstring() throws {
        #expect(try passes(one("have-prefix", str("/opt")), val(str("/opt/R"))))
        #expect(try passes(one("have-suffix", str("/R")), val(str("/opt/R"))))
        #expect(try passes(one("contain-substring", str("pt/")), val(str("/opt/R"))))
        #expect(try passes(one("contain-substring", str("")), val(str(""))))
        #expect(try !passes(one("have-prefix", str("/OPT")), val(str("/opt/R"))))
        // →str: numbers and []string convert first.
        #expect(try passes(one("have-prefix", str("99")), val(.int(999))))
        #expect(try passes(one("contain-substring", str("b\nc")), .strings(["a", "b", "c"])))
        let r = try #require(try fails(one("have-prefix", str("x")), val(.int(5))))
        #expect(r.message == "to have prefix")
        #expect(r.actual == str("5") && r.expected == str("x"))
        #expect(r.transformChain == [one("to-string", .emptyObject)] && r.untransformedValue == .int(5))
        #expect(try fails(one("have-suffix", str("x")), val(str("a")))?.message == "to have suffix")
        #expect(try fails(one("contain-substring", str("x")), val(str("a")))?.message == "to contain substring")
        // Operands must be strings.
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("have-prefix", .int(1))) }
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("contain-substring", strs("a"))) }
    }

    @Test func matchRegexp() throws {
        #expect(try passes(one("match-regexp", str("^2026\\.")), val(str("2026.03.1"))))
        #expect(try !passes(one("match-regexp", str("^2025")), val(str("2026.03.1"))))
        // . does not cross newlines unless (?s).
        #expect(try !passes(one("match-regexp", str("a.b")), val(str("a\nb"))))
        #expect(try passes(one("match-regexp", str("(?s)a.b")), val(str("a\nb"))))
        #expect(try passes(one("match-regexp", str("(?P<major>\\d+)\\.(?P<minor>\\d+)")), val(str("v1.2"))))
        #expect(try passes(one("match-regexp", str("^\\d+$")), val(.int(42))))
        #expect(try fails(one("match-regexp", str("^x")), val(str("a")))?.message == "to match regular expression")
        #expect(try errorText(one("match-regexp", str("(")), val(str("a")))?.hasPrefix("error parsing regexp: ") == true)
    }

    @Test func haveLen() throws {
        #expect(try passes(one("have-len", .int(3)), val(str("abc"))))
        #expect(try passes(one("have-len", .int(2)), val(str("é"))))           // bytes
        #expect(try passes(one("have-len", .int(2)), .strings(["a", "b"])))
        #expect(try passes(one("have-len", .int(1)), val(.map([GossEntry("k", .int(1))]))))
        #expect(try passes(one("have-len", .int(0)), val(list())))
        #expect(try passes(one("have-len", .float(3)), val(str("abc"))))      // JSON gossfiles give floats
        #expect(try fails(one("have-len", .int(1)), val(str("ab")))?.message == "to have length")
        #expect(try errorText(one("have-len", .int(1)), val(.int(5)))?.hasPrefix("HaveLen matcher expects a string/array/map/channel/slice") == true)
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("have-len", str("3"))) }
    }

    @Test func haveKey() throws {
        let doc = GossValue.map([GossEntry("name", str("x")), GossEntry("version", str("1"))])
        #expect(try passes(one("have-key", str("name")), val(doc)))
        #expect(try passes(one("have-key", one("have-prefix", str("ver"))), val(doc)))
        let r = try #require(try fails(one("have-key", str("nope")), val(doc)))
        #expect(r.message == "to have key matching" && r.expected == str("nope"))
        #expect(try errorText(one("have-key", str("a")), val(str("a")))?.hasPrefix("HaveKey matcher expects a map") == true)
    }

    @Test func containElement() throws {
        #expect(try passes(one("contain-element", str("b")), .strings(["a", "b"])))
        #expect(try passes(one("contain-element", one("match-regexp", str("^foo"))), .strings(["x", "food"])))
        #expect(try passes(one("contain-element", .int(2)), val(list(.int(1), .int(2)))))
        // →array: a string (or a read stream) is split on "\n".
        #expect(try passes(one("contain-element", str("b")), val(str("a\nb\nc"))))
        #expect(try passes(one("contain-element", str("b")), stream("a\nb\n")))
        #expect(try !passes(one("contain-element", str("a\nb")), val(str("a\nb"))))
        let r = try #require(try fails(one("contain-element", one("have-prefix", str("z"))), .strings(["a"])))
        #expect(r.message == "to contain element matching")
        #expect(r.expected == one("have-prefix", str("z")))
        #expect(r.actual == strs("a"))
        // Per-element errors are ignored when something matches; otherwise the last one is reported.
        #expect(try passes(one("contain-element", one("gt", .int(1))), val(list(str("x"), .int(5)))))
        #expect(try errorText(one("contain-element", one("gt", .int(1))), val(list(str("x"), str("y")))) == "strconv.ParseFloat: parsing \"y\": invalid syntax")
        #expect(try errorText(one("contain-element", str("a")), val(.int(1)))?.hasPrefix("ContainElement matcher expects an array/slice/map") == true)
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("contain-element", .bool(true))) }
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("contain-element", strs("a"))) }
    }

    @Test func containElementsExplicit() throws {
        #expect(try passes(one("contain-elements", strs("a", "c")), .strings(["a", "b", "c"])))
        #expect(try passes(one("contain-elements", strs("a", "c")), val(str("a\nb\nc"))))
        let r = try #require(try fails(one("contain-elements", strs("a", "z")), .strings(["a"])))
        #expect(r.missingElements == [str("z")] && r.foundElements == [str("a")])
        #expect(r.message == "to contain elements matching")
        #expect(try matcher(one("not", one("contain-elements", strs("a")))).node.operand == one("contain-elements", strs("a")))
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("contain-elements", str("a"))) }
    }

    @Test func consistOf() throws {
        #expect(try passes(one("consist-of", strs("b", "a")), .strings(["a", "b"])))
        #expect(try passes(one("consist-of", list(one("have-prefix", str("a")), str("ab"))), .strings(["ab", "ax"])))
        let extra = try #require(try fails(one("consist-of", strs("a", "b")), .strings(["a", "b", "c"])))
        #expect(extra.message == "to consist of")
        #expect(extra.extraElements == [str("c")] && extra.missingElements == nil)
        #expect(extra.foundElements == [str("a"), str("b")])
        let missing = try #require(try fails(one("consist-of", strs("a", "b")), .strings(["a"])))
        #expect(missing.missingElements == [str("b")] && missing.extraElements == nil)
        // No conversion: a string is not split.
        #expect(try errorText(one("consist-of", strs("a")), val(str("a")))?.hasPrefix("ConsistOf matcher expects an array/slice/map") == true)
    }

    @Test func notInvertsAndKeepsErrors() throws {
        #expect(try passes(one("not", str("a")), val(str("b"))))
        #expect(try passes(one("not", one("contain-element", str("bar"))), .strings(["foo"])))
        let r = try #require(try fails(one("not", one("have-prefix", str("a"))), val(str("abc"))))
        #expect(r.message == "not to have prefix")
        #expect(r.expected == str("a") && r.actual == str("abc"))
        #expect(try fails(one("not", .int(5)), val(.int(5)))?.message == "not to be numerically eq")
        #expect(try fails(one("not", str("a")), val(str("a")))?.message == "not to equal")
        // not not: back to the plain text.
        #expect(try fails(one("not", one("not", str("a"))), val(str("b")))?.message == "to equal")
        // Errors propagate: they do not count as "not matched".
        #expect(try errorText(one("not", one("gt", .int(1))), val(str("x"))) != nil)
    }

    @Test func andStopsAtTheFirstFailure() throws {
        let m = one("and", list(one("have-prefix", str("a")), one("have-suffix", str("z")), one("gt", .int(1))))
        #expect(try passes(one("and", list(one("have-prefix", str("a")), one("have-suffix", str("c")))), val(str("abc"))))
        let r = try #require(try fails(m, val(str("abc"))))
        #expect(r.message == "to have suffix" && r.expected == str("z"))
        // Evaluation stops before the erroring third matcher.
        #expect(try errorText(one("and", list(one("gt", .int(1)), str("x"))), val(str("x"))) != nil)
        let negated = try #require(try fails(one("not", one("and", list(str("abc")))), val(str("abc"))))
        #expect(negated.message == "not to satisfy all of these matchers")
        #expect(negated.expected == list(str("abc")))
    }

    @Test func orNeedsOneAndAbortsOnErrors() throws {
        #expect(try passes(one("or", list(str("x"), str("abc"))), val(str("abc"))))
        let r = try #require(try fails(one("or", list(str("x"), one("have-prefix", str("y")))), val(str("abc"))))
        #expect(r.message == "to satisfy at least one of these matchers")
        #expect(r.expected == list(str("x"), one("have-prefix", str("y"))))
        #expect(r.actual == str("abc"))
        // A sub-matcher error aborts the whole or, even when a later one would pass.
        #expect(try errorText(one("or", list(one("gt", .int(1)), str("abc"))), val(str("abc"))) != nil)
        // Passing before the error: fine.
        #expect(try passes(one("or", list(str("abc"), one("gt", .int(1)))), val(str("abc"))))
    }

    @Test func numericComparisons() throws {
        #expect(try passes(one("gt", .int(5)), val(.int(6))))
        #expect(try !passes(one("gt", .int(5)), val(.int(5))))
        #expect(try passes(one("ge", .int(5)), val(.int(5))))
        #expect(try passes(one("lt", .float(5.5)), val(str("5.4\n"))))
        #expect(try passes(one("le", .int(5)), .strings(["5"])))
        let r = try #require(try fails(one("gt", .int(5)), val(str("3"))))
        #expect(r.message == "to be numerically gt")
        #expect(r.expected == .int(5) && r.actual == .float(3))
        #expect(r.transformChain == [one("to-numeric", .emptyObject)] && r.untransformedValue == str("3"))
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("gt", str("5"))) }
        // Inside another matcher a numeric matcher serialises as {"op": n}.
        #expect(try fails(one("contain-element", .int(42)), .strings(["1"]))?.expected == one("eq", .int(42)))
        #expect(try fails(one("contain-element", one("le", .int(2))), .strings(["3"]))?.expected == one("le", .int(2)))
    }

    @Test func semverConstraint() throws {
        #expect(try passes(one("semver-constraint", str(">=1.2.0 <2.0.0")), val(str("1.2.3"))))
        #expect(try passes(one("semver-constraint", str(">1.0.0")), val(str("1.2.3-1ubuntu1"))))
        #expect(try passes(one("semver-constraint", str("<1.0.0 || >=3.0.0")), val(str("3.1.0"))))
        #expect(try !passes(one("semver-constraint", str("<1.0.0 || >=3.0.0")), val(str("2.0.0"))))
        #expect(try passes(one("semver-constraint", str("1.2.3")), val(str("1.2.3"))))
        #expect(try passes(one("semver-constraint", str("!=1.2.3")), val(str("1.2.4"))))
        #expect(try passes(one("semver-constraint", str(">= 1.2.3")), val(str("1.2.3"))))
        // Every version of a list must satisfy.
        #expect(try passes(one("semver-constraint", str(">1.0.0")), .strings(["1.1.0", "2.0.0"])))
        let r = try #require(try fails(one("semver-constraint", str(">1.0.0")), .strings(["1.1.0", "0.9.0"])))
        #expect(r.message == "to satisfy semver constraint" && r.expected == str(">1.0.0"))
        // Wildcards.
        #expect(try passes(one("semver-constraint", str("1.2.x")), val(str("1.2.9"))))
        #expect(try !passes(one("semver-constraint", str("1.2.x")), val(str("1.3.0"))))
        #expect(try passes(one("semver-constraint", str("1.x")), val(str("1.9.0"))))
        #expect(try !passes(one("semver-constraint", str("1.x")), val(str("2.0.0"))))
        #expect(try passes(one("semver-constraint", str(">1.2.x")), val(str("1.3.0"))))
        #expect(try !passes(one("semver-constraint", str(">1.2.x")), val(str("1.2.9"))))
        #expect(try passes(one("semver-constraint", str("<=1.X")), val(str("1.9.9"))))
        // Strict parsing: Debian revisions with '+' in odd places, epochs and v prefixes are errors.
        #expect(try errorText(one("semver-constraint", str(">1.0.0")), val(str("2.36-9+deb12u14"))) == "No Major.Minor.Patch elements found")
        #expect(try errorText(one("semver-constraint", str(">1.0.0")), val(str("1:2.3-1"))) == "No Major.Minor.Patch elements found")
        #expect(try errorText(one("semver-constraint", str(">1.0.0")), val(str("v1.2.3"))) == "Invalid character(s) found in major number \"v1\"")
        #expect(try errorText(one("semver-constraint", str(">1.0.0")), val(str("01.2.3"))) == "Major number must not contain leading zeroes \"01\"")
        #expect(try errorText(one("semver-constraint", str("~1.2")), val(str("1.2.3"))) != nil)
        #expect(try errorText(one("semver-constraint", str(">1.0.0")), val(.int(1))) != nil)
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("semver-constraint", .int(1))) }
    }

    @Test func semverOrdering() throws {
        func v(_ s: String) throws -> Semver { try Semver.parse(s).get() }
        #expect(try v("1.0.0-alpha") < v("1.0.0-alpha.1"))
        #expect(try v("1.0.0-alpha.1") < v("1.0.0-alpha.beta"))
        #expect(try v("1.0.0-beta.2") < v("1.0.0-beta.11"))
        #expect(try v("1.0.0-rc.1") < v("1.0.0"))
        #expect(try v("1.0.0+build.1") == v("1.0.0+build.2"))
        #expect(try v("2.0.0") > v("1.99.99"))
        #expect(throws: SemverError.self) { try Semver.parse("1.0.0-01").get() }
        #expect(throws: SemverError.self) { try Semver.parse("1.0.0+").get() }
        #expect(throws: SemverError.self) { try Semver.parse("1.0").get() }
        #expect(throws: SemverError.self) { try Semver.parse("").get() }
    }

    @Test func gjson() throws {
        let body = #"{"name":"connect","version":"2026.03.1","ports":[3939,443],"nested":{"a.b":{"c":true}},"list":[{"n":"x"},{"n":"y"}]}"#
        #expect(try passes(one("gjson", .map([GossEntry("name", str("connect"))])), val(str(body))))
        #expect(try passes(one("gjson", .map([GossEntry("ports.0", .int(3939)), GossEntry("ports.#", .int(2))])), val(str(body))))
        #expect(try passes(one("gjson", .map([GossEntry("nested.a\\.b.c", .bool(true))])), val(str(body))))
        #expect(try passes(one("gjson", .map([GossEntry("list.#.n", strs("x", "y"))])), val(str(body))))
        #expect(try passes(one("gjson", .map([GossEntry("@this", one("have-key", str("name")))])), val(str(body))))
        #expect(try passes(one("gjson", .map([GossEntry("nested", one("have-key", str("a.b")))])), val(str(body))))
        #expect(try passes(one("gjson", .map([GossEntry("vers*", one("have-prefix", str("2026")))])), val(str(body))))
        // A stream (an http body) is read first.
        #expect(try passes(one("gjson", .map([GossEntry("name", one("have-prefix", str("conn")))])), stream(body)))
        // Strict semver: Posit's zero-padded calendar versions do not parse.
        #expect(try errorText(one("gjson", .map([GossEntry("version", one("semver-constraint", str(">=2026.1.0")))])), val(str(body)))
            == "Minor number must not contain leading zeroes \"03\"")
        // Numbers come out as float64: `equal: 3939` (an int) does not match.
        #expect(try !passes(one("gjson", .map([GossEntry("ports.0", one("equal", .int(3939)))])), val(str(body))))
        #expect(try passes(one("gjson", .map([GossEntry("ports.0", one("equal", .float(3939)))])), val(str(body))))
        let r = try #require(try fails(one("gjson", .map([GossEntry("name", str("workbench"))])), val(str(body))))
        #expect(r.message == "to equal" && r.actual == str("connect"))
        #expect(r.transformChain == [one("gjson", one("Path", str("name")))])
        #expect(r.untransformedValue == str(body))
        #expect(try errorText(one("gjson", .map([GossEntry("missing.path", str("x"))])), val(str(body))) == "Path not found: missing.path")
        #expect(try errorText(one("gjson", .map([GossEntry("a", str("x"))])), val(str("{not json"))) == "Invalid json")
        #expect(try errorText(one("gjson", .map([GossEntry("a", str("x"))])), val(.int(1))) == "Invalid json")
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(one("gjson", str("name"))) }
    }

    @Test func gjsonParserIsStrict() {
        #expect(GJSON.parse("{\"a\":[1,2.5e3,-0,true,false,null,\"\\u00e9\\ud83d\\ude00\"]}") != nil)
        #expect(GJSON.parse("[1,]") == nil)
        #expect(GJSON.parse("01") == nil)
        #expect(GJSON.parse("{'a':1}") == nil)
        #expect(GJSON.parse("\"tab\there\"") == nil)
        #expect(GJSON.parse("1 2") == nil)
        #expect(GJSON.parse(String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)) == nil)
        #expect(GJSON.parse(" {\"k\" : \"v\"} ") == .map([GossEntry("k", str("v"))]))
    }

    @Test func nestingIsBoundedNotTrapped() throws {
        var deep: GossValue = str("x")
        for _ in 0..<10_000 { deep = one("not", deep) }
        #expect(throws: GossMatcherSyntaxError.self) { try GossMatcher(deep) }
        var fine: GossValue = str("x")
        for _ in 0..<10 { fine = one("not", one("not", fine)) }
        #expect(try passes(fine, val(str("x"))))
    }
}
