// Template syntax beyond the Posit idioms: control structures, literals, variables, pipelines, definitions, printing
// of values and fmt verbs, and the bounds that keep hostile input from hanging or trapping.
import Foundation
import Testing
@testable import GoTemplate

private func render(_ source: String, env: [String: String] = [:], vars: [String: GoValue] = [:]) throws -> String {
    let template = try GoTemplate(name: "test", source: source)
    return try template.render(data: .map(["Env": .environment(env), "Vars": .map(vars)]), functions: .goss(environment: env))
}

private func failure(_ source: String, vars: [String: GoValue] = [:]) -> String? {
    do { _ = try render(source, vars: vars); return nil } catch let error as GoTemplateError { return error.message } catch { return "\(error)" }
}

@Suite struct GoControlStructureTests {
    @Test func ifElseIfWith() throws {
        let chain = "{{ if eq .Env.V \"a\" }}A{{ else if eq .Env.V \"b\" }}B{{ else if eq .Env.V \"c\" }}C{{ else }}Z{{ end }}"
        #expect(try ["a", "b", "c", "q"].map { try render(chain, env: ["V": $0]) } == ["A", "B", "C", "Z"])
        #expect(try render("{{ with $x := .Env.V }}{{ $x }}{{ . }}{{ else with .Env.W }}w{{ . }}{{ else }}none{{ end }}", env: ["V": "", "W": "2"]) == "w2")
        #expect(try render("{{ if $x := .Env.V }}{{ $x }}{{ else }}[{{ $x }}]{{ end }}", env: ["V": ""]) == "[]")
        #expect(try render("{{ if (list) }}t{{ else }}f{{ end }}{{ if (dict \"a\" 0) }}t{{ end }}{{ if 0.0 }}t{{ else }}f{{ end }}") == "ftf")
    }

    @Test func rangeForms() throws {
        #expect(try render("{{ range $i, $v := list \"a\" \"b\" }}{{ $i }}={{ $v }};{{ end }}") == "0=a;1=b;")
        #expect(try render("{{ range $v := list 1 2 }}{{ $v }}{{ end }}") == "12")
        // Maps are visited in sorted key order (byte order).
        #expect(try render("{{ range $k, $v := .Vars.m }}{{ $k }}{{ $v }},{{ end }}", vars: ["m": .map(["b": .int(2), "a": .int(1), "B": .int(0)])]) == "B0,a1,b2,")
        #expect(try render("{{ range .Vars.m }}{{ . }}{{ end }}", vars: ["m": .map(["y": .string("2"), "x": .string("1")])]) == "12")
        #expect(try render("{{ range 3 }}{{ . }}{{ end }}|{{ range $i := 2 }}{{ $i }}{{ end }}|{{ range 0 }}x{{ else }}none{{ end }}") == "012|01|none")
        #expect(try render("{{ range .Vars.missing }}x{{ else }}nil is empty{{ end }}", vars: ["missing": .null]) == "nil is empty")
        #expect(try render("{{ range list }}x{{ else }}{{ . | len }}{{ end }}", vars: ["a": .int(1)]) == "2")
    }

    @Test func breakAndContinue() throws {
        #expect(try render("{{ range list 1 2 3 4 5 }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ if eq . 4 }}{{ break }}{{ end }}{{ . }}{{ end }}") == "13")
        // break leaves only the innermost range.
        #expect(try render("{{ range list 1 2 }}{{ range list 7 8 }}{{ break }}{{ end }}{{ . }}{{ end }}") == "12")
        #expect(try render("{{ range $i, $v := list \"a\" \"b\" \"c\" }}{{ with $v }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ . }}{{ end }}{{ end }}") == "ac")
    }

    @Test func variables() throws {
        #expect(try render("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ $y := 3 }}{{ end }}{{ $x }}") == "2")
        #expect(try render("{{ $x := 1 }}{{ range list 5 6 }}{{ $x = . }}{{ end }}{{ $x }}") == "6")
        #expect(try render("{{ $ := 1 }}") == "")   // $ may be redeclared
        #expect(try render("{{ range list 1 }}{{ $.Env.V }}{{ end }}", env: ["V": "root"]) == "root")
        #expect(try render("{{ $v := .Vars }}{{ with $v.inner }}{{ .k }}{{ end }}", vars: ["inner": .map(["k": .string("deep")])]) == "deep")
        #expect(try render("{{ $a := \"x\" }}{{ $a | printf \"%s-%s\" \"y\" }}") == "y-x")
    }

    @Test func definitionsAndTemplateCalls() throws {
        let source = "{{ define \"pkg\" }}- {{ . }}\n{{ end }}{{ range list \"a\" \"b\" }}{{ template \"pkg\" . }}{{ end }}{{ block \"tail\" 1 }}t{{ . }}{{ end }}"
        #expect(try render(source) == "- a\n- b\nt1")
        #expect(try render("{{ define \"x\" }}[{{ . }}]{{ end }}{{ template \"x\" }}") == "[<no value>]")
        #expect(failure("{{ define \"loop\" }}{{ template \"loop\" }}{{ end }}{{ template \"loop\" }}") == "exceeded maximum template depth (100)")
        #expect(failure("{{ if true }}{{ define \"x\" }}{{ end }}{{ end }}") == "unexpected <define> in command")
    }
}

