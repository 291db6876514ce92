// Subpaths name folders inside the project; they must stay inside it.
import BakeryYAML

enum SubpathRule {
    /// Rejects absolute paths and any `..` component: a subpath is a folder below its parent.
    static func check(_ subpath: String, node: YAMLNode?, path: ConfigPath, reader: ConfigReader) -> Bool {
        if subpath.isEmpty {
            reader.error(node, path, "a subpath cannot be empty", hint: "name a folder, or remove the key to use the default")
            return false
        }
        if subpath.hasPrefix("/") || subpath.hasPrefix("~") {
            reader.error(node, path, "'\(subpath)' is an absolute path", hint: "give a folder relative to the project, e.g. '\(subpath.drop { $0 == "/" || $0 == "~" })'")
            return false
        }
        if subpath.split(separator: "/").contains("..") || subpath.contains("\\") {
            reader.error(node, path, "'\(subpath)' leaves its parent folder", hint: "a subpath must stay inside the project: no '..' components")
            return false
        }
        return true
    }
}
