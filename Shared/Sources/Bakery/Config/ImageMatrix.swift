// A matrix image: versions are the combinations of dependency versions and values, named by a pattern.
import BakeryYAML

/// `image.matrix`: expands into one version per combination (expansion happens with the targets).
///
///     matrix.namePattern   // "R{{ Dependencies.R }}-python{{ Dependencies.python }}"
///     matrix.subpath       // "matrix"
public struct ImageMatrix: Sendable, Hashable {
    /// A value of `values:` — one string, or a list of strings to combine.
    public enum Value: Sendable, Hashable {
        case single(String)
        case list([String])

        public var all: [String] {
            switch self {
            case .single(let s): [s]
            case .list(let l): l
            }
        }
    }

    public var subpath: String
    public var dependencyConstraints: [DependencyConstraint]
    public var dependencies: [DependencyVersions]
    /// In source order (the default name pattern uses sorted keys).
    public var values: [(key: String, value: Value)]
    public var namePattern: String
    public var os: [ImageVersionOS]
    public var extraRegistries: [Registry]
    public var overrideRegistries: [Registry]
    public var buildTarget: String?
    public var location: SourceLocation?

    public static func == (a: ImageMatrix, b: ImageMatrix) -> Bool {
        a.subpath == b.subpath && a.dependencyConstraints == b.dependencyConstraints && a.dependencies == b.dependencies
            && a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.value) == b.values.map(\.value)
            && a.namePattern == b.namePattern && a.os == b.os && a.extraRegistries == b.extraRegistries
            && a.overrideRegistries == b.overrideRegistries && a.buildTarget == b.buildTarget
    }

    public func hash(into h: inout Hasher) { h.combine(namePattern) }

    /// `<dep>{{ Dependencies.<dep> }}` for dependencies then constraints, then `<key>{{ Values.<key> }}` by sorted key, joined by `-`.
    public static func defaultNamePattern(dependencies: [DependencyName], constraints: [DependencyName], valueKeys: [String]) -> String {
        let parts = (dependencies + constraints).map { "\($0.rawValue){{ Dependencies.\($0.rawValue) }}" }
            + valueKeys.sorted().map { "\($0){{ Values.\($0) }}" }
        return parts.joined(separator: "-")
    }

    static let keys = ["subpath", "dependencyConstraints", "dependencies", "values", "namePattern", "os", "extraRegistries", "overrideRegistries", "buildTarget"]

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> ImageMatrix? {
        guard let f = reader.object(node, at: path, keys: keys, what: "matrix") else { return nil }
        let before = reader.errorCount
        var subpath = "matrix"
        if let s = f.string("subpath"), let folder = FolderRules.subpath(s, node: f["subpath"], path: path.key("subpath"), reader: reader) {
            subpath = folder
        }
        let constraints = f.list("dependencyConstraints", of: "dependency constraints") { DependencyConstraint.decode($0, $1, reader: reader) }
        let deps = f.list("dependencies", of: "dependencies") { DependencyVersions.decode($0, $1, reader: reader) }
        var values: [(key: String, value: Value)] = []
        if let v = f["values"] {
            if v.kind != .mapping {
                reader.error(v, path.key("values"), "expected a mapping of names to a string or a list of strings, found \(ConfigReader.describe(v))", code: .invalidType)
            }
            for pair in v.pairs {
                guard let key = reader.string(pair.key, path.key("values")) else { continue }
                let p = path.key("values").key(key)
                if pair.value.kind == .sequence {
                    let items = pair.value.items.enumerated().compactMap { reader.string($0.element, p.index($0.offset)) }
                    if items.isEmpty, pair.value.items.isEmpty { reader.error(pair.value, p, "the list of values is empty", hint: "give at least one value") }
                    values.append((key, .list(items)))
                } else if let s = reader.string(pair.value, p) {
                    values.append((key, .single(s)))
                }
            }
        }
        DependencyVersions.checkDuplicates(constraints.map(\.dependency), node: f["dependencyConstraints"], path: path.key("dependencyConstraints"),
                                           reader: reader, message: "duplicate dependency constraints found in image matrix: ")
        DependencyVersions.checkDuplicates(deps.map(\.dependency), node: f["dependencies"], path: path.key("dependencies"),
                                           reader: reader, message: "duplicate dependency definition found in image matrix: ")
        var pattern = f.string("namePattern")
        let patternLabel = pattern ?? defaultNamePattern(dependencies: deps.map(\.dependency), constraints: constraints.map(\.dependency), valueKeys: values.map(\.key))
        let both = deps.map(\.dependency).filter { d in constraints.contains { $0.dependency == d } }
        if !both.isEmpty {
            reader.error(f["dependencies"], path, "the following dependencies are defined in both 'dependencies' and 'dependencyConstraints' for image matrix with name pattern '\(patternLabel)': "
                         + both.map(\.rawValue).joined(separator: ", "), hint: "keep each dependency in one of the two lists")
        }
        if constraints.isEmpty, deps.isEmpty, values.isEmpty, reader.errorCount == before {
            reader.error(node, path, "at least one of 'dependencies', 'dependencyConstraints' or 'values' must be defined for an image matrix",
                         hint: "perhaps use normal image versions instead?")
        }
        if pattern == nil {
            pattern = patternLabel
        }
        if pattern?.isEmpty ?? true, reader.errorCount == before {
            reader.error(node, path.key("namePattern"), "if no dependencies or values are defined, a namePattern must be explicitly set", hint: "add namePattern: …")
        }
        let owner = "image matrix with name pattern '\(patternLabel)'"
        let registries = Registry.decodeLevel(f, reader: reader, owner: " for image matrix with name pattern '\(patternLabel)'", ownerForError: owner)
        let os = ImageVersionOS.decodeList(f, reader: reader, owner: owner)
        guard reader.errorCount == before, let pattern else { return nil }
        return ImageMatrix(subpath: subpath, dependencyConstraints: constraints, dependencies: deps, values: values, namePattern: pattern,
                           os: os, extraRegistries: registries.extra, overrideRegistries: registries.override,
                           buildTarget: f.optionalString("buildTarget"), location: reader.location(node))
    }
}
