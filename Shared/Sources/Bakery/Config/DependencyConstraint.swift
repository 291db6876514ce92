// A dependency with a version constraint, resolved against available releases (needs the network; later issue).
import BakeryYAML

/// A dependency with a version constraint, resolved against available releases (needs the network; later issue).
public struct DependencyConstraint: Sendable, Hashable {
    public var dependency: DependencyName
    public var constraint: VersionConstraint
    public var prerelease: Bool

    public init(dependency: DependencyName, constraint: VersionConstraint, prerelease: Bool = false) {
        self.dependency = dependency
        self.constraint = constraint
        self.prerelease = prerelease
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> DependencyConstraint? {
        guard let f = reader.object(node, at: path, keys: ["dependency", "constraint", "prerelease"], forbidUnknown: true,
                                    what: "dependency constraint") else { return nil }
        let dep = f.value("dependency", required: true, hint: "name it: dependency: python").flatMap {
            DependencyName.decode($0, path.key("dependency"), reader: reader)
        }
        let constraint = f.value("constraint", required: true, hint: "add e.g. 'constraint: {latest: true}'").flatMap {
            VersionConstraint.decode($0, path.key("constraint"), reader: reader)
        }
        var prerelease = false
        if let p = f["prerelease"] {
            if let dep, !dep.supportsPrerelease {
                reader.error(p, path.key("prerelease"), "'prerelease' is not available for \(dep.rawValue)",
                             hint: "only quarto and positron have pre-releases; remove the key", code: .unknownKey)
            } else {
                prerelease = reader.bool(p, path.key("prerelease")) ?? false
            }
        }
        guard let dep, let constraint else { return nil }
        return DependencyConstraint(dependency: dep, constraint: constraint, prerelease: prerelease)
    }
}
