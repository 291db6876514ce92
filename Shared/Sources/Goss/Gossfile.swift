// A parsed gossfile: its resources, in section order then key order, with their expectations and settings.

/// One resource of a gossfile (`file: /etc/passwd: {exists: true}`).
public struct GossResource: Sendable, Hashable {
    public var kind: GossResourceKind
    /// The key as written (`/opt/rstudio-connect/`, `tcp6:3939`).
    public var key: String
    /// The reported resource-id: the key, or `"<key>: <alias>"` with an ID alias setting.
    public var id: String
    /// What is looked up: the alias setting, else the key (for commands: the `exec`, else the key).
    public var target: String
    public var title: String
    public var meta: GossValue?
    public var skip: Bool
    /// Expected values by property key (`linked-to`, not `linkedto`), as written.
    public var expectations: [String: GossValue]
    /// Plain settings (`timeout`, `method`, `request-headers`, `content`, …).
    public var settings: [String: GossValue]
    /// Where the resource's key stands in its (rendered) file.
    public var file: String
    public var line: Int

    /// A setting as a string, when it is one (numbers and bools print as Go does).
    public func setting(_ name: String) -> String? {
        switch settings[name] {
        case .string(let s)?: s
        case .int, .float, .bool: settings[name]?.goText
        default: nil
        }
    }

    /// A millisecond setting (`timeout`), with goss's default when absent or 0.
    public func milliseconds(_ name: String, default fallback: Int) -> Int {
        switch settings[name] {
        case .int(let i)? where i > 0: i
        case .float(let f)? where f >= 1 && f < 0x1p63: Int(f)
        default: fallback
        }
    }

    /// A bool setting (yaml.v3 reads yes/no/on/off into typed bools).
    public func flag(_ name: String) -> Bool {
        if case .bool(let b)? = settings[name] { return b }
        return false
    }
}

/// All resources of a gossfile after includes are merged.
public struct Gossfile: Sendable, Hashable {
    public var resources: [GossResource]
    /// Deprecation and duplicate-key warnings goss prints on stderr.
    public var warnings: [String]

    public init(resources: [GossResource], warnings: [String] = []) {
        self.resources = resources
        self.warnings = warnings
    }

    /// Resources grouped in goss's queue order, each group sorted by key.
    public var ordered: [GossResource] {
        GossResourceKind.queueOrder.flatMap { kind in
            resources.filter { $0.kind == kind }.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        }
    }
}

/// One `gossfile:` include entry.
struct GossInclude {
    var key: String
    var path: String
    var skip: Bool
}

enum GossfileParser {
    /// Parses one rendered gossfile into resources and include entries.
    static func parse(_ text: String, format: GossFileFormat, file: String) throws(GossError) -> (resources: [GossResource], includes: [GossInclude], warnings: [String]) {
        let root: LocatedValue?
        switch format {
        case .yaml: root = try GossDecoding.yaml(text, file: file)
        case .json: root = try GossDecoding.json(text, file: file)
        }
        guard let root, case .map = root.value else {
            if let root, !root.value.isNull {
                throw GossError(message: "yaml: unmarshal errors:\n  line \(root.line): cannot unmarshal into the gossfile: the top level must be a mapping of sections",
                                file: file, line: root.line, column: root.column)
            }
            return ([], [], [])
        }
        var resources: [GossResource] = []
        var includes: [GossInclude] = []
        var warnings: [String] = []
        for (section, value, line) in root.children {
            if section == "gossfile" {
                for (key, entry, entryLine) in try sectionEntries(value, section: section, typeName: "Gossfile", file: file, line: line) {
                    var path = key, skip = false
                    for (attribute, v, attributeLine) in entry.children {
                        switch attribute {
                        case "file":
                            guard case .string(let s) = v.value else { throw typeError(attribute, "string", v, file: file, line: attributeLine) }
                            path = s
                        case "skip": skip = try typedBool(v, attribute: attribute, file: file, line: attributeLine)
                        default:
                            throw GossError(message: "invalid Attribute for Gossfile:\(key): \(attribute)", file: file, line: attributeLine,
                                            hint: "a gossfile entry takes only `file` and `skip`")
                        }
                    }
                    _ = entryLine
                    includes.append(GossInclude(key: key, path: path, skip: skip))
                }
                continue
            }
            // Unknown top-level keys are ignored, as goss does.
            guard let kind = GossResourceKind(rawValue: section) else { continue }
            for (key, entry, entryLine) in try sectionEntries(value, section: section, typeName: kind.typeName, file: file, line: line) {
                let (resource, resourceWarnings) = try makeResource(kind: kind, key: key, entry: entry, file: file, line: entryLine)
                resources.append(resource)
                warnings += resourceWarnings
            }
        }
        return (resources, includes, warnings)
    }

    private static func sectionEntries(_ value: LocatedValue, section: String, typeName: String, file: String, line: Int) throws(GossError) -> [(String, LocatedValue, Int)] {
        switch value.value {
        case .null: return []
        case .map:
            var out: [(String, LocatedValue, Int)] = []
            for (key, entry, entryLine) in value.children {
                guard case .map = entry.value else {
                    throw GossError(message: "Could not parse resource \(typeName):\(key)", file: file, line: entryLine,
                                    hint: "give `\(key)` a mapping of attributes, e.g. `exists: true`")
                }
                out.append((key, entry, entryLine))
            }
            return out
        default:
            throw GossError(message: "yaml: unmarshal errors:\n  line \(line): cannot unmarshal section `\(section)`: expected a mapping of resources",
                            file: file, line: line)
        }
    }

