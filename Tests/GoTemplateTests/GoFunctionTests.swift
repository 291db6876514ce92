// Every function of the table: Go's builtins, goss's own, and the Sprig subset, with expected outputs written from
// Go's, goss's and Sprig's documented behaviour (goss.md §8).
import Foundation
import Testing
@testable import GoTemplate

private func render(_ source: String, env: [String: String] = [:], vars: [String: GoValue] = [:],
                    files: [String: String] = [:]) throws -> String {
    let template = try GoTemplate(name: "test", source: source)
    let functions = GoFunctions.goss(environment: env, readFile: { path in
        guard let text = files[path] else { throw GoFunctionFailure("open \(path): no such file or directory") }
        return text
    })
    return try template.render(data: .map(["Env": .environment(env), "Vars": .map(vars)]), functions: functions)
}

private func failure(_ source: String) -> String? {
    do { _ = try render(source); return nil } catch let error as GoTemplateError { return error.message } catch { return "\(error)" }
}

@Suite struct GoBuiltinTests {
    @Test func comparisons() throws {
        #expect(try render(#"{{ eq 1 1 }} {{ eq "a" "b" }} {{ eq "z" "x" "y" "z" }} {{ eq 1.5 1.5 }} {{ eq true true }}"#) == "true false true true true")
        #expect(try render(#"{{ ne 1 2 }} {{ ne "a" "a" }}"#) == "true false")
        #expect(try render(#"{{ lt 1 2 }} {{ le 2 2 }} {{ gt 3 2 }} {{ ge 2 3 }} {{ lt "a" "b" }} {{ gt 1.5 0.5 }}"#) == "true true true false true true")
        // nil equals nil and differs from anything else without an error.
        #expect(try render(#"{{ eq .Vars.n .Vars.n }} {{ eq .Vars.n "x" }} {{ ne "x" .Vars.n }}"#, vars: ["n": .null]) == "true false true")
        #expect(failure(#"{{ eq 1 "1" }}"#) == #"error calling eq: incompatible types for comparison"#)
        #expect(failure(#"{{ ne 1 1.0 }}"#) == #"error calling ne: incompatible types for comparison"#)
        #expect(failure(#"{{ lt 1 "a" }}"#) == #"error calling lt: incompatible types for comparison"#)
        #expect(failure(#"{{ lt true false }}"#) == #"error calling lt: invalid type for comparison"#)
        #expect(failure(#"{{ eq (list 1) (list 1) }}"#) == #"error calling eq: non-comparable type [1]: []interface {}"#)
        #expect(failure(#"{{ eq 1 }}"#) == #"error calling eq: missing argument for comparison"#)
        // ge on atoi results, the Posit version check.
        #expect(try render(#"{{ ge ("2024" | atoi) 2024 }} {{ ge (atoi "7") 8 }}"#) == "true false")
    }

    @Test func andOrNot() throws {
        #expect(try render(#"{{ and 1 "x" true }}|{{ and 1 0 2 }}|{{ or 0 "" "x" }}|{{ or 0 "" }}|{{ not 0 }}|{{ not "a" }}"#) == "true|0|x||true|false")
        #expect(try render(#"{{ "p" | and 1 }}|{{ "" | or 0 }}"#) == "p|")
        // Later arguments are not evaluated once the answer is known.
        #expect(try render(#"{{ or 1 (fail "never") }}{{ and 0 .Env.MISSING }}"#) == "10")
        #expect(failure(#"{{ and }}"#) == "wrong number of args for and: want at least 1 got 0")
        #expect(failure(#"{{ not 1 2 }}"#) == "wrong number of args for not: want 1 got 2")
    }

