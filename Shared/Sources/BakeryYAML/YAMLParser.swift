// Builds a YAMLNode tree from libyaml's event stream, keeping marks, styles, tags and anchors.
import CYAML

/// Parses one YAML document into a `YAMLNode` tree.
///
///     let root = try YAMLParser.parse(text)          // nil for an empty document
///     root?["images"]?.items.first?["name"]?.scalar
///
/// Aliases are resolved into copies of their anchored node (bounded by `limits.maxAliasExpansion`),
/// merge keys (`<<: *base`) are applied, and a duplicate key in a mapping is an error.
public enum YAMLParser {
    public struct Limits: Sendable {
        /// Nodes that alias expansion may add to a document. A "billion laughs" document nests
        /// aliases so that this grows exponentially; real configs stay far below.
        public var maxAliasExpansion: Int
        /// Deepest nesting of collections. Every consumer walks the tree recursively.
        public var maxDepth: Int

        public init(maxAliasExpansion: Int = 100_000, maxDepth: Int = 256) {
            self.maxAliasExpansion = maxAliasExpansion
            self.maxDepth = maxDepth
        }
    }

    public static func parse(_ text: String, limits: Limits = Limits()) throws(YAMLError) -> YAMLNode? {
        try parseDocument(bytes: Array(text.utf8), limits: limits).root
    }

    public static func parse(bytes: [UInt8], limits: Limits = Limits()) throws(YAMLError) -> YAMLNode? {
        try parseDocument(bytes: bytes, limits: limits).root
    }

    /// The node tree plus where every anchor is defined and every alias uses one (what an editor needs).
    public static func parseDocument(_ text: String, limits: Limits = Limits()) throws(YAMLError) -> YAMLDocument {
        try parseDocument(bytes: Array(text.utf8), limits: limits)
    }

    public static func parseDocument(bytes: [UInt8], limits: Limits = Limits()) throws(YAMLError) -> YAMLDocument {
        // A UTF-8 byte order mark (Windows editors write one) is not content: dropped, so a key on the
        // first line parses and columns on that line count from the first character after it.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return try parseDocument(bytes: Array(bytes.dropFirst(3)), limits: limits) }
        var builder = TreeBuilder(limits: limits)
        let result: Result<YAMLDocument, YAMLError> = bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) != 0 else {
                return .failure(YAMLError(code: .syntax, message: "could not initialise the YAML parser (out of memory)", mark: YAMLMark(line: 1, column: 1)))
            }
            defer { yaml_parser_delete(&parser) }
            let empty: [UInt8] = [0]
            if let base = buffer.baseAddress, buffer.count > 0 {
                yaml_parser_set_input_string(&parser, base, buffer.count)
            } else {
                empty.withUnsafeBufferPointer { yaml_parser_set_input_string(&parser, $0.baseAddress!, 0) }
            }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) != 0 else {
                    return .failure(libyamlError(parser))
                }
                defer { yaml_event_delete(&event) }
                do throws(YAMLError) {
                    if try builder.handle(&event) {
                        return .success(YAMLDocument(root: builder.root, anchors: builder.definitions, aliases: builder.uses))
                    }
                } catch {
                    return .failure(error)
                }
            }
        }
        return try result.get()
    }

    private static func libyamlError(_ parser: yaml_parser_t) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        let code: YAMLError.Code = parser.error == YAML_READER_ERROR ? .encoding : .syntax
        var mark = mark(parser.problem_mark)
        if parser.error == YAML_READER_ERROR {
            // The reader reports a byte offset, not a line; say where as well as it can.
            mark = YAMLMark(line: 1, column: 1, index: Int(parser.problem_offset))
            return YAMLError(code: code, message: "\(problem) at byte \(parser.problem_offset)", mark: mark,
                             hint: "save the file as UTF-8")
        }
        return YAMLError(code: code, message: problem, mark: mark, context: context,
                         contextMark: context == nil ? nil : self.mark(parser.context_mark))
    }

    static func mark(_ m: yaml_mark_t) -> YAMLMark {
        YAMLMark(line: Int(m.line) + 1, column: Int(m.column) + 1, index: Int(m.index))
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?, length: Int) -> String {
        guard let pointer, length > 0 else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}