@Suite struct GoLiteralAndPipelineTests {
    @Test func literals() throws {
        #expect(try render(#"{{ "a\tb\n\x41\u00e9\101\\" }}|{{ `raw\n"q"` }}|{{ 'a' }}|{{ '\n' }}|{{ '\'' }}|{{ 'é' }}"#) == "a\tb\nAé" + "A\\|raw\\n\"q\"|97|10|39|233")
        #expect(try render("{{ 42 }} {{ -7 }} {{ +3 }} {{ 0x1F }} {{ 0o17 }} {{ 017 }} {{ 0b101 }} {{ 1_000 }}") == "42 -7 3 31 15 15 5 1000")
        #expect(try render("{{ 1.5 }} {{ 1.0 }} {{ 1e3 }} {{ 1e6 }} {{ .5 }} {{ -2.5e-5 }}") == "1.5 1 1000 1e+06 0.5 -2.5e-05")
        #expect(try render("{{ true }} {{ false }} {{ print nil }}") == "true false <nil>")
        #expect(try render(#"{{ "multi\nline" | len }}"#) == "10")
        #expect(try render("{{ `a\r\nb` | len }}") == "3")   // raw strings drop carriage returns
    }

    @Test func commentsAndTrimming() throws {
        #expect(try render("a {{/* c */}} b") == "a  b")
        #expect(try render("a {{- /* c */ -}} b") == "ab")
        #expect(try render("a\n\n{{- /* multi\nline */}}\nb") == "a\nb")
        #expect(try render("x\n  {{- 1 -}}\n  y") == "x1y")
        #expect(try render("{{ 1 }}  \n{{- 2 }}") == "12")
        #expect(try render("{{-3}}|{{ 3 -}} |") == "-3|3|")
        #expect(try render("{{ \"}}\" }}") == "}}")
    }

    @Test func pipelinesAndParentheses() throws {
        #expect(try render("{{ \"abc\" | upper | printf \"%s!\" }}") == "ABC!")
        #expect(try render("{{ printf \"%d\" (add 1 (mul 2 (sub 5 2))) }}") == "7")
        #expect(try render("{{ (split \".\" \"1.2\")._1 }}") == "2")
        #expect(try render("{{ (dict \"a\" (dict \"b\" \"deep\")).a.b }}") == "deep")
        #expect(try render("{{ if and (eq .Env.A \"1\") (or (eq .Env.B \"x\") (ne .Env.C \"3\")) }}yes{{ else }}no{{ end }}", env: ["A": "1", "B": "y", "C": "4"]) == "yes")
        #expect(try render("{{ len (list (list 1 2) 3) }}") == "2")
        // A function named as an argument is called without arguments.
        #expect(try render("{{ len list }}") == "0")
    }

    @Test func printingValues() throws {
        let vars: [String: GoValue] = [
            "m": .map(["b": .int(2), "a": .int(1)]), "l": .list([.string("a"), .string("b")]), "n": .null,
            "f": .float(1_000_000), "g": .float(3.25), "h": .float(100_000), "i": .float(0.0001), "j": .float(0.00001),
            "nested": .list([.list([.int(1)]), .map(["k": .null])]), "big": .float(123_456_789), "neg": .float(-0.5),
        ]
        #expect(try render("{{ .Vars.m }} {{ .Vars.l }} {{ .Vars.n }} {{ .Vars.f }} {{ .Vars.g }} {{ .Vars.h }} {{ .Vars.i }} {{ .Vars.j }}", vars: vars)
            == "map[a:1 b:2] [a b] <no value> 1e+06 3.25 100000 0.0001 1e-05")
        #expect(try render("{{ .Vars.nested }} {{ .Vars.big }} {{ .Vars.neg }} {{ printf \"%v\" .Vars.n }}", vars: vars)
            == "[[1] map[k:<nil>]] 1.23456789e+08 -0.5 <nil>")
        #expect(GoValue.float(.infinity).printed == "+Inf")
        #expect(GoValue.float(-.infinity).printed == "-Inf")
        #expect(GoValue.float(.nan).printed == "NaN")
        #expect(GoValue.float(1e21).printed == "1e+21")
        #expect(GoValue.float(-0.0).printed == "-0")
    }
}

@Suite struct GoPrintfTests {
    private func printf(_ format: String, _ args: GoValue...) -> String { GoFormat.sprintf(format, args) }

