// bakery.yaml changes the project commands make, each applied to the source text in place.
import BakeryYAML

/// Edits the text of bakery.yaml. Every step parses the text again, so positions are current.
///
/// Before an edit, the path to the entry it changes is made safe: an alias on the path is written
/// out (the edit must not change the anchored original), an anchored node on the path that aliases
/// use gives its anchor to the first of them (which gets the original content), and anchors inside
/// an entry being removed move the same way. So every edit keeps the meaning of the rest of the file.
/// Errors are located in the file as it was read, never in an intermediate text.
public struct ConfigEditor {
    public private(set) var text: String
    /// The text as read, where errors are located.
    let original: String
    let displayPath: String

    public init(text: String, displayPath: String = "bakery.yaml") {
        self.text = text
        self.original = text
        self.displayPath = displayPath
    }

    /// One step from a node to a child: a mapping key, the list item whose `name` is given, or an item by position.
    enum Step: Equatable {
        case key(String)
        case named(String)
        case index(Int)
    }

    /// A node on a path, with the collection holding it and (in a mapping) its key.
    struct Hop {
        var node: YAMLNode
        var parent: YAMLNode?
        var key: YAMLNode?
        var index = 0
        var merged = false
    }

    // MARK: paths

    /// The hops from the root along `path`, as far as they exist (the root first).
    static func resolve(_ path: [Step], in root: YAMLNode) -> [Hop] {
        var hops = [Hop(node: root)]
        for step in path {
            guard let current = hops.last?.node else { break }
            switch step {
            case .key(let name):
                guard let pair = current.pairs.first(where: { $0.key.scalar == name }) else { return hops }
                hops.append(Hop(node: pair.value, parent: current, key: pair.key, merged: pair.merged))
            case .named(let name):
                guard let i = current.items.firstIndex(where: { $0["name"]?.scalar == name }) else { return hops }
                hops.append(Hop(node: current.items[i], parent: current, index: i))
            case .index(let i):
                guard current.items.indices.contains(i) else { return hops }
                hops.append(Hop(node: current.items[i], parent: current, index: i))
            }
        }
        return hops
    }

