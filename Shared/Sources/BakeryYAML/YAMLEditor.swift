// Edits to a YAML document that keep every character they do not mean to change: comments, blank
// lines, quoting, indentation, key order, line endings, a byte order mark and a missing final newline.

/// How a document indents nested blocks, learnt from the document itself (what new entries follow).
///
///     images:           # a key
///     - name: a         # seqIndent 0: the dash under the key; dashContent 2
///       versions:
///         os: …         # mapIndent 2
public struct YAMLLayout: Sendable, Equatable {
    /// Columns from a key to the keys of the block mapping under it.
    public var mapIndent = 2
    /// Columns from a key to the dashes of the block sequence under it (0: `- ` right under the key).
    public var seqIndent = 2
    /// Columns from a dash to the content after it (2 for `- name`, 4 for `-   name`).
    public var dashContent = 2

    public init() {}
}

/// Splices edits into the text of a YAML document at the node positions the parser reports.
/// Block and flow collections are both edited in place; an edit the editor cannot make is a
/// `YAMLError` (code `.unsupportedEdit`) at the position concerned, never a guess.
///
///     var editor = YAMLEditor(text: text)
///     let doc = try YAMLParser.parseDocument(text)
///     try editor.removeItem(0, of: seq, key: key)        // one edit per parse: positions are the text's
///     text = editor.text
public struct YAMLEditor {
    /// The document without its byte order mark, as Unicode scalars (what the parser's columns count).
    public private(set) var scalars: [Unicode.Scalar]
    /// Offset of each line's first scalar, lines split at every break the parser counts (LF, CRLF, CR, NEL, LS, PS).
    private var lineStarts: [Int] = [0]
    private let byteOrderMark: Bool
    /// The terminator of new lines: the document's first.
    public let newline: String
    /// Quote new strings with double quotes (the file's own names are double-quoted).
    public var preferDoubleQuotes = false
    public var layout = YAMLLayout()

    public init(text: String) {
        var view = Array(text.unicodeScalars)
        byteOrderMark = view.first == "\u{FEFF}"
        if byteOrderMark { view.removeFirst() }
        scalars = view
        var found = "\n"
        for (i, c) in view.enumerated() where YAMLOut.isBreak(c) {
            found = c == "\r" && i + 1 < view.count && view[i + 1] == "\n" ? "\r\n" : String(c)
            break
        }
        newline = found
        indexLines()
    }

    public var text: String {
        var out = String.UnicodeScalarView()
        if byteOrderMark { out.append("\u{FEFF}") }
        out.append(contentsOf: scalars)
        return String(out)
    }

