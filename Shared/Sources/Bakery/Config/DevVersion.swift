// Development versions: built from a product release channel or from a dependency's newest release.
import BakeryYAML

/// One `devVersions:` entry.
///
///     switch dev.source {
///     case .channel(let product, let channel): …   // e.g. connect daily
///     case .dependency(let dep, let prerelease, let channel): …
///     }
public struct DevVersion: Sendable, Hashable {
    public enum Source: Sendable, Hashable {
        case channel(product: PositProduct, channel: ReleaseChannel)
        case dependency(DependencyName, prerelease: Bool, channel: ReleaseChannel?)
    }

    public var source: Source
    public var os: [ImageVersionOS]
    public var extraRegistries: [Registry]
    public var overrideRegistries: [Registry]
    public var values: [(key: String, value: String)]
    /// True when the entry used the deprecated `sourceType: stream` / `stream:` spelling.
    public var usesLegacyStreamKey: Bool
    public var location: SourceLocation?

    public var channel: ReleaseChannel? {
        switch source {
        case .channel(_, let c): c
        case .dependency(_, _, let c): c
        }
    }

    public static func == (a: DevVersion, b: DevVersion) -> Bool {
        a.source == b.source && a.os == b.os && a.extraRegistries == b.extraRegistries && a.overrideRegistries == b.overrideRegistries
            && a.values.map(\.key) == b.values.map(\.key) && a.values.map(\.value) == b.values.map(\.value)
    }

    public func hash(into h: inout Hasher) { h.combine(source) }

    static let commonKeys = ["sourceType", "extraRegistries", "overrideRegistries", "os", "values"]

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader, imageName: String) -> DevVersion? {
        guard node.kind == .mapping else {
            reader.error(node, path, "expected a development version (a mapping with 'sourceType: …'), found \(ConfigReader.describe(node))", code: .invalidType)
            return nil
        }
        guard let typeNode = node["sourceType"] else {
            reader.error(node, path.key("sourceType"), "missing required key 'sourceType'",
                         hint: "say where the version comes from: sourceType: channel or sourceType: dependency", code: .missingKey)
            return nil
        }
        guard let sourceType = reader.string(typeNode, path.key("sourceType")) else { return nil }
        let before = reader.errorCount
        let owner = "image development version"
        switch sourceType {
        case "channel", "stream":
            guard let f = reader.object(node, at: path, keys: commonKeys + ["product", "channel", "stream"], what: "development version") else { return nil }
            let product: PositProduct? = f.string("product", required: true, hint: "e.g. product: connect").flatMap { p in
                if let product = PositProduct(rawValue: p) { return product }
                reader.error(f["product"], path.key("product"), "unknown product '\(p)'",
                             hint: "one of: " + PositProduct.allCases.map(\.rawValue).joined(separator: ", "))
                return nil
            }
            var legacy = sourceType == "stream"
            var channelKey = "channel"
            if f.has("stream") {
                legacy = true
                if f.has("channel") {
                    reader.error(f["stream"], path.key("stream"), "both 'channel' and the deprecated 'stream' are set", hint: "keep 'channel' only")
                } else {
                    channelKey = "stream"
                    reader.warning(f["stream"], path.key("stream"), "devVersions: 'stream' is deprecated in bakery.yaml, use 'channel' instead",
                                   hint: "rename the key to 'channel'", code: .deprecated)
                }
            }
            let channel: ReleaseChannel? = f.string(channelKey, required: true, hint: "e.g. channel: daily").flatMap { c in
                if let channel = ReleaseChannel(rawValue: c) { return channel }
                reader.error(f[channelKey], path.key(channelKey), "unknown channel '\(c)'",
                             hint: "one of: " + ReleaseChannel.allCases.map(\.rawValue).joined(separator: ", "))
                return nil
            }
            if let product, let channel, !product.channels.contains(channel) {
                reader.warning(f[channelKey], path.key(channelKey), "\(product.rawValue) publishes no '\(channel.rawValue)' channel; this development version will be skipped",
                               hint: "use one of: " + product.channels.map(\.rawValue).joined(separator: ", "))
            }
            let common = decodeCommon(f, reader: reader, owner: owner)
            guard let product, let channel, reader.errorCount == before else { return nil }
            return DevVersion(source: .channel(product: product, channel: channel), os: common.os, extraRegistries: common.extra,
                              overrideRegistries: common.override, values: common.values, usesLegacyStreamKey: legacy,
                              location: reader.location(node))
        case "dependency":
            guard let f = reader.object(node, at: path, keys: commonKeys + ["dependency", "prerelease", "channel"], what: "development version") else { return nil }
            let dep = f.value("dependency", required: true, hint: "e.g. dependency: positron").flatMap {
                DependencyName.decode($0, path.key("dependency"), reader: reader)
            }
            let prerelease = f.bool("prerelease") ?? false
            var channel: ReleaseChannel?
            if let c = f.optionalString("channel") {
                switch ReleaseChannel(rawValue: c) {
                case .release?:
                    reader.error(f["channel"], path.key("channel"), "channel: 'release' is not valid for dependency-sourced dev versions",
                                 hint: "omit 'channel' for stable dependency resolution")
                case let ch?:
                    channel = ch
                case nil:
                    reader.error(f["channel"], path.key("channel"), "unknown channel '\(c)'", hint: "one of: preview, daily, or omit it")
                }
            }
            let common = decodeCommon(f, reader: reader, owner: owner)
            guard let dep, reader.errorCount == before else { return nil }
            return DevVersion(source: .dependency(dep, prerelease: prerelease, channel: channel), os: common.os,
                              extraRegistries: common.extra, overrideRegistries: common.override, values: common.values,
                              usesLegacyStreamKey: false, location: reader.location(node))
        default:
            let hint = ConfigReader.suggestion(for: sourceType, among: ["channel", "dependency"]).map { "did you mean '\($0)'? " } ?? ""
            reader.error(typeNode, path.key("sourceType"), "unknown sourceType '\(sourceType)'", hint: hint + "use 'channel' or 'dependency'")
            return nil
        }
    }

    private static func decodeCommon(_ f: Fields, reader: ConfigReader, owner: String)
        -> (os: [ImageVersionOS], extra: [Registry], override: [Registry], values: [(key: String, value: String)]) {
        let registries = Registry.decodeLevel(f, reader: reader, owner: " for image development version", ownerForError: "image development version")
        let os = ImageVersionOS.decodeList(f, reader: reader, owner: owner, announceAutoPrimary: false)
        return (os, registries.extra, registries.override, f.stringMap("values"))
    }
}

extension DevVersion {
    /// `values` as an image version holds them (a repeated key keeps its last value).
    public var valuesByKey: [String: String] { Dictionary(values.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b }) }

    /// `channel connect daily`, `dependency quarto (prerelease)` — for messages.
    public var summary: String {
        switch source {
        case .channel(let product, let channel): return "product \(product.rawValue), channel \(channel.rawValue)"
        case .dependency(let dep, let prerelease, let channel):
            return "dependency \(dep.rawValue)\(prerelease ? " (prerelease)" : "")\(channel.map { ", channel \($0.rawValue)" } ?? "")"
        }
    }
}