    /// Where in the file as read a problem with `path` is reported: its deepest existing node.
    func location(_ path: [Step]) -> SourceLocation {
        guard let root = try? YAMLParser.parse(original) else { return SourceLocation(file: displayPath, line: 1, column: 1) }
        let hops = Self.resolve(path, in: root)
        let mark = hops.count > 1 ? (hops.last?.key?.reportMark ?? hops.last?.node.reportMark) : root.reportMark
        return SourceLocation(file: displayPath, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func failure(_ error: YAMLError, _ path: [Step]) -> BakeryError {
        BakeryError(.editUnsupported, "cannot change this entry safely (\(error.message)); bakery.yaml was not changed",
                    location: location(path), hint: error.hint)
    }

    func document(_ path: [Step]) throws(BakeryError) -> YAMLDocument {
        let doc: YAMLDocument
        do {
            doc = try YAMLParser.parseDocument(text)
        } catch {
            // Only an edit of ours can get here (the file as read was valid): reported at the entry, in the file as read.
            throw failure(error, path)
        }
        guard doc.root != nil else { throw BakeryError(.invalidConfig, "bakery.yaml is empty", location: location([])) }
        return doc
    }

    // MARK: making a path safe to edit

    /// Every node under `root` (aliases not entered, merged keys not visited twice), with its parent and key.
    static func walk(_ root: YAMLNode, _ visit: (YAMLNode, YAMLNode?, YAMLNode?) -> Bool) {
        var stack: [(YAMLNode, YAMLNode?, YAMLNode?)] = [(root, nil, nil)]
        while let (node, parent, key) = stack.popLast() {
            if visit(node, parent, key) { return }
            guard node.aliasMark == nil else { continue }
            for pair in node.pairs.reversed() where !pair.merged { stack.append((pair.value, node, pair.key)) }
            for item in node.items.reversed() { stack.append((item, node, nil)) }
        }
    }

    static func find(_ root: YAMLNode, _ match: (YAMLNode) -> Bool) -> (YAMLNode, YAMLNode?, YAMLNode?)? {
        var found: (YAMLNode, YAMLNode?, YAMLNode?)?
        walk(root) { node, parent, key in
            if match(node) { found = (node, parent, key) }
            return found != nil
        }
        return found
    }

    /// The anchored node of definition `index`.
    static func anchored(_ doc: YAMLDocument, _ index: Int) -> YAMLNode? {
        guard let root = doc.root, doc.anchors.indices.contains(index) else { return nil }
        let def = doc.anchors[index]
        return find(root) { $0.aliasMark == nil && $0.anchor == def.name && $0.start == def.start }?.0
    }

    /// Moves the anchor of definition `index` to its alias `use` (which gets the anchored content).
    static func moveAnchor(_ doc: YAMLDocument, _ index: Int, to use: YAMLDocument.Alias, _ editor: inout YAMLEditor) throws(YAMLError) {
        guard let source = anchored(doc, index) else {
            throw YAMLError(code: .unsupportedEdit, message: "cannot find the anchor '&\(use.name)'", mark: use.start)
        }
        try editor.materialize(aliasStart: use.start, aliasEnd: use.end, source: source, anchor: use.name)
        try editor.removeAnchor(of: source)
    }

    /// Makes `path` safe to edit (see the type's comment) and returns the document and hops to edit.
    /// `removing`: the last node of the path is removed (its anchors move out), not changed.
    mutating func prepare(_ path: [Step], removing: Bool = false) throws(BakeryError) -> (YAMLDocument, [Hop]) {
        for _ in 0..<64 {
            let doc = try document(path)
            guard let root = doc.root else { break }
            let hops = Self.resolve(path, in: root)
            guard hops.count == path.count + 1 else { return (doc, hops) }
            var editor = makeEditor(doc)
            do {
                if try step(doc, hops, removing: removing, &editor) {
                    text = editor.text
                    continue
                }
            } catch {
                throw failure(error, path)
            }
            return (doc, hops)
        }
        throw BakeryError(.editUnsupported, "cannot change this entry safely (too many anchors and aliases to untangle); bakery.yaml was not changed",
                          location: location(path), hint: "edit this part of the file by hand")
    }

    /// One untangling step; false when the path is already safe.
    private func step(_ doc: YAMLDocument, _ hops: [Hop], removing: Bool, _ editor: inout YAMLEditor) throws(YAMLError) -> Bool {
        for (i, hop) in hops.enumerated() where i > 0 {
            if hop.merged, let parent = hop.parent, let key = hop.key?.scalar {
                // A key from a merge (`<<: *base`): written out in this mapping, where it overrides the merge.
                try editor.appendPair(key, YAMLOut(hop.node), to: parent)
                return true
            }
            if let mark = hop.node.aliasMark {
                guard let use = doc.aliases.first(where: { $0.start == mark }), let source = Self.anchored(doc, use.definition) else {
                    throw YAMLError(code: .unsupportedEdit, message: "cannot follow this alias", mark: mark)
                }
                try editor.materialize(aliasStart: use.start, aliasEnd: use.end, source: source, anchor: nil)
                return true
            }
        }
        for (i, hop) in hops.enumerated() where i > 0 && !(removing && i == hops.count - 1) {
            guard let name = hop.node.anchor,
                  let def = doc.anchors.firstIndex(where: { $0.name == name && $0.start == hop.node.start }),
                  let use = doc.aliases.first(where: { $0.definition == def }) else { continue }
            try Self.moveAnchor(doc, def, to: use, &editor)
            return true
        }
        if removing, let removed = hops.last?.node {
            for (def, anchor) in doc.anchors.enumerated() where anchor.start >= removed.start && anchor.start < removed.contentEnd {
                let uses = doc.aliases.filter { $0.definition == def }
                guard let outside = uses.first(where: { $0.start >= removed.contentEnd }) else { continue }
                if let inside = uses.first(where: { $0.start < removed.contentEnd }), let source = Self.anchored(doc, def) {
                    // An alias inside the removed entry comes before the anchor's new place: written out first (it goes anyway).
                    try editor.materialize(aliasStart: inside.start, aliasEnd: inside.end, source: source, anchor: nil)
                } else {
                    try Self.moveAnchor(doc, def, to: outside, &editor)
                }
                return true
            }
        }
        return false
    }

    func makeEditor(_ doc: YAMLDocument) -> YAMLEditor {
        var editor = YAMLEditor(text: text)
        editor.learnLayout(from: doc.root)
        return editor
    }

    /// Makes `path` safe, then applies `body` to it; the result must parse again.
    mutating func edit(_ path: [Step], removing: Bool = false,
                       _ body: (inout YAMLEditor, YAMLDocument, [Hop]) throws(YAMLError) -> Void) throws(BakeryError) {
        let (doc, hops) = try prepare(path, removing: removing)
        var editor = makeEditor(doc)
        do {
            try body(&editor, doc, hops)
        } catch {
            throw failure(error, path)
        }
        let before = text
        text = editor.text
        do {
            _ = try document(path)
        } catch {
            text = before
            throw error
        }
    }

    func notFound(_ message: String, _ path: [Step]) -> BakeryError {
        BakeryError(.notFound, message, location: location(path))
    }

    /// Quote new strings with double quotes when the file's existing names are double-quoted.
    static func prefersDoubleQuotes(_ nodes: [YAMLNode]) -> Bool {
        nodes.contains { $0["name"]?.scalarStyle == .doubleQuoted }
    }

    func current(_ path: [Step]) throws(BakeryError) -> [Hop] {
        let doc = try document(path)
        guard let root = doc.root else { return [] }
        return Self.resolve(path, in: root)
    }

    // MARK: images

    public mutating func appendImage(_ entry: YAMLOut) throws(BakeryError) {
        let path: [Step] = [.key("images")]
        if try current(path).count < 2 {
            try edit([]) { editor, _, hops throws(YAMLError) in try editor.appendPair("images", .list([entry]), to: hops[0].node) }
            return
        }
        try edit(path) { editor, _, hops throws(YAMLError) in
            guard let key = hops[1].key else { return }
            editor.preferDoubleQuotes = Self.prefersDoubleQuotes(hops[1].node.items)
            try editor.insertItem(entry, into: hops[1].node, key: key, in: hops[0].node, at: nil)
        }
    }

    public mutating func removeImage(_ name: String) throws(BakeryError) {
        let path: [Step] = [.key("images"), .named(name)]
        guard try current(path).count == 3 else { throw notFound("Image '\(name)' does not exist in the config.", path) }
        try edit(path, removing: true) { editor, _, hops throws(YAMLError) in
            guard let key = hops[1].key else { return }
            try editor.removeItem(hops[2].index, of: hops[1].node, key: key)
        }
    }

    // MARK: versions

    static func versionsPath(_ image: String) -> [Step] { [.key("images"), .named(image), .key("versions")] }

    public mutating func removeVersion(_ image: String, _ version: String) throws(BakeryError) {
        let path = Self.versionsPath(image) + [.named(version)]
        guard try current(path).count == 5 else {
            throw notFound("Version '\(version)' does not exist for image '\(image)' in the config.", path)
        }
        try edit(path, removing: true) { editor, _, hops throws(YAMLError) in
            guard let key = hops[3].key else { return }
            try editor.removeItem(hops[4].index, of: hops[3].node, key: key)
        }
    }

    /// Removes `latest: true` from every version of `image` except `keep` (a `latest: true` merged in
    /// from elsewhere is overridden with `latest: false` instead; `latest: false` stays as written).
    public mutating func clearLatest(_ image: String, except keep: String?) throws(BakeryError) {
        let names = try current(Self.versionsPath(image)).last?.node.items.compactMap { $0["name"]?.scalar } ?? []
        for name in names where name != keep {
            let entry = Self.versionsPath(image) + [.named(name)]
            guard let version = try current(entry).last?.node, let latest = version.pairs.first(where: { $0.key.scalar == "latest" }) else { continue }
            if latest.merged {
                guard latest.value.resolved == .bool(true) else { continue }
                try edit(entry) { editor, _, hops throws(YAMLError) in try editor.appendPair("latest", .bool(false), to: hops[4].node) }
            } else {
                guard latest.value.resolved == .bool(true) else { continue }
                try edit(entry + [.key("latest")], removing: true) { editor, _, hops throws(YAMLError) in
                    guard let pair = hops[4].node.pairs.first(where: { $0.key.scalar == "latest" && !$0.merged }) else { return }
                    try editor.removePair(pair, in: hops[4].node)
                }
            }
        }
    }

    /// Adds a version entry, placed before the first existing version whose name sorts lower in
    /// reverse string order (posit-bakery sorts the whole list that way; we only place the new entry).
    public mutating func addVersion(_ image: String, _ entry: YAMLOut, name: String) throws(BakeryError) {
        let path = Self.versionsPath(image)
        let hops = try current(path)
        guard hops.count >= 3 else { throw notFound("Image '\(image)' does not exist in the config.", path) }
        if hops.count < 4 {
            try edit(Array(path.dropLast())) { editor, _, hops throws(YAMLError) in
                try editor.appendPair("versions", .list([entry]), to: hops[2].node)
            }
            return
        }
        try edit(path) { editor, _, hops throws(YAMLError) in
            guard let key = hops[3].key else { return }
            let items = hops[3].node.items
            editor.preferDoubleQuotes = Self.prefersDoubleQuotes(items)
            let position = items.firstIndex { ($0["name"]?.scalar ?? "") < name }
            try editor.insertItem(entry, into: hops[3].node, key: key, in: hops[2].node, at: position)
        }
    }

    /// Replaces the entry of version `old` with `entry`, in place (same position in the list).
    public mutating func replaceVersion(_ image: String, _ old: String, with entry: YAMLOut) throws(BakeryError) {
        let path = Self.versionsPath(image)
        let hops = try current(path + [.named(old)])
        guard hops.count == 5 else { throw notFound("Version '\(old)' does not exist for image '\(image)'.", path + [.named(old)]) }
        let index = hops[4].index
        // Insert the new entry before the old one, then remove the old one (now one further down).
        try edit(path) { editor, _, hops throws(YAMLError) in
            guard let key = hops[3].key else { return }
            editor.preferDoubleQuotes = Self.prefersDoubleQuotes(hops[3].node.items)
            try editor.insertItem(entry, into: hops[3].node, key: key, in: hops[2].node, at: index)
        }
        try edit(path + [.index(index + 1)], removing: true) { editor, _, hops throws(YAMLError) in
            guard let key = hops[3].key else { return }
            try editor.removeItem(index + 1, of: hops[3].node, key: key)
        }
    }

    /// Renames version `old` to `new`: only the name scalar changes (its quoting stays when it can hold the new name).
    public mutating func renameVersion(_ image: String, _ old: String, to new: String) throws(BakeryError) {
        let path = Self.versionsPath(image) + [.named(old), .key("name")]
        guard try current(path).count == 6 else { throw notFound("Version '\(old)' does not exist for image '\(image)'.", path) }
        try edit(path) { editor, _, hops throws(YAMLError) in
            let node = hops[5].node
            try editor.replaceScalar(node, with: YAMLOut.spelled(new, like: node.scalarStyle ?? .plain))
        }
    }

    /// Sets `values.KEY` of a version for each pair: an existing value is replaced in place (its
    /// quoting kept), a new key is added at the end of `values`, which is added when missing.
    public mutating func setValues(_ image: String, _ version: String, _ values: [(key: String, value: String)]) throws(BakeryError) {
        let entry = Self.versionsPath(image) + [.named(version)]
        for (k, v) in values {
            guard let node = try current(entry).last?.node, node["name"]?.scalar == version else {
                throw notFound("Version '\(version)' does not exist for image '\(image)'.", entry)
            }
            guard let existing = node["values"], existing.kind == .mapping else {
                if let old = node["values"], old.resolved == .null {
                    try edit(entry + [.key("values")]) { editor, _, hops throws(YAMLError) in
                        guard let key = hops[5].key else { return }
                        try editor.replaceValue(hops[5].node, key: key, in: hops[4].node, with: .map([k: .scalar(v)]))
                    }
                } else {
                    try edit(entry) { editor, _, hops throws(YAMLError) in try editor.appendPair("values", .map([k: .scalar(v)]), to: hops[4].node) }
                }
                continue
            }
            if existing[k] != nil {
                try edit(entry + [.key("values"), .key(k)]) { editor, _, hops throws(YAMLError) in
                    guard let key = hops[6].key else { return }
                    let old = hops[6].node
                    if old.kind == .scalar, old.resolved != .null {
                        try editor.replaceScalar(old, with: YAMLOut.spelled(v, like: old.scalarStyle ?? .plain))
                    } else {
                        try editor.replaceValue(old, key: key, in: hops[5].node, with: .scalar(v))
                    }
                }
            } else {
                try edit(entry + [.key("values")]) { editor, _, hops throws(YAMLError) in
                    try editor.appendPair(k, .scalar(v), to: hops[5].node)
                }
            }
        }
    }

    // MARK: matrix

    /// Sets (or replaces) the `matrix` of an image.
    public mutating func setMatrix(_ image: String, _ matrix: YAMLOut) throws(BakeryError) {
        let imagePath: [Step] = [.key("images"), .named(image)]
        guard try current(imagePath).count == 3 else { throw notFound("Image '\(image)' does not exist in the config.", imagePath) }
        if try current(imagePath + [.key("matrix")]).count == 4 {
            try edit(imagePath + [.key("matrix")], removing: true) { editor, _, hops throws(YAMLError) in
                guard let pair = hops[2].node.pairs.first(where: { $0.key.scalar == "matrix" }) else { return }
                if pair.merged {
                    // A matrix merged in from elsewhere: overridden below by the image's own key.
                    return
                }
                try editor.removePair(pair, in: hops[2].node)
            }
        }
        try edit(imagePath) { editor, _, hops throws(YAMLError) in
            try editor.appendPair("matrix", matrix, to: hops[2].node)
        }
    }

    // MARK: reading

    /// The entry of a version as written in the file: its keys in their order (for copying).
    public func versionEntry(_ image: String, _ version: String) throws(BakeryError) -> YAMLNode? {
        let hops = try current(Self.versionsPath(image) + [.named(version)])
        return hops.count == 5 ? hops[4].node : nil
    }
}
