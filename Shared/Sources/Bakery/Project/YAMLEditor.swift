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

    /// Lines of the document without their terminators.
    public private(set) var lines: [String]
    public let newline: String
    let endsWithNewline: Bool
    /// How new string scalars are quoted when plain would be ambiguous or a sibling is quoted.
    public var preferDoubleQuotes = false

    public init(text: String) {
        newline = text.contains("\r\n") ? "\r\n" : "\n"
        endsWithNewline = text.utf8.last == 10
        var parts = text.components(separatedBy: newline)
        if endsWithNewline { parts.removeLast() }
        lines = parts
    }

    public var text: String {
        lines.joined(separator: newline) + (lines.isEmpty ? "" : newline)
    }

    // MARK: spans

    /// The last line (1-based) holding content of `node`.
    static func lastLine(_ node: YAMLNode) -> Int {
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
        let line = lines[item.start.line - 1]
        let chars = Array(line)
        var i = min(item.start.column - 2, chars.count - 1)
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
        if !s.contains("'") && !s.contains("\n") && !s.contains("\\") { return "'" + s + "'" }
        return doubleQuoted(s)
    }

    func doubleQuoted(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 { out += String(format: "\\x%02X", c.value) } else { out.unicodeScalars.append(c) }
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
            let first = items[0].start.line, last = Self.lastLine(items[0])
            let keyLine = key.start.line
            lines.replaceSubrange((first - 1)...(last - 1), with: [])
            if first > keyLine {
                lines[keyLine - 1] = keyText(lines[keyLine - 1], key: key) + " []"
            }
            return
        }
        let item = items[index]
        var first = item.start.line
        // Comments directly above the item (same indentation as its dash) belong to it.
        if let dash = dashColumn(of: item) {
            while first - 2 >= 0, first - 1 > (index > 0 ? Self.lastLine(items[index - 1]) : sequence.start.line - 1) {
                let above = lines[first - 2]
                let trimmed = above.drop { $0 == " " }
                guard trimmed.hasPrefix("#"), above.count - trimmed.count == dash else { break }
                first -= 1
            }
        }
        var last = Self.lastLine(item)
        // Drop one blank line too when the item was set apart by blank lines on both sides.
        if last < lines.count, lines[last].trimmingCharacters(in: .whitespaces).isEmpty,
           first >= 2, lines[first - 2].trimmingCharacters(in: .whitespaces).isEmpty {
            last += 1
        }
        lines.removeSubrange((first - 1)...(last - 1))
    }

    /// The key part of `line` (up to and including the colon after `key`).
    func keyText(_ line: String, key: YAMLNode) -> String {
        let chars = Array(line)
        var i = key.end.column - 1
        while i < chars.count, chars[i] != ":" { i += 1 }
        return String(chars[0...min(i, chars.count - 1)])
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
            let contentIndent = anchor.start.column - 1
            var body = block(value, indent: contentIndent)
            if !body.isEmpty {
                body[0] = String(repeating: " ", count: dash) + "-" + String(repeating: " ", count: contentIndent - dash - 1) + body[0].dropFirst(contentIndent)
            }
            if let position, position < items.count {
                lines.insert(contentsOf: body, at: items[position].start.line - 1)
            } else {
                lines.insert(contentsOf: body, at: Self.lastLine(items.last!))
            }
        case .sequence(let items, _) where items.isEmpty:
            // `key: []` (or `key:` with nothing) becomes a block list under the key.
            let keyLine = key.start.line
            let keyIndent = key.start.column - 1
            lines[keyLine - 1] = keyText(lines[keyLine - 1], key: key)
            let body = block(.list([value]), indent: keyIndent + 2)
            lines.insert(contentsOf: body, at: keyLine)
        case .scalar where sequence.resolved == .null:
            let keyLine = key.start.line
            lines[keyLine - 1] = keyText(lines[keyLine - 1], key: key)
            lines.insert(contentsOf: block(.list([value]), indent: key.start.column - 1 + 2), at: keyLine)
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
        lines.insert(contentsOf: body, at: Self.lastLine(mapping))
    }

    /// Replaces the scalar `node` with `value` (same line).
    public mutating func replaceScalar(_ node: YAMLNode, with value: YAMLOut) throws {
        guard case .scalar = node.content, node.start.line == node.end.line || node.end.column == 1 else {
            throw Failure(description: "bakery.yaml: the value at line \(node.start.line) spans several lines; edit it by hand")
        }
        let chars = Array(lines[node.start.line - 1])
        let from = node.start.column - 1
        let to = node.end.line == node.start.line ? node.end.column - 1 : chars.count
        lines[node.start.line - 1] = String(chars[0..<from]) + inline(value) + String(chars[to...])
    }

    /// Removes the pair `key: value` from its block mapping.
    public mutating func removePair(_ pair: YAMLPair, in mapping: YAMLNode) throws {
        guard case .mapping(let pairs, .block) = mapping.content else {
            throw Failure(description: "bakery.yaml: the mapping at line \(mapping.start.line) is not in block style; edit it by hand")
        }
        let first = pair.key.start.line, last = Self.lastLine(pair.value)
        let line = lines[first - 1]
        let prefix = String(line.prefix(pair.key.start.column - 1))
        if prefix.contains("-") {
            // The pair opens a list item (`- latest: true`): the next key takes over the dash.
            guard let next = pairs.first(where: { $0.key.start.line > last }) else {
                throw Failure(description: "bakery.yaml: cannot remove the only key of the list item at line \(first); edit it by hand")
            }
            let nextLine = lines[next.key.start.line - 1]
            lines[next.key.start.line - 1] = prefix + nextLine.dropFirst(prefix.count)
        }
        lines.removeSubrange((first - 1)...(last - 1))
    }
}
