// Which versions of a dependency to take from its available releases.
import BakeryYAML

/// Which versions of a dependency to take from its available releases.
///
///     VersionConstraint(latest: true, count: 2)   // the two newest minor lines
///     VersionConstraint(max: "4.4", count: 1)      // newest 4.4.x
public struct VersionConstraint: Sendable, Hashable {
    public var latest: Bool?
    public var count: Int?
    public var max: String?
    public var min: String?

    public init(latest: Bool? = nil, count: Int? = nil, max: String? = nil, min: String? = nil) {
        self.latest = latest
        self.count = count
        self.max = max
        self.min = min
        if latest == true, count == nil, max == nil, min == nil { self.count = 1 }
    }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader) -> VersionConstraint? {
        guard let f = reader.object(node, at: path, keys: ["latest", "count", "max", "min"], forbidUnknown: true,
                                    what: "version constraint") else { return nil }
        let before = reader.errorCount
        let latest = f.bool("latest")
        let count = f.int("count")
        if let count, count <= 0 {
            reader.error(f["count"], path.key("count"), "count must be greater than 0, found \(count)", hint: "use 1 or more")
        }
        func bound(_ key: String) -> String? {
            guard let v = f[key] else { return nil }
            switch v.resolved {
            case .int(let text, _)?, .float(let text)?: return text  // numbers are accepted and stringified
            default: return reader.string(v, path.key(key))
            }
        }
        let max = bound("max"), min = bound("min")
        let latestSet = f.has("latest"), maxSet = f.has("max"), minSet = f.has("min"), countSet = f.has("count")
        if !latestSet && !maxSet {
            reader.error(node, path, "version constraint must specify 'latest' or 'max'", hint: "add 'latest: true' or 'max: \"4.4\"'")
        }
        if latestSet && maxSet {
            reader.error(f["max"], path, "cannot specify both 'latest' and 'max' in a version constraint", hint: "remove one of them")
        }
        if countSet && latestSet && minSet {
            reader.error(f["count"], path, "cannot specify 'count' with both 'latest' and 'min' in a version constraint", hint: "remove 'count' or 'min'")
        }
        if countSet && maxSet && minSet {
            reader.error(f["count"], path, "cannot specify 'count' with both 'max' and 'min' in a version constraint", hint: "remove 'count' or one bound")
        }
        if let min, let max, let lo = ReleaseNumbers(min), let hi = ReleaseNumbers(max), lo > hi {
            reader.error(f["min"], path, "'min' (\(min)) is greater than 'max' (\(max)) in a version constraint", hint: "swap them")
        }
        guard reader.errorCount == before else { return nil }
        return VersionConstraint(latest: latest, count: count, max: max, min: min)
    }
}
