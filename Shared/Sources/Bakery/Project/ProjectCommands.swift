// What create / update / remove do to a project, computed as a transaction (reference spec §13).
import BakeryYAML
import Foundation

/// A failed project change, with the message for the user.
public struct ProjectError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The project commands. Each returns the transaction to commit (nothing is written before).
public struct ProjectChanges {
    public let root: URL
    public let file: URL
    public let loaded: LoadedConfig
    public let log: TargetLog
    /// The `--diff-against` block of the last `createVersion`, to print after committing.
    public private(set) var editionDiff: String?

    public init(root: URL, log: TargetLog) throws(BakeryError) {
        self.root = root
        self.loaded = try ConfigLoader.load(context: root)
        self.file = loaded.file
        self.log = log
    }

    var config: BakeryConfig { loaded.config }

    /// Whether anything (a link too) is at `relative`: a folder no entry of bakery.yaml owns is never written into.
    func occupied(_ relative: String) -> Bool {
        ProjectDirectory.kind(at: AT_FDCWD, root.appendingPathComponent(relative).path) != .missing
    }

    /// A name or `--subpath` from the command line that will become a folder: checked before anything
    /// is computed, with the same rules validate applies to bakery.yaml.
    public static func checkFolderArgument(_ value: String, _ what: String, isName: Bool) throws(BakeryError) {
        let result = isName ? FolderPath.name(NameDerivation.subpath(value)) : FolderPath.parse(value)
        if case .failure(let problem) = result {
            throw BakeryError(.invalidArgument, "the \(what) '\(FolderRules.printable(value))' \(problem.message)",
                              hint: isName ? "names become folder names: use letters, digits, '.', '_', '-' and '+', with no '/' and not '.' or '..' alone" : problem.hint)
        }
    }

