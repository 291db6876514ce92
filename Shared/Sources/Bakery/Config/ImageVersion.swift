// A version of an image: its folder, OSes, pinned dependencies, values and registries.
import BakeryYAML

/// One `versions:` entry (also the rows a matrix expands to, and resolved dev versions).
///
///     version.name      // "2026.03.1"
///     version.subpath   // "2026.03"
///     version.os.first { $0.primary }?.name
public struct ImageVersion: Sendable, Hashable {
    public var name: String
    public var subpath: String
    public var extraRegistries: [Registry]
    public var overrideRegistries: [Registry]
    public var latest: Bool
    public var os: [ImageVersionOS]
    public var dependencies: [DependencyVersions]
    public var values: [String: String]
    public var buildTarget: String?
    public var location: SourceLocation?

    // Set by later stages, never read from bakery.yaml.
    public var isEphemeral = false
    public var isDevelopmentVersion = false
    public var isMatrixVersion = false
    public var isLatestPatchCombination = false
    public var metadata = VersionMetadata()

    public init(name: String, subpath: String? = nil, extraRegistries: [Registry] = [], overrideRegistries: [Registry] = [],
                latest: Bool = false, os: [ImageVersionOS] = [], dependencies: [DependencyVersions] = [],
                values: [String: String] = [:], buildTarget: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.subpath = subpath ?? NameDerivation.subpath(name)
        self.extraRegistries = extraRegistries
        self.overrideRegistries = overrideRegistries
        self.latest = latest
        self.os = os
        self.dependencies = dependencies
        self.values = values
        self.buildTarget = buildTarget
        self.location = location
    }

    public var primaryOS: ImageVersionOS? { os.first { $0.primary } }

    static let keys = ["name", "subpath", "extraRegistries", "overrideRegistries", "latest", "os", "dependencies", "values", "buildTarget"]

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> ImageVersion? {
        guard let f = reader.object(node, at: path, keys: keys, what: "version") else { return nil }
        let name = f.string("name", required: true, hint: "name the version, e.g. name: \"1.0.0\"")
        var subpath: String?
        if let s = f.string("subpath") {
            subpath = FolderRules.subpath(s, node: f["subpath"], path: path.key("subpath"), reader: reader)
        }
        if let name, !name.isEmpty { FolderRules.name(name, what: "version", node: f["name"], path: path.key("name"), reader: reader) }
        let label = name ?? "(unnamed)"
        let registries = Registry.decodeLevel(f, reader: reader, owner: " for version '\(label)'", ownerForError: "image version '\(label)'")
        let os = ImageVersionOS.decodeList(f, reader: reader, owner: "image version '\(label)'")
        let deps = f.list("dependencies", of: "dependencies") { DependencyVersions.decode($0, $1, reader: reader) }
        DependencyVersions.checkDuplicates(deps.map(\.dependency), node: f["dependencies"], path: path.key("dependencies"), reader: reader,
                                           message: "duplicate dependencies found in version '\(label)': ")
        let values = f.stringMap("values")
        let latest = f.bool("latest") ?? false
        let buildTarget = f.optionalString("buildTarget")
        guard let name else { return nil }
        return ImageVersion(name: name, subpath: subpath, extraRegistries: registries.extra, overrideRegistries: registries.override,
                            latest: latest, os: os, dependencies: deps,
                            values: Dictionary(values, uniquingKeysWith: { a, _ in a }), buildTarget: buildTarget,
                            location: reader.location(node))
    }
}
