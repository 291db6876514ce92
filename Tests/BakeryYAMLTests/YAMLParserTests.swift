import BakeryYAML
import Testing

@Suite struct YAMLParserTests {
    @Test func nodesRecordOneBasedStartAndEndMarks() throws {
        let root = try #require(try YAMLParser.parse("repository:\n  url: github.com/x/y\nimages: []\n"))
        #expect(root.start == YAMLMark(line: 1, column: 1))
        let url = try #require(root["repository"]?["url"])
        #expect(url.scalar == "github.com/x/y")
        #expect(url.start.line == 2 && url.start.column == 8)
        #expect(url.end.line == 2 && url.end.column == 22)
        let images = try #require(root["images"])
        #expect(images.kind == .sequence && images.collectionStyle == .flow)
        #expect(images.start.line == 3 && images.start.column == 9)
    }

    @Test func scalarStylesAreKept() throws {
        let text = """
        plain: a
        single: 'b'
        double: "c"
        literal: |
          d
        folded: >
          e
          f
        """
        let root = try #require(try YAMLParser.parse(text))
        #expect(root["plain"]?.scalarStyle == .plain)
        #expect(root["single"]?.scalarStyle == .singleQuoted)
        #expect(root["double"]?.scalarStyle == .doubleQuoted)
        #expect(root["literal"]?.scalarStyle == .literal)
        #expect(root["literal"]?.scalar == "d\n")
        #expect(root["folded"]?.scalarStyle == .folded)
        #expect(root["folded"]?.scalar == "e f")
    }

    @Test func tagsAndAnchorsAreKept() throws {
        let root = try #require(try YAMLParser.parse("a: !!str 8\nb: &base {x: 1}\n"))
        #expect(root["a"]?.tag == "tag:yaml.org,2002:str")
        #expect(root["a"]?.resolved == .string("8"))
        #expect(root["b"]?.anchor == "base")
        #expect(root["b"]?.collectionStyle == .flow)
    }

    @Test func aliasesResolveToTheAnchoredNodeAndRememberWhereTheyStand() throws {
        let root = try #require(try YAMLParser.parse("os: &os [Ubuntu 24.04]\nagain: *os\n"))
        let again = try #require(root["again"])
        #expect(again.items.map(\.scalar) == ["Ubuntu 24.04"])
        #expect(again.start.line == 1)
        #expect(again.aliasMark == YAMLMark(line: 2, column: 8, index: 30))
        #expect(again.reportMark.line == 2)
    }

    @Test func mergeKeysAddOnlyKeysNotAlreadyPresent() throws {
        let root = try #require(try YAMLParser.parse("base: &b {x: 1, y: 2}\nitem:\n  <<: *b\n  y: 3\n"))
        let item = try #require(root["item"])
        #expect(item["x"]?.scalar == "1")
        #expect(item["y"]?.scalar == "3")
        #expect(item.pairs.count == 2)
    }

    @Test func anAliasBombIsRejectedWithALocatedError() throws {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for (prev, name) in zip("abcdefgh", "bcdefghi") {
            text += "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 10).joined(separator: ", ") + "]\n"
        }
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse(text) }
        #expect(error?.code == .aliasExpansionLimit)
        #expect((error?.mark.line ?? 0) > 1)
    }

    @Test func anUndefinedAliasIsAnError() {
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse("a: *nope\n") }
        #expect(error?.code == .undefinedAlias)
        #expect(error?.mark == YAMLMark(line: 1, column: 4, index: 3))
    }

    @Test func duplicateKeysAreAnErrorAtTheSecondKey() {
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse("name: a\nother: b\nname: c\n") }
        #expect(error?.code == .duplicateKey)
        #expect(error?.mark.line == 3)
        #expect(error?.message.contains("first defined at 1:1") == true)
    }

    @Test func syntaxErrorsCarryLibyamlsMarkAndContext() {
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse("a: \"open\nb: c\n") }
        #expect(error?.code == .syntax)
        #expect(error?.context == "while scanning a quoted scalar")
        #expect(error?.contextMark?.line == 1)
        #expect(error?.mark.line == 3)
    }

    @Test func emptyAndCommentOnlyDocumentsHaveNoRoot() throws {
        #expect(try YAMLParser.parse("") == nil)
        #expect(try YAMLParser.parse("# nothing here\n\n") == nil)
    }

    @Test func aSecondDocumentIsRejected() {
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse("a: 1\n---\nb: 2\n") }
        #expect(error?.code == .multipleDocuments)
        #expect(error?.mark.line == 2)
    }

    @Test func unicodeTextSurvivesAndColumnsCountCharacters() throws {
        let root = try #require(try YAMLParser.parse("name: \"Café ☕\"\nnext: ü\n"))
        #expect(root["name"]?.scalar == "Café ☕")
        #expect(root["next"]?.start.column == 7)
    }

    @Test func invalidUTF8IsAnEncodingError() {
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse(bytes: Array("a: ".utf8) + [0xff, 0xfe, 0x0a]) }
        #expect(error?.code == .encoding)
    }

    @Test func deepNestingIsRejectedNotOverflowed() {
        let text = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        let error = #expect(throws: YAMLError.self) { try YAMLParser.parse(text) }
        #expect(error?.code == .nestingLimit)
    }

    @Test func largeDocumentsParseCompletely() throws {
        var text = "images:\n"
        for i in 0..<20_000 { text += "  - name: image-\(i)\n    versions: [{name: \"1.\(i).0\"}]\n" }
        let root = try #require(try YAMLParser.parse(text))
        let images = try #require(root["images"]).items
        #expect(images.count == 20_000)
        #expect(images.last?["name"]?.scalar == "image-19999")
        #expect(images.last?.start.line == 40_000)
    }

    @Test func crlfLineEndingsCountAsOneLineBreak() throws {
        let root = try #require(try YAMLParser.parse("a: 1\r\nb: 2\r\n"))
        #expect(root["b"]?.start.line == 2)
        #expect(root["b"]?.scalar == "2")
    }
}