    func currentText() throws -> String {
        // Decoded as is: Foundation's String(data:encoding:) would drop a byte order mark, changing a byte the edit never meant to.
        guard let data = FileManager.default.contents(atPath: file.path), String(data: data, encoding: .utf8) != nil else {
            throw ProjectError("cannot read \(file.path)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Validates edited bakery.yaml text as the new configuration.
    func reload(_ text: String) throws -> BakeryConfig {
        do {
            // Located in the text this command would write, and named so: the file on disk has not changed.
            return try ConfigLoader.load(bytes: Array(text.utf8), displayPath: "\(loaded.displayPath) (as edited)", context: root, file: file).config
        } catch {
            throw ProjectError("the edited bakery.yaml would not be valid:\n\(error.errors.map(\.description).joined(separator: "\n"))")
        }
    }

    func transaction(writing text: String) -> ProjectTransaction {
        var t = ProjectTransaction(root: root)
        t.write(file.lastPathComponent, Data(text.utf8), permissions: (try? FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions]) as? Int)
        return t
    }

    // MARK: remove

    public func removeImage(_ name: String) throws -> ProjectTransaction {
        guard let image = config.image(named: name) else { throw ProjectError("Image '\(name)' does not exist in the config.") }
        var editor = ConfigEditor(text: try currentText())
        try editor.removeImage(name)
        _ = try reload(editor.text)
        var t = transaction(writing: editor.text)
        log.info("Removing image directory \(root.appendingPathComponent(image.subpath).path)")
        t.own(image.subpath)
        t.remove(image.subpath)
        return t
    }

    public func removeVersion(_ imageName: String, _ versionName: String) throws -> ProjectTransaction {
        guard let image = config.image(named: imageName) else { throw ProjectError("Image '\(imageName)' does not exist in the config.") }
        guard let version = image.versions.first(where: { $0.name == versionName }) else {
            throw ProjectError("Version '\(versionName)' does not exist for image '\(imageName)' in the config.")
        }
        var editor = ConfigEditor(text: try currentText())
        try editor.removeVersion(imageName, versionName)
        _ = try reload(editor.text)
        var t = transaction(writing: editor.text)
        log.info("Removing version directory \(root.appendingPathComponent("\(image.subpath)/\(version.subpath)").path)")
        t.own("\(image.subpath)/\(version.subpath)")
        t.remove("\(image.subpath)/\(version.subpath)")
        return t
    }

    // MARK: create image

    public struct NewImage {
        public var name: String
        public var baseImage = "docker.io/library/ubuntu:22.04"
        public var subpath: String?
        public var displayName: String?
        public var description: String?
        public var documentationURL: String?
        public init(name: String) { self.name = name }
    }

    public func createImage(_ new: NewImage) throws -> ProjectTransaction {
        try Self.checkFolderArgument(new.name, "image name", isName: true)
        if let s = new.subpath { try Self.checkFolderArgument(s, "--subpath", isName: false) }
        if config.image(named: new.name) != nil { throw ProjectError("Image '\(new.name)' already exists in config.") }
        var entry: [(String, YAMLOut)] = [("name", .scalar(new.name))]
        if let d = new.displayName { entry.append(("displayName", .scalar(d))) }
        if let d = new.description { entry.append(("description", .scalar(d))) }
        if let u = new.documentationURL {
            guard let url = HTTPURL.parse(u) else { throw ProjectError("--documentation-url '\(u)' is not an http(s) URL") }
            entry.append(("documentationUrl", .scalar(url.text)))
        }
        if let s = new.subpath { entry.append(("subpath", .scalar(s))) }
        var editor = ConfigEditor(text: try currentText())
        try editor.appendImage(.map(entry))
        let updated = try reload(editor.text)
        guard let image = updated.image(named: new.name) else { throw ProjectError("the new image was not recorded") }
        var t = transaction(writing: editor.text)
        t.own("\(image.subpath)/template")
        let template = root.appendingPathComponent(image.subpath).appendingPathComponent("template")
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: template.path)) ?? []
        if !existing.contains(where: { $0.hasPrefix("Containerfile") && $0.hasSuffix(".jinja2") }) {
            t.write("\(image.subpath)/template/Containerfile.jinja2", Data(Self.containerfileTemplate(baseImage: new.baseImage).utf8))
        }
        for empty in ["test/goss.yaml.jinja2", "deps/packages.txt.jinja2"]
        where !FileManager.default.fileExists(atPath: template.appendingPathComponent(empty).path) {
            t.write("\(image.subpath)/template/\(empty)", Data())
        }
        return t
    }

    static func containerfileTemplate(baseImage: String) -> String {
        """
        {#- Containerfile template: rendered into each version folder by `bakery create version` and
            `bakery update files`. Variables: Image.Name, Image.Version, Image.Variant, Image.OS,
            Path.Version, Dependencies, and the version's values. -#}
        {%- import "apt.j2" as apt -%}
        {%- import "dnf.j2" as dnf -%}
        {%- import "python.j2" as python -%}
        {%- import "quarto.j2" as quarto -%}
        {%- import "r.j2" as r -%}
        FROM \(baseImage)

        ### ARG declarations ###
        # Build arguments, e.g. ARG DEBIAN_FRONTEND=noninteractive

        ### ENV declarations ###
        # Environment variables, e.g. ENV LANG=en_US.UTF-8

        ### Install system packages ###
        # e.g. {{ "{{" }} apt.run_install(files="/tmp/packages.txt") {{ "}}" }}

        ### Install dependencies ###
        # Languages and tools: R, Python, Quarto

        ### Install application ###
        # The product itself, pinned to its version

        ### Configure application/image ###
        # Configuration files and users

        ### Copy scripts ###
        # Entrypoint and helper scripts

        ### Finalize image ###
        # USER, EXPOSE, ENTRYPOINT, CMD

        """
    }

    // MARK: create version

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