    private static func makeResource(kind: GossResourceKind, key: String, entry: LocatedValue, file: String, line: Int) throws(GossError) -> (GossResource, [String]) {
        var expectations: [String: GossValue] = [:]
        var settings: [String: GossValue] = [:]
        var title = "", meta: GossValue? = nil, skip = false
        var warnings: [String] = []
        let propertyKeys = Set(kind.properties.map(\.key))
        for (rawAttribute, value, attributeLine) in entry.children {
            let attribute = kind.propertyAliases[rawAttribute] ?? rawAttribute
            switch attribute {
            case "title":
                switch value.value {
                case .string(let s): title = s
                case .null: title = ""
                default: title = value.value.goText
                }
            case "meta":
                guard case .map = value.value else {
                    if value.value.isNull { continue }
                    throw typeError(attribute, "mapping", value, file: file, line: attributeLine)
                }
                meta = value.value
            case "skip":
                // matching's SetSkip is a no-op in goss, but its own skip field still works: both end here.
                skip = try typedBool(value, attribute: attribute, file: file, line: attributeLine)
            case _ where propertyKeys.contains(attribute):
                var expected = value.value
                if ["uid", "gid", "exit-status"].contains(attribute), kind != .file, case .string(let s) = expected {
                    warnings.append("DEPRECATION WARNING: \(kind.section).\(attribute) should be an integer not a string")
                    guard let number = Double(s.trimmingCharacters(in: .whitespaces)) else {
                        throw GossError(message: "\(kind.section) \(key): \(attribute) \"\(s)\" is not a number (goss itself crashes here)",
                                        file: file, line: attributeLine, hint: "write it as an integer, e.g. `\(attribute): 0`")
                    }
                    expected = .float(number)
                }
                if attribute == "contains" && kind == .file {
                    warnings.append("DEPRECATION WARNING: file.contains has been renamed to file.contents")
                }
                expectations[attribute] = expected
            case _ where kind.settings.contains(attribute):
                try checkSetting(attribute, value, kind: kind, file: file, line: attributeLine)
                settings[attribute] = normalisedSetting(attribute, value.value)
            default:
                throw GossError(message: "invalid Attribute for \(kind.typeName):\(key): \(rawAttribute)", file: file, line: attributeLine,
                                hint: "\(kind.section) takes \((kind.properties.map(\.key) + kind.settings + ["title", "meta", "skip"]).joined(separator: ", "))")
            }
        }
        var id = key
        var target = key
        if let aliasKey = kind.aliasSetting, let alias = settings[aliasKey], case .string(let s) = alias, !s.isEmpty {
            target = s
            if s != key { id = "\(key): \(s)" }
        }
        if kind == .command, case .string(let exec)? = settings["exec"], !exec.isEmpty { target = exec }
        let resource = GossResource(kind: kind, key: key, id: id, target: target, title: title, meta: meta, skip: skip,
                                    expectations: expectations, settings: settings, file: file, line: line)
        return (resource, warnings)
    }

    private static let boolSettings: Set<String> = ["allow-insecure", "no-follow-redirects", "as-reader"]
    private static let intSettings: Set<String> = ["timeout"]

    private static func checkSetting(_ name: String, _ value: LocatedValue, kind: GossResourceKind, file: String, line: Int) throws(GossError) {
        if boolSettings.contains(name) { _ = try typedBool(value, attribute: name, file: file, line: line); return }
        if intSettings.contains(name) {
            switch value.value {
            case .int, .null: return
            // yaml.v3 refuses a float out of int64's range (1e30, .inf) for an int field.
            case .float(let f) where f == f.rounded() && f >= -0x1p63 && f < 0x1p63: return
            default: throw typeError(name, "integer (milliseconds)", value, file: file, line: line)
            }
        }
        if name == "request-headers" {
            guard case .list(let items) = value.value, items.allSatisfy({ if case .string = $0 { true } else { false } }) else {
                if value.value.isNull { return }
                throw typeError(name, "list of \"Name: value\" strings", value, file: file, line: line)
            }
            for case .string(let header) in items where !header.contains(": ") {
                throw GossError(message: "http request header \"\(header)\" has no \": \" separator (goss itself crashes here)", file: file, line: line,
                                hint: "write it as \"Name: value\"")
            }
            return
        }
        if name == "content" { return }
        switch value.value {
        case .string, .null: return
        case .int, .float, .bool: return  // yaml.v3 would reject these into a string field; we print them as written.
        default: throw typeError(name, "string", value, file: file, line: line)
        }
    }

    private static func normalisedSetting(_ name: String, _ value: GossValue) -> GossValue {
        if boolSettings.contains(name), case .string(let s) = value, let b = yamlBool(s) { return .bool(b) }
        return value
    }

    /// yaml.v3 decodes these into a typed bool field.
    static func yamlBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y": true
        case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N": false
        default: nil
        }
    }

    private static func typedBool(_ value: LocatedValue, attribute: String, file: String, line: Int) throws(GossError) -> Bool {
        switch value.value {
        case .bool(let b): return b
        case .null: return false
        case .string(let s):
            if let b = yamlBool(s) { return b }
        default: break
        }
        throw typeError(attribute, "bool (true or false)", value, file: file, line: line)
    }

    private static func typeError(_ attribute: String, _ expected: String, _ value: LocatedValue, file: String, line: Int) -> GossError {
        GossError(message: "yaml: unmarshal errors:\n  line \(line): cannot unmarshal `\(value.value.goText)` into \(attribute) (\(expected))",
                  file: file, line: line, column: value.column, hint: "`\(attribute)` must be a \(expected)")
    }
}
