// Go text/template as goss renders gossfiles: the idioms Posit's gossfiles use (conditions on the variant, the package-list range, split/map helpers, goss's functions), and located errors.
import Foundation
import Testing
@testable import GoTemplate

private func render(_ source: String, env: [String: String] = [:], files: [String: String] = [:]) throws -> String {
    let template = try GoTemplate(name: "test", source: source)
    let functions = GoFunctions.goss(environment: env, readFile: { path in
        guard let text = files[path] else { throw GoFunctionFailure("open \(path): no such file or directory") }
        return text
    })
    return try template.render(data: .map(["Env": .environment(env), "Vars": .map([:])]), functions: functions)
}

private func failure(_ source: String, env: [String: String] = [:]) -> GoTemplateError? {
    do { _ = try render(source, env: env); return nil } catch let error as GoTemplateError { return error } catch { return nil }
}

@Suite struct GoTemplateRenderingTests {
    @Test func textAndFieldsPassThrough() throws {
        #expect(try render("a: {{ .Env.X }}\n", env: ["X": "1"]) == "a: 1\n")
        #expect(try render("no actions at all\n") == "no actions at all\n")
        #expect(try render("{{ \"quoted\\tq\" }}|{{ `raw\\n` }}|{{ 42 }}|{{ true }}") == "quoted\tq|raw\\n|42|true")
    }

    @Test func trimMarkersNeedASpace() throws {
        #expect(try render("a  \n  {{- \"b\" -}}  \n  c") == "abc")
        #expect(try render("a {{ \"b\" }} c") == "a b c")
        // "{{-3}}" is the number -3, not a trim marker.
        #expect(try render("x {{-3}} y") == "x -3 y")
    }

    @Test func commentsPrintNothing() throws {
        #expect(try render("a{{/* a comment */}}b{{- /* trimmed */ -}} c") == "abc")
    }

    @Test func ifElseOnTheVariant() throws {
        let source = "skip: {{ if eq .Env.IMAGE_VARIANT \"Minimal\" }}true{{ else }}false{{ end }}"
        #expect(try render(source, env: ["IMAGE_VARIANT": "Minimal"]) == "skip: true")
        #expect(try render(source, env: ["IMAGE_VARIANT": "Standard"]) == "skip: false")
        let chain = "{{ if eq .Env.V \"a\" }}A{{ else if eq .Env.V \"b\" }}B{{ else }}C{{ end }}"
        #expect(try render(chain, env: ["V": "a"]) == "A")
        #expect(try render(chain, env: ["V": "b"]) == "B")
        #expect(try render(chain, env: ["V": "z"]) == "C")
        #expect(try render("{{ if ne .Env.V \"pro\" }}not pro{{ end }}", env: ["V": "base"]) == "not pro")
        #expect(try render("{{ if eq .Env.V \"x\" \"y\" \"z\" }}any{{ end }}", env: ["V": "z"]) == "any")
    }

    @Test func andOrShortCircuitAndReturnTheDecidingValue() throws {
        #expect(try render("{{ and 1 0 2 }}|{{ or 0 \"\" \"x\" }}|{{ or 0 \"\" }}|{{ and 1 2 }}") == "0|x||2")
        // The second operand would fail (missing key) but is never evaluated.
        #expect(try render("{{ or true .Env.MISSING }}") == "true")
        let nested = "{{ if and (eq .Env.A \"1\") (and (eq .Env.B \"2\") (eq .Env.C \"3\")) }}yes{{ else }}no{{ end }}"
        #expect(try render(nested, env: ["A": "1", "B": "2", "C": "3"]) == "yes")
        #expect(try render(nested, env: ["A": "1", "B": "2", "C": "4"]) == "no")
    }