    public mutating func createVersion(_ new: NewVersion, resolver: VersionResolver) throws -> ProjectTransaction {
        try Self.checkFolderArgument(new.name, "version name", isName: true)
        if let s = new.subpath { try Self.checkFolderArgument(s, "--subpath", isName: false) }
        guard let image = config.image(named: new.image) else { throw ProjectError("Image '\(new.image)' does not exist in the config.") }
        if image.matrix != nil {
            throw ProjectError("Cannot create version '\(new.name)' for image '\(new.image)' because it defines a matrix.")
        }
        let existing = image.versions.first { $0.name == new.name }
        if let d = new.diffAgainst, !image.versions.contains(where: { $0.name == d }) {
            throw ProjectError("Version '\(d)' does not exist for image '\(new.image)'.")
        }
        if existing != nil && !new.force {
            throw ProjectError("Version '\(new.name)' already exists for image '\(new.image)'. Use --force to overwrite.")
        }
        let templateDir = root.appendingPathComponent(image.subpath).appendingPathComponent("template")
        guard FileManager.default.fileExists(atPath: templateDir.path) else {
            throw ProjectError("Image '\(new.image)' template path does not exist")
        }
        var editor = ConfigEditor(text: try currentText())
        // The entry: copied OSes of the last latest version, dependencies from the image's constraints.
        var entry: [(String, YAMLOut)] = [("name", .scalar(new.name))]
        if let s = new.subpath { entry.append(("subpath", .scalar(s))) }
        if new.markLatest { entry.append(("latest", .bool(true))) }
        let source = image.versions.last { $0.latest && !$0.os.isEmpty }
        if let source, let node = try editor.versionEntry(new.image, source.name), let os = node["os"] {
            if case .list(let items) = ConfigEditor.out(os) {
                let sorted = items.sorted { a, b in
                    func name(_ v: YAMLOut) -> String { if case .map(let p) = v, case .scalar(let n)? = p.first(where: { $0.0 == "name" })?.1 { return n }; return "" }
                    return name(a) < name(b)
                }
                entry.append(("os", .list(sorted)))
            }
        }
        if !image.dependencyConstraints.isEmpty {
            var deps: [YAMLOut] = []
            do {
                for constraint in image.dependencyConstraints {
                    let versions = try resolver.versions(for: constraint, image: image)
                    deps.append(.map([("dependency", .scalar(constraint.dependency.rawValue)), ("versions", .list(versions.map { .scalar($0) }))]))
                }
            } catch let error as VersionResolutionError {
                // Offline: keep the dependencies the latest version pins, and say so.
                guard let source, let node = try editor.versionEntry(new.image, source.name), let pinned = node["dependencies"] else {
                    throw ProjectError(error.message)
                }
                log.warning("The dependency constraints of image '\(new.image)' need online version resolution, which this bakery does not do yet; copied the dependencies of version '\(source.name)' instead (edit them in bakery.yaml if newer ones are wanted)")
                if case .list(let items) = ConfigEditor.out(pinned) { deps = items }
            }
            if !deps.isEmpty { entry.append(("dependencies", .list(deps))) }
        }
        if !new.values.isEmpty { entry.append(("values", .map(new.values.map { ($0.key, .scalar($0.value)) }))) }

        if new.markLatest { try editor.clearLatest(new.image, except: nil) }
        if existing != nil {
            try editor.replaceVersion(new.image, new.name, with: .map(entry))
        } else {
            try editor.addVersion(new.image, .map(entry), name: new.name)
        }
        let updated = try reload(editor.text)
        guard let newImage = updated.image(named: new.image), let version = newImage.versions.first(where: { $0.name == new.name }) else {
            throw ProjectError("the new version was not recorded")
        }
        var t = transaction(writing: editor.text)
        t.own("\(newImage.subpath)/\(version.subpath)")
        let ownFolder = existing.map { "\(image.subpath)/\($0.subpath)" }
        if ownFolder != "\(newImage.subpath)/\(version.subpath)", occupied("\(newImage.subpath)/\(version.subpath)") {
            throw ProjectError("The folder '\(newImage.subpath)/\(version.subpath)' already exists, and no version in bakery.yaml uses it; move it away (or give the version another --subpath) and try again.")
        }
        if let existing, existing.subpath != version.subpath {
            t.own("\(image.subpath)/\(existing.subpath)")
            t.move("\(image.subpath)/\(existing.subpath)", to: "\(image.subpath)/\(version.subpath)")
        }
        let destination = "\(newImage.subpath)/\(version.subpath)"
        do {
            let rendered = try VersionRendering.render(image: newImage, version: version, matrix: false, root: root,
                                                       destination: destination, log: log)
            t.write(rendered)
            if let d = new.diffAgainst, let previous = image.versions.first(where: { $0.name == d }) {
                let oldFiles = try EditionDiff.files(root: root, folder: "\(image.subpath)/\(previous.subpath)")
                var newFiles: [String: Data] = [:]
                for f in rendered { newFiles[String(f.path.dropFirst(destination.count + 1))] = f.contents }
                editionDiff = EditionDiff.markdown(image: new.image, old: oldFiles, new: newFiles)
            }
        } catch let e as RenderFailures {
            throw ProjectError(e.description)
        }
        return t
    }