    private mutating func indexLines() {
        lineStarts = [0]
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
            if YAMLOut.isBreak(c) { lineStarts.append(i + 1) }
            i += 1
        }
    }

    // MARK: positions

    func fail(_ message: String, at mark: YAMLMark) -> YAMLError {
        YAMLError(code: .unsupportedEdit, message: message, mark: mark, hint: "edit this part of the file by hand")
    }

    /// The scalar offset of a parser mark.
    public func offset(_ mark: YAMLMark) throws(YAMLError) -> Int {
        guard mark.line >= 1, mark.line <= lineStarts.count else { throw fail("position \(mark) is outside the document", at: mark) }
        let at = lineStarts[mark.line - 1] + mark.column - 1
        guard mark.column >= 1, at <= scalars.count else { throw fail("position \(mark) is outside the document", at: mark) }
        return at
    }

    /// The 0-based line holding `offset`.
    func line(of offset: Int) -> Int {
        var low = 0, high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low
    }

    func column(of offset: Int) -> Int { offset - lineStarts[line(of: offset)] }

    func mark(of offset: Int) -> YAMLMark {
        let l = line(of: offset)
        return YAMLMark(line: l + 1, column: offset - lineStarts[l] + 1, index: offset)
    }

    /// Offset of the line break ending line `l` (or the end of the document).
    func lineEnd(_ l: Int) -> Int {
        var i = l + 1 < lineStarts.count ? lineStarts[l + 1] : scalars.count
        while i > lineStarts[l], YAMLOut.isBreak(scalars[i - 1]) { i -= 1 }
        return i
    }

    /// Offset just after line `l`'s break (the next line's start, or the end of the document).
    func lineAfter(_ l: Int) -> Int { l + 1 < lineStarts.count ? lineStarts[l + 1] : scalars.count }

    func lineText(_ l: Int) -> [Unicode.Scalar] { Array(scalars[lineStarts[l]..<lineEnd(l)]) }

    func isBlank(_ l: Int) -> Bool { lineText(l).allSatisfy { $0 == " " || $0 == "\t" } }

    func indentation(_ l: Int) -> Int { lineText(l).prefix { $0 == " " }.count }

    func isComment(_ l: Int) -> Bool { lineText(l).drop { $0 == " " || $0 == "\t" }.first == "#" }

    func isSpace(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" }

    /// Where a node starts, properties included (an alias: where `*name` stands).
    public func start(_ node: YAMLNode) throws(YAMLError) -> Int { try offset(node.reportMark) }

    /// Just after a node's last character (trailing blank lines a block scalar's end mark takes in are not the node's).
    public func contentEnd(_ node: YAMLNode) throws(YAMLError) -> Int {
        var end = try offset(node.contentEnd)
        let floor = try start(node)
        while end > floor, isSpace(scalars[end - 1]) || YAMLOut.isBreak(scalars[end - 1]) { end -= 1 }
        return end
    }

    /// After the node's own anchor and tag (and the spaces after them); for a block collection whose
    /// content starts on a later line, the first character of that content.
    func afterProperties(_ node: YAMLNode) throws(YAMLError) -> Int {
        var i = try start(node)
        guard node.aliasMark == nil, node.anchor != nil || node.tag != nil else { return i }
        while i < scalars.count, scalars[i] == "&" || scalars[i] == "!" {
            while i < scalars.count, !isSpace(scalars[i]), !YAMLOut.isBreak(scalars[i]) { i += 1 }
            while i < scalars.count, isSpace(scalars[i]) { i += 1 }
        }
        return skipTrivia(i)
    }

    /// Past spaces, line breaks and comments.
    func skipTrivia(_ from: Int) -> Int {
        var i = from
        while i < scalars.count {
            if isSpace(scalars[i]) || YAMLOut.isBreak(scalars[i]) { i += 1; continue }
            if scalars[i] == "#", i == 0 || isSpace(scalars[i - 1]) || YAMLOut.isBreak(scalars[i - 1]) {
                while i < scalars.count, !YAMLOut.isBreak(scalars[i]) { i += 1 }
                continue
            }
            break
        }
        return i
    }

    /// The `-` introducing a block sequence item.
    func dash(of item: YAMLNode) throws(YAMLError) -> Int {
        var i = try start(item) - 1
        while i >= 0, isSpace(scalars[i]) || YAMLOut.isBreak(scalars[i]) { i -= 1 }
        guard i >= 0, scalars[i] == "-" else { throw fail("cannot find the '-' of this list item", at: item.reportMark) }
        return i
    }

    /// The `:` after a mapping key.
    func colon(after key: YAMLNode) throws(YAMLError) -> Int {
        var i = try contentEnd(key)
        while i < scalars.count, isSpace(scalars[i]) || YAMLOut.isBreak(scalars[i]) { i += 1 }
        guard i < scalars.count, scalars[i] == ":" else { throw fail("cannot find the ':' after this key", at: key.reportMark) }
        return i
    }

    /// The node's own pairs in the order they are written (merged pairs are written elsewhere).
    static func ownPairs(_ mapping: YAMLNode) -> [YAMLPair] { mapping.pairs.filter { !$0.merged } }

    // MARK: text changes

    /// Replaces the scalars in `range` with `text`.
    public mutating func replace(_ range: Range<Int>, with text: String) {
        scalars.replaceSubrange(range, with: Array(text.unicodeScalars))
        indexLines()
    }

    /// Removes whole lines `first...last` (0-based) with their breaks. When they run to the end of a
    /// document without a final line break, the line before them gives up its break instead, so the
    /// document still ends without one.
    mutating func removeLines(_ first: Int, _ last: Int) {
        let from = lineStarts[first], to = lineAfter(last)
        if to == scalars.count, lineEnd(last) == scalars.count, first > 0 {
            replace(lineEnd(first - 1)..<to, with: "")
        } else {
            replace(from..<to, with: "")
        }
    }

    /// Inserts `lines` after line `l` (0-based). The new lines take over line `l`'s break, so a
    /// document without a final line break still ends without one.
    mutating func insertLines(_ lines: [String], after l: Int) {
        guard !lines.isEmpty else { return }
        replace(lineEnd(l)..<lineEnd(l), with: lines.map { newline + $0 }.joined())
    }

    /// Inserts `lines` before line `l` (0-based).
    mutating func insertLines(_ lines: [String], before l: Int) {
        guard !lines.isEmpty else { return }
        replace(lineStarts[l]..<lineStarts[l], with: lines.map { $0 + newline }.joined())
    }

    // MARK: writing values

    /// A new string scalar, quoted as the file quotes its own.
    public func scalar(_ s: String) -> String { preferDoubleQuotes ? YAMLOut.doubleQuoted(s) : YAMLOut.plainOrQuoted(s) }

    func key(_ k: String) -> String { YAMLOut.plainOrQuoted(k) }

    /// The value on one line (flow style for collections).
    public func inline(_ v: YAMLOut) -> String {
        switch v {
        case .scalar(let s): return scalar(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(inline).joined(separator: ", ") + "]"
        case .map(let pairs): return "{" + pairs.map { "\(key($0.key)): \(inline($0.value))" }.joined(separator: ", ") + "}"
        }
    }

    /// Block lines for the content of a collection whose entries start at column `indent`.
    public func block(_ value: YAMLOut, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .scalar, .number, .bool: return [pad + inline(value)]
        case .list(let items):
            return items.flatMap { item in blockItem(item, dash: indent, content: indent + layout.dashContent) }
        case .map(let pairs):
            return pairs.flatMap { k, v -> [String] in
                switch v {
                case .scalar, .number, .bool: return [pad + key(k) + ": " + inline(v)]
                case .list(let items) where items.isEmpty: return [pad + key(k) + ": []"]
                case .map(let p) where p.isEmpty: return [pad + key(k) + ": {}"]
                case .list: return [pad + key(k) + ":"] + block(v, indent: indent + layout.seqIndent)
                case .map: return [pad + key(k) + ":"] + block(v, indent: indent + layout.mapIndent)
                }
            }
        }
    }

    /// A list item: `-` at column `dash`, its content starting at column `content`.
    func blockItem(_ value: YAMLOut, dash: Int, content: Int) -> [String] {
        if case .list(let items) = value, items.isEmpty { return [String(repeating: " ", count: dash) + "- []"] }
        if case .map(let pairs) = value, pairs.isEmpty { return [String(repeating: " ", count: dash) + "- {}"] }
        var body = block(value, indent: content)
        guard let first = body.first else { return [] }
        body[0] = String(repeating: " ", count: dash) + "-" + String(repeating: " ", count: max(1, content - dash - 1))
            + String(first.dropFirst(content))
        return body
    }

    // MARK: learning the layout

    /// Learns the document's indentation from its block collections (the most frequent of each kind,
    /// the first seen on a tie).
    public mutating func learnLayout(from root: YAMLNode?) {
        var maps: [Int: Int] = [:], seqs: [Int: Int] = [:], dashes: [Int: Int] = [:]
        var order: [Int] = []
        func note(_ table: inout [Int: Int], _ value: Int) {
            if table[value] == nil { order.append(value) }
            table[value, default: 0] += 1
        }
        func visit(_ node: YAMLNode) {
            guard node.aliasMark == nil else { return }
            switch node.content {
            case .scalar: return
            case .sequence(let items, let style):
                for item in items {
                    if style == .block, item.aliasMark == nil, let d = try? dash(of: item), let s = try? afterProperties(item),
                       line(of: d) == line(of: s) {
                        note(&dashes, column(of: s) - column(of: d))
                    }
                    visit(item)
                }
            case .mapping(let pairs, let style):
                for pair in pairs where !pair.merged {
                    if style == .block, pair.value.aliasMark == nil, pair.value.collectionStyle == .block,
                       let k = try? start(pair.key), let v = try? afterProperties(pair.value), line(of: v) > line(of: k) {
                        if pair.value.kind == .mapping {
                            note(&maps, column(of: v) - column(of: k))
                        } else if let first = pair.value.items.first, let d = try? dash(of: first) {
                            note(&seqs, column(of: d) - column(of: k))
                        }
                    }
                    visit(pair.value)
                }
            }
        }
        if let root { visit(root) }
        func most(_ table: [Int: Int], _ fallback: Int) -> Int {
            order.filter { table[$0] != nil }.max { table[$0, default: 0] < table[$1, default: 0] } ?? fallback
        }
        // Nested mappings follow the file's usual step, counted over mappings and indented lists alike
        // (a file with one odd mapping still has one step).
        var steps = maps
        for (offset, count) in seqs where offset > 0 { steps[offset, default: 0] += count }
        layout.mapIndent = max(1, most(steps, 2))
        layout.seqIndent = most(seqs, layout.mapIndent)
        layout.dashContent = max(2, most(dashes, 2))
    }
}