    @Test func lenAndIndex() throws {
        #expect(try render(#"{{ len "héllo" }} {{ len (list 1 2) }} {{ len (dict "a" 1) }}"#) == "6 2 1")
        #expect(try render(#"{{ index (list "a" "b") 1 }} {{ index (dict "k" (list 5 6)) "k" 0 }} {{ index "abc" 1 }}"#) == "b 5 98")
        // A missing key gives the zero value: "" in a map of strings such as .Env, nil (printed <no value>) otherwise.
        #expect(try render(#"[{{ index .Env "NOPE" }}] [{{ index (dict "a" 1) "b" }}]"#) == "[] [<no value>]")
        #expect(failure(#"{{ len 3 }}"#) == "error calling len: len of type int")
        #expect(failure(#"{{ index (list 1) "a" }}"#) == "error calling index: cannot index slice/array with type string")
        #expect(failure(#"{{ index (first list) 1 }}"#) == "error calling index: index of untyped nil")
    }

    @Test func printFunctions() throws {
        #expect(try render(#"{{ print "a" "b" 1 2 "c" 3 }}"#) == "ab1 2c3")
        #expect(try render(#"{{ println "a" 1 }}"#) == "a 1\n")
        #expect(try render(#"{{ printf "%s-%s" .Env.A "b" }}"#, env: ["A": "a"]) == "a-b")
        #expect(try render(#"{{ print nil }} {{ print (list 1 "a") }}"#) == "<nil> [1 a]")
    }

    @Test func escapers() throws {
        #expect(try render(#"{{ html "<a href='x'>&\"" }}"#) == "&lt;a href=&#39;x&#39;&gt;&amp;&#34;")
        #expect(try render(#"{{ js "it's <b>\"x\"</b>=\n" }}"#) == #"it\'s \u003Cb\u003E\"x\"\u003C/b\u003E\u003D\u000A"#)
        #expect(try render(#"{{ urlquery "a b&c=d/é" }}"#) == "a+b%26c%3Dd%2F%C3%A9")
        #expect(try render(#"{{ "x y" | urlquery }}"#) == "x+y")
    }
}

@Suite struct GossFunctionTests {
    @Test func readFileTrims() throws {
        #expect(try render(#"{{ readFile "/f" }}|"#, files: ["/f": "\n  one\ntwo \u{00A0}\n\n"]) == "one\ntwo|")
        #expect(try render(#"{{ range readFile "/f" | splitList "\n" }}[{{ . }}]{{ end }}"#, files: ["/f": "curl\ngit\n"]) == "[curl][git]")
        // An empty file gives one empty element.
        #expect(try render(#"{{ range readFile "/f" | splitList "\n" }}[{{ . }}]{{ end }}"#, files: ["/f": "\n"]) == "[]")
    }

    @Test func getEnv() throws {
        let env = ["SET": "v", "EMPTY": ""]
        #expect(try render(#"{{ getEnv "SET" }}|{{ getEnv "NOPE" }}|{{ getEnv "NOPE" "d" }}|{{ getEnv "EMPTY" "d" }}"#, env: env) == "v||d|d")
        #expect(failure(#"{{ getEnv "A" 1 }}"#) == "wrong type for value; expected string; got int")
    }

    @Test func regexMatch() throws {
        #expect(try render(#"{{ if .Env.OS | regexMatch "^ubuntu" }}u{{ else }}other{{ end }}"#, env: ["OS": "ubuntu22"]) == "u")
        #expect(try render(#"{{ regexMatch "\\d+" "abc" }} {{ regexMatch `^\d+$` "١٢" }}"#) == "false false")
        #expect(failure(#"{{ regexMatch "(" "x" }}"#) == "error calling regexMatch: error parsing regexp: missing closing ): `(`")
    }

    @Test func caseAndSlices() throws {
        #expect(try render(#"{{ toUpper "straße" }} {{ toLower "ÀB" }} {{ upper "ab" }} {{ lower "AB" }}"#) == "STRAßE àb AB ab")
        #expect(try render(#"{{ mkSlice "a" 1 }} {{ len (mkSlice) }}"#) == "[a 1] 0")
    }