    // MARK: update version

    public func updateVersion(image imageName: String, to newName: String, target: String?, values: [KeyValue], clean: Bool) throws -> ProjectTransaction {
        try Self.checkFolderArgument(newName, "new version name", isName: true)
        guard let image = config.image(named: imageName) else { throw ProjectError("Image '\(imageName)' does not exist in the config.") }
        let old: ImageVersion
        if let target {
            guard let v = image.versions.first(where: { $0.name == target }) else {
                throw ProjectError("Version '\(target)' does not exist for image '\(imageName)'.")
            }
            old = v
        } else {
            guard let v = image.versions.first(where: \.latest) else {
                throw ProjectError("No latest version found for image '\(imageName)'. Use --target-version to specify the version to patch.")
            }
            old = v
        }
        if image.versions.contains(where: { $0.name == newName }) {
            throw ProjectError("Version '\(newName)' already exists in image '\(imageName)'.")
        }
        log.info("Target version: \(old.name)")
        var editor = ConfigEditor(text: try currentText())
        guard let node = try editor.versionEntry(imageName, old.name), case .map(var fields) = ConfigEditor.out(node) else {
            throw ProjectError("Version '\(old.name)' does not exist for image '\(imageName)'.")
        }
        fields = fields.map { $0.0 == "name" ? ("name", .scalar(newName)) : $0 }
        if !values.isEmpty {
            var merged: [(String, YAMLOut)] = []
            if case .map(let existing)? = fields.first(where: { $0.0 == "values" })?.1 { merged = existing }
            for kv in values {
                if let i = merged.firstIndex(where: { $0.0 == kv.key }) { merged[i].1 = .scalar(kv.value) } else { merged.append((kv.key, .scalar(kv.value))) }
            }
            if let i = fields.firstIndex(where: { $0.0 == "values" }) { fields[i].1 = .map(merged) } else { fields.append(("values", .map(merged))) }
        }
        try editor.replaceVersion(imageName, old.name, with: .map(fields))
        let updated = try reload(editor.text)
        guard let newImage = updated.image(named: imageName), let version = newImage.versions.first(where: { $0.name == newName }) else {
            throw ProjectError("the updated version was not recorded")
        }
        var t = transaction(writing: editor.text)
        let oldDir = "\(image.subpath)/\(old.subpath)", newDir = "\(newImage.subpath)/\(version.subpath)"
        t.own(oldDir)
        t.own(newDir)
        if oldDir != newDir, occupied(newDir) {
            throw ProjectError("The folder '\(newDir)' already exists, and no version in bakery.yaml uses it; move it away and try again.")
        }
        if oldDir != newDir {
            if clean { t.remove(oldDir) } else { t.move(oldDir, to: newDir) }
        } else if clean {
            t.remove(oldDir)
        }
        do {
            t.write(try VersionRendering.render(image: newImage, version: version, matrix: false, root: root, destination: newDir, log: log))
        } catch let e as RenderFailures {
            throw ProjectError(e.description)
        }
        return t
    }
}

