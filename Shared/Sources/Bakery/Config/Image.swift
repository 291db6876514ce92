// An image of the project: its variants, versions, matrix, dev versions, tags and tool options.
import BakeryYAML

/// One `images:` entry.
///
///     image.name          // "connect"
///     image.displayName   // "Posit Connect"
///     image.subpath       // "connect"  (folder below the project root)
///     image.versions.first { $0.latest }?.name
public struct Image: Sendable, Hashable {
    public var name: String
    public var displayName: String
    public var description: String?
    public var documentationURL: HTTPURL?
    public var subpath: String
    public var extraRegistries: [Registry]
    public var overrideRegistries: [Registry]
    public var dependencyConstraints: [DependencyConstraint]
    public var variants: [ImageVariant]
    public var versions: [ImageVersion]
    public var devVersions: [DevVersion]
    public var matrix: ImageMatrix?
    /// As configured, or the default patterns for images without and with a matrix (a configured list replaces them).
    public var tagPatterns: [TagPattern]
    public var buildTarget: String?
    public var buildSecrets: [BuildSecret]
    public var options: [ToolOptions]
    public var location: SourceLocation?

    public init(name: String, displayName: String? = nil, description: String? = nil, documentationURL: HTTPURL? = nil,
                subpath: String? = nil, extraRegistries: [Registry] = [], overrideRegistries: [Registry] = [],
                dependencyConstraints: [DependencyConstraint] = [], variants: [ImageVariant] = [], versions: [ImageVersion] = [],
                devVersions: [DevVersion] = [], matrix: ImageMatrix? = nil, tagPatterns: [TagPattern]? = nil,
                buildTarget: String? = nil, buildSecrets: [BuildSecret] = [], options: [ToolOptions] = [], location: SourceLocation? = nil) {
        self.name = name
        self.displayName = displayName ?? NameDerivation.displayName(name)
        self.description = description
        self.documentationURL = documentationURL
        self.subpath = subpath ?? NameDerivation.subpath(name)
        self.extraRegistries = extraRegistries
        self.overrideRegistries = overrideRegistries
        self.dependencyConstraints = dependencyConstraints
        self.variants = variants
        self.versions = versions
        self.devVersions = devVersions
        self.matrix = matrix
        self.tagPatterns = tagPatterns ?? (matrix == nil ? TagPattern.defaultPatterns : TagPattern.defaultMatrixPatterns)
        self.buildTarget = buildTarget
        self.buildSecrets = buildSecrets
        self.options = options
        self.location = location
    }

    /// Registries for this image's tags: override list, or extra ones followed by the global ones.
    public func registries(global: [Registry]) -> [Registry] {
        Registry.effective(override: overrideRegistries, extra: extraRegistries, inherited: global)
    }

    static let keys = ["name", "displayName", "description", "documentationUrl", "subpath", "extraRegistries", "overrideRegistries",
                       "dependencyConstraints", "variants", "versions", "devVersions", "matrix", "tagPatterns", "buildTarget",
                       "buildSecrets", "options"]

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> Image? {
        guard let f = reader.object(node, at: path, keys: keys, what: "image") else { return nil }
        let name = f.string("name", required: true, hint: "name the image, e.g. name: my-image")
        let label = name ?? "(unnamed)"
        if let name {
            if name.isEmpty {
                reader.error(f["name"], path.key("name"), "the image name is empty", hint: "give the image a name")
            } else if !FolderRules.name(name, what: "image", node: f["name"], path: path.key("name"), reader: reader) {
            } else if !isValidRepositoryName(name) {
                reader.warning(f["name"], path.key("name"), "'\(name)' is not a valid OCI repository name, so its tags will be rejected by registries",
                               hint: "use lower-case letters, digits and '.', '_', '-' separators")
            }
        }
        var displayName: String?
        if let d = f["displayName"] { displayName = reader.string(d, path.key("displayName")) }
        var docURL: HTTPURL?
        if let raw = f.optionalString("documentationUrl") {
            do { docURL = try HTTPURL.validate(raw) } catch {
                reader.error(f["documentationUrl"], path.key("documentationUrl"), "invalid URL: \(error.message)",
                             hint: "write a web address such as https://docs.example.com/")
            }
        }
        var subpath: String?
        if let s = f.string("subpath") { subpath = FolderRules.subpath(s, node: f["subpath"], path: path.key("subpath"), reader: reader) }
        let registries = Registry.decodeLevel(f, reader: reader, owner: " for image '\(label)'", ownerForError: "image '\(label)'")
        let constraints = f.list("dependencyConstraints", of: "dependency constraints") { DependencyConstraint.decode($0, $1, reader: reader) }
        DependencyVersions.checkDuplicates(constraints.map(\.dependency), node: f["dependencyConstraints"], path: path.key("dependencyConstraints"),
                                           reader: reader, message: "duplicate dependency constraints found in image '\(label)': ")
        let variantEntries = f.entries("variants", of: "variants") { ImageVariant.decode($0, $1, reader: reader) }
        let variants = variantEntries.map(\.value)
        reportDuplicates(variantEntries.map { ($0.value.name, $0) }, path: path.key("variants"), reader: reader,
                         message: { "duplicate variant name '\($0)' in image '\(label)'" })
        reportDuplicates(variantEntries.map { ($0.value.extension, $0) }, path: path.key("variants"), reader: reader,
                         message: { "two variants of image '\(label)' share the file extension '\($0)'" }, hint: "their Containerfiles would collide; give each an 'extension'",
                         severity: .warning)
        let versionEntries = f.entries("versions", of: "versions") { ImageVersion.decode($0, $1, reader: reader) }
        let versions = versionEntries.map(\.value)
        reportDuplicates(versionEntries.map { ($0.value.name, $0) }, path: path.key("versions"), reader: reader,
                         message: { "duplicate version '\($0)' in image '\(label)'" })
        checkFolders(versionEntries, matrix: f["matrix"], path: path, label: label, reader: reader)
        let latest = versionEntries.filter { $0.value.latest }
        if latest.count > 1 {
            reader.warning(latest[1].node, path.key("versions").index(latest[1].index),
                           "image '\(label)' has \(latest.count) versions marked latest: " + latest.map(\.value.name).joined(separator: ", "),
                           hint: "every one of them would get the 'latest' tags; keep 'latest: true' on one version")
        }
        let devVersions = f.list("devVersions", of: "development versions") { DevVersion.decode($0, $1, reader: reader, imageName: label) }
        let matrix = f["matrix"].flatMap { m -> ImageMatrix? in
            m.resolved == .null ? nil : ImageMatrix.decode(m, path.key("matrix"), reader: reader)
        }
        let tagPatterns: [TagPattern]? = f.has("tagPatterns") ? f.list("tagPatterns", of: "tag patterns") { TagPattern.decode($0, $1, reader: reader) } : nil
        let secrets = f.list("buildSecrets", of: "build secrets") { BuildSecret.decode($0, $1, reader: reader) }
        let options = f.list("options", of: "tool options") { ToolOptions.decode($0, $1, reader: reader) }
        checkDuplicateTools(options, f: f, reader: reader)
        if versions.isEmpty, devVersions.isEmpty, matrix == nil, !f.has("matrix"), !f.has("versions") || f["versions"]?.kind == .sequence {
            reader.warning(node, path, "no versions, devVersions, or matrix found in image '\(label)'",
                           hint: "add a version with `bakery create version \(label) VERSION`; at least one is required for most commands")
        }
        if matrix != nil, !constraints.isEmpty {
            reader.warning(f["dependencyConstraints"], path.key("dependencyConstraints"),
                           "image '\(label)' defines both 'dependencyConstraints' and a 'matrix'; image-level 'dependencyConstraints' will be ignored",
                           hint: "define them at the matrix level instead")
        }
        let description = f.optionalString("description")
        let buildTarget = f.optionalString("buildTarget")
        guard let name else { return nil }
        return Image(name: name, displayName: displayName, description: description, documentationURL: docURL,
                     subpath: subpath, extraRegistries: registries.extra, overrideRegistries: registries.override,
                     dependencyConstraints: constraints, variants: variants, versions: versions, devVersions: devVersions,
                     matrix: matrix, tagPatterns: tagPatterns, buildTarget: buildTarget, buildSecrets: secrets,
                     options: options, location: reader.location(node))
    }