    @Test func findStringSubmatch() throws {
        #expect(try render(#"{{ $m := findStringSubmatch `(\d+)\.(\d+)` "v2024.08" }}{{ index $m "0" }} {{ index $m "1" }} {{ index $m "2" }}"#)
            == "2024.08 2024 08")
        #expect(try render(#"{{ $m := findStringSubmatch `(?P<major>\d+)\.(?P<minor>\d+)` "2024.08" }}{{ $m.major }}-{{ $m.minor }} {{ len $m }}"#)
            == "2024-08 2")
        #expect(try render(#"{{ len (findStringSubmatch "x" "y") }}"#) == "0")
    }
}

@Suite struct SprigStringTests {
    @Test func trimming() throws {
        #expect(try render(#"[{{ trim "  a b \n" }}] [{{ trimAll "$" "$$5.00$" }}] [{{ trimPrefix "v" "v1.2" }}] [{{ trimSuffix ".0" "1.0" }}] [{{ trimPrefix "x" "v1" }}]"#)
            == "[a b] [5.00] [1.2] [1] [v1]")
        #expect(try render(#"{{ nospace " a \t b\n c " }}"#) == "abc")
    }

    @Test func caseAndShape() throws {
        #expect(try render(#"{{ title "hello wide-world_x" }}"#) == "Hello Wide-World_x")
        #expect(try render(#"{{ repeat 3 "ab" }}|{{ repeat 0 "x" }}"#) == "ababab|")
        #expect(failure(#"{{ repeat -1 "x" }}"#) == "error calling repeat: strings: negative Repeat count")
        #expect(failure(#"{{ repeat 100000000 "0123456789" }}"#)?.contains("more than 10485760 bytes") == true)
        #expect(try render(#"{{ substr 1 3 "hello" }}|{{ substr -1 2 "hello" }}|{{ substr 2 -1 "hello" }}|{{ substr 2 99 "hello" }}"#) == "el|he|llo|llo")
        #expect(failure(#"{{ substr 4 2 "hello" }}"#)?.hasPrefix("error calling substr: runtime error: slice bounds out of range") == true)
        #expect(try render(#"{{ trunc 3 "hello" }}|{{ trunc -2 "hello" }}|{{ trunc 9 "hi" }}"#) == "hel|lo|hi")
    }

    @Test func searching() throws {
        #expect(try render(#"{{ contains "ell" "hello" }} {{ hasPrefix "he" "hello" }} {{ hasSuffix "lo" "hello" }} {{ contains "z" "hello" }}"#) == "true true true false")
        #expect(try render(#"{{ "hello" | contains "ll" }}"#) == "true")
    }

    @Test func quoting() throws {
        #expect(try render(#"{{ quote "a\"b" 1 }}|{{ squote "a" 2 }}|{{ quote "tab\there" }}"#) == #""a\"b" "1"|'a' '2'|"tab\there""#)
        #expect(try render(#"{{ cat "a" 1 nil "b" }}"#) == "a 1 b")
    }

    @Test func indentation() throws {
        #expect(try render(#"{{ indent 2 "a\nb" }}|{{ nindent 2 "x" }}"#) == "  a\n  b|\n  x")
        #expect(failure(#"{{ indent 20000000 "x" }}"#)?.contains("more than") == true)
    }

    @Test func replacing() throws {
        #expect(try render(#"{{ replace "." "-" "1.2.3" }}|{{ "a b" | replace " " "_" }}|{{ replace "" "-" "ab" }}"#) == "1-2-3|a_b|-a-b-")
    }

    @Test func splittingAndJoining() throws {
        #expect(try render(#"{{ $v := split "." "2024.08.1" }}{{ $v._0 }}/{{ $v._1 }}/{{ $v._2 }} {{ len $v }}"#) == "2024/08/1 3")
        #expect(try render(#"{{ splitList "," "a,b,,c" }} {{ len (splitList "," "") }} {{ splitList "" "abc" }}"#) == "[a b  c] 1 [a b c]")
        #expect(try render(#"{{ $p := splitn ":" 2 "a:b:c" }}{{ $p._0 }} {{ $p._1 }} {{ len $p }}"#) == "a b:c 2")
        #expect(try render(#"{{ join "-" (list "a" 1 nil "b") }} {{ join "," "one" }}"#) == "a-1-b one")
        #expect(try render(#"{{ sortAlpha (list "b" "B" "a" 10 2) }}"#) == "[10 2 B a b]")
        #expect(try render(#"{{ toStrings (list 1 "a" 2.5) }} {{ printf "%q" (toStrings (list 1 true)) }}"#) == #"[1 a 2.5] ["1" "true"]"#)
    }
}

