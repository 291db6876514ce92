// bakery.yaml changes the project commands make, each applied to the source text in place.
import BakeryYAML
import Foundation

/// Edits the text of bakery.yaml. Every operation re-reads the document, so positions are current.
public struct ConfigEditor {
    public private(set) var text: String

    public init(text: String) { self.text = text }

    func root() throws -> YAMLNode {
        do {
            guard let root = try YAMLParser.parse(text) else { throw YAMLEditor.Failure(description: "bakery.yaml is empty") }
            return root
        } catch let e as YAMLError {
            // The text is this command's edit (the file on disk is unchanged): say so, with the edit's position.
            throw YAMLEditor.Failure(description: "the edit would leave bakery.yaml unreadable (it was not changed): bakery.yaml (as edited):\(e.description)")
        }
    }

    func pair(_ key: String, in mapping: YAMLNode) -> YAMLPair? {
        mapping.pairs.first { $0.key.scalar == key }
    }

    /// `images` key and its value.
    func images(_ root: YAMLNode) throws -> YAMLPair {
        guard let p = pair("images", in: root) else { throw YAMLEditor.Failure(description: "bakery.yaml has no 'images' key") }
        return p
    }

    func image(_ name: String, _ root: YAMLNode) throws -> (index: Int, node: YAMLNode) {
        let images = try images(root)
        guard let i = images.value.items.firstIndex(where: { $0["name"]?.scalar == name }) else {
            throw YAMLEditor.Failure(description: "Image '\(name)' does not exist in the config.")
        }
        return (i, images.value.items[i])
    }

    func edited(_ body: (inout YAMLEditor, YAMLNode) throws -> Void) throws -> String {
        let root = try root()
        var editor = YAMLEditor(text: text)
        try body(&editor, root)
        _ = try ConfigEditor(text: editor.text).root()   // the result must still be valid YAML
        return editor.text
    }

    /// Quote new strings with double quotes when the file's existing names are double-quoted.
    static func prefersDoubleQuotes(_ nodes: [YAMLNode]) -> Bool {
        nodes.contains { $0["name"]?.scalarStyle == .doubleQuoted }
    }

    public mutating func appendImage(_ entry: YAMLOut) throws {
        text = try edited { editor, root in
            let images = try images(root)
            editor.preferDoubleQuotes = Self.prefersDoubleQuotes(images.value.items)
            try editor.insertItem(entry, into: images.value, key: images.key, at: nil)
        }
    }

    public mutating func removeImage(_ name: String) throws {
        text = try edited { editor, root in
            let images = try images(root)
            let (i, _) = try image(name, root)
            try editor.removeItem(i, of: images.value, key: images.key)
        }
    }

    public mutating func removeVersion(_ image: String, _ version: String) throws {
        text = try edited { editor, root in
            let (_, node) = try self.image(image, root)
            guard let versions = pair("versions", in: node),
                  let i = versions.value.items.firstIndex(where: { $0["name"]?.scalar == version }) else {
                throw YAMLEditor.Failure(description: "Version '\(version)' does not exist for image '\(image)' in the config.")
            }
            try editor.removeItem(i, of: versions.value, key: versions.key)
        }
    }

    /// Removes `latest` from every version of `image` except `keep`.
    public mutating func clearLatest(_ image: String, except keep: String?) throws {
        while true {
            let root = try root()
            let (_, node) = try self.image(image, root)
            guard let versions = pair("versions", in: node) else { return }
            guard let entry = versions.value.items.first(where: { $0["name"]?.scalar != keep && pair("latest", in: $0) != nil }),
                  let latest = pair("latest", in: entry) else { return }
            var editor = YAMLEditor(text: text)
            try editor.removePair(latest, in: entry)
            text = editor.text
        }
    }

    /// Adds a version entry, placed before the first existing version whose name sorts lower in
    /// reverse string order (posit-bakery sorts the whole list that way; we only place the new entry).
    public mutating func addVersion(_ image: String, _ entry: YAMLOut, name: String) throws {
        text = try edited { editor, root in
            let (_, node) = try self.image(image, root)
            if let versions = pair("versions", in: node) {
                editor.preferDoubleQuotes = Self.prefersDoubleQuotes(versions.value.items)
                let position = versions.value.items.firstIndex { ($0["name"]?.scalar ?? "") < name }
                try editor.insertItem(entry, into: versions.value, key: versions.key, at: position)
            } else {
                try editor.appendKey("versions", .list([entry]), to: node)
            }
        }
    }

    /// Replaces the entry of version `old` with `entry`, in place (same position in the list).
    public mutating func replaceVersion(_ image: String, _ old: String, with entry: YAMLOut) throws {
        let root = try root()
        let (_, node) = try self.image(image, root)
        guard let versions = pair("versions", in: node),
              let i = versions.value.items.firstIndex(where: { $0["name"]?.scalar == old }) else {
            throw YAMLEditor.Failure(description: "Version '\(old)' does not exist for image '\(image)'.")
        }
        let doubleQuotes = Self.prefersDoubleQuotes(versions.value.items)
        // Insert the new entry before the old one, then remove the old one (now one further down).
        text = try edited { editor, root in
            let (_, node) = try self.image(image, root)
            let versions = pair("versions", in: node)!
            editor.preferDoubleQuotes = doubleQuotes
            try editor.insertItem(entry, into: versions.value, key: versions.key, at: i)
        }
        text = try edited { editor, root in
            let (_, node) = try self.image(image, root)
            let versions = pair("versions", in: node)!
            try editor.removeItem(i + 1, of: versions.value, key: versions.key)
        }
    }

    /// Sets (or replaces) the `matrix` of an image.
    public mutating func setMatrix(_ image: String, _ matrix: YAMLOut) throws {
        if let existing = try pair("matrix", in: self.image(image, root()).node) {
            text = try edited { editor, root in
                let (_, node) = try self.image(image, root)
                try editor.removePair(existing, in: node)
            }
        }
        text = try edited { editor, root in
            let (_, node) = try self.image(image, root)
            try editor.appendKey("matrix", matrix, to: node)
        }
    }

    /// The entry of a version as written in the file: its keys in their order (for copying).
    public func versionEntry(_ image: String, _ version: String) throws -> YAMLNode? {
        let (_, node) = try self.image(image, try root())
        return pair("versions", in: node)?.value.items.first { $0["name"]?.scalar == version }
    }

    /// A YAML node as a value to write back.
    public static func out(_ node: YAMLNode) -> YAMLOut {
        switch node.content {
        case .scalar(let s, let style):
            if style == .plain, case .bool(let b) = node.resolved { return .bool(b) }
            if style == .plain, let r = node.resolved {
                switch r {
                case .int, .float: return .number(s)
                default: break
                }
            }
            return .scalar(s)
        case .sequence(let items, _): return .list(items.map(out))
        case .mapping(let pairs, _): return .map(pairs.map { ($0.key.scalar ?? "", out($0.value)) })
        }
    }
}