/// Assembles nodes from events with an explicit stack (no recursion on input depth).
private struct TreeBuilder {
    /// An open collection. A class, so appending to the top of the stack never copies its children.
    final class Frame {
        let isMapping: Bool
        let start: YAMLMark
        let anchor: String?
        let tag: String?
        let style: YAMLCollectionStyle
        var items: [YAMLNode] = []
        var pairs: [YAMLPair] = []
        var pendingKey: YAMLNode?
        var seen: [String: SeenKey] = [:]
        /// The content end of the last child completed (keys and merge values included).
        var lastContentEnd: YAMLMark?

        init(isMapping: Bool, start: YAMLMark, anchor: String?, tag: String?, style: YAMLCollectionStyle) {
            self.isMapping = isMapping
            self.start = start
            self.anchor = anchor
            self.tag = tag
            self.style = style
        }
    }

    /// Where a key was first seen, and whether it came in through a merge key (an explicit key may replace those).
    struct SeenKey {
        var mark: YAMLMark
        var merged: Bool
    }

    let limits: YAMLParser.Limits
    var stack: [Frame] = []
    var anchors: [String: (node: YAMLNode, definition: Int)] = [:]
    var definitions: [YAMLDocument.Anchor] = []
    var uses: [YAMLDocument.Alias] = []
    var expanded = 0
    var root: YAMLNode?
    var documents = 0

    init(limits: YAMLParser.Limits) { self.limits = limits }