@Suite struct SprigConversionAndMathsTests {
    @Test func conversions() throws {
        #expect(try render(#"{{ atoi "42" }} {{ atoi "-7" }} {{ atoi "x" }} {{ atoi "1.5" }} {{ atoi " 1" }} {{ atoi "010" }}"#) == "42 -7 0 0 0 10")
        // int/int64 go through cast: base prefixes, "12.00" is 12, failures are 0.
        #expect(try render(#"{{ int "0x10" }} {{ int "010" }} {{ int "12.00" }} {{ int "12.5" }} {{ int 3.9 }} {{ int true }} {{ int64 "x" }}"#)
            == "16 8 12 0 3 1 0")
        #expect(try render(#"{{ float64 "1.5" }} {{ float64 2 }} {{ float64 "x" }} {{ float64 "1e6" }}"#) == "1.5 2 0 1e+06")
        #expect(try render(#"{{ toString 5 }}{{ toString 1.5 }}{{ toString true }}{{ toString nil }}"#) == "51.5true<nil>")
        #expect(try render(#"{{ typeOf 1 }} {{ typeOf "a" }} {{ typeOf (list) }} {{ kindOf (dict) }} {{ kindOf nil }}"#)
            == "int string []interface {} map invalid")
    }

    @Test func maths() throws {
        #expect(try render(#"{{ add 1 2 3 }} {{ add "4" 1 }} {{ add1 9 }} {{ sub 5 7 }} {{ mul 2 3 4 }} {{ div 7 2 }} {{ mod 7 3 }}"#) == "6 5 10 -2 24 3 1")
        #expect(try render(#"{{ max 1 5 3 }} {{ min 4 -2 9 }} {{ biggest 1 2 }} {{ add }}"#) == "5 -2 2 0")
        #expect(failure(#"{{ div 1 0 }}"#) == "error calling div: runtime error: integer divide by zero")
        #expect(failure(#"{{ mod 1 0 }}"#) == "error calling mod: runtime error: integer divide by zero")
        // Overflow wraps as in Go instead of trapping.
        #expect(try render(#"{{ add 9223372036854775807 1 }} {{ div -9223372036854775808 -1 }}"#) == "-9223372036854775808 -9223372036854775808")
    }

    @Test func flow() throws {
        #expect(try render(#"{{ default "d" "" }} {{ default "d" "x" }} {{ "" | default "p" }} {{ default "d" }} {{ default 5 0 }}"#) == "d x p d 5")
        #expect(try render(#"{{ empty "" }} {{ empty 0 }} {{ empty (list) }} {{ empty (dict "a" 1) }} {{ empty nil }} {{ empty false }}"#) == "true true true false true true")
        #expect(try render(#"{{ coalesce "" 0 "x" "y" }} {{ coalesce "" }}"#) == "x <no value>")
        #expect(try render(#"{{ ternary "yes" "no" true }} {{ true | ternary 1 2 }} {{ ternary "a" "b" (eq 1 2) }}"#) == "yes 1 b")
        #expect(failure(#"{{ ternary 1 2 "x" }}"#) == "wrong type for value; expected bool; got string")
        #expect(try render(#"{{ all 1 "a" true }} {{ all 1 0 }} {{ any 0 "" 3 }} {{ any }}"#) == "true false true false")
        #expect(failure(#"{{ fail "bad input" }}"#) == "error calling fail: bad input")
    }
}