extension ProjectChanges {
    /// `bakery create project`: a new bakery.yaml (nothing else).
    public static func createProject(at root: URL, log: TargetLog) throws -> ProjectTransaction {
        // A directory, a FIFO or a dangling link named bakery.yaml is an error, never something to replace.
        if try ConfigLoader.locate(context: root) != nil {
            throw ProjectError("Project already exists in '\(root.path)'")
        }
        let url = repositoryURLGuess(root) ?? {
            log.warning("Unable to determine repository name")
            return "<REPLACE ME>"
        }()
        let text = """
        #######################################################################################################################
        # BAKERY REPOSITORY CONFIG
        #
        # This file is used to define global properties for builds inside a repo managed by Posit's Bakery tool.
        #######################################################################################################################

        # Define properties of the local repository. This information will be used when labeling image builds.
        repository:
          url: "\(url)"
          vendor: "Posit Software, PBC"
          maintainer: "Posit Docker Team <docker@posit.co>"
          authors: []

        # Define image registries used by builds in this repository. Images will be tagged appropriately for each registry.
        # Logins for private registries should be managed independently of Bakery.
        registries:
          - host: "docker.io"
            namespace: "posit"

        images: []

        """
        log.info("No project found, creating a new project in '\(root.path)'")
        log.info("Creating new project config file \(root.appendingPathComponent("bakery.yaml").path)")
        var t = ProjectTransaction(root: root)
        t.write("bakery.yaml", Data(text.utf8))
        return t
    }

    /// The first git remote's URL, as `host/org/repo` (the configured URL, before insteadOf rewriting).
    static func repositoryURLGuess(_ root: URL) -> String? {
        let configured = try? Blocking.wait { () async throws(BakeryError) -> String? in await GitRepository.firstRemoteURL(of: root) }
        return configured.flatMap { $0 }.flatMap(GitRepository.webPath(ofRemoteURL:))
    }
}

extension ProjectChanges {
    public struct NewMatrix {
        public var image: String
        public var namePattern: String?
        public var subpath: String?
        public var constraints: [YAMLOut] = []
        public var dependencies: [YAMLOut] = []
        public var values: [KeyValue] = []
        public var force = false
        public init(image: String) { self.image = image }
    }

    /// `--dependency '{"dependency": "R", "versions": ["4.5.2"]}'` as a bakery.yaml entry.
    public static func dependencyEntry(json: String) throws -> YAMLOut {
        guard case .object(let fields)? = JSONValue.parse(json) else { throw ProjectError("--dependency '\(json)' is not a JSON object") }
        guard case .string(let name)? = fields.first(where: { $0.0 == "dependency" })?.1, !name.isEmpty else {
            throw ProjectError("Dependency versions must have a 'dependency' field.")
        }
        guard DependencyName(rawValue: name) != nil else { throw ProjectError("Unsupported dependency name: \(name)") }
        var versions: [String] = []
        for (key, value) in fields where key != "dependency" {
            switch (key, value) {
            case ("versions", .array(let items)):
                for item in items {
                    guard case .string(let v) = item else { throw ProjectError("--dependency: versions must be strings") }
                    versions.append(v)
                }
            case ("version", .string(let v)): versions.append(v)
            default: throw ProjectError("--dependency: unexpected field '\(key)' (give 'dependency' and 'versions')")
            }
        }
        guard !versions.isEmpty else { throw ProjectError("--dependency \(name): give at least one version in 'versions'") }
        return .map([("dependency", .scalar(name)), versions.count == 1 ? ("version", .scalar(versions[0])) : ("versions", .list(versions.map { .scalar($0) }))])
    }

