// What a set of changed files asks to rebuild, per image.
import OrderedCollections

/// What a set of changed files asks to rebuild.
public struct ChangeSelection: Sendable, Equatable {
    public struct ImageSelection: Sendable, Equatable {
        public var versions: Set<String> = []
        public var allReleases = false
        public var includeDev = false
        public var matrixLatest = false

        mutating func merge(_ o: ImageSelection) {
            versions.formUnion(o.versions)
            allReleases = allReleases || o.allReleases
            includeDev = includeDev || o.includeDev
            matrixLatest = matrixLatest || o.matrixLatest
        }
    }

    /// Per image, in the order the change first touched them; nil: rebuild everything.
    public var images: OrderedDictionary<String, ImageSelection>?

    public static let full = ChangeSelection(images: nil)
    /// Nothing selected yet (an empty change rebuilds nothing).
    public static let none = ChangeSelection(images: [:])

    public mutating func merge(selection other: ChangeSelection) { merge(other) }

    mutating func add(_ image: String, _ selection: ImageSelection) {
        images?[image, default: ImageSelection()].merge(selection)
    }

    mutating func merge(_ other: ChangeSelection) {
        guard let others = other.images else { self = .full; return }
        for (name, selection) in others { add(name, selection) }
    }

    /// `{'connect': {'versions': {...}, 'include_all_release': False, …}}` as posit-bakery logs it.
    public var summary: String {
        guard let images else { return "full" }
        if images.isEmpty { return "no affected images" }
        return "{" + images.map { name, s in
            let versions = s.versions.isEmpty ? "set()" : "{" + s.versions.sorted().map { "'\($0)'" }.joined(separator: ", ") + "}"
            return "'\(name)': {'versions': \(versions), 'include_all_release': \(s.allReleases ? "True" : "False"), 'include_dev': \(s.includeDev ? "True" : "False"), 'include_matrix_latest': \(s.matrixLatest ? "True" : "False")}"
        }.joined(separator: ", ") + "}"
    }

    /// Classifies changed paths (relative to the project root). `bakeryYAMLChange` is the semantic
    /// diff of bakery.yaml when known; without it a changed bakery.yaml means a full rebuild.
    public static func classify(_ paths: [String], config: BakeryConfig, bakeryYAMLChange: ChangeSelection?) -> ChangeSelection {
        var selection = ChangeSelection(images: [:])
        for path in paths {
            if path.lowercased().hasSuffix(".md") { continue }
            if path == "bakery.yaml" || path == "bakery.yml" {
                guard let change = bakeryYAMLChange else { return .full }
                selection.merge(change)
                if selection.images == nil { return .full }
                continue
            }
            if path.hasPrefix(".github/workflows/") { return .full }
            if path == ".gitignore" || path == ".pre-commit-config.yaml" || path.hasPrefix(".idea/") || path.hasPrefix(".claude/") || path.hasPrefix(".github/") {
                continue
            }
            guard let image = config.images.first(where: { path == $0.subpath || path.hasPrefix($0.subpath + "/") }) else { return .full }
            let remainder = path == image.subpath ? "" : String(path.dropFirst(image.subpath.count + 1))
            var s = ImageSelection()
            if image.matrix != nil {
                s.matrixLatest = true
                s.includeDev = !image.devVersions.isEmpty
            } else if remainder == "template" || remainder.hasPrefix("template/") {
                guard !image.devVersions.isEmpty else { continue }
                s.includeDev = true
            } else if let first = remainder.split(separator: "/").first.map(String.init),
                      image.versions.contains(where: { $0.subpath == first }) {
                s.versions = Set(image.versions.filter { $0.subpath == first }.map(\.name))
            } else {
                s.allReleases = true
            }
            selection.add(image.name, s)
        }
        return selection
    }

    /// Whether `target` is selected.
    public func keeps(_ target: ImageTarget) -> Bool {
        guard let images else { return true }
        guard let s = images[target.image.name] else { return false }
        if target.version.isDevelopmentVersion { return s.includeDev }
        if target.version.isMatrixVersion { return s.matrixLatest && target.version.latest }
        return s.allReleases || s.versions.contains(target.version.name)
    }
}