// MARK: - Edits (each invalidates the node positions after it: parse again before the next)

extension YAMLEditor {
    /// Removes item `index` of `sequence` (the value of `key`). Comment lines right above a block item
    /// other than the first, at its dash's column, go with it; a list left empty becomes `[]`.
    public mutating func removeItem(_ index: Int, of sequence: YAMLNode, key: YAMLNode) throws(YAMLError) {
        guard case .sequence(let items, let style) = sequence.content, items.indices.contains(index) else {
            throw fail("this is not a list with an item \(index + 1)", at: sequence.reportMark)
        }
        let item = items[index]
        if style == .flow {
            if items.count == 1 {
                replace(try afterProperties(sequence)..<contentEnd(sequence), with: "[]")
            } else if index + 1 < items.count {
                replace(try start(item)..<start(items[index + 1]), with: "")
            } else {
                replace(try contentEnd(items[index - 1])..<contentEnd(item), with: "")
            }
            return
        }
        let dashAt = try dash(of: item)
        var first = line(of: dashAt)
        guard lineText(first).prefix(column(of: dashAt)).allSatisfy(isSpace) else {
            throw fail("a list item that shares its line with other content", at: item.reportMark)
        }
        if index > 0 { first = try commentsAbove(items, index) }
        var last = try lastLine(of: item)
        if items.count == 1 {
            // The list becomes empty: `key: []` (after the list's anchor or tag when it has them on the key line).
            var at = try colon(after: key) + 1
            let props = try start(sequence)
            if props < dashAt, line(of: props) == line(of: at) { at = props + (try afterPropertiesOnLine(sequence)) }
            removeLines(first, last)
            replace(at..<at, with: " []")
            return
        }
        // One blank line goes too when the item was set apart by blank lines on both sides, or was
        // the first item and a blank line followed it.
        if last + 1 < lineStarts.count, isBlank(last + 1), lineEnd(last + 1) < scalars.count || last + 2 < lineStarts.count,
           first >= 1, isBlank(first - 1) || index == 0 {
            last += 1
        }
        removeLines(first, last)
    }

