// One OS a version (or matrix, or dev version) is built on, with its platforms.
import BakeryYAML

/// An OS entry of a version.
///
///     os.name            // "Ubuntu 24.04"
///     os.extension       // "ubuntu2404"   (Containerfile.ubuntu2404)
///     os.tagDisplayName  // "ubuntu-24.04" (tags)
///     os.buildOS.codename // "noble"
public struct ImageVersionOS: Sendable, Hashable {
    public var name: String
    public var primary: Bool
    public var platforms: [Platform]
    public var `extension`: String
    public var tagDisplayName: String
    public var artifactDownloadURL: String?
    public var location: SourceLocation?

    public init(name: String, primary: Bool = false, platforms: [Platform] = [.amd64], extension: String? = nil,
                tagDisplayName: String? = nil, artifactDownloadURL: String? = nil, location: SourceLocation? = nil) {
        self.name = name
        self.primary = primary
        self.platforms = platforms
        self.extension = `extension` ?? NameDerivation.extension(name)
        self.tagDisplayName = tagDisplayName ?? NameDerivation.tagDisplayName(name)
        self.artifactDownloadURL = artifactDownloadURL
        self.location = location
    }

    public var buildOS: BuildOS { BuildOS.identify(name) }

    /// Identity for de-duplication: (name, extension, tagDisplayName).
    var identity: [String] { [name, self.extension, tagDisplayName] }

    public static func == (a: ImageVersionOS, b: ImageVersionOS) -> Bool {
        a.name == b.name && a.primary == b.primary && a.platforms == b.platforms && a.extension == b.extension
            && a.tagDisplayName == b.tagDisplayName && a.artifactDownloadURL == b.artifactDownloadURL
    }

    public func hash(into h: inout Hasher) { h.combine(identity) }

    static let keys = ["name", "primary", "platforms", "extension", "tagDisplayName", "artifactDownloadURL"]

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> ImageVersionOS? {
        guard let f = reader.object(node, at: path, keys: keys, what: "OS entry") else { return nil }
        let name = f.string("name", required: true, hint: "name the OS, e.g. name: Ubuntu 24.04")
        let primary = f.bool("primary") ?? false
        var platforms: [Platform] = [.amd64]
        if f.has("platforms") {
            platforms = f.list("platforms", of: "platforms") { node, p in
                guard let s = reader.string(node, p) else { return nil }
                guard let platform = Platform(rawValue: s) else {
                    reader.error(node, p, "unsupported platform '\(s)'",
                                 hint: "use " + Platform.allCases.map(\.rawValue).joined(separator: " or "))
                    return nil
                }
                return platform
            }
        }
        let ext = f.patterned("extension", matches: NameDerivation.isValidExtension, what: "file extension",
                              rule: "use one or more of a-z A-Z 0-9 _ -; it ends Containerfile names")
        let tagName = f.patterned("tagDisplayName", matches: NameDerivation.isValidTagName, what: "tag display name",
                                  rule: "use one or more of a-z A-Z 0-9 _ . -")
        var url: String?
        if let u = f.optionalString("artifactDownloadURL") {
            if ArtifactURL.isValid(u) {
                url = u
            } else {
                reader.error(f["artifactDownloadURL"], path.key("artifactDownloadURL"), "'\(u)' is not an http(s) URL",
                             hint: "write a full URL such as https://example.com/pkg-$VERSION.deb ($VAR and ${VAR} are allowed)")
            }
        }
        guard let name else { return nil }
        return ImageVersionOS(name: name, primary: primary, platforms: platforms, extension: ext, tagDisplayName: tagName,
                              artifactDownloadURL: url, location: reader.location(node))
    }

    /// Reads an `os:` list and applies the reference's processing: duplicates dropped, sorted by name,
    /// a single OS made primary, at most one primary.
    static func decodeList(_ f: Fields, reader: ConfigReader, owner: String, announceAutoPrimary: Bool = true) -> [ImageVersionOS] {
        let entries = f.entries("os", of: "OS entries") { decode($0, $1, reader: reader) }.map { ($0.value, $0.node) }
        let listNode = f["os"] ?? f.node
        let path = f.path.key("os")
        if entries.isEmpty, f["os"]?.items.isEmpty ?? true {
            reader.warning(listNode, path, "no OSes defined for \(owner)",
                           hint: "add an 'os' list; at least one OS should be defined for complete tagging and labeling of images")
        }
        var seen = Set<[String]>()
        var unique: [(ImageVersionOS, YAMLNode)] = []
        for (os, node) in entries {
            if seen.contains(os.identity) {
                reader.warning(node, path, "duplicate OS defined in config for \(owner): \(os.name)", hint: "remove the repeated entry", code: .duplicate)
                continue
            }
            seen.insert(os.identity)
            unique.append((os, node))
        }
        unique = stableSorted(unique) { $0.0.name < $1.0.name }
        var result = unique.map(\.0)
        if result.count == 1, !result[0].primary {
            result[0].primary = true
            if announceAutoPrimary {
                reader.info(unique[0].1, path, "only one OS, \(result[0].name), defined for \(owner); marking it as primary OS")
            }
        }
        let primaries = unique.filter { $0.0.primary }
        if primaries.count > 1 {
            reader.error(primaries[1].1, path, "only one OS can be marked as primary for \(owner); found \(primaries.count) OSes marked primary",
                         hint: "keep 'primary: true' on one OS only; the other is at line \(primaries[0].1.start.line)")
        } else if !result.contains(where: \.primary) {
            reader.warning(listNode, path, "no OS marked as primary for \(owner)",
                           hint: "mark one OS 'primary: true'; at least one OS should be primary for complete tagging and labeling of images")
        }
        return result
    }
}