    /// Version folders (explicit or derived from the name) and the matrix folder, against the template folder and each other.
    private static func checkFolders(_ versions: [Fields.Entry<ImageVersion>], matrix: YAMLNode?, path: ConfigPath, label: String,
                                     reader: ConfigReader) {
        var owners = versions.compactMap {
            FolderRules.Owner(entry: $0, subpath: $0.value.subpath, label: "version '\($0.value.name)'", list: path.key("versions"))
        }
        if let matrix, matrix.kind == .mapping {
            let spelling = matrix["subpath"]?.scalar ?? "matrix"
            if case .success(let folder) = FolderPath.parse(spelling) {
                owners.append(FolderRules.Owner(folder: folder, label: "the matrix", node: matrix["subpath"] ?? matrix,
                                                path: matrix["subpath"] != nil ? path.key("matrix").key("subpath") : path.key("matrix")))
            }
        }
        FolderRules.checkVersions(owners, imageLabel: "image '\(label)'", reader: reader)
    }

    /// OCI distribution spec repository path component: `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, `/`-separated.
    static func isValidRepositoryName(_ name: String) -> Bool {
        name.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy(isValidRepositoryComponent)
    }

    /// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`, matched by hand: runs of lower-case letters and digits,
    /// the first and last non-empty, separated by exactly `.`, `_`, `__` or any number of `-`.
    static func isValidRepositoryComponent(_ bytes: some Collection<UInt8>) -> Bool {
        func isAlphanumeric(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
        }
        var separator: [UInt8] = []
        var afterAlphanumeric = false
        for b in bytes {
            if isAlphanumeric(b) {
                if !separator.isEmpty {
                    let valid = separator == [UInt8(ascii: ".")] || separator == [UInt8(ascii: "_")]
                        || separator == [UInt8(ascii: "_"), UInt8(ascii: "_")] || separator.allSatisfy { $0 == UInt8(ascii: "-") }
                    guard valid else { return false }
                    separator.removeAll(keepingCapacity: true)
                }
                afterAlphanumeric = true
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") {
                guard afterAlphanumeric else { return false }
                separator.append(b)
            } else {
                return false
            }
        }
        return afterAlphanumeric && separator.isEmpty
    }
}

/// Reports the second and later occurrences of a name, pointing at the repeated entry.
func reportDuplicates<T>(_ names: [(String, Fields.Entry<T>)], path: ConfigPath, reader: ConfigReader,
                         message: (String) -> String, hint: String = "names must be unique; remove or rename one",
                         severity: Diagnostic.Severity = .error) {
    var first: [String: Int] = [:]
    for (name, entry) in names {
        if let j = first[name] {
            reader.report(severity, .duplicate, entry.node, path.index(entry.index), message(name),
                          hint: hint + "; the first is \(path.index(j))")
        } else {
            first[name] = entry.index
        }
    }
}
