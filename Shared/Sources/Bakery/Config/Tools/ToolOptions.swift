// Per-tool settings on images and variants (goss, hadolint, soci, trivy, wizcli), discriminated by `tool`.
import BakeryYAML

/// One `options:` entry.
///
///     if case .goss(let goss) = image.options.first { print(goss.wait) }
public enum ToolOptions: Sendable, Hashable {
    case goss(GossOptions)
    case hadolint(HadolintOptions)
    case soci(SociOptions)
    case trivy(TrivyOptions)
    case wizcli(WizcliOptions)

    public var tool: Tool {
        switch self {
        case .goss: .goss
        case .hadolint: .hadolint
        case .soci: .soci
        case .trivy: .trivy
        case .wizcli: .wizcli
        }
    }

    /// A default-valued instance of every tool (a variant's options when it sets none).
    public static var defaults: [ToolOptions] {
        [.goss(GossOptions()), .hadolint(HadolintOptions()), .soci(SociOptions()), .trivy(TrivyOptions()), .wizcli(WizcliOptions())]
    }

    var explicitlySet: Set<String> {
        switch self {
        case .goss(let o): o.explicitlySet
        case .hadolint(let o): o.explicitlySet
        case .soci(let o): o.explicitlySet
        case .trivy(let o): o.explicitlySet
        case .wizcli(let o): o.explicitlySet
        }
    }

    /// Effective options for a target: the variant's entry with every field it did not set taken
    /// from the image's entry.
    public static func effective(tool: Tool, image: [ToolOptions], variant: [ToolOptions]?) -> ToolOptions? {
        let fromImage = image.first { $0.tool == tool }
        guard let variant, let fromVariant = variant.first(where: { $0.tool == tool }) else { return fromImage }
        guard let fromImage else { return fromVariant }
        return fromVariant.merged(over: fromImage)
    }

    func merged(over base: ToolOptions) -> ToolOptions {
        let set = explicitlySet
        switch (self, base) {
        case (.goss(var v), .goss(let b)):
            if !set.contains("runtimeOptions") { v.runtimeOptions = b.runtimeOptions }
            if !set.contains("command") { v.command = b.command }
            if !set.contains("wait") { v.wait = b.wait }
            if !set.contains("timeout") { v.timeout = b.timeout }
            v.explicitlySet.formUnion(b.explicitlySet)
            return .goss(v)
        case (.hadolint(var v), .hadolint(let b)):
            if !set.contains("failureThreshold") { v.failureThreshold = b.failureThreshold }
            if !set.contains("ignored") { v.ignored = b.ignored }
            if !set.contains("labelSchema") { v.labelSchema = b.labelSchema }
            if !set.contains("noFail") { v.noFail = b.noFail }
            if !set.contains("override") { v.override = b.override }
            if !set.contains("strictLabels") { v.strictLabels = b.strictLabels }
            if !set.contains("disableIgnorePragma") { v.disableIgnorePragma = b.disableIgnorePragma }
            if !set.contains("trustedRegistries") { v.trustedRegistries = b.trustedRegistries }
            v.explicitlySet.formUnion(b.explicitlySet)
            return .hadolint(v)
        case (.soci(var v), .soci(let b)):
            if !set.contains("enabled") { v.enabled = b.enabled }
            if !set.contains("span_size") { v.spanSize = b.spanSize }
            if !set.contains("min_layer_size") { v.minLayerSize = b.minLayerSize }
            if !set.contains("prefetch_files") { v.prefetchFiles = b.prefetchFiles }
            if !set.contains("optimizations") { v.optimizations = b.optimizations }
            if !set.contains("platforms") { v.platforms = b.platforms }
            v.explicitlySet.formUnion(b.explicitlySet)
            return .soci(v)
        case (.trivy(var v), .trivy(let b)):
            if !set.contains("severity") { v.severity = b.severity }
            if !set.contains("ignoreUnfixed") { v.ignoreUnfixed = b.ignoreUnfixed }
            if !set.contains("skipFiles") { v.skipFiles = b.skipFiles }
            if !set.contains("skipDirs") { v.skipDirs = b.skipDirs }
            if !set.contains("exitCode") { v.exitCode = b.exitCode }
            if !set.contains("scanners") { v.scanners = b.scanners }
            if !set.contains("timeout") { v.timeout = b.timeout }
            if !set.contains("failureSeverity") { v.failureSeverity = b.failureSeverity }
            v.explicitlySet.formUnion(b.explicitlySet)
            return .trivy(v)
        case (.wizcli(var v), .wizcli(let b)):
            if !set.contains("projects") { v.projects = b.projects }
            if !set.contains("policies") { v.policies = b.policies }
            if !set.contains("tags") { v.tags = b.tags }
            if !set.contains("scanOsManagedLibraries") { v.scanOsManagedLibraries = b.scanOsManagedLibraries }
            if !set.contains("scanGoStandardLibrary") { v.scanGoStandardLibrary = b.scanGoStandardLibrary }
            v.explicitlySet.formUnion(b.explicitlySet)
            return .wizcli(v)
        default:
            return self
        }
    }