    /// Inserts `value` as a new item of `sequence` (the value of `key` in `mapping`) before item
    /// `position`, or at the end. A block item is laid out like its neighbour; an empty or null
    /// list in a block mapping becomes a block list under its key, in the document's layout.
    public mutating func insertItem(_ value: YAMLOut, into sequence: YAMLNode, key: YAMLNode, in mapping: YAMLNode,
                                    at position: Int?) throws(YAMLError) {
        let items = sequence.items
        switch (sequence.content, mapping.collectionStyle) {
        case (.sequence(_, .block), _) where !items.isEmpty:
            let neighbour = items[min(position ?? items.count - 1, items.count - 1)]
            let dashAt = try dash(of: neighbour), contentAt = try start(neighbour)
            let dashColumn = column(of: dashAt)
            let contentColumn = line(of: contentAt) == line(of: dashAt) ? column(of: contentAt) : dashColumn + layout.dashContent
            let lines = blockItem(value, dash: dashColumn, content: contentColumn)
            if let position, position < items.count {
                insertLines(lines, before: position > 0 ? try commentsAbove(items, position) : line(of: try dash(of: items[position])))
            } else {
                insertLines(lines, after: try lastLine(of: items[items.count - 1]))
            }
        case (.sequence(_, .flow), _) where !items.isEmpty:
            if let position, position < items.count {
                let at = try start(items[position])
                replace(at..<at, with: inline(value) + ", ")
            } else {
                let at = try contentEnd(items[items.count - 1])
                replace(at..<at, with: ", " + inline(value))
            }
        case (.sequence, _), (.scalar, _):
            guard sequence.items.isEmpty, sequence.kind == .sequence || sequence.resolved == .null else {
                throw fail("this is not a list", at: sequence.reportMark)
            }
            try replaceValue(sequence, key: key, in: mapping, with: .list([value]))
        default:
            throw fail("this is not a list", at: sequence.reportMark)
        }
    }

