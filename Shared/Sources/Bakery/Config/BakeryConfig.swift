// The whole bakery.yaml document: repository, global registries and images.
import BakeryYAML

/// A validated bakery.yaml.
///
///     let loaded = try ConfigLoader.load(context: URL(fileURLWithPath: "Connect"))
///     loaded.config.images.map(\.name)   // ["connect", "connect-content", "connect-content-init"]
public struct BakeryConfig: Sendable, Hashable {
    public var repository: Repository
    /// De-duplicated and sorted by base URL.
    public var registries: [Registry]
    public var images: [Image]

    public init(repository: Repository, registries: [Registry] = [], images: [Image] = []) {
        self.repository = repository
        self.registries = registries
        self.images = images
    }

    public func image(named name: String) -> Image? { images.first { $0.name == name } }

    static let keys = ["repository", "registries", "images"]

    /// Decodes the document root; nil when any error was recorded.
    static func decode(_ root: YAMLNode?, reader: ConfigReader) -> BakeryConfig? {
        let path = ConfigPath()
        guard let root, root.resolved != .null else {
            reader.error(nil, path.key("repository"), "the file is empty, so the required 'repository' section is missing",
                         hint: "run `bakery create project` to start a project, or add 'repository:' with a 'url'", code: .missingKey)
            return nil
        }
        guard let f = reader.object(root, at: path, keys: keys, what: "bakery.yaml document") else { return nil }
        let repository = f.value("repository", required: true, hint: "add 'repository:' with at least a 'url'").flatMap {
            Repository.decode($0, path.key("repository"), reader: reader)
        }
        let registryPairs = f.entries("registries", of: "registries") { Registry.decode($0, $1, reader: reader, allowRepository: false) }
            .map { ($0.value, $0.node) }
        let registries = Registry.normalize(registryPairs, reader: reader, path: path.key("registries"), owner: "")
        let imageEntries = f.entries("images", of: "images") { Image.decode($0, $1, reader: reader) }
        let images = imageEntries.map(\.value)
        reportDuplicates(imageEntries.map { ($0.value.name, $0) }, path: path.key("images"), reader: reader,
                         message: { "duplicate image name '\($0)' in the bakery config" })
        let owners = imageEntries.compactMap {
            FolderRules.Owner(entry: $0, subpath: $0.value.subpath, label: "image '\($0.value.name)'", list: path.key("images"))
        }
        FolderRules.checkImages(owners, reader: reader)
        if f["images"].map({ $0.kind == .sequence && $0.items.isEmpty || $0.resolved == .null }) ?? true {
            reader.warning(f["images"] ?? root, path.key("images"), "no images found in the bakery config",
                           hint: "add one with `bakery create image NAME`; at least one image is required for most commands")
        }
        guard reader.errorCount == 0, let repository else { return nil }
        return BakeryConfig(repository: repository, registries: registries, images: images)
    }
}

extension BakeryConfig {
    /// A config without images (classifying paths outside every project of a workspace).
    public static let empty = BakeryConfig(repository: Repository(url: .placeholder))
}
