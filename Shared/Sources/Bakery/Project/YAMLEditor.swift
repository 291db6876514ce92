// Edits to bakery.yaml that keep every byte they do not mean to change: comments, blank lines,
// quoting, indentation, key order and line endings stay as the user wrote them.
import BakeryYAML
import Foundation

/// A value to write into bakery.yaml.
public indirect enum YAMLOut: Sendable, Equatable {
    case scalar(String)
    /// A number, written plain.
    case number(String)
    case bool(Bool)
    case list([YAMLOut])
    case map([(String, YAMLOut)])

    public static func == (a: YAMLOut, b: YAMLOut) -> Bool {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)), (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.list(let x), .list(let y)): return x == y
        case (.map(let x), .map(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}

/// Splices edits into the source text of a YAML document at the node positions libyaml reports.
/// Only block-style collections are edited structurally; flow-style values are replaced whole.
public struct YAMLEditor {
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Lines of the document without their terminators, split at every line break the YAML reader
    /// counts (LF, CRLF, CR, NEL, LS, PS), so line numbers agree with the parser's marks.
    public private(set) var lines: [String]
    /// Each line's own terminator, kept so untouched lines keep their bytes ("" for a last line without one).
    private var breaks: [String]
    /// The terminator of new lines: the document's first.
    public let newline: String
    /// How new string scalars are quoted when plain would be ambiguous or a sibling is quoted.
    public var preferDoubleQuotes = false

    /// A byte order mark before the first line, kept as it was (the reader skips it, so marks exclude it).
    private var byteOrderMark = false

    public init(text: String) {
        var text = text
        if text.unicodeScalars.first == "\u{FEFF}" {
            text.unicodeScalars.removeFirst()
            byteOrderMark = true
        }
        var lines: [String] = [], breaks: [String] = []
        var current = String.UnicodeScalarView()
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let c = pending {
            pending = scalars.next()
            switch c {
            case "\r":
                if pending == "\n" { pending = scalars.next(); breaks.append("\r\n") } else { breaks.append("\r") }
            case "\n", "\u{85}", "\u{2028}", "\u{2029}":
                breaks.append(String(c))
            default:
                current.append(c)
                continue
            }
            lines.append(String(current))
            current = String.UnicodeScalarView()
        }
        if !current.isEmpty {
            lines.append(String(current))
            breaks.append("")
        }
        self.lines = lines
        self.breaks = breaks
        newline = breaks.first { !$0.isEmpty } ?? "\n"
    }

    public var text: String {
        var out = byteOrderMark ? "\u{FEFF}" : ""
        for (line, end) in zip(lines, breaks) { out += line; out += end }
        // A document whose last line had no terminator gets one only if lines were added after it.
        return out
    }

    // MARK: line edits (lines and their terminators together)

    /// A 1-based, inclusive span of lines, checked: a node layout the editor cannot map is an error, never a trap.
    func span(_ first: Int, _ last: Int) throws -> ClosedRange<Int> {
        guard first >= 1, last >= first, last <= lines.count else {
            throw Failure(description: "bakery.yaml: the entry at line \(first) has a layout this editor cannot change safely (anchors, aliases or flow style across lines); edit it by hand")
        }
        return (first - 1)...(last - 1)
    }

    private mutating func removeLines(_ range: ClosedRange<Int>) {
        // The last line may lack a terminator: the line now last takes that over.
        let lastHadNone = range.upperBound == lines.count - 1 && breaks[range.upperBound].isEmpty
        lines.removeSubrange(range)
        breaks.removeSubrange(range)
        if lastHadNone, !breaks.isEmpty { breaks[breaks.count - 1] = "" }
    }

    private mutating func insertLines(_ new: [String], at index: Int) throws {
        guard index >= 0, index <= lines.count else {
            throw Failure(description: "bakery.yaml: cannot insert at line \(index + 1); edit it by hand")
        }
        if index == lines.count, let last = breaks.indices.last, breaks[last].isEmpty { breaks[last] = newline }
        lines.insert(contentsOf: new, at: index)
        breaks.insert(contentsOf: Array(repeating: newline, count: new.count), at: index)
    }

    private func line(_ n: Int) throws -> String {
        guard n >= 1, n <= lines.count else { throw Failure(description: "bakery.yaml: line \(n) is outside the file; edit it by hand") }
        return lines[n - 1]
    }

    /// The 1-based line a node is written on (an alias: where the alias stands, not its anchor).
    static func startLine(_ node: YAMLNode) -> Int { node.aliasMark?.line ?? node.start.line }

    // MARK: spans

    /// The last line (1-based) holding content of `node`.
    static func lastLine(_ node: YAMLNode) -> Int {
        // An alias occupies only the place it stands; its copy's marks are the anchor's.
        if let alias = node.aliasMark { return alias.line }
        switch node.content {
        case .scalar(_, let style):
            if style == .literal || style == .folded { return node.end.column == 1 ? node.end.line - 1 : node.end.line }
            return node.end.column == 1 && node.end.line > node.start.line ? node.end.line - 1 : node.end.line
        case .sequence(let items, let style):
            if style == .flow || items.isEmpty { return node.end.line }
            return lastLine(items.last!)
        case .mapping(let pairs, let style):
            if style == .flow || pairs.isEmpty { return node.end.line }
            return lastLine(pairs.last!.value)
        }
    }

    /// Column (0-based) of the `-` introducing a block sequence item that starts at `item`.
    func dashColumn(of item: YAMLNode) -> Int? {
        let mark = item.aliasMark ?? item.start
        guard mark.line >= 1, mark.line <= lines.count else { return nil }
        let chars = Array(lines[mark.line - 1].unicodeScalars)
        var i = min(mark.column - 2, chars.count - 1)
        while i >= 0 {
            if chars[i] == "-" { return i }
            if chars[i] != " " { return nil }
            i -= 1
        }
        return nil
    }

    // MARK: emitting

    /// Text of a scalar as YAML would read it back as the same string.
    public func scalar(_ s: String) -> String {
        if preferDoubleQuotes { return doubleQuoted(s) }
        let plainSafe = !s.isEmpty && s.allSatisfy { $0.isLetter || $0.isNumber || "._-/+@()$~:#=,".contains($0) || $0 == " " }
            && !s.hasPrefix(" ") && !s.hasSuffix(" ") && !"-?@:#,".contains(s.first!)
            && !s.contains(": ") && !s.contains(" #") && !s.hasSuffix(":")
        if plainSafe {
            if case .string = YAMLScalarValue.resolve(s, style: .plain, tag: nil) { return s }
            return "'" + s + "'"
        }
        // Single quotes only for text YAML reads back unchanged: no line break (any of them would be
        // folded to a space), no control or other non-printable character.
        if !s.contains("'") && !s.contains("\\") && s.unicodeScalars.allSatisfy({ Self.isPrintable($0) && !Self.isBreak($0) }) {
            return "'" + s + "'"
        }
        return doubleQuoted(s)
    }

    /// YAML's printable set (1.2 §5.1) without tab, LF and CR.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        return (0x20...0x7E).contains(v) || v == 0x85 || (0xA0...0xD7FF).contains(v) || (0xE000...0xFFFD).contains(v) && v != 0xFEFF
            || (0x10000...0x10FFFF).contains(v)
    }

    static func isBreak(_ c: Unicode.Scalar) -> Bool { c == "\n" || c == "\r" || c.value == 0x85 || c.value == 0x2028 || c.value == 0x2029 }

    func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{85}": out += "\\N"
            case "\u{2028}": out += "\\L"
            case "\u{2029}": out += "\\P"
            default:
                if Self.isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value <= 0xFF {
                    out += String(format: "\\x%02X", c.value)
                } else {
                    out += String(format: "\\u%04X", c.value)
                }
            }
        }
        return out + "\""
    }

    /// Block lines for `value` under a key or dash whose content starts at `indent` spaces.
    func block(_ value: YAMLOut, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .scalar, .number, .bool: return [pad + inline(value)]
        case .list(let items):
            return items.flatMap { item -> [String] in
                let body = block(item, indent: indent + 2)
                guard let first = body.first else { return [] }
                return [pad + "- " + first.dropFirst(indent + 2)] + body.dropFirst()
            }
        case .map(let pairs):
            return pairs.flatMap { key, v -> [String] in
                switch v {
                case .scalar, .number, .bool: return [pad + key + ": " + inline(v)]
                case .list(let items) where items.isEmpty: return [pad + key + ": []"]
                case .map(let p) where p.isEmpty: return [pad + key + ": {}"]
                case .list: return [pad + key + ":"] + block(v, indent: indent + 2)
                case .map: return [pad + key + ":"] + block(v, indent: indent + 2)
                }
            }
        }
    }

    func inline(_ v: YAMLOut) -> String {
        switch v {
        case .scalar(let s): return scalar(s)
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map(inline).joined(separator: ", ") + "]"
        case .map(let pairs): return "{" + pairs.map { "\($0.0): \(inline($0.1))" }.joined(separator: ", ") + "}"
        }
    }

    // MARK: edits (each invalidates node positions after it: apply from the bottom up)

    /// Removes item `index` of the block sequence `sequence` (the value of `key` in `owner`).
    public mutating func removeItem(_ index: Int, of sequence: YAMLNode, key: YAMLNode) throws {
        guard case .sequence(let items, let style) = sequence.content, style == .block, index < items.count else {
            throw Failure(description: "bakery.yaml: the list at line \(key.start.line) is not in block style; edit it by hand")
        }
        if items.count == 1 {
            // The list becomes empty: `key: []`.
            let first = Self.startLine(items[0]), last = Self.lastLine(items[0])
            let keyLine = key.start.line
            let range = try span(first, last)
            let keyLineText = try line(keyLine)
            removeLines(range)
            if first > keyLine {
                lines[keyLine - 1] = keyText(keyLineText, key: key) + " []"
            }
            return
        }
        let item = items[index]
        var first = Self.startLine(item)
        // Comments directly above the item (same indentation as its dash) belong to it.
        if let dash = dashColumn(of: item) {
            while first - 2 >= 0, first - 1 > (index > 0 ? Self.lastLine(items[index - 1]) : sequence.start.line - 1) {
                let above = lines[first - 2]
                let trimmed = above.unicodeScalars.drop { $0 == " " }
                guard trimmed.first == "#", above.unicodeScalars.count - trimmed.count == dash else { break }
                first -= 1
            }
        }
        var last = Self.lastLine(item)
        // Drop one blank line too when the item was set apart by blank lines on both sides.
        if last >= first, last < lines.count, lines[last].trimmingCharacters(in: .whitespaces).isEmpty,
           first >= 2, lines[first - 2].trimmingCharacters(in: .whitespaces).isEmpty {
            last += 1
        }
        removeLines(try span(first, last))
    }

    /// The key part of `line` (up to and including the colon after `key`).
    func keyText(_ line: String, key: YAMLNode) -> String {
        let chars = Array(line.unicodeScalars)
        guard !chars.isEmpty else { return "" }
        var i = max(0, key.end.column - 1)
        while i < chars.count, chars[i] != ":" { i += 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: chars[0...min(i, chars.count - 1)])
        return String(out)
    }

    /// Inserts `value` as a new item of the block sequence `sequence` (value of `key`) before item
    /// `position` (or at the end), indented like its siblings.
    public mutating func insertItem(_ value: YAMLOut, into sequence: YAMLNode, key: YAMLNode, at position: Int?) throws {
        switch sequence.content {
        case .sequence(let items, .block) where !items.isEmpty:
            let anchor = items[min(position ?? items.count - 1, items.count - 1)]
            guard let dash = dashColumn(of: anchor) else {
                throw Failure(description: "bakery.yaml: cannot find the '-' of the list item at line \(anchor.start.line); edit it by hand")
            }
            let contentIndent = (anchor.aliasMark ?? anchor.start).column - 1
            guard contentIndent > dash else {
                throw Failure(description: "bakery.yaml: cannot line up a new item with the list item at line \(Self.startLine(anchor)); edit it by hand")
            }
            var body = block(value, indent: contentIndent)
            if !body.isEmpty {
                body[0] = String(repeating: " ", count: dash) + "-" + String(repeating: " ", count: contentIndent - dash - 1) + body[0].dropFirst(contentIndent)
            }
            if let position, position < items.count {
                try insertLines(body, at: Self.startLine(items[position]) - 1)
            } else {
                try insertLines(body, at: Self.lastLine(items.last!))
            }
        case .sequence(let items, _) where items.isEmpty:
            // `key: []` (or `key:` with nothing) becomes a block list under the key.
            let keyLine = key.start.line
            let keyIndent = key.start.column - 1
            lines[keyLine - 1] = keyText(try line(keyLine), key: key)
            let body = block(.list([value]), indent: keyIndent + 2)
            try insertLines(body, at: keyLine)
        case .scalar where sequence.resolved == .null:
            let keyLine = key.start.line
            lines[keyLine - 1] = keyText(try line(keyLine), key: key)
            try insertLines(block(.list([value]), indent: key.start.column - 1 + 2), at: keyLine)
        default:
            throw Failure(description: "bakery.yaml: the list at line \(key.start.line) is in flow style; edit it by hand")
        }
    }

    /// Adds `key: value` at the end of the block mapping `mapping`.
    public mutating func appendKey(_ key: String, _ value: YAMLOut, to mapping: YAMLNode) throws {
        guard case .mapping(let pairs, .block) = mapping.content, let firstKey = pairs.first?.key else {
            throw Failure(description: "bakery.yaml: the mapping at line \(mapping.start.line) is not in block style; edit it by hand")
        }
        let body = block(.map([(key, value)]), indent: firstKey.start.column - 1)
        try insertLines(body, at: Self.lastLine(mapping))
    }

    /// Replaces the scalar `node` with `value` (same line).
    public mutating func replaceScalar(_ node: YAMLNode, with value: YAMLOut) throws {
        guard case .scalar = node.content, node.aliasMark == nil, node.start.line == node.end.line || node.end.column == 1 else {
            throw Failure(description: "bakery.yaml: the value at line \(Self.startLine(node)) spans several lines or is an alias; edit it by hand")
        }
        let chars = Array(try line(node.start.line).unicodeScalars)
        let from = node.start.column - 1
        let to = node.end.line == node.start.line ? node.end.column - 1 : chars.count
        guard from >= 0, from <= to, to <= chars.count else {
            throw Failure(description: "bakery.yaml: cannot locate the value at line \(node.start.line); edit it by hand")
        }
        var head = String.UnicodeScalarView(), tail = String.UnicodeScalarView()
        head.append(contentsOf: chars[0..<from])
        tail.append(contentsOf: chars[to...])
        lines[node.start.line - 1] = String(head) + inline(value) + String(tail)
    }

    /// Removes the pair `key: value` from its block mapping.
    public mutating func removePair(_ pair: YAMLPair, in mapping: YAMLNode) throws {
        guard case .mapping(let pairs, .block) = mapping.content else {
            throw Failure(description: "bakery.yaml: the mapping at line \(mapping.start.line) is not in block style; edit it by hand")
        }
        let first = pair.key.start.line, last = Self.lastLine(pair.value)
        let range = try span(first, last)
        let prefixScalars = try line(first).unicodeScalars.prefix(max(0, pair.key.start.column - 1))
        let prefix = String(String.UnicodeScalarView(prefixScalars))
        if prefix.contains("-") {
            // The pair opens a list item (`- latest: true`): the next key takes over the dash.
            guard let next = pairs.first(where: { $0.key.start.line > last }) else {
                throw Failure(description: "bakery.yaml: cannot remove the only key of the list item at line \(first); edit it by hand")
            }
            let nextLine = try line(next.key.start.line)
            lines[next.key.start.line - 1] = prefix + String(String.UnicodeScalarView(nextLine.unicodeScalars.dropFirst(prefixScalars.count)))
        }
        removeLines(range)
    }
}
