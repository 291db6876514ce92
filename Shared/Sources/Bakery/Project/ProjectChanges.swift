// What create / update / remove do to a project, computed as a transaction.
import BakeryYAML
import Foundation

/// The project commands. Each returns the transaction to commit (nothing is written before).
public struct ProjectChanges {
    public let root: URL
    public let file: URL
    public let loaded: LoadedConfig
    public let log: TargetLog
    /// The registered product whose image project this is, if any: its rules judge every edit.
    public let product: (any ProductImages)?
    /// The `--diff-against` block of the last `createVersion`, to print after committing.
    public private(set) var editionDiff: String?

    public init(root: URL, log: TargetLog, product: (any ProductImages)? = nil) throws(BakeryError) {
        self.root = root
        self.loaded = try ConfigLoader.load(context: root)
        self.file = loaded.file
        self.log = log
        self.product = product
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

    func currentText() throws(BakeryError) -> String {
        // Decoded as is: Foundation's String(data:encoding:) would drop a byte order mark, changing a byte the edit never meant to.
        guard let data = FileManager.default.contents(atPath: file.path), String(data: data, encoding: .utf8) != nil else {
            throw BakeryError(.configUnreadable, "cannot read \(file.path)", location: SourceLocation(file: loaded.displayPath, line: 1, column: 1))
        }
        return String(decoding: data, as: UTF8.self)
    }

    func makeEditor() throws(BakeryError) -> ConfigEditor { ConfigEditor(text: try currentText(), displayPath: loaded.displayPath) }

    /// Where in bakery.yaml (as read) the entry at `path` is written, for errors about it.
    func location(_ path: [ConfigEditor.Step]) -> SourceLocation? {
        (try? makeEditor())?.location(path)
    }

    /// Validates edited bakery.yaml text as the new configuration. A problem is reported at the place
    /// in the file as read where the edit goes (lines the edit did not touch keep their own positions).
    /// A product's rules refuse only what the edit introduces: a file that already breaks one can
    /// still be repaired (say, by removing the offending version).
    func reload(_ text: String) throws(BakeryError) -> BakeryConfig {
        let config: BakeryConfig
        var problems: [Diagnostic]
        do {
            config = try ConfigLoader.load(bytes: Array(text.utf8), displayPath: loaded.displayPath, context: root, file: file).config
            problems = []
        } catch {
            config = loaded.config
            problems = error.errors
        }
        if problems.isEmpty, let product {
            // Known errors are counted by message and hint (which names the image), so the same bad
            // name already present in one image does not let a second one in elsewhere.
            func key(_ d: Diagnostic) -> String { d.message + "\u{0}" + (d.hint ?? "") }
            var known: [String: Int] = [:]
            for d in product.check(loaded.config, file: loaded.displayPath) where d.severity == .error { known[key(d), default: 0] += 1 }
            problems = product.check(config, file: loaded.displayPath).filter { d in
                guard d.severity == .error else { return false }
                if let n = known[key(d)], n > 0 {
                    known[key(d)] = n - 1
                    return false
                }
                return true
            }
        }
        guard !problems.isEmpty else { return config }
        let before = (try? currentText()) ?? ""
        let mapped = problems.map { diagnostic -> Diagnostic in
            var d = diagnostic
            if let at = d.location { d.location = Self.originalLocation(at, before: before, after: text) }
            return d
        }
        throw BakeryError(.invalidConfig, "\(loaded.displayPath) would not be valid after this change; nothing was written",
                          location: mapped.first?.location, diagnostics: mapped)
    }

    /// Maps a position in the edited text back to the file as read: lines before the change keep
    /// their numbers, lines after it shift back, and lines the change wrote point at where it starts.
    static func originalLocation(_ at: SourceLocation, before: String, after: String) -> SourceLocation {
        func lines(_ s: String) -> [Substring] { s.split(omittingEmptySubsequences: false, whereSeparator: { $0.isNewline }) }
        let old = lines(before), new = lines(after)
        var prefix = 0
        while prefix < min(old.count, new.count), old[prefix] == new[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < min(old.count, new.count) - prefix, old[old.count - 1 - suffix] == new[new.count - 1 - suffix] { suffix += 1 }
        var mapped = at
        if at.line <= prefix { return mapped }
        if at.line > new.count - suffix {
            mapped.line = at.line - (new.count - old.count)
            return mapped
        }
        mapped.line = min(prefix + 1, max(1, old.count))
        // A line changed in place (a rename) keeps its column; lines the change added point at its start.
        if !(old.count == new.count && prefix + suffix == old.count - 1) { mapped.column = 1 }
        return mapped
    }

    func transaction(writing text: String) -> ProjectTransaction {
        var t = ProjectTransaction(root: root)
        t.write(file.lastPathComponent, Data(text.utf8), permissions: (try? FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions]) as? Int)
        return t
    }

    // MARK: remove

    public func removeImage(_ name: String) throws(BakeryError) -> ProjectTransaction {
        guard let image = config.image(named: name) else {
            throw BakeryError(.notFound, "Image '\(name)' does not exist in the config.", location: location([.key("images")]))
        }
        var editor = try makeEditor()
        try editor.removeImage(name)
        _ = try reload(editor.text)
        var t = transaction(writing: editor.text)
        log.info("Removing image directory \(root.appendingPathComponent(image.subpath).path)")
        t.own(image.subpath)
        t.remove(image.subpath)
        return t
    }

    public func removeVersion(_ imageName: String, _ versionName: String) throws(BakeryError) -> ProjectTransaction {
        guard let image = config.image(named: imageName) else {
            throw BakeryError(.notFound, "Image '\(imageName)' does not exist in the config.", location: location([.key("images")]))
        }
        guard let version = image.versions.first(where: { $0.name == versionName }) else {
            throw BakeryError(.notFound, "Version '\(versionName)' does not exist for image '\(imageName)' in the config.",
                              location: location(ConfigEditor.versionsPath(imageName)))
        }
        var editor = try makeEditor()
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

    public func createImage(_ new: NewImage) throws(BakeryError) -> ProjectTransaction {
        try Self.checkFolderArgument(new.name, "image name", isName: true)
        if let s = new.subpath { try Self.checkFolderArgument(s, "--subpath", isName: false) }
        if config.image(named: new.name) != nil {
            throw BakeryError(.duplicate, "Image '\(new.name)' already exists in config.", location: location([.key("images"), .named(new.name)]))
        }
        var entry: YAMLOut.Map = ["name": .scalar(new.name)]
        if let d = new.displayName { entry["displayName"] = .scalar(d) }
        if let d = new.description { entry["description"] = .scalar(d) }
        if let u = new.documentationURL {
            guard let url = HTTPURL.parse(u) else { throw BakeryError(.invalidArgument, "--documentation-url '\(u)' is not an http(s) URL") }
            entry["documentationUrl"] = .scalar(url.text)
        }
        if let s = new.subpath { entry["subpath"] = .scalar(s) }
        var editor = try makeEditor()
        try editor.appendImage(.map(entry))
        let updated = try reload(editor.text)
        guard let image = updated.image(named: new.name) else { throw notRecorded("image", [.key("images")]) }
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
                // Offline: keep the dependencies the latest version pins, and say so.
                guard let source, let node = try editor.versionEntry(new.image, source.name), let pinned = node["dependencies"] else {
                    throw BakeryError(.invalidValue, error.message, location: location(imagePath + [.key("dependencyConstraints")]))
                }
                log.warning("The dependency constraints of image '\(new.image)' need online version resolution, which this bakery does not do yet; copied the dependencies of version '\(source.name)' instead (edit them in bakery.yaml if newer ones are wanted)")
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

    // MARK: update version

    public func updateVersion(image imageName: String, to newName: String, target: String?, values: [KeyValue], clean: Bool) throws(BakeryError) -> ProjectTransaction {
        try Self.checkFolderArgument(newName, "new version name", isName: true)
        let versionsPath = ConfigEditor.versionsPath(imageName)
        guard let image = config.image(named: imageName) else {
            throw BakeryError(.notFound, "Image '\(imageName)' does not exist in the config.", location: location([.key("images")]))
        }
        let old: ImageVersion
        if let target {
            guard let v = image.versions.first(where: { $0.name == target }) else {
                throw BakeryError(.notFound, "Version '\(target)' does not exist for image '\(imageName)'.", location: location(versionsPath))
            }
            old = v
        } else {
            guard let v = image.versions.first(where: \.latest) else {
                throw BakeryError(.notFound, "No latest version found for image '\(imageName)'. Use --target-version to specify the version to patch.",
                                  location: location(versionsPath))
            }
            old = v
        }
        if image.versions.contains(where: { $0.name == newName }) {
            throw BakeryError(.duplicate, "Version '\(newName)' already exists in image '\(imageName)'.", location: location(versionsPath + [.named(newName)]))
        }
        log.info("Target version: \(old.name)")
        // Only the name changes (and the values given); every other byte of the entry stays.
        var editor = try makeEditor()
        try editor.renameVersion(imageName, old.name, to: newName)
        if !values.isEmpty { try editor.setValues(imageName, newName, values.map { ($0.key, $0.value) }) }
        let updated = try reload(editor.text)
        guard let newImage = updated.image(named: imageName), let version = newImage.versions.first(where: { $0.name == newName }) else {
            throw notRecorded("version", versionsPath + [.named(old.name)])
        }
        var t = transaction(writing: editor.text)
        let oldDir = "\(image.subpath)/\(old.subpath)", newDir = "\(newImage.subpath)/\(version.subpath)"
        t.own(oldDir)
        t.own(newDir)
        if oldDir != newDir, occupied(newDir) {
            throw BakeryError(.unsafePath, "The folder '\(newDir)' already exists, and no version in bakery.yaml uses it; move it away and try again.")
        }
        if oldDir != newDir {
            if clean { t.remove(oldDir) } else { t.move(oldDir, to: newDir) }
        } else if clean {
            t.remove(oldDir)
        }
        t.write(try VersionRendering.render(image: newImage, version: version, matrix: false, root: root, destination: newDir, log: log))
        return t
    }

    /// An edit that validated but does not hold what it wrote: a bug of ours, reported at the entry.
    func notRecorded(_ what: String, _ path: [ConfigEditor.Step]) -> BakeryError {
        BakeryError(.editUnsupported, "the new \(what) was not recorded in bakery.yaml; nothing was written", location: location(path))
    }

    /// `--value` pairs as a values mapping (a repeated key: the last one).
    static func map(_ values: [KeyValue]) -> YAMLOut.Map {
        var map = YAMLOut.Map()
        for kv in values { map[kv.key] = .scalar(kv.value) }
        return map
    }
}

extension ProjectChanges {
    /// `bakery create project`: a new bakery.yaml (nothing else).
    public static func createProject(at root: URL, log: TargetLog) throws(BakeryError) -> ProjectTransaction {
        // A directory, a FIFO or a dangling link named bakery.yaml is an error, never something to replace.
        if try ConfigLoader.locate(context: root) != nil {
            throw BakeryError(.duplicate, "Project already exists in '\(root.path)'")
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
    public static func dependencyEntry(json: String) throws(BakeryError) -> YAMLOut {
        guard case .object(let fields)? = JSONValue.parse(json) else { throw BakeryError(.invalidArgument, "--dependency '\(json)' is not a JSON object") }
        guard case .string(let name)? = fields.first(where: { $0.0 == "dependency" })?.1, !name.isEmpty else {
            throw BakeryError(.invalidArgument, "Dependency versions must have a 'dependency' field.")
        }
        guard DependencyName(rawValue: name) != nil else { throw BakeryError(.invalidArgument, "Unsupported dependency name: \(name)") }
        var versions: [String] = []
        for (key, value) in fields where key != "dependency" {
            switch (key, value) {
            case ("versions", .array(let items)):
                for item in items {
                    guard case .string(let v) = item else { throw BakeryError(.invalidArgument, "--dependency: versions must be strings") }
                    versions.append(v)
                }
            case ("version", .string(let v)): versions.append(v)
            default: throw BakeryError(.invalidArgument, "--dependency: unexpected field '\(key)' (give 'dependency' and 'versions')")
            }
        }
        guard !versions.isEmpty else { throw BakeryError(.invalidArgument, "--dependency \(name): give at least one version in 'versions'") }
        var entry: YAMLOut.Map = ["dependency": .scalar(name)]
        if versions.count == 1 { entry["version"] = .scalar(versions[0]) } else { entry["versions"] = .list(versions.map { .scalar($0) }) }
        return .map(entry)
    }

    /// `--dependency-constraint '{"dependency": "R", "constraint": {"latest": true, "count": 2}}'`.
    public static func constraintEntry(json: String) throws(BakeryError) -> YAMLOut {
        guard case .object(let fields)? = JSONValue.parse(json) else { throw BakeryError(.invalidArgument, "--dependency-constraint '\(json)' is not a JSON object") }
        guard case .string(let name)? = fields.first(where: { $0.0 == "dependency" })?.1, !name.isEmpty else {
            throw BakeryError(.invalidArgument, "Dependency constraint must have a 'dependency' field.")
        }
        guard DependencyName(rawValue: name) != nil else { throw BakeryError(.invalidArgument, "Unsupported dependency name: \(name)") }
        var entry: YAMLOut.Map = ["dependency": .scalar(name)]
        for (key, value) in fields where key != "dependency" {
            switch (key, value) {
            case ("constraint", .object(let c)):
                var out = YAMLOut.Map()
                for (k, v) in c {
                    switch (k, v) {
                    case ("latest", .bool(let b)): out[k] = .bool(b)
                    case ("count", .int(let n)): out[k] = .number(String(n))
                    case ("max", .string(let s)), ("min", .string(let s)): out[k] = .scalar(s)
                    default: throw BakeryError(.invalidArgument, "--dependency-constraint: unexpected constraint field '\(k)' (latest, count, max, min)")
                    }
                }
                entry["constraint"] = .map(out)
            case ("prerelease", .bool(let b)): entry["prerelease"] = .bool(b)
            default:
                throw BakeryError(.invalidArgument, "--dependency-constraint: unexpected field '\(key)'; nest the constraint: {\"dependency\": \"\(name)\", \"constraint\": {\"latest\": true, \"count\": 2}}")
            }
        }
        guard entry["constraint"] != nil else {
            throw BakeryError(.invalidArgument, "--dependency-constraint \(name): give a 'constraint', e.g. {\"latest\": true, \"count\": 2}")
        }
        return .map(entry)
    }

    public func createMatrix(_ new: NewMatrix) throws(BakeryError) -> ProjectTransaction {
        if let s = new.subpath { try Self.checkFolderArgument(s, "--subpath", isName: false) }
        let imagePath: [ConfigEditor.Step] = [.key("images"), .named(new.image)]
        guard let image = config.image(named: new.image) else {
            throw BakeryError(.notFound, "Image '\(new.image)' does not exist in the config.", location: location([.key("images")]))
        }
        if !image.versions.isEmpty {
            throw BakeryError(.invalidArgument, "Versions already exist for image '\(new.image)'. Use `bakery remove` to remove them and try again.",
                              location: location(imagePath + [.key("versions")]))
        }
        if !image.devVersions.isEmpty {
            throw BakeryError(.invalidArgument, "Development versions exist for image '\(new.image)'; a matrix image cannot have them. Remove them from bakery.yaml and try again.",
                              location: location(imagePath + [.key("devVersions")]))
        }
        if image.matrix != nil && !new.force {
            throw BakeryError(.duplicate, "A matrix already exists for image '\(new.image)'. Use --force to replace it.", location: location(imagePath + [.key("matrix")]))
        }
        var matrix = YAMLOut.Map()
        if let s = new.subpath { matrix["subpath"] = .scalar(s) }
        if !new.constraints.isEmpty { matrix["dependencyConstraints"] = .list(new.constraints) }
        if !new.dependencies.isEmpty { matrix["dependencies"] = .list(new.dependencies) }
        if !new.values.isEmpty { matrix["values"] = .map(Self.map(new.values)) }
        if let p = new.namePattern { matrix["namePattern"] = .scalar(p) }
        var editor = try makeEditor()
        try editor.setMatrix(new.image, .map(matrix))
        let updated = try reload(editor.text)
        guard let newImage = updated.image(named: new.image), let m = newImage.matrix else { throw notRecorded("matrix", imagePath) }
        var t = transaction(writing: editor.text)
        t.own("\(newImage.subpath)/\(m.subpath)")
        t.write(try VersionRendering.render(image: newImage, version: nil, matrix: true, root: root, destination: "\(newImage.subpath)/\(m.subpath)", log: log))
        return t
    }
}