    /// `--dependency-constraint '{"dependency": "R", "constraint": {"latest": true, "count": 2}}'`.
    public static func constraintEntry(json: String) throws -> YAMLOut {
        guard case .object(let fields)? = JSONValue.parse(json) else { throw ProjectError("--dependency-constraint '\(json)' is not a JSON object") }
        guard case .string(let name)? = fields.first(where: { $0.0 == "dependency" })?.1, !name.isEmpty else {
            throw ProjectError("Dependency constraint must have a 'dependency' field.")
        }
        guard DependencyName(rawValue: name) != nil else { throw ProjectError("Unsupported dependency name: \(name)") }
        var entry: [(String, YAMLOut)] = [("dependency", .scalar(name))]
        for (key, value) in fields where key != "dependency" {
            switch (key, value) {
            case ("constraint", .object(let c)):
                var out: [(String, YAMLOut)] = []
                for (k, v) in c {
                    switch (k, v) {
                    case ("latest", .bool(let b)): out.append((k, .bool(b)))
                    case ("count", .int(let n)): out.append((k, .number(String(n))))
                    case ("max", .string(let s)), ("min", .string(let s)): out.append((k, .scalar(s)))
                    default: throw ProjectError("--dependency-constraint: unexpected constraint field '\(k)' (latest, count, max, min)")
                    }
                }
                entry.append(("constraint", .map(out)))
            case ("prerelease", .bool(let b)): entry.append(("prerelease", .bool(b)))
            default:
                throw ProjectError("--dependency-constraint: unexpected field '\(key)'; nest the constraint: {\"dependency\": \"\(name)\", \"constraint\": {\"latest\": true, \"count\": 2}}")
            }
        }
        guard entry.contains(where: { $0.0 == "constraint" }) else {
            throw ProjectError("--dependency-constraint \(name): give a 'constraint', e.g. {\"latest\": true, \"count\": 2}")
        }
        return .map(entry)
    }

    public func createMatrix(_ new: NewMatrix) throws -> ProjectTransaction {
        if let s = new.subpath { try Self.checkFolderArgument(s, "--subpath", isName: false) }
        guard let image = config.image(named: new.image) else { throw ProjectError("Image '\(new.image)' does not exist in the config.") }
        if !image.versions.isEmpty {
            throw ProjectError("Versions already exist for image '\(new.image)'. Use `bakery remove` to remove them and try again.")
        }
        if !image.devVersions.isEmpty {
            throw ProjectError("Development versions exist for image '\(new.image)'; a matrix image cannot have them. Remove them from bakery.yaml and try again.")
        }
        if image.matrix != nil && !new.force {
            throw ProjectError("A matrix already exists for image '\(new.image)'. Use --force to replace it.")
        }
        var matrix: [(String, YAMLOut)] = []
        if let s = new.subpath { matrix.append(("subpath", .scalar(s))) }
        if !new.constraints.isEmpty { matrix.append(("dependencyConstraints", .list(new.constraints))) }
        if !new.dependencies.isEmpty { matrix.append(("dependencies", .list(new.dependencies))) }
        if !new.values.isEmpty { matrix.append(("values", .map(new.values.map { ($0.key, .scalar($0.value)) }))) }
        if let p = new.namePattern { matrix.append(("namePattern", .scalar(p))) }
        var editor = ConfigEditor(text: try currentText())
        try editor.setMatrix(new.image, .map(matrix))
        let updated = try reload(editor.text)
        guard let newImage = updated.image(named: new.image), let m = newImage.matrix else { throw ProjectError("the matrix was not recorded") }
        var t = transaction(writing: editor.text)
        t.own("\(newImage.subpath)/\(m.subpath)")
        do {
            t.write(try VersionRendering.render(image: newImage, version: nil, matrix: true, root: root,
                                                destination: "\(newImage.subpath)/\(m.subpath)", log: log))
        } catch let e as RenderFailures {
            throw ProjectError(e.description)
        }
        return t
    }
}