    /// Returns true at the end of the stream.
    mutating func handle(_ event: inout yaml_event_t) throws(YAMLError) -> Bool {
        let start = YAMLParser.mark(event.start_mark)
        let end = YAMLParser.mark(event.end_mark)
        switch event.type {
        case YAML_STREAM_END_EVENT:
            return true
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(code: .multipleDocuments, message: "a second YAML document starts here",
                                mark: start, hint: "bakery.yaml holds one document; remove the '---' separator and what follows")
            }
        case YAML_SCALAR_EVENT:
            let s = event.data.scalar
            let style: YAMLScalarStyle = switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            let node = YAMLNode(content: .scalar(YAMLParser.string(s.value, length: Int(s.length)), style),
                                tag: YAMLParser.string(s.tag), anchor: YAMLParser.string(s.anchor), start: start, end: end)
            try complete(node)
        case YAML_SEQUENCE_START_EVENT:
            let s = event.data.sequence_start
            try checkDepth(start)
            stack.append(Frame(isMapping: false, start: start, anchor: YAMLParser.string(s.anchor), tag: YAMLParser.string(s.tag),
                               style: s.style == YAML_FLOW_SEQUENCE_STYLE ? .flow : .block))
        case YAML_MAPPING_START_EVENT:
            let m = event.data.mapping_start
            try checkDepth(start)
            stack.append(Frame(isMapping: true, start: start, anchor: YAMLParser.string(m.anchor), tag: YAMLParser.string(m.tag),
                               style: m.style == YAML_FLOW_MAPPING_STYLE ? .flow : .block))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let frame = stack.popLast() else { break }
            let content: YAMLNode.Content = frame.isMapping ? .mapping(frame.pairs, frame.style) : .sequence(frame.items, frame.style)
            var node = YAMLNode(content: content, tag: frame.tag, anchor: frame.anchor, start: frame.start, end: end)
            if frame.style == .block, let last = frame.lastContentEnd { node.contentEnd = last }
            try complete(node)
        case YAML_ALIAS_EVENT:
            let name = YAMLParser.string(event.data.alias.anchor) ?? ""
            guard let entry = anchors[name] else {
                throw YAMLError(code: .undefinedAlias, message: "alias '*\(name)' refers to no anchor defined before it",
                                mark: start, hint: "define '&\(name)' on an earlier node, or fix the alias name")
            }
            var node = entry.node
            let definition = entry.definition
            expanded += node.nodeCount
            if expanded > limits.maxAliasExpansion {
                throw YAMLError(code: .aliasExpansionLimit,
                                message: "aliases expand to more than \(limits.maxAliasExpansion) nodes",
                                mark: start, hint: "the document nests aliases too deeply (an alias bomb?); write the values out or share less")
            }
            node.aliasMark = start
            node.aliasName = name
            node.contentEnd = end
            node.anchor = nil
            uses.append(YAMLDocument.Alias(name: name, start: start, end: end, definition: definition))
            try complete(node)
        default:
            break
        }
        return false
    }

    private func checkDepth(_ mark: YAMLMark) throws(YAMLError) {
        if stack.count >= limits.maxDepth {
            throw YAMLError(code: .nestingLimit, message: "collections nest deeper than \(limits.maxDepth) levels",
                            mark: mark, hint: "flatten the document")
        }
    }

    private mutating func complete(_ node: YAMLNode) throws(YAMLError) {
        if let anchor = node.anchor {
            anchors[anchor] = (node, definitions.count)
            definitions.append(YAMLDocument.Anchor(name: anchor, start: node.start, contentEnd: node.contentEnd))
        }
        guard let frame = stack.last else {
            root = node
            return
        }
        frame.lastContentEnd = node.contentEnd
        guard frame.isMapping else {
            frame.items.append(node)
            return
        }
        guard let key = frame.pendingKey else {
            frame.pendingKey = node
            return
        }
        frame.pendingKey = nil
        if key.scalar == "<<", key.scalarStyle == .plain, key.tag == nil {
            try merge(node, into: frame)
            return
        }
        if let text = key.scalar, let first = frame.seen[text] {
            guard first.merged else {
                throw YAMLError(code: .duplicateKey, message: "duplicate key '\(text)' (first defined at \(first.mark))",
                                mark: key.reportMark, hint: "remove one of the two entries")
            }
            frame.pairs.removeAll { $0.key.scalar == text }
        }
        if let text = key.scalar { frame.seen[text] = SeenKey(mark: key.reportMark, merged: false) }
        frame.pairs.append(YAMLPair(key: key, value: node))
    }

    /// `<<: *base` or `<<: [*a, *b]`: keys not already present are taken from the merged mappings.
    private func merge(_ value: YAMLNode, into frame: Frame) throws(YAMLError) {
        let sources = value.kind == .sequence ? value.items : [value]
        for source in sources {
            guard source.kind == .mapping else {
                throw YAMLError(code: .syntax, message: "a merge key '<<' takes a mapping or a list of mappings",
                                mark: source.reportMark, hint: "merge an anchored mapping, e.g. '<<: *defaults'")
            }
            for pair in source.pairs {
                var pair = pair
                pair.merged = true
                guard let text = pair.key.scalar else { frame.pairs.append(pair); continue }
                if frame.seen[text] != nil { continue }
                frame.seen[text] = SeenKey(mark: pair.key.reportMark, merged: true)
                frame.pairs.append(pair)
            }
        }
    }
}

/// A parsed document with its anchors and aliases, in document order.
///
///     let doc = try YAMLParser.parseDocument("a: &x 1\nb: *x\n")
///     doc.aliases[0].definition      // 0: the alias refers to doc.anchors[0]
public struct YAMLDocument: Sendable {
    /// One `&name` definition: the anchored node starts at `start` (its properties) and ends at `contentEnd`.
    public struct Anchor: Sendable, Hashable {
        public var name: String
        public var start: YAMLMark
        public var contentEnd: YAMLMark
    }

    /// One `*name`, standing from `start` to `end`, referring to `anchors[definition]` (the latest `&name` before it).
    public struct Alias: Sendable, Hashable {
        public var name: String
        public var start: YAMLMark
        public var end: YAMLMark
        public var definition: Int
    }

    public var root: YAMLNode?
    public var anchors: [Anchor]
    public var aliases: [Alias]
}
