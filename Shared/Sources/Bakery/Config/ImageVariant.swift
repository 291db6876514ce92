// Image variants (e.g. Standard / Minimal): one Containerfile flavour each, with its own tags and options.
import BakeryYAML

/// A variant of an image.
///
///     variant.name            // "Standard"
///     variant.extension       // "std" (Containerfile.ubuntu2404.std)
///     variant.tagDisplayName  // "std"
public struct ImageVariant: Sendable, Hashable {
    public var name: String
    public var primary: Bool
    public var `extension`: String
    public var tagDisplayName: String
    public var tagAliases: [String]
    public var tagPatterns: [TagPattern]
    /// As configured, or a default-valued entry per tool when the variant sets none.
    public var options: [ToolOptions]
    public var location: SourceLocation?

    public init(name: String, primary: Bool = false, extension: String? = nil, tagDisplayName: String? = nil,
                tagAliases: [String] = [], tagPatterns: [TagPattern] = [], options: [ToolOptions]? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.primary = primary
        self.extension = `extension` ?? NameDerivation.extension(name)
        self.tagDisplayName = tagDisplayName ?? NameDerivation.tagDisplayName(name)
        self.tagAliases = tagAliases
        self.tagPatterns = tagPatterns
        self.options = options ?? ToolOptions.defaults
        self.location = location
    }

    static let keys = ["name", "primary", "extension", "tagDisplayName", "tagAliases", "tagPatterns", "options"]

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> ImageVariant? {
        guard let f = reader.object(node, at: path, keys: keys, what: "variant") else { return nil }
        let name = f.string("name", required: true, hint: "name the variant, e.g. name: Standard")
        let ext = f.patterned("extension", matches: NameDerivation.isValidExtension, what: "file extension",
                              rule: "use one or more of a-z A-Z 0-9 _ -; it ends Containerfile names")
        if let name, f.has("extension") == false, NameDerivation.extension(name).isEmpty {
            reader.error(node, path.key("extension"), "variant '\(name)' has no letters or digits to derive a file extension from",
                         hint: "set 'extension:' explicitly")
        }
        let tagName = f.patterned("tagDisplayName", matches: NameDerivation.isValidTagName, what: "tag display name",
                                  rule: "use one or more of a-z A-Z 0-9 _ . -")
        let aliases = f.list("tagAliases", of: "tag aliases") { n, p -> String? in
            guard let s = reader.string(n, p) else { return nil }
            guard NameDerivation.isValidTagName(s) else {
                reader.error(n, p, "'\(s)' is not a valid tag alias", hint: "use one or more of a-z A-Z 0-9 _ . -")
                return nil
            }
            return s
        }
        let patterns = f.list("tagPatterns", of: "tag patterns") { TagPattern.decode($0, $1, reader: reader) }
        let options: [ToolOptions]? = f.has("options") ? f.list("options", of: "tool options") { ToolOptions.decode($0, $1, reader: reader) } : nil
        if let options { checkDuplicateTools(options, f: f, reader: reader) }
        let primary = f.bool("primary") ?? false
        guard let name else { return nil }
        return ImageVariant(name: name, primary: primary, extension: ext, tagDisplayName: tagName,
                            tagAliases: aliases, tagPatterns: patterns, options: options, location: reader.location(node))
    }
}

/// Two entries for the same tool in one `options` list: the second would be ignored, so say so.
func checkDuplicateTools(_ options: [ToolOptions], f: Fields, reader: ConfigReader) {
    var seen = Set<Tool>()
    for (i, o) in options.enumerated() where !seen.insert(o.tool).inserted {
        let node = f["options"]?.items[safe: i]
        reader.error(node, f.path.key("options").index(i), "options for '\(o.tool.rawValue)' are given twice",
                     hint: "merge them into one entry", code: .duplicate)
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
