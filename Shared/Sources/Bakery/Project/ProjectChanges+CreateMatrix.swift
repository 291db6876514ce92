// `bakery create matrix`: a matrix entry (dependencies, constraints, values) and its folder rendered.
import BakeryYAML
import Foundation

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