    /// The last line of a block item: its content's, then the comment lines right after it indented
    /// deeper than its dash (those are the item's).
    func lastLine(of item: YAMLNode) throws(YAMLError) -> Int {
        let dashColumn = column(of: try dash(of: item))
        var last = line(of: try contentEnd(item))
        while last + 1 < lineStarts.count, isComment(last + 1), indentation(last + 1) > dashColumn { last += 1 }
        return last
    }

    /// The first line of block item `index` (> 0) with the comment lines right above it at its dash's
    /// column: those belong to the item. (Comments above the first item belong to the list: they stay.)
    func commentsAbove(_ items: [YAMLNode], _ index: Int) throws(YAMLError) -> Int {
        let dashAt = try dash(of: items[index])
        var first = line(of: dashAt)
        let floor = line(of: try contentEnd(items[index - 1]))
        while first - 1 > floor, isComment(first - 1), indentation(first - 1) == column(of: dashAt) { first -= 1 }
        return first
    }

    /// Replaces the value of `key` in `mapping` with `value`: block lines under the key when the
    /// mapping is in block style and the value is a non-empty collection, else on the key's line.
    /// The value's anchor and tag, if any, stay.
    public mutating func replaceValue(_ old: YAMLNode, key: YAMLNode, in mapping: YAMLNode, with value: YAMLOut) throws(YAMLError) {
        guard old.aliasMark == nil else { throw fail("this value is an alias", at: old.reportMark) }
        let keyLine = line(of: try start(key))
        var from = try afterProperties(old), to = try contentEnd(old)
        let empty = from >= to || old.kind == .scalar && old.scalar == "" && old.scalarStyle == .plain
        if empty {
            from = try colon(after: key) + 1
            if old.anchor != nil || old.tag != nil { from = try start(old) + (try afterPropertiesOnLine(old)) }
            to = from
        }
        let isCollection: Bool
        switch value {
        case .list(let items): isCollection = !items.isEmpty
        case .map(let pairs): isCollection = !pairs.isEmpty
        default: isCollection = false
        }
        if mapping.collectionStyle == .block, isCollection, line(of: from) == keyLine {
            // Remove the old value from the key's line (keeping a comment after it), then write the block below.
            let colonAt = try colon(after: key)
            while from - 1 > colonAt, isSpace(scalars[from - 1]) { from -= 1 }
            let keyColumn = column(of: try start(key))
            let lines: [String]
            if case .list = value { lines = block(value, indent: keyColumn + layout.seqIndent) } else { lines = block(value, indent: keyColumn + layout.mapIndent) }
            let lastLine = line(of: max(to, from))
            insertLines(lines, after: lastLine)
            replace(from..<to, with: "")
            return
        }
        var text = inline(value)
        if empty { text = " " + text }
        if case .scalar(let s) = value, !empty, let style = old.scalarStyle { text = YAMLOut.spelled(s, like: style) }
        replace(from..<to, with: text)
    }