    @Test func verbs() {
        #expect(printf("%s|%v|%d|%t|%%", .string("s"), .list([.int(1)]), .int(-42), .bool(true)) == "s|[1]|-42|true|%")
        #expect(printf("%q|%q|%x|%X|%x", .string("a\"b\n"), .int(65), .int(255), .int(255), .string("hi")) == "\"a\\\"b\\n\"|'A'|ff|FF|6869")
        #expect(printf("%f|%.2f|%e|%g|%g|%.3g", .float(3.14159), .float(2.5), .float(1234.5678), .float(0.000012), .float(1e6), .float(3.14159))
            == "3.141590|2.50|1.234568e+03|1.2e-05|1e+06|3.14")
        #expect(printf("%o|%b|%c|%U|%#x|%#o", .int(8), .int(5), .int(0x263A), .int(0x263A), .int(255), .int(8)) == "10|101|☺|U+263A|0xff|010")
        #expect(printf("%T %T %T %T", .int(1), .string(""), .list([]), .null) == "int string []interface {} <nil>")
        #expect(printf("%v %d", .null, .null) == "<nil> %!d(<nil>)")
        #expect(printf("%#v %#v", .string("q"), .list([.int(1), .string("a")])) == "\"q\" []interface {}{1, \"a\"}")
    }

    @Test func widthPrecisionAndFlags() {
        #expect(printf("[%5s][%-5s][%.2s][%5.1s]", .string("ab"), .string("ab"), .string("abc"), .string("xyz")) == "[   ab][ab   ][ab][    x]")
        #expect(printf("[%05d][%-5d][%+d][% d][%.3d][%x]", .int(-42), .int(7), .int(7), .int(7), .int(7), .int(-255)) == "[-0042][7    ][+7][ 7][007][-ff]")
        #expect(printf("[%8.3f][%-8.2f][%08.3f][%+.1f]", .float(3.14159), .float(2.5), .float(-3.14159), .float(2)) == "[   3.142][2.50    ][-003.142][+2.0]")
        #expect(printf("[%*d][%-*d][%.*f]", .int(4), .int(1), .int(3), .int(2), .int(1), .float(2.25)) == "[   1][2  ][2.2]")
        #expect(printf("[%5t][%3v]", .bool(false), .list([.int(1), .int(22)])) == "[false][[  1  22]]")
        #expect(printf("[%5s]", .string("héé")) == "[  héé]")
    }

    @Test func mistakesPrintAsGoPrintsThem() {
        #expect(printf("%d", .string("x")) == "%!d(string=x)")
        #expect(printf("%s", .int(5)) == "%!s(int=5)")
        #expect(printf("%f", .int(5)) == "%!f(int=5)")
        #expect(printf("%d %d", .int(1)) == "1 %!d(MISSING)")
        #expect(printf("%d", .int(1), .string("a"), .int(2)) == "1%!(EXTRA string=a, int=2)")
        #expect(printf("%z", .int(1)) == "%!z(int=1)")
        #expect(printf("100%") == "100%!(NOVERB)")
        #expect(printf("%d", .float(1.5)) == "%!d(float64=1.5)")
        #expect(printf("%s", .list([.string("a"), .int(1)])) == "[a %!s(int=1)]")
        #expect(printf("%9999999d", .int(1)) == "%!(BADWIDTH)1")
    }
}

@Suite struct GoTemplateBoundsTests {
    @Test func hugeOutputIsAnErrorNotAHang() {
        #expect(failure("{{ range 100000000 }}{{ end }}")?.hasPrefix("template execution exceeded") == true)
        #expect(failure("{{ $s := repeat 1000000 \"0123456789\" }}{{ range 2 }}{{ $s }}{{ end }}")?.hasPrefix("template output exceeds") == true)
        #expect(failure("{{ printf \"%999999d%999999d%999999d%999999d%999999d%999999d%999999d%999999d%999999d%999999d%999999d\" 1 1 1 1 1 1 1 1 1 1 1 }}")?
            .contains("exceeds") == true)
    }

    @Test func deepNestingIsRefused() {
        let parens = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(failure("{{ \(parens) }}") == "max nesting depth exceeded")
        let blocks = String(repeating: "{{ if true }}", count: 5000) + String(repeating: "{{ end }}", count: 5000)
        #expect(failure(blocks) == "max nesting depth exceeded")
        let fine = String(repeating: "(", count: 50) + "1" + String(repeating: ")", count: 50)
        #expect(failure("{{ \(fine) }}") == nil)
        #expect(failure("{{ fromJson \"\(String(repeating: "[", count: 100_000))\" }}") == nil)
    }

    @Test func hostileTextNeverTraps() {
        let pieces = ["{{", "}}", "{{-", " -}}", "if", "else", "end", "range", "$x", ":=", "(", ")", "|", "\"s\"", ".Env.A", "eq",
                      " ", "\n", "x", "`", "'", "'a'", "/*", "*/", "break", "define", "template", "0x", "1e", "é", "\\", ".", ",", "$"]
        var state: UInt64 = 0x2545F4914F6CDD1D
        for _ in 0..<4000 {
            var source = ""
            for _ in 0..<14 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                source += pieces[Int((state >> 33) % UInt64(pieces.count))]
            }
            _ = try? render(source, env: ["A": "a"])
        }
    }
}