    /// The option keys each tool takes (besides `tool`).
    static func keys(of tool: Tool) -> [String] {
        switch tool {
        case .goss: ["runtimeOptions", "command", "wait", "timeout"]
        case .hadolint: ["failureThreshold", "ignored", "labelSchema", "noFail", "override", "strictLabels", "disableIgnorePragma", "trustedRegistries"]
        case .soci: ["enabled", "span_size", "min_layer_size", "prefetch_files", "optimizations", "platforms"]
        case .trivy: ["severity", "ignoreUnfixed", "skipFiles", "skipDirs", "exitCode", "scanners", "timeout", "failureSeverity"]
        case .wizcli: ["projects", "policies", "tags", "scanOsManagedLibraries", "scanGoStandardLibrary"]
        }
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> ToolOptions? {
        guard node.kind == .mapping else {
            reader.error(node, path, "expected tool options (a mapping with 'tool: …'), found \(ConfigReader.describe(node))", code: .invalidType)
            return nil
        }
        guard let toolNode = node["tool"] else {
            reader.error(node, path.key("tool"), "missing required key 'tool'",
                         hint: "say which tool these options are for: " + Tool.allCases.map(\.rawValue).joined(separator: ", "), code: .missingKey)
            return nil
        }
        guard let name = reader.string(toolNode, path.key("tool")) else { return nil }
        guard let tool = Tool(rawValue: name) else {
            let hint = ConfigReader.suggestion(for: name, among: Tool.allCases.map(\.rawValue)).map { "did you mean '\($0)'? " } ?? ""
            reader.error(toolNode, path.key("tool"), "unknown tool '\(name)'", hint: hint + "one of: " + Tool.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        let toolKeys = keys(of: tool)
        guard let f = reader.object(node, at: path, keys: ["tool"] + toolKeys, what: "\(tool.rawValue) options") else { return nil }
        let set = Set(node.pairs.compactMap(\.key.scalar)).subtracting(["tool"]).intersection(toolKeys)
        let before = reader.errorCount
        func strings(_ key: String) -> [String]? { f.has(key) ? f.stringList(key, of: "strings") : nil }
        let result: ToolOptions
        switch tool {
        case .goss:
            var o = GossOptions()
            o.runtimeOptions = f.optionalString("runtimeOptions")
            if let c = f.string("command") { o.command = c }
            if let w = f.int("wait") {
                if w < 0 { reader.error(f["wait"], path.key("wait"), "wait must be 0 or more seconds, found \(w)") }
                o.wait = w
            }
            if let t = f.int("timeout") {
                if t < 0 { reader.error(f["timeout"], path.key("timeout"), "timeout must be 0 (no limit) or more seconds, found \(t)") }
                o.timeout = t
            }
            o.explicitlySet = set
            result = .goss(o)
        case .hadolint:
            var o = HadolintOptions()
            if let t = f.string("failureThreshold") {
                if HadolintOptions.thresholds.contains(t) { o.failureThreshold = t } else {
                    reader.error(f["failureThreshold"], path.key("failureThreshold"), "unknown failure threshold '\(t)'",
                                 hint: "one of: " + HadolintOptions.thresholds.joined(separator: ", "))
                }
            }
            o.ignored = strings("ignored")
            if f.has("labelSchema") { o.labelSchema = f.stringMap("labelSchema").map { KeyValue($0.key, $0.value) } }
            o.noFail = f.bool("noFail")
            if let ov = f["override"] {
                if let of = reader.object(ov, at: path.key("override"), keys: ["error", "warning", "info", "style"], forbidUnknown: true, what: "hadolint override") {
                    var map: [String: [String]] = [:]
                    for level in ["error", "warning", "info", "style"] where of.has(level) { map[level] = of.stringList(level, of: "rule codes") }
                    o.override = map
                }
            }
            o.strictLabels = f.bool("strictLabels")
            o.disableIgnorePragma = f.bool("disableIgnorePragma")
            o.trustedRegistries = strings("trustedRegistries")
            o.explicitlySet = set
            result = .hadolint(o)
        case .soci:
            var o = SociOptions()
            o.enabled = f.bool("enabled") ?? false
            o.spanSize = f.int("span_size")
            o.minLayerSize = f.int("min_layer_size")
            o.prefetchFiles = strings("prefetch_files") ?? []
            o.optimizations = strings("optimizations") ?? []
            o.platforms = strings("platforms")
            o.explicitlySet = set
            result = .soci(o)
        case .trivy:
            var o = TrivyOptions()
            o.severity = strings("severity")
            o.ignoreUnfixed = f.bool("ignoreUnfixed")
            o.skipFiles = strings("skipFiles")
            o.skipDirs = strings("skipDirs")
            o.exitCode = f.int("exitCode")
            o.scanners = strings("scanners")
            if let t = f.string("timeout") {
                if isGoDuration(t) { o.timeout = t } else {
                    reader.error(f["timeout"], path.key("timeout"), "invalid timeout '\(t)'", hint: "expected a Go duration such as '5m0s'")
                }
            }
            if let list = strings("failureSeverity") {
                let upper = list.map { $0.uppercased() }
                if upper.isEmpty {
                    reader.error(f["failureSeverity"], path.key("failureSeverity"), "failureSeverity cannot be empty", hint: "list one or more of " + TrivyOptions.severities.joined(separator: ", "))
                } else if let bad = upper.first(where: { !TrivyOptions.severities.contains($0) }) {
                    reader.error(f["failureSeverity"], path.key("failureSeverity"), "unknown severity '\(bad)'", hint: "one of " + TrivyOptions.severities.joined(separator: ", "))
                } else {
                    o.failureSeverity = upper
                }
            }
            o.explicitlySet = set
            result = .trivy(o)
        case .wizcli:
            var o = WizcliOptions()
            o.projects = strings("projects")
            o.policies = strings("policies")
            o.tags = strings("tags")
            o.scanOsManagedLibraries = f.bool("scanOsManagedLibraries")
            o.scanGoStandardLibrary = f.bool("scanGoStandardLibrary")
            o.explicitlySet = set
            result = .wizcli(o)
        }
        return reader.errorCount == before ? result : nil
    }

    /// `^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$`
    static func isGoDuration(_ s: String) -> Bool {
        var rest = Substring(s)
        guard !rest.isEmpty else { return false }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            if rest.first == "." {
                let frac = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
                guard !frac.isEmpty else { return false }
                rest = rest.dropFirst(1 + frac.count)
            }
            guard let unit = ["ns", "us", "µs", "ms", "s", "m", "h"].first(where: { rest.hasPrefix($0) }) else { return false }
            rest = rest.dropFirst(unit.count)
        }
        return true
    }
}