@Suite struct SprigCollectionTests {
    @Test func lists() throws {
        #expect(try render(#"{{ $l := list 1 2 3 }}{{ first $l }} {{ last $l }} {{ rest $l }} {{ initial $l }}"#) == "1 3 [2 3] [1 2]")
        #expect(try render(#"{{ first list }}|{{ rest list }}|{{ initial list }}"#) == "<no value>|[]|[]")
        #expect(try render(#"{{ append (list 1) 2 }} {{ prepend (list 1) 0 }} {{ concat (list 1) (list 2 3) list }} {{ reverse (list 1 2 3) }}"#)
            == "[1 2] [0 1] [1 2 3] [3 2 1]")
        #expect(try render(#"{{ uniq (list 1 "1" 1 2 "1") }} {{ without (list 1 2 3 2) 2 }} {{ compact (list 0 "a" "" nil 1) }}"#)
            == "[1 1 2] [1 3] [a 1]")
        #expect(try render(#"{{ has 2 (list 1 2) }} {{ has "2" (list 1 2) }} {{ list 1 2 | has 1 }}"#) == "true false true")
        #expect(try render(#"{{ slice (list 1 2 3 4) 1 3 }} {{ slice (list 1 2 3) 1 }} {{ slice (list 1 2) }}"#) == "[2 3] [2 3] [1 2]")
        #expect(failure(#"{{ slice (list 1) 0 5 }}"#)?.hasPrefix("error calling slice: runtime error: slice bounds out of range") == true)
        #expect(failure(#"{{ first "abc" }}"#) == "error calling first: Cannot find first on type string")
        #expect(failure(#"{{ concat (list 1) 2 }}"#) == "error calling concat: Cannot concat type int as list")
    }

    @Test func dicts() throws {
        #expect(try render(#"{{ $d := dict "b" 2 "a" 1 "odd" }}{{ $d }} {{ get $d "a" }} [{{ get $d "zz" }}] {{ hasKey $d "b" }} {{ hasKey $d "c" }}"#)
            == "map[a:1 b:2 odd:] 1 [] true false")
        // keys are sorted here (Sprig's order is Go's random map order); values follow the sorted keys.
        #expect(try render(#"{{ keys (dict "b" 1 "a" 2) }} {{ values (dict "b" 1 "a" 2) }} {{ keys (dict "x" 1) (dict "c" 1) }}"#) == "[a b] [2 1] [c x]")
        // set and unset change the dict held by the variable they are given, as Sprig's do.
        #expect(try render(#"{{ $d := dict "a" 1 }}{{ $_ := set $d "b" 2 }}{{ $d }} {{ $_ := unset $d "a" }}{{ $d }}"#) == "map[a:1 b:2] map[b:2]")
        #expect(try render(#"{{ pick (dict "a" 1 "b" 2 "c" 3) "a" "c" }} {{ omit (dict "a" 1 "b" 2) "a" }}"#) == "map[a:1 c:3] map[b:2]")
        #expect(failure(#"{{ get "x" "a" }}"#) == "wrong type for value; expected map[string]interface {}; got string")
    }

    @Test func json() throws {
        #expect(try render(#"{{ toJson (dict "b" (list 1 2.5 "x<y>&") "a" nil "c" true) }}"#) == #"{"a":null,"b":[1,2.5,"x\u003cy\u003e\u0026"],"c":true}"#)
        #expect(try render(#"{{ toRawJson (list "<" 1e21 0.0000001 1e6) }}"#) == #"["<",1e+21,1e-7,1000000]"#)
        #expect(try render(#"{{ toPrettyJson (dict "a" (list 1) "b" (dict)) }}"#) == "{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}")
        #expect(try render(#"{{ toJson "tab\tq\"\u0001" }}"#) == #""tab\tq\"\u0001""#)
        #expect(try render(#"{{ $j := fromJson "{\"a\": [1, \"x\", {\"b\": null}], \"n\": 1.5e3}" }}{{ $j.a }} {{ $j.n }} {{ index $j.a 0 | typeOf }}"#)
            == "[1 x map[b:<nil>]] 1500 float64")
        #expect(try render(#"{{ fromJson "{bad" }}|{{ fromJson "\"\\ud83d\\ude00\"" }}"#) == "<no value>|😀")
    }

    @Test func base64() throws {
        #expect(try render(#"{{ b64enc "hello, wörld" }} {{ b64dec "aGVsbG8sIHfDtnJsZA==" }} {{ b64enc "" }}"#) == "aGVsbG8sIHfDtnJsZA== hello, wörld ")
        #expect(try render(#"{{ b64dec "aGk" }}|{{ b64dec "a$==" }}|{{ b64dec "aGk=" }}"#) == "illegal base64 data at input byte 0|illegal base64 data at input byte 1|hi")
    }
}

