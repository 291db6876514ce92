import Foundation
import TestSupport
import Testing

/// `bakery render` as a user runs it.
@Suite("bakery render")
struct RenderCommandTests {
    static let templates = BakeryBinary.fixtures.appendingPathComponent("templates")

    /// (product, values name, template path relative to template/) for every product-like template.
    static let productCases: [String] = {
        var out: [String] = []
        let fm = FileManager.default
        for product in ((try? fm.contentsOfDirectory(atPath: templates.path)) ?? []).sorted() {
            let dir = templates.appendingPathComponent(product)
            guard fm.fileExists(atPath: dir.appendingPathComponent("template").path) else { continue }
            let values = ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).filter { $0.hasPrefix("values-") }.sorted()
            let files = (fm.enumerator(atPath: dir.appendingPathComponent("template").path)?.allObjects as? [String] ?? [])
                .filter { $0.hasSuffix(".jinja2") }.sorted()
            for v in values {
                for f in files { out.append("\(product)|\(v)|\(f)") }
            }
        }
        return out
    }()

    @Test("product-like templates render as Jinja2 renders them with the same macro library", arguments: productCases)
    func productTemplates(_ spec: String) throws {
        let parts = spec.split(separator: "|").map(String.init)
        let (product, valuesFile, template) = (parts[0], parts[1], parts[2])
        let dir = Self.templates.appendingPathComponent(product)
        let name = String(valuesFile.dropFirst("values-".count).dropLast(".yaml".count))
        let expected = try String(contentsOf: dir.appendingPathComponent("expected/\(name)/\(template.dropLast(".jinja2".count))"), encoding: .utf8)
        let result = try BakeryBinary.run(["render", "template/\(template)", "--values-file", valuesFile, "--normalize"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        #expect(result.stdout == expected)
    }

    @Test func thereAreProductTemplatesForConnectAndWorkbench() {
        #expect(Self.productCases.contains { $0.hasPrefix("connect|") })
        #expect(Self.productCases.contains { $0.hasPrefix("workbench|") })
        #expect(Self.productCases.count >= 9)
    }

    static func scratch(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-render-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test func valuesFromFileAndCommandLineWithNestingAndPrecedence() throws {
        let dir = try Self.scratch([
            "t.j2": "{{ Image.Name }} {{ Image.Version }} {{ n + 1 }} {{ flag }} {{ items | join(',') }} {{ quoted }}\n",
            "v.yaml": "Image: {Name: connect, Version: \"1.0\"}\nn: 41\nflag: true\nitems: [a, b]\nquoted: \"007\"\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["render", "t.j2", "--values-file", "v.yaml", "--value", "Image.Version=2026.03.1"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "connect 2026.03.1 42 True a,b 007\n")
    }

    @Test func jsonValuesFileKeepsTypes() throws {
        let dir = try Self.scratch(["t.j2": "{{ a is number }} {{ b is string }} {{ c is none }}", "v.json": #"{"a": 1.5, "b": "1.5", "c": null}"#])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["render", "t.j2", "--values-file", "v.json"], in: dir)
        #expect(result.stdout == "True True True")
    }

    @Test func outputIsExactUnlessNormalized() throws {
        let dir = try Self.scratch(["t.j2": "a  \n\n\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try BakeryBinary.run(["render", "t.j2"], in: dir).stdout == "a  \n\n\n")
        #expect(try BakeryBinary.run(["render", "t.j2", "--normalize"], in: dir).stdout == "a\n")
    }

    @Test func templateDirectoryIsSearchedBeforeTheLibrary() throws {
        let dir = try Self.scratch([
            "t/main.j2": "{%- import \"apt.j2\" as apt -%}{{ apt.clean_command() }}|{% include \"part.j2\" %}",
            "t/apt.j2": "{% macro clean_command() %}local apt{% endmacro %}",
            "t/part.j2": "included",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["render", "t/main.j2"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "local apt|included")
    }

    @Test func errorsNameTheTemplateAndLineAndWriteNothingToStdout() throws {
        let dir = try Self.scratch([
            "undefined.j2": "line 1\n{{ missing }}\n",
            "syntax.j2": "ok\n{% if x %}\n",
            "filter.j2": "{{ 'x' | nosuch }}",
            "library.j2": "{%- import \"apt.j2\" as apt -%}\n\n{{ apt.install() }}",
            "bad.yaml": "a: [1,\n",
            "list.yaml": "- 1\n",
        ])
        let cases: [([String], String)] = [
            (["render", "undefined.j2"], "undefined.j2:2: 'missing' is undefined\n"),
            (["render", "syntax.j2"], "syntax.j2:2: Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.\n"),
            (["render", "filter.j2"], "filter.j2:1: No filter named 'nosuch'.\n"),
            (["render", "library.j2"], "bakery:apt.j2:99: apt.install: give packages, files or both (called from library.j2:3)\n"),
            (["render", "missing.j2"], "missing.j2: no such template file\n"),
            (["render", "."], ".: is a directory; give a template file\n"),
            (["render", "undefined.j2", "--values-file", "bad.yaml"], "bad.yaml:2:1: did not find expected node content (while parsing a flow node started at 2:1)\n"),
            (["render", "undefined.j2", "--values-file", "list.yaml"], "list.yaml:1:1: the values file must hold a mapping of variable names to values, not a sequence\n"),
            (["render", "undefined.j2", "--values-file", "none.yaml"], "none.yaml: no such file (give a YAML or JSON file of template values)\n"),
            (["render", "undefined.j2", "--value", "novalue"], "--value novalue: expected KEY=VALUE, e.g. --value Image.Version=2026.03.1\n"),
            (["render", "undefined.j2", "--value", "a..b=1"], "--value a..b=1: the key must be a name or dotted names, e.g. Image.Version\n"),
        ]
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = BakeryBinary.snapshot(dir)
        for (arguments, stderr) in cases {
            let result = try BakeryBinary.run(arguments, in: dir)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stdout.isEmpty, "\(arguments)")
            #expect(result.stderr == stderr, "\(arguments)")
        }
        #expect(BakeryBinary.snapshot(dir) == before)
    }

    @Test func missingTemplateArgumentIsAUsageError() throws {
        let result = try BakeryBinary.run(["render"], in: FileManager.default.temporaryDirectory)
        #expect(result.status == 2)
    }
}
