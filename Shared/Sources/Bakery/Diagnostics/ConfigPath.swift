// Key paths into bakery.yaml, printed the way users read them: images[0].versions[2].os[0].name

/// A path from the document root to a node.
///
///     let path = ConfigPath().key("images").index(0).key("name")
///     print(path)   // images[0].name
public struct ConfigPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public init(_ components: [Component] = []) { self.components = components }

    public func key(_ name: String) -> ConfigPath { ConfigPath(components + [.key(name)]) }
    public func index(_ i: Int) -> ConfigPath { ConfigPath(components + [.index(i)]) }

    public var isRoot: Bool { components.isEmpty }

    public var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let name):
                if !text.isEmpty { text += "." }
                text += name
            case .index(let i):
                text += "[\(i)]"
            }
        }
        return text.isEmpty ? "(document)" : text
    }
}