@Suite struct SprigRegexPathEnvSemverTests {
    @Test func regex() throws {
        #expect(try render(#"{{ regexFind "[0-9]+" "ab12cd34" }}|{{ regexFind "z" "ab" }}"#) == "12|")
        #expect(try render(#"{{ regexFindAll "[0-9]" "a1b2c3" -1 }} {{ regexFindAll "[0-9]" "a1b2c3" 2 }}"#) == "[1 2 3] [1 2]")
        #expect(try render(#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#) == "-W-xxW-")
        #expect(try render(#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}"#) == "-${1}-${1}-")
        #expect(try render(#"{{ regexSplit "z+" "pizza" -1 }} {{ regexSplit "z+" "pizza" 1 }}"#) == "[pi a] [pizza]")
        #expect(try render(#"{{ regexQuoteMeta "1.2.3+x" }}"#) == #"1\.2\.3\+x"#)
    }

    @Test func paths() throws {
        #expect(try render(#"{{ base "/a/b.tar.gz" }} {{ base "/a/b/" }} {{ base "" }} {{ base "/" }}"#) == "b.tar.gz b . /")
        #expect(try render(#"{{ dir "/a/b/c" }} {{ dir "file" }} {{ dir "/a" }} {{ dir "a//b/" }}"#) == "/a/b . / a/b")
        #expect(try render(#"{{ clean "/a/./b/../c//" }} {{ clean "../x/.." }} {{ clean "" }} {{ clean "/.." }}"#) == "/a/c .. . /")
        #expect(try render(#"{{ ext "a/b.tar.gz" }} [{{ ext "a.d/b" }}] {{ isAbs "/x" }}"#) == ".gz [] true")
    }

    @Test func environment() throws {
        let env = ["HOME": "/root", "X": "1"]
        #expect(try render(#"{{ env "HOME" }}|{{ env "NOPE" }}"#, env: env) == "/root|")
        #expect(try render(#"{{ expandenv "$HOME/${X}/$NOPE/${}/$/a$" }}"#, env: env) == "/root/1///$/a$")
    }

    @Test func semverCompare() throws {
        let cases: [(String, String, Bool)] = [
            (">= 1.2", "1.2.0", true), (">= 1.2", "1.1.9", false), ("< 2.0.0", "1.9.9", true), ("< 2.0.0", "2.0.0", false),
            ("~1.2", "1.2.9", true), ("~1.2", "1.3.0", false), ("~1.2.3", "1.2.2", false), ("~1", "1.9.0", true),
            ("^1.2", "1.9.0", true), ("^1.2", "2.0.0", false), ("^0.2.3", "0.2.9", true), ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false), (">= 1.2, < 1.4", "1.3.5", true), (">= 1.2, < 1.4", "1.4.0", false),
            (">=1.2 <1.4", "1.3.0", true), ("< 1.0 || >= 2.0", "2.1.0", true), ("< 1.0 || >= 2.0", "1.5.0", false),
            ("1.2.x", "1.2.7", true), ("= 1.2", "1.2.7", true), ("!= 1.2.3", "1.2.3", false), ("> 1.2", "1.2.5", false),
            ("> 1.2", "1.3.0", true), ("<= 1.2", "1.2.9", true), ("*", "3.0.0", true), ("1.2 - 1.4.5", "1.4.5", true),
            ("1.2 - 1.4.5", "1.4.6", false), (">= 1.2", "1.3.0-beta.1", false), (">= 1.2.0-alpha", "1.3.0-beta.1", true),
            (">= 2024.4", "v2024.08.1", true), ("1.2.3", "1.2.3+build.5", true),
        ]
        for (constraint, version, expected) in cases {
            #expect(try render("{{ semverCompare \"\(constraint)\" \"\(version)\" }}") == String(expected), "\(constraint) vs \(version)")
        }
        #expect(failure(#"{{ semverCompare ">= 1.2" "not-a-version" }}"#) == "error calling semverCompare: Invalid Semantic Version")
        #expect(failure(#"{{ semverCompare "=> x.y.z.w" "1.0.0" }}"#) == "error calling semverCompare: improper constraint: => x.y.z.w")
    }
}