    /// Length of the properties (`&a !t `) at a node's start, up to the end of their line.
    private func afterPropertiesOnLine(_ node: YAMLNode) throws(YAMLError) -> Int {
        let s = try start(node)
        var i = s
        while i < scalars.count, scalars[i] == "&" || scalars[i] == "!" {
            while i < scalars.count, !isSpace(scalars[i]), !YAMLOut.isBreak(scalars[i]) { i += 1 }
            var j = i
            while j < scalars.count, isSpace(scalars[j]) { j += 1 }
            if j < scalars.count, scalars[j] == "&" || scalars[j] == "!" { i = j }
        }
        return i - s
    }

    /// Replaces the scalar `node` with `text` (already spelled), keeping its anchor, tag and anything after it.
    public mutating func replaceScalar(_ node: YAMLNode, with text: String) throws(YAMLError) {
        guard node.kind == .scalar, node.aliasMark == nil else { throw fail("this value is not a plain scalar", at: node.reportMark) }
        replace(try afterProperties(node)..<contentEnd(node), with: text)
    }

    /// Adds `key: value` at the end of `mapping`.
    public mutating func appendPair(_ newKey: String, _ value: YAMLOut, to mapping: YAMLNode) throws(YAMLError) {
        guard mapping.kind == .mapping, mapping.aliasMark == nil else { throw fail("this is not a mapping", at: mapping.reportMark) }
        if mapping.collectionStyle == .flow {
            let end = try contentEnd(mapping) - 1   // the closing brace
            var at = end
            while at > 0, isSpace(scalars[at - 1]) || YAMLOut.isBreak(scalars[at - 1]) { at -= 1 }
            guard at > 0, end < scalars.count, scalars[end] == "}" else { throw fail("cannot find the end of this mapping", at: mapping.reportMark) }
            let opens = scalars[at - 1] == "{" || scalars[at - 1] == ","
            replace(at..<at, with: (opens ? "" : ", ") + key(newKey) + ": " + inline(value))
            return
        }
        let own = Self.ownPairs(mapping)
        let indent: Int
        if let first = own.first { indent = column(of: try start(first.key)) } else { indent = column(of: try afterProperties(mapping)) }
        insertLines(block(.map([newKey: value]), indent: indent), after: line(of: try contentEnd(mapping)))
    }

