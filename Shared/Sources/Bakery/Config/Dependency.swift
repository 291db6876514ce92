// Dependencies an image version bundles (R, Python, Quarto, Positron): pinned versions and constraints.
import BakeryYAML

/// The dependencies bakery knows how to resolve; names are case-sensitive as in bakery.yaml.
public enum DependencyName: String, Sendable, Hashable, CaseIterable {
    case python
    case R
    case quarto
    case positron

    /// Whether a `prerelease` flag is meaningful (only these publish pre-releases).
    public var supportsPrerelease: Bool { self == .quarto || self == .positron }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> DependencyName? {
        guard let s = reader.string(node, path) else { return nil }
        if let name = DependencyName(rawValue: s) { return name }
        let hint = allCases.first { $0.rawValue.lowercased() == s.lowercased() }.map { "did you mean '\($0.rawValue)'? names are case-sensitive" }
            ?? "supported: " + allCases.map(\.rawValue).joined(separator: ", ")
        reader.error(node, path, "unsupported dependency '\(s)'", hint: hint)
        return nil
    }
}

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

/// Which versions of a dependency to take from its available releases.
///
///     VersionConstraint(latest: true, count: 2)   // the two newest minor lines
///     VersionConstraint(max: "4.4", count: 1)      // newest 4.4.x
public struct VersionConstraint: Sendable, Hashable {
    public var latest: Bool?
    public var count: Int?
    public var max: String?
    public var min: String?

    public init(latest: Bool? = nil, count: Int? = nil, max: String? = nil, min: String? = nil) {
        self.latest = latest
        self.count = count
        self.max = max
        self.min = min
        if latest == true, count == nil, max == nil, min == nil { self.count = 1 }
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> VersionConstraint? {
        guard let f = reader.object(node, at: path, keys: ["latest", "count", "max", "min"], forbidUnknown: true,
                                    what: "version constraint") else { return nil }
        let before = reader.errorCount
        let latest = f.bool("latest")
        let count = f.int("count")
        if let count, count <= 0 {
            reader.error(f["count"], path.key("count"), "count must be greater than 0, found \(count)", hint: "use 1 or more")
        }
        func bound(_ key: String) -> String? {
            guard let v = f[key] else { return nil }
            switch v.resolved {
            case .int(let text, _)?, .float(let text)?: return text  // numbers are accepted and stringified
            default: return reader.string(v, path.key(key))
            }
        }
        let max = bound("max"), min = bound("min")
        let latestSet = f.has("latest"), maxSet = f.has("max"), minSet = f.has("min"), countSet = f.has("count")
        if !latestSet && !maxSet {
            reader.error(node, path, "version constraint must specify 'latest' or 'max'", hint: "add 'latest: true' or 'max: \"4.4\"'")
        }
        if latestSet && maxSet {
            reader.error(f["max"], path, "cannot specify both 'latest' and 'max' in a version constraint", hint: "remove one of them")
        }
        if countSet && latestSet && minSet {
            reader.error(f["count"], path, "cannot specify 'count' with both 'latest' and 'min' in a version constraint", hint: "remove 'count' or 'min'")
        }
        if countSet && maxSet && minSet {
            reader.error(f["count"], path, "cannot specify 'count' with both 'max' and 'min' in a version constraint", hint: "remove 'count' or one bound")
        }
        if let min, let max, let lo = ReleaseNumbers(min), let hi = ReleaseNumbers(max), lo > hi {
            reader.error(f["min"], path, "'min' (\(min)) is greater than 'max' (\(max)) in a version constraint", hint: "swap them")
        }
        guard reader.errorCount == before else { return nil }
        return VersionConstraint(latest: latest, count: count, max: max, min: min)
    }
}

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