/// Template functions on hostile input: bounded work, an error instead of a hang.
@Suite struct GoHostileFunctionTests {
    /// `regexMatch "(a+)+$"` on 60 a's and a b backtracked in ICU for hours (RE2 is linear); the search is abandoned
    /// after GoRegex.searchBudget and the render fails naming the function.
    @Test func backtrackingRegexIsAbandoned() throws {
        let subject = String(repeating: "a", count: 60) + "b"
        for call in [#"regexMatch "(a+)+$" "\#(subject)""#, #"regexReplaceAll "(a+)+$" "\#(subject)" "x""#] {
            let started = ContinuousClock.now
            let message = try #require(failure("{{ \(call) }}"), "\(call)")
            #expect(message.contains("abandoned after 10s"), "\(message)")
            #expect(ContinuousClock.now - started < .seconds(40))
        }
    }
}

extension GoHostileFunctionTests {
    /// splitList/split/splitn searched the rest of the string with Foundation, which copied that rest each time:
    /// a 2 MB file of 200 000 lines took half a minute to split (and a 64 MiB readFile far longer).
    @Test func splittingALargeFileIsLinear() throws {
        let text = (0..<200_000).map { "line \($0)" }.joined(separator: "\n")
        let template = try GoTemplate(name: "test", source: #"{{ len (splitList "\n" (readFile "/big")) }} {{ len (split "e" (readFile "/big")) }}"#)
        let started = ContinuousClock.now
        let out = try template.render(data: .map([:]), functions: GoFunctions.goss(environment: [:], readFile: { _ in text }))
        #expect(out == "200000 200001")
        #expect(ContinuousClock.now - started < .seconds(10))
        // Go's byte-wise split: a separator inside a multi-byte character is not found, a combining mark stays.
        #expect(try render(#"{{ splitList "e" "caf\u0065\u0301e" }} {{ splitList "é" "aéb" }} {{ splitn "," 2 "a,b,c" }}"#)
                == "[caf \u{301} ] [a b] map[_0:a _1:b,c]")
    }
}

extension GoHostileFunctionTests {
    /// `uniq` compared every item with everything kept so far: 200 000 distinct lines took minutes.
    @Test func uniqOfManyDistinctItemsIsLinear() throws {
        let text = (0..<200_000).map { "line \($0)" }.joined(separator: "\n") + "\nline 7"
        let template = try GoTemplate(name: "test", source: #"{{ len (uniq (splitList "\n" (readFile "/big"))) }}"#)
        let started = ContinuousClock.now
        let out = try template.render(data: .map([:]), functions: GoFunctions.goss(environment: [:], readFile: { _ in text }))
        #expect(out == "200000")
        #expect(ContinuousClock.now - started < .seconds(20))
        // Go's DeepEqual: 1 and "1" differ, NaN is never equal to itself, lists compare by content.
        #expect(try render(#"{{ uniq (list 1 "1" 1 1.0 (list 1) (list 1) nil nil) }}"#) == "[1 1 1 [1] <nil>]")
    }
}