    /// Removes `pair` from `mapping`. When the pair opens a list item (`- latest: true`), the next key
    /// takes over the dash.
    public mutating func removePair(_ pair: YAMLPair, in mapping: YAMLNode) throws(YAMLError) {
        guard !pair.merged else { throw fail("this key comes from a merge ('<<')", at: pair.key.reportMark) }
        let own = Self.ownPairs(mapping)
        guard let index = own.firstIndex(where: { $0.key.start == pair.key.start }) else {
            throw fail("cannot find this key in its mapping", at: pair.key.reportMark)
        }
        if mapping.collectionStyle == .flow {
            if own.count == 1 {
                replace(try afterProperties(mapping)..<contentEnd(mapping), with: "{}")
            } else if index + 1 < own.count {
                replace(try start(pair.key)..<start(own[index + 1].key), with: "")
            } else {
                replace(try contentEnd(own[index - 1].value)..<contentEnd(pair.value), with: "")
            }
            return
        }
        let keyAt = try start(pair.key)
        let first = line(of: keyAt), last = line(of: try contentEnd(pair.value))
        let prefix = Array(scalars[lineStarts[first]..<keyAt])
        if !prefix.allSatisfy(isSpace) {
            guard index + 1 < own.count else { throw fail("cannot remove the only key of this entry", at: pair.key.reportMark) }
            let nextAt = try start(own[index + 1].key)
            let nextLine = line(of: nextAt)
            guard nextLine > last, column(of: nextAt) == prefix.count, indentation(nextLine) == prefix.count else {
                throw fail("the next key is not lined up under this one", at: own[index + 1].key.reportMark)
            }
            var head = String.UnicodeScalarView()
            head.append(contentsOf: prefix)
            replace(lineStarts[nextLine]..<nextAt, with: String(head))
        }
        removeLines(first, last)
    }

    // MARK: anchors and aliases

    /// Removes the anchor `&name` written at the start of `node`.
    public mutating func removeAnchor(of node: YAMLNode) throws(YAMLError) {
        guard let name = node.anchor else { return }
        let token = Array(("&" + name).unicodeScalars)
        var i = try start(node)
        while i < scalars.count, scalars[i] == "&" || scalars[i] == "!" {
            var j = i
            while j < scalars.count, !isSpace(scalars[j]), !YAMLOut.isBreak(scalars[j]) { j += 1 }
            if Array(scalars[i..<j]) == token {
                var after = j
                while after < scalars.count, isSpace(scalars[after]) { after += 1 }
                let lead = Array(scalars[lineStarts[line(of: i)]..<i])
                if after < scalars.count, !YAMLOut.isBreak(scalars[after]), scalars[after] != "#" {
                    replace(i..<after, with: "")
                } else if let dashAt = lead.lastIndex(of: "-"), lead[..<dashAt].allSatisfy(isSpace), lead[(dashAt + 1)...].allSatisfy(isSpace),
                          line(of: i) + 1 < lineStarts.count, indentation(line(of: i) + 1) > dashAt + 1, !isComment(line(of: i) + 1) {
                    // `- &a` alone on its line: the content below moves up after the dash (`- name: …`), lined up as before.
                    let next = line(of: i) + 1
                    let from = lineStarts[line(of: i)] + dashAt + 1
                    replace(from..<(lineStarts[next] + indentation(next)), with: String(repeating: " ", count: indentation(next) - dashAt - 1))
                } else {
                    var before = i
                    while before > 0, isSpace(scalars[before - 1]) { before -= 1 }
                    replace(before..<j, with: "")
                }
                return
            }
            i = j
            while i < scalars.count, isSpace(scalars[i]) { i += 1 }
        }
        throw fail("cannot find the anchor '&\(name)'", at: node.start)
    }

