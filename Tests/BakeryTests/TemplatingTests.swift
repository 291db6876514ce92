import Bakery
import BakeryYAML
import Foundation
import Jinja
import Testing

/// bakery's filters and globals (tagSafe, stripMetadata, regexReplace, …), template values and file normalisation.
@Suite("Bakery templating")
struct TemplatingTests {
    static func render(_ source: String, _ context: [String: Value] = [:]) throws -> String {
        try TemplateEnvironment.make().render(source: source, name: "t.j2", context: context)
    }

    @Test func tagSafe() throws {
        #expect(BakeryFilters.tagSafe("2026.04.0+526.pro2") == "2026.04.0-526.pro2")
        #expect(BakeryFilters.tagSafe("--Ubuntu 24.04_") == "Ubuntu-24.04")
        #expect(BakeryFilters.tagSafe("é/x") == "x")
        #expect(try Self.render("{{ 'a b' | tagSafe }}") == "a-b")
    }

    @Test func stripMetadata() throws {
        #expect(BakeryFilters.stripMetadata("2025.05.1+513.pro3") == "2025.05.1")
        #expect(BakeryFilters.stripMetadata("1.0.0-rc.1") == "1.0.0")
        #expect(BakeryFilters.stripMetadata("2026.05.0-dev+185-gabc1234") == "2026.05.0-dev+185")
        #expect(BakeryFilters.stripMetadata("2026.03.1") == "2026.03.1")
        #expect(try Self.render("{{ Version | stripMetadata }}", ["Version": "2025.12.0-14"]) == "2025.12.0")
    }

    @Test func stripPatch() throws {
        #expect(BakeryFilters.stripPatch("R4.4.3-python3.13.12") == "R4.4-python3.13")
        #expect(BakeryFilters.stripPatch("1.2.3.4") == "1.2")
        #expect(BakeryFilters.stripPatch("4.4") == "4.4")
        #expect(try Self.render("{{ 'R4.5.1' | stripPatch }}") == "R4.5")
    }

    @Test func condenseQuoteSplit() throws {
        #expect(BakeryFilters.condense("Ubuntu 24.04-lts") == "Ubuntu2404lts")
        #expect(try Self.render("{{ 'x y' | quote }}") == "\"x y\"")
        #expect(try Self.render("{{ '2026.03.1' | split('.') }}") == "['2026', '03', '1']")
        #expect(try Self.render("{{ ' a  b ' | split }}") == "['a', 'b']")
        #expect(try Self.render("{{ ('2026.03.1' | split('.'))[0:-1] | join('.') }}") == "2026.03")
    }

    @Test func regexReplace() throws {
        #expect(try BakeryFilters.regexReplace("R4.4.3", pattern: #"(\d+)\.(\d+)\.\d+"#, replacement: #"\1-\2"#) == "R4-4")
        #expect(try BakeryFilters.regexReplace("ab", pattern: "(?P<x>a)", replacement: #"[\g<x>]$"#) == "[a]$b")
        #expect(try Self.render(#"{{ 'v1.2' | regexReplace('^v', '') }}"#) == "1.2")
        #expect(throws: JinjaError.self) { try Self.render(#"{{ 'x' | regexReplace('(', '') }}"#) }
    }

    @Test func raiseStopsRenderingWithTheMessage() throws {
        do {
            _ = try Self.render("a\n{{ raise('no versions for ' ~ name) }}", ["name": "connect"])
            Issue.record("rendered")
        } catch let error as JinjaError {
            #expect(error.kind == .raised)
            #expect(error.message == "no versions for connect")
            #expect(error.line == 2)
            #expect(error.description == "t.j2:2: no versions for connect")
        }
    }

    @Test func valuesFromYAMLKeepOrderAndTypes() throws {
        let node = try #require(try YAMLParser.parse("b: 1\na: [x, 2.5, true, null, '007']\nc: {d: e}\n"))
        let value = try TemplateValues.value(node)
        #expect(try Jinja.Environment().render(source: "{{ v }}", context: ["v": value]) == "{'b': 1, 'a': ['x', 2.5, True, None, '007'], 'c': {'d': 'e'}}")
    }

    @Test func assignmentsNestAndRejectClashes() throws {
        var values: [String: Value] = [:]
        try TemplateValues.assign("Image.Version=2026.03.1", into: &values)
        try TemplateValues.assign("Image.Name=connect", into: &values)
        try TemplateValues.assign("flag=a=b", into: &values)
        #expect(try Jinja.Environment().render(source: "{{ Image.Name }} {{ Image.Version }} {{ flag }}", context: values) == "connect 2026.03.1 a=b")
        for bad in ["flag.x=1", "=1"] {
            let error = #expect(throws: BakeryError.self) { try TemplateValues.assign(bad, into: &values) }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test func renderedFilesAreNormalized() {
        #expect(TemplateValues.normalizeRendered("a \t\nb  \n\n\n") == "a\nb\n")
        #expect(TemplateValues.normalizeRendered("x") == "x\n")
        #expect(TemplateValues.normalizeRendered("") == "")
        #expect(TemplateValues.normalizeRendered("\n\n") == "")
        #expect(TemplateValues.normalizeRendered("a\n\n b") == "a\n\n b\n")
    }
}