    @Test func thePackageListIdiom() throws {
        let source = """
        package:
          rstudio-connect:
            installed: true
          {{ $apt_package_list_path := printf "/tmp/version/deps/%s-%s_packages.txt" .Env.IMAGE_OS_NAME .Env.IMAGE_OS_VERSION }}
          {{ $apt_package_list := readFile $apt_package_list_path | splitList "\\n" }}
          {{- range $apt_package_list }}
          {{ . }}:
            installed: true
          {{ end }}

        """
        let out = try render(source, env: ["IMAGE_OS_NAME": "ubuntu", "IMAGE_OS_VERSION": "24.04"],
                             files: ["/tmp/version/deps/ubuntu-24.04_packages.txt": "curl\ngit\n"])
        #expect(out == """
        package:
          rstudio-connect:
            installed: true
          \n  \n  curl:
            installed: true
          \n  git:
            installed: true
          \n
        """)
    }

    @Test func rangeForms() throws {
        #expect(try render("{{ range $i, $v := splitList \",\" \"a,b\" }}{{ $i }}={{ $v }};{{ end }}") == "0=a;1=b;")
        #expect(try render("{{ range $k, $v := .Env }}{{ $k }}{{ $v }}{{ end }}", env: ["B": "2", "A": "1"]) == "A1B2")
        #expect(try render("{{ range mkSlice }}x{{ else }}empty{{ end }}") == "empty")
        #expect(try render("{{ $variant := .Env.V }}{{ range mkSlice 1 2 }}{{ $variant }}{{ . }}{{ end }}", env: ["V": "s"]) == "s1s2")
    }

    @Test func variablesAreScopedToTheirBlock() throws {
        #expect(failure("{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}")?.description == "template: test:1: undefined variable \"$x\"")
        #expect(try render("{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}") == "2")
        #expect(try render("{{ with .Env.V }}{{ . }}{{ else }}none{{ end }}", env: ["V": ""]) == "none")
        #expect(try render("{{ with .Env.V }}{{ . }}{{ end }}", env: ["V": "w"]) == "w")
        #expect(try render("{{ with $ }}{{ .Env.V }}{{ end }}", env: ["V": "root"]) == "root")
    }

    @Test func splitMapAndNumericComparisons() throws {
        let source = """
        {{ $v := split "." .Env.VERSION }}{{ if or (ge ($v._0 | atoi) 2025) (and (ge ($v._0 | atoi) 2024) (ge ($v._1 | atoi) 7)) }}new{{ else }}old{{ end }}
        """
        #expect(try render(source, env: ["VERSION": "2024.08.0"]) == "new")
        #expect(try render(source, env: ["VERSION": "2024.04.1"]) == "old")
        #expect(try render(source, env: ["VERSION": "2026.01.0"]) == "new")
        #expect(try render("{{ atoi \"x\" }}") == "0")
    }

    @Test func gossFunctions() throws {
        #expect(try render("{{ getEnv \"NOPE\" \"dflt\" }}|{{ getEnv \"A\" }}|{{ getEnv \"E\" \"d\" }}", env: ["A": "a", "E": ""]) == "dflt|a|d")
        #expect(try render("{{ if .Env.OS | regexMatch \"ubuntu.*\" }}u{{ end }}", env: ["OS": "ubuntu22"]) == "u")
        #expect(try render("{{ toLower .Env.N }}-{{ toUpper \"x\" }}", env: ["N": "Ubuntu"]) == "ubuntu-X")
        #expect(try render("{{ readFile \"/f\" }}|", files: ["/f": "  padded \n\n"]) == "padded|")
        #expect(try render("{{ index .Env \"MISSING\" }}|{{ len \"abc\" }}|{{ printf \"%s-%d-%v\" \"a\" 3 true }}") == "|3|a-3-true")
    }
}

@Suite struct GoTemplateErrorTests {
    @Test func missingKeysAreErrorsWithTheirPosition() throws {
        // Go reports a field chain at its second field, as a 0-based byte column; `column` is 1-based.
        let error = try #require(failure("line one\n  {{ .Env.NOT_SET }}"))
        #expect(error.description == "template: test:2:9: executing \"test\" at <.Env.NOT_SET>: map has no entry for key \"NOT_SET\"")
        #expect(error.phase == .execution)
        #expect(error.line == 2)
        #expect(error.column == 10)
        #expect(error.context == ".Env.NOT_SET")
        #expect(error.message == "map has no entry for key \"NOT_SET\"")
        #expect(failure("{{ .Env.FOO }}")?.description == "template: test:1:7: executing \"test\" at <.Env.FOO>: map has no entry for key \"FOO\"")
        #expect(failure("{{.Missing}}")?.description == "template: test:1:2: executing \"test\" at <.Missing>: map has no entry for key \"Missing\"")
        // Multi-byte text before the action counts in bytes for Go's column, in scalars for `column`.
        let wide = try #require(failure("é {{ .Env.X }}"))
        #expect(wide.description.hasPrefix("template: test:1:10: "))
        #expect(wide.column == 10)
        #expect(failure("{{ $v := split \".\" \"1.2\" }}{{ $v._2 }}")?.description
            == "template: test:1:32: executing \"test\" at <$v._2>: map has no entry for key \"_2\"")
    }

    @Test func functionErrorsNameTheCommand() {
        #expect(failure("{{ readFile \"/nope\" }}")?.description
            == "template: test:1:3: executing \"test\" at <readFile \"/nope\">: error calling readFile: open /nope: no such file or directory")
        #expect(failure("x\n{{ $p := \"/nope\" }}{{ $l := readFile $p | splitList \"\\n\" }}")?.description
            == "template: test:2:28: executing \"test\" at <readFile $p>: error calling readFile: open /nope: no such file or directory")
        #expect(failure("{{ if eq 1 \"1\" }}{{ end }}")?.description
            == "template: test:1:6: executing \"test\" at <eq 1 \"1\">: error calling eq: incompatible types for comparison")
        #expect(failure("{{ fail \"stop here\" }}")?.description
            == "template: test:1:3: executing \"test\" at <fail \"stop here\">: error calling fail: stop here")
        #expect(failure("{{ splitList \",\" }}")?.description
            == "template: test:1:3: executing \"test\" at <splitList>: wrong number of args for splitList: want 2 got 1")
        #expect(failure("{{ upper 1 }}")?.message == "wrong type for value; expected string; got int")
        #expect(failure("{{ (eq (len .Env.A) 1) }}", env: ["A": "a"]) == nil)
    }

    @Test func parseErrorsGiveTheLineOnly() {
        #expect(failure("a\n{{ nope 1 }}")?.description == "template: test:2: function \"nope\" not defined")
        #expect(failure("{{ if true }}x")?.description == "template: test:1: unexpected EOF")
        #expect(failure("x{{ end }}")?.description == "template: test:1: unexpected {{end}}")
        #expect(failure("x{{ else }}")?.description == "template: test:1: unexpected {{else}}")
        #expect(failure("{{ .Env.X ")?.message == "unclosed action")
        #expect(failure("{{ \"a\" }} {{ \"unterminated }}")?.message == "unterminated quoted string")
        #expect(failure("{{ `raw }}")?.message == "unterminated raw quoted string")
        #expect(failure("{{ if true }}a{{ else }}b{{ else }}c{{ end }}")?.message == "expected end; found {{else}}")
        #expect(failure("{{ (1 }}")?.message == "unclosed left paren")
        #expect(failure("{{ 1) }}")?.message == "unexpected right paren")
        #expect(failure("{{ }}")?.message == "missing value for command")
        #expect(failure("{{ if }}{{ end }}")?.message == "missing value for if")
        #expect(failure("{{ $x }}")?.message == "undefined variable \"$x\"")
        #expect(failure("{{ $x = 1 }}")?.message == "undefined variable \"$x\"")
        #expect(failure("{{ 1 | 2 }}")?.message == "non executable command in pipeline stage 2")
        #expect(failure("{{ break }}")?.message == "{{break}} outside {{range}}")
        #expect(failure("{{ # }}")?.message == "unrecognized character in action: U+0023 '#'")
        #expect(failure("{{ 0x }}")?.message == "bad number syntax: \"0x\"")
        #expect(failure("{{ \"\\q\" }}")?.message == "invalid syntax")
        #expect(failure("{{/* open")?.message == "unclosed comment")
        #expect(failure("{{ if true }}a{{ else if }}b{{ end }}")?.message == "missing value for if")
        #expect(failure("a\n\n{{ if true }}")?.line == 3)
        #expect(failure("{{ if true }}x")?.phase == .parse)
    }

    @Test func executionErrors() {
        #expect(failure("{{ .Env.V 1 }}", env: ["V": "x"])?.message == "V is not a method but has arguments")
        #expect(failure("{{ \"x\" 1 }}")?.message == "can't give argument to non-function \"x\"")
        #expect(failure("{{ nil }}")?.description == "template: test:1:3: executing \"test\" at <nil>: nil is not a command")
        #expect(failure("{{ .Env.V.W }}", env: ["V": "x"])?.message == "can't evaluate field W in type string")
        #expect(failure("{{ template \"x\" }}")?.message == "template \"x\" not defined")
        #expect(failure("{{ range true }}{{ end }}")?.message == "range can't iterate over true")
        #expect(failure("{{ $m := dict }}{{ $m.a.b }}")?.message == "map has no entry for key \"a\"")
        #expect(failure("{{ $n := first list }}{{ $n.a }}")?.message == "nil pointer evaluating interface {}.a")
        #expect(failure("{{ index (list 1) 3 }}")?.message == "error calling index: index out of range: 3")
    }

    @Test func neverTrapsOnArbitraryInput() {
        let pieces = ["{{", "}}", "{{-", " -}}", "if", "else", "end", "range", "$x", ":=", "(", ")", "|", "\"s\"", ".Env.A", "eq", " ", "\n", "x", "`"]
        var state: UInt64 = 0x9E3779B97F4A7C15
        for _ in 0..<3000 {
            var source = ""
            for _ in 0..<12 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                source += pieces[Int((state >> 33) % UInt64(pieces.count))]
            }
            _ = try? render(source, env: ["A": "a"])
        }
    }
}

/// Every rendered gossfile in this repository (Examples, product folders, fixtures) renders for each variant, with the
/// dependency files read as two packages, and leaves no template text behind.
@Suite struct RepositoryGossfileTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func gossfiles() -> [URL] {
        let skipped: Set<String> = [".build", ".git", "node_modules"]
        var found: [URL] = []
        var queue = [root]
        while let folder = queue.popLast() {
            let entries = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isDirectoryKey])) ?? []
            for entry in entries {
                if (try? entry.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                    if !skipped.contains(entry.lastPathComponent) { queue.append(entry) }
                } else if entry.lastPathComponent == "goss.yaml" {
                    found.append(entry)
                }
            }
        }
        return found.sorted { $0.path < $1.path }
    }

    @Test func everyGossfileRendersForEveryVariant() throws {
        let files = Self.gossfiles()
        #expect(files.count >= 10)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            let template = try GoTemplate(name: "test", source: text)
            for variant in ["Standard", "Minimal", "pro", "base"] {
                let env = [
                    "IMAGE_VARIANT": variant, "IMAGE_OS_NAME": "ubuntu", "IMAGE_OS_VERSION": "24.04", "IMAGE_OS_CODENAME": "noble",
                    "IMAGE_OS_PLATFORM": "linux/amd64", "BUILD_ARG_R_VERSION": "4.5.2", "BUILD_ARG_PYTHON_VERSION": "3.14.3",
                    "BUILD_ARG_QUARTO_VERSION": "1.8.27",
                ]
                // Package lists are stubbed (so the range is seen to work); other files of the version folder
                // (the one holding test/goss.yaml, mounted at /tmp/version) are read as they are.
                let versionFolder = file.deletingLastPathComponent().deletingLastPathComponent()
                let functions = GoFunctions.goss(environment: env, readFile: { path in
                    if path.hasPrefix("/tmp/version/deps/") { return "pkg-one\npkg-two\n" }
                    guard path.hasPrefix("/tmp/version/"), !path.contains(".."),
                          let text = try? String(contentsOf: versionFolder.appendingPathComponent(String(path.dropFirst("/tmp/version/".count))), encoding: .utf8)
                    else { throw GoFunctionFailure("open \(path): no such file or directory") }
                    return text
                })
                let out = try template.render(data: .map(["Env": .environment(env), "Vars": .map([:])]), functions: functions)
                #expect(!out.contains("{{") && !out.contains("<no value>"), "\(file.path) \(variant)")
                if text.contains("readFile") {
                    #expect(out.contains("  pkg-one:\n    installed: true"), "\(file.path) \(variant)")
                }
                if text.contains("if eq .Env.IMAGE_VARIANT \"Minimal\" }}true{{ else }}false{{ end }}") {
                    #expect(out.contains(variant == "Minimal" ? "skip: true" : "skip: false"), "\(file.path) \(variant)")
                }
            }
        }
    }

    @Test func theDriversIdiom() throws {
        // connect-content: a declaration whose trim marker eats the newline, `not` of a variable, `$.Env` inside range.
        let source = """
        {{ $drivers := and (eq .Env.IMAGE_VARIANT "pro") (eq (getEnv "IMAGE_OS_PLATFORM" "linux/amd64") "linux/amd64") -}}
        package:
          rstudio-drivers:
            installed: {{ $drivers }}
        command:
          odbc:
            skip: {{ not $drivers }}
        {{- range $pkg := list "a" }}
          {{ $pkg }}: {{ if ne $.Env.IMAGE_VARIANT "Minimal" }}yes{{ end }}
        {{- end }}
        """
        func run(_ variant: String, _ platform: String?) throws -> String {
            var env = ["IMAGE_VARIANT": variant]
            if let platform { env["IMAGE_OS_PLATFORM"] = platform }
            let template = try GoTemplate(name: "test", source: source)
            return try template.render(data: .map(["Env": .environment(env)]), functions: .goss(environment: env))
        }
        #expect(try run("pro", nil) == "package:\n  rstudio-drivers:\n    installed: true\ncommand:\n  odbc:\n    skip: false\n  a: yes")
        #expect(try run("pro", "linux/arm64").contains("installed: false"))
        #expect(try run("base", "linux/amd64").contains("skip: true"))
    }
}

@Suite struct GoTemplateParenthesisTests {
    static let env = GoValue.map(["Env": .map(["A": .string("X"), "B": .string("x"), "M": .map(["K": .string("v")])])])

    @Test func aFieldAfterASpaceIsAnotherArgument() throws {
        let template = try GoTemplate(name: "test", source: "{{ eq (toLower .Env.A) .Env.B }}")
        #expect(try template.render(data: Self.env) == "true")
    }

    @Test func aFieldRightAfterTheParenthesisReadsTheResult() throws {
        let template = try GoTemplate(name: "test", source: "{{ (index .Env \"M\").K }}")
        #expect(try template.render(data: Self.env) == "v")
    }
}
