// `bakery get tags --output component`: the targets' tags nested by image, version, variant and OS.
import OrderedCollections

/// Tags nested by component: image name → version name → [variant name →] [OS name →] tags.
///
///     let tree = try TagTree.byComponent(targets, tagger: Tagger())
///     tree["connect"]?["2026.03.1"]?["Standard"]?["Ubuntu 24.04"]   // .tags(["ghcr.io/…:2026.03.1", …])
///
/// Encoded, a branch is a JSON object and a leaf a JSON array of tags.
public indirect enum TagTree: Sendable, Equatable, Encodable {
    /// A target's tags (the innermost level).
    case tags([String])
    /// Children by component name, in target order.
    case branches(OrderedDictionary<String, TagTree>)

    public subscript(name: String) -> TagTree? {
        if case .branches(let children) = self { return children[name] }
        return nil
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .tags(let tags):
            var c = encoder.singleValueContainer()
            try c.encode(tags)
        case .branches(let children):
            var c = encoder.container(keyedBy: JSONKey.self)
            for (name, child) in children { try c.encode(child, forKey: JSONKey(name)) }
        }
    }

    /// `get tags --output component` for `targets` (already in output order); no targets is an empty branch (`{}`).
    public static func byComponent(_ targets: [ImageTarget], tagger: Tagger) throws -> TagTree {
        var root = Builder()
        for target in targets {
            var path = [target.image.name, target.version.name]
            if let variant = target.variant { path.append(variant.name) }
            if let os = target.os { path.append(os.name) }
            root.set(try tagger.tags(for: target), at: path[...])
        }
        return root.tree
    }

    /// A node while targets are added: its tags once a target ends here, else its children.
    private struct Builder {
        var tags: [String]? = nil
        var children: OrderedDictionary<String, Builder> = [:]

        /// A later target ending at the same node replaces the tags; once a node holds tags, they
        /// are what it lists (the children of a name that is also a leaf are not listed).
        mutating func set(_ newTags: [String], at path: ArraySlice<String>) {
            guard let first = path.first else {
                tags = newTags
                return
            }
            children[first, default: Builder()].set(newTags, at: path.dropFirst())
        }

        var tree: TagTree {
            if let tags { return .tags(tags) }
            return .branches(children.mapValues(\.tree))
        }
    }
}
