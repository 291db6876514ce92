// Pinned versions of one dependency (`{dependency: R, versions: [4.5.2, 4.4.3]}`; `version` is an alias).
import BakeryYAML

/// Pinned versions of one dependency (`{dependency: R, versions: [4.5.2, 4.4.3]}`; `version` is an alias).
///
///     DependencyVersions(dependency: .python, versions: ["3.14.3", "3.13.12"])
public struct DependencyVersions: Sendable, Hashable {
    public var dependency: DependencyName
    public var versions: [String]

    public init(dependency: DependencyName, versions: [String]) {
        self.dependency = dependency
        self.versions = versions
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> DependencyVersions? {
        guard let f = reader.object(node, at: path, keys: ["dependency", "versions", "version"], forbidUnknown: true,
                                    what: "dependency") else { return nil }
        let dep = f.value("dependency", required: true, hint: "name it: dependency: R").flatMap {
            DependencyName.decode($0, path.key("dependency"), reader: reader)
        }
        let key = f.has("versions") ? "versions" : "version"
        if f.has("versions"), f.has("version") {
            reader.error(f["version"], path.key("version"), "both 'version' and 'versions' are set", hint: "keep one of them")
        }
        guard let vnode = f.value(key, required: !f.has("version") && !f.has("versions"),
                                  hint: "list the versions: versions: [\"4.5.2\"], or version: \"4.5.2\"") else { return nil }
        var versions: [String] = []
        if vnode.kind == .sequence {
            versions = vnode.items.enumerated().compactMap { reader.string($0.element, path.key(key).index($0.offset)) }
            if versions.count != vnode.items.count { return nil }
        } else {
            guard let s = reader.string(vnode, path.key(key)) else { return nil }
            versions = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingASCIIWhitespace() }
            if s.trimmingASCIIWhitespace().isEmpty { versions = [] }
        }
        if versions.isEmpty {
            reader.error(vnode, path.key(key), "versions list cannot be empty", hint: "give at least one version")
            return nil
        }
        guard let dep else { return nil }
        if dep == .quarto, versions.count > 1 {
            reader.error(vnode, path.key(key),
                         "only one Quarto version may be specified (got \(versions.count))",
                         hint: "the quarto apt package installs to a single /opt/quarto/ directory and cannot coexist with other versions")
            return nil
        }
        return DependencyVersions(dependency: dep, versions: versions)
    }

    /// Reports every dependency named twice in a list.
    static func checkDuplicates(_ items: [DependencyName], node: YAMLNode?, path: ConfigPath, reader: ConfigReader, message: String) {
        var seen = Set<DependencyName>(), dups: [String] = []
        for d in items { if !seen.insert(d).inserted { dups.append(d.rawValue) } }
        if !dups.isEmpty {
            reader.error(node, path, message + dups.joined(separator: ", "), hint: "list each dependency once", code: .duplicate)
        }
    }
}
