import BakeryYAML
import Testing

/// The span editor on its own: positions, layout, the edits, anchors and aliases.
@Suite struct YAMLEditorTests {
    func parse(_ text: String) throws -> YAMLDocument { try YAMLParser.parseDocument(text) }

    @Test func contentEndStopsAtTheLastCharacterNotAtTheNextToken() throws {
        let doc = try parse("a:\n  - x: 1\n    y: [2]   # c\n\n  # later\nb: 3\n")
        let item = try #require(doc.root?["a"]?.items.first)
        #expect(item.contentEnd == YAMLMark(line: 3, column: 11, index: item.contentEnd.index))
        #expect(item.end.line == 6)
    }

    @Test func anchorsAndAliasesAreListedWithTheirDefinition() throws {
        let doc = try parse("a: &x 1\nb: *x\nc: &x 2\nd: *x\ne:\n  <<: {k: 1}\n")
        #expect(doc.anchors.map(\.name) == ["x", "x"])
        #expect(doc.aliases.map(\.definition) == [0, 1])
        #expect(doc.root?["e"]?.pairs.first?.merged == true)
    }

    @Test func theLayoutIsLearntFromTheFile() throws {
        let text = "top:\n    key: 1\nlist:\n-   name: a\n    sub:\n        deep: 1\n    items:\n    -   x\n"
        var editor = YAMLEditor(text: text)
        editor.learnLayout(from: try parse(text).root)
        #expect(editor.layout.mapIndent == 4)
        #expect(editor.layout.seqIndent == 0)
        #expect(editor.layout.dashContent == 4)
        #expect(editor.block(.map(["os": .list([.map(["name": .scalar("x"), "primary": .bool(true)])])]), indent: 4)
                == ["    os:", "    -   name: x", "        primary: true"])
    }

    @Test func removingTheLastItemKeepsAMissingFinalNewlineMissing() throws {
        let text = "l:\n  - a\n  - b"
        let doc = try parse(text)
        let pair = try #require(doc.root?.pairs.first)
        var editor = YAMLEditor(text: text)
        try editor.removeItem(1, of: pair.value, key: pair.key)
        #expect(editor.text == "l:\n  - a")
    }

    @Test func appendingAfterTheLastLineKeepsAMissingFinalNewlineMissing() throws {
        let text = "\u{FEFF}l:\r\n  - a"
        let doc = try parse(text)
        let root = try #require(doc.root)
        let pair = try #require(root.pairs.first)
        var editor = YAMLEditor(text: text)
        try editor.insertItem(.scalar("b"), into: pair.value, key: pair.key, in: root, at: nil)
        #expect(editor.text == "\u{FEFF}l:\r\n  - a\r\n  - b")
    }

    @Test func anAliasIsWrittenOutWithTheAnchorMovedToIt() throws {
        let text = "a: &o\n  - x   # first\n  - y\nb:\n  c: *o\n"
        let doc = try parse(text)
        let root = try #require(doc.root)
        let source = try #require(root["a"])
        let use = try #require(doc.aliases.first)
        var editor = YAMLEditor(text: text)
        editor.learnLayout(from: root)
        try editor.materialize(aliasStart: use.start, aliasEnd: use.end, source: source, anchor: "o")
        try editor.removeAnchor(of: source)
        #expect(editor.text == "a:\n  - x   # first\n  - y\nb:\n  c: &o\n    - x   # first\n    - y\n")
    }

    @Test func flowCollectionsAreEditedInPlace() throws {
        let text = "m: {name: a, list: [1, 2, 3]}\n"
        let root = try #require(try parse(text).root)
        let m = try #require(root["m"])
        let list = try #require(m.pairs.last)
        var editor = YAMLEditor(text: text)
        try editor.removeItem(1, of: list.value, key: list.key)
        #expect(editor.text == "m: {name: a, list: [1, 3]}\n")
        let again = try #require(try parse(editor.text).root?["m"])
        var second = YAMLEditor(text: editor.text)
        try second.appendPair("extra", .list([.scalar("1.10")]), to: again)
        #expect(second.text == "m: {name: a, list: [1, 3], extra: ['1.10']}\n")
    }

    @Test func aScalarKeepsItsQuotesAndComment() throws {
        let text = "name: '2.0'   # note\n"
        let node = try #require(try parse(text).root?["name"])
        var editor = YAMLEditor(text: text)
        try editor.replaceScalar(node, with: YAMLOut.spelled("2.1", like: node.scalarStyle ?? .plain))
        #expect(editor.text == "name: '2.1'   # note\n")
    }

    @Test func anEditItCannotMakeIsALocatedError() throws {
        let text = "a: 1\nb: x\n"
        let root = try #require(try parse(text).root)
        let pair = try #require(root.pairs.last)
        var editor = YAMLEditor(text: text)
        #expect {
            try editor.removeItem(0, of: pair.value, key: pair.key)
        } throws: { error in
            (error as? YAMLError)?.code == .unsupportedEdit && (error as? YAMLError)?.mark.line == 2
        }
        #expect(editor.text == text)
    }
}