    /// The written text of `source` (an anchored node, as the parser gives it at its anchor) without
    /// its own anchor: its properties, and its lines relative to its first line's column.
    func copyText(of source: YAMLNode) throws(YAMLError) -> (properties: String, lines: [String], isBlock: Bool) {
        let s = try start(source), content = try afterProperties(source), end = try contentEnd(source)
        var props = String.UnicodeScalarView()
        props.append(contentsOf: scalars[s..<min(content, end)])
        var properties = String(props).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
            .filter { $0 != "&" + (source.anchor ?? "") && !$0.hasPrefix("#") }.joined(separator: " ")
        if source.anchor == nil, source.tag == nil { properties = "" }
        let body = source.anchor == nil && source.tag == nil ? s : content
        let isBlock = source.collectionStyle == .block
        let indent = column(of: body)
        var lines: [String] = []
        var l = line(of: body)
        while l <= line(of: end) {
            let from = l == line(of: body) ? body : lineStarts[l]
            let to = l == line(of: end) ? end : lineEnd(l)
            var text = Array(scalars[from..<max(from, to)])
            if l != line(of: body) {
                let strip = min(indent, text.prefix(while: { $0 == " " }).count)
                text.removeFirst(strip)
            }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text)
            lines.append(String(view))
            l += 1
        }
        return (properties, lines, isBlock)
    }

    /// Where an alias stands: in a flow collection, as the value of a block mapping key (the key's
    /// column), or as a block sequence item. Read from the text, so merge aliases (`<<: *base`) count too.
    enum AliasPlace { case flow, value(keyColumn: Int), item }

    func place(ofAliasAt at: Int) throws(YAMLError) -> AliasPlace {
        var i = at - 1
        while i >= 0, isSpace(scalars[i]) || YAMLOut.isBreak(scalars[i]) { i -= 1 }
        guard i >= 0 else { throw fail("an alias at the document's root", at: mark(of: at)) }
        switch scalars[i] {
        case "-": return .item
        case "[", ",", "{": return .flow
        case ":":
            var k = i
            while k > 0, !isSpace(scalars[k - 1]), !YAMLOut.isBreak(scalars[k - 1]), !"{,[".unicodeScalars.contains(scalars[k - 1]) { k -= 1 }
            var j = k - 1
            while j >= 0, isSpace(scalars[j]) { j -= 1 }
            if j >= 0, "{,".unicodeScalars.contains(scalars[j]) { return .flow }
            return .value(keyColumn: column(of: k))
        default:
            throw fail("cannot tell where this alias stands", at: mark(of: at))
        }
    }

    /// Writes the content of `source` (an anchored node) where the alias from `aliasStart` to `aliasEnd`
    /// stands, with the anchor `anchor` when given (the anchor moves there).
    public mutating func materialize(aliasStart: YAMLMark, aliasEnd: YAMLMark, source: YAMLNode, anchor: String?) throws(YAMLError) {
        let at = try offset(aliasStart), end = try offset(aliasEnd)
        let copy = try copyText(of: source)
        let props = ([anchor.map { "&" + $0 }, copy.properties.isEmpty ? nil : copy.properties] as [String?]).compactMap { $0 }.joined(separator: " ")
        let where_ = try place(ofAliasAt: at)
        if copy.isBlock, case .flow = where_ {
            replace(at..<end, with: (props.isEmpty ? "" : props + " ") + inline(YAMLOut(source)))
            return
        }
        if copy.isBlock, case .value(let keyColumn) = where_ {
            // `key: *a` → `key: &a` and the block below the key, in the document's layout.
            let indent = keyColumn + (source.kind == .sequence ? layout.seqIndent : layout.mapIndent)
            let pad = String(repeating: " ", count: indent)
            insertLines(copy.lines.map { $0.isEmpty ? $0 : pad + $0 }, after: line(of: end))
            var from = at
            while from > 0, isSpace(scalars[from - 1]) { from -= 1 }
            replace(from..<end, with: props.isEmpty ? "" : " " + props)
            return
        }
        if copy.isBlock {
            // `- *a` → the block after the dash (or on the lines below, when it carries properties).
            let pad = String(repeating: " ", count: column(of: at))
            let rest = copy.lines.dropFirst().map { $0.isEmpty ? $0 : pad + $0 }
            if props.isEmpty {
                insertLines(Array(rest), after: line(of: end))
                replace(at..<end, with: copy.lines.first ?? "")
            } else {
                insertLines(copy.lines.map { $0.isEmpty ? $0 : pad + $0 }, after: line(of: end))
                replace(at..<end, with: props)
            }
            return
        }
        // A scalar or flow collection: its text, continuation lines indented under where it now starts.
        let pad = String(repeating: " ", count: max(1, column(of: at)))
        let lines = copy.lines.enumerated().map { i, text in i == 0 || text.isEmpty ? text : pad + text }
        replace(at..<end, with: (props.isEmpty ? "" : props + " ") + lines.joined(separator: newline))
    }
}
