// The node tree built from libyaml events: every node keeps its style, tag, anchor and span.

/// How a scalar was written in the source.
public enum YAMLScalarStyle: String, Sendable, Hashable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// How a sequence or mapping was written in the source.
public enum YAMLCollectionStyle: String, Sendable, Hashable {
    case block, flow
}

/// One key/value entry of a mapping, in source order.
public struct YAMLPair: Sendable {
    public var key: YAMLNode
    public var value: YAMLNode
    /// True when the pair came in through a merge key (`<<: *base`): it is written elsewhere, not in this mapping.
    public var merged: Bool

    public init(key: YAMLNode, value: YAMLNode, merged: Bool = false) {
        self.key = key
        self.value = value
        self.merged = merged
    }
}

/// A YAML node with its source span.
///
///     let doc = try YAMLParser.parse("a: [1, 2]\n")
///     doc?["a"]?.items.count      // 2
///     doc?["a"]?.start            // 1:4
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(String, YAMLScalarStyle)
        case sequence([YAMLNode], YAMLCollectionStyle)
        case mapping([YAMLPair], YAMLCollectionStyle)
    }

    public enum Kind: String, Sendable, Hashable {
        case scalar, sequence, mapping
    }

    public var content: Content
    /// The tag as written after libyaml's handle expansion (e.g. `tag:yaml.org,2002:str`), if any.
    public var tag: String?
    /// The anchor defined on this node (`&name`), if any.
    public var anchor: String?
    public var start: YAMLMark
    public var end: YAMLMark
    /// Where the alias that produced this copy stands, when the node came from `*name`.
    public var aliasMark: YAMLMark?
    /// The anchor name the alias that produced this copy refers to (`name` of `*name`).
    public var aliasName: String?
    /// Just after the node's last character as written (an alias: after `*name`). Unlike `end`, a block
    /// collection's content end is its last child's, not where the next token starts (after comments and blank lines).
    public var contentEnd: YAMLMark
    /// Number of nodes in this subtree, itself included (used to bound alias expansion).
    public internal(set) var nodeCount: Int

    public init(content: Content, tag: String? = nil, anchor: String? = nil, start: YAMLMark, end: YAMLMark) {
        self.content = content
        self.tag = tag
        self.anchor = anchor
        self.start = start
        self.end = end
        self.contentEnd = end
        switch content {
        case .scalar: nodeCount = 1
        case .sequence(let items, _): nodeCount = 1 + items.reduce(0) { $0 + $1.nodeCount }
        case .mapping(let pairs, _): nodeCount = 1 + pairs.reduce(0) { $0 + $1.key.nodeCount + $1.value.nodeCount }
        }
    }

    public var kind: Kind {
        switch content {
        case .scalar: .scalar
        case .sequence: .sequence
        case .mapping: .mapping
        }
    }

    /// Where a diagnostic about this node should point: the alias if it came from one.
    public var reportMark: YAMLMark { aliasMark ?? start }

    /// The scalar text, or nil for collections.
    public var scalar: String? {
        if case .scalar(let value, _) = content { return value }
        return nil
    }

    public var scalarStyle: YAMLScalarStyle? {
        if case .scalar(_, let style) = content { return style }
        return nil
    }

    public var collectionStyle: YAMLCollectionStyle? {
        switch content {
        case .scalar: nil
        case .sequence(_, let style), .mapping(_, let style): style
        }
    }

    /// Items of a sequence; empty for other kinds.
    public var items: [YAMLNode] {
        if case .sequence(let items, _) = content { return items }
        return []
    }

    /// Entries of a mapping; empty for other kinds.
    public var pairs: [YAMLPair] {
        if case .mapping(let pairs, _) = content { return pairs }
        return []
    }

    /// The value for a scalar key of a mapping.
    public subscript(key: String) -> YAMLNode? {
        pairs.first { $0.key.scalar == key }?.value
    }

    /// The scalar's type under the YAML 1.2 core schema (what the reference's loader uses).
    public var resolved: YAMLScalarValue? {
        guard case .scalar(let text, let style) = content else { return nil }
        return YAMLScalarValue.resolve(text, style: style, tag: tag)
    }
}
