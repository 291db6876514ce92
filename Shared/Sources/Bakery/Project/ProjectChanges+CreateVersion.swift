// `bakery create version`: a new entry, its folder rendered from the templates, `latest` moved.
import BakeryYAML
import Foundation

extension ProjectChanges {
    public struct NewVersion {
        public var image: String
        public var name: String
        public var subpath: String?
        public var values: [KeyValue] = []
        public var markLatest = true
        public var force = false
        /// Compare the new folder with this version's (`--diff-against`).
        public var diffAgainst: String?
        public init(image: String, name: String) {
            self.image = image
            self.name = name
        }
    }

    public mutating func createVersion(_ new: NewVersion, resolver: VersionResolver) throws(BakeryError) -> ProjectTransaction {
        try Self.checkFolderArgument(new.name, "version name", isName: true)
        if let s = new.subpath { try Self.checkFolderArgument(s, "--subpath", isName: false) }
        let imagePath: [ConfigEditor.Step] = [.key("images"), .named(new.image)]
        guard let image = config.image(named: new.image) else {
            throw BakeryError(.notFound, "Image '\(new.image)' does not exist in the config.", location: location([.key("images")]))
        }
        if image.matrix != nil {
            throw BakeryError(.invalidArgument, "Cannot create version '\(new.name)' for image '\(new.image)' because it defines a matrix.",
                              location: location(imagePath + [.key("matrix")]))
        }
        let existing = image.versions.first { $0.name == new.name }
        if let d = new.diffAgainst, !image.versions.contains(where: { $0.name == d }) {
            throw BakeryError(.notFound, "Version '\(d)' does not exist for image '\(new.image)'.", location: location(ConfigEditor.versionsPath(new.image)))
        }
        if existing != nil && !new.force {
            throw BakeryError(.duplicate, "Version '\(new.name)' already exists for image '\(new.image)'. Use --force to overwrite.",
                              location: location(ConfigEditor.versionsPath(new.image) + [.named(new.name)]))
        }
        let templateDir = root.appendingPathComponent(image.subpath).appendingPathComponent("template")
        guard FileManager.default.fileExists(atPath: templateDir.path) else {
            throw BakeryError(.notFound, "Image '\(new.image)' template path does not exist", location: location(imagePath))
        }
        var editor = try makeEditor()
        // The entry: copied OSes of the last latest version, dependencies from the image's constraints.
        var entry: YAMLOut.Map = ["name": .scalar(new.name)]
        if let s = new.subpath { entry["subpath"] = .scalar(s) }
        if new.markLatest { entry["latest"] = .bool(true) }
        let source = image.versions.last { $0.latest && !$0.os.isEmpty }
        if let source, let node = try editor.versionEntry(new.image, source.name), let os = node["os"] {
            if case .list(let items) = YAMLOut(os) {
                let sorted = items.sorted { a, b in
                    func name(_ v: YAMLOut) -> String { if case .map(let p) = v, case .scalar(let n)? = p["name"] { return n }; return "" }
                    return name(a) < name(b)
                }
                entry["os"] = .list(sorted)
            }
        }
        if !image.dependencyConstraints.isEmpty {
            var deps: [YAMLOut] = []
            do {
                for constraint in image.dependencyConstraints {
                    let versions = try resolver.versions(for: constraint, image: image)
                    deps.append(.map(["dependency": .scalar(constraint.dependency.rawValue), "versions": .list(versions.map { .scalar($0) })]))
                }
            } catch let error as BakeryError where error.code == .versionResolution {
                // The version lists could not be read (no network, offline without a cache): keep the dependencies
                // the latest version pins, and say why.
                guard let source, let node = try editor.versionEntry(new.image, source.name), let pinned = node["dependencies"] else {
                    throw BakeryError(.invalidValue, error.message, location: location(imagePath + [.key("dependencyConstraints")]))
                }
                log.warning("The dependency constraints of image '\(new.image)' could not be resolved (\(error.message)); copied the dependencies of version '\(source.name)' instead (edit them in bakery.yaml if newer ones are wanted, or run again online or with BAKERY_SOURCES_MIRROR)")
                if case .list(let items) = YAMLOut(pinned) { deps = items }
            } catch {
                throw BakeryError(.invalidValue, "\(error)", location: location(imagePath + [.key("dependencyConstraints")]))
            }
            if !deps.isEmpty { entry["dependencies"] = .list(deps) }
        }
        if !new.values.isEmpty { entry["values"] = .map(Self.map(new.values)) }

        if new.markLatest { try editor.clearLatest(new.image, except: nil) }
        if existing != nil {
            try editor.replaceVersion(new.image, new.name, with: .map(entry))
        } else {
            try editor.addVersion(new.image, .map(entry), name: new.name)
        }
        let updated = try reload(editor.text)
        guard let newImage = updated.image(named: new.image), let version = newImage.versions.first(where: { $0.name == new.name }) else {
            throw notRecorded("version", ConfigEditor.versionsPath(new.image))
        }
        var t = transaction(writing: editor.text)
        t.own("\(newImage.subpath)/\(version.subpath)")
        let ownFolder = existing.map { "\(image.subpath)/\($0.subpath)" }
        if ownFolder != "\(newImage.subpath)/\(version.subpath)", occupied("\(newImage.subpath)/\(version.subpath)") {
            throw BakeryError(.unsafePath, "The folder '\(newImage.subpath)/\(version.subpath)' already exists, and no version in bakery.yaml uses it; move it away (or give the version another --subpath) and try again.")
        }
        if let existing, existing.subpath != version.subpath {
            t.own("\(image.subpath)/\(existing.subpath)")
            t.move("\(image.subpath)/\(existing.subpath)", to: "\(image.subpath)/\(version.subpath)")
        }
        let destination = "\(newImage.subpath)/\(version.subpath)"
        let rendered = try VersionRendering.render(image: newImage, version: version, matrix: false, root: root, destination: destination, log: log)
        t.write(rendered)
        if let d = new.diffAgainst, let previous = image.versions.first(where: { $0.name == d }) {
            let oldFiles = try EditionDiff.files(root: root, folder: "\(image.subpath)/\(previous.subpath)")
            var newFiles: [String: Data] = [:]
            for f in rendered { newFiles[String(f.path.dropFirst(destination.count + 1))] = f.contents }
            editionDiff = EditionDiff.markdown(image: new.image, old: oldFiles, new: newFiles)
        }
        return t
    }
}
