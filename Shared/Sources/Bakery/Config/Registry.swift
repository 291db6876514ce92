// Container registries images are tagged for: global ones, and per-image/version extra or override lists.
import BakeryYAML

/// A registry host with an optional namespace; with `repository` it also renames the image in tags.
///
///     let r = Registry(host: "ghcr.io", namespace: "posit-dev")
///     r.baseURL   // "ghcr.io/posit-dev"
public struct Registry: Sendable, Hashable {
    public var host: String
    public var namespace: String?
    /// Replaces the image name as repository in tags (not allowed in the top-level `registries`).
    public var repository: String?

    public init(host: String, namespace: String? = nil, repository: String? = nil) {
        self.host = host
        self.namespace = namespace
        self.repository = repository
    }

    public var baseURL: String { namespace.map { "\(host)/\($0)" } ?? host }

    static func decode(_ node: YAMLNode, _ path: ConfigPath, reader: ConfigReader, allowRepository: Bool) -> Registry? {
        let keys = ["host", "namespace", "repository"]
        guard let f = reader.object(node, at: path, keys: keys, forbidUnknown: true, what: "registry") else { return nil }
        if !allowRepository, let repo = f["repository"] {
            reader.error(repo, path.key("repository"), "'repository' is not allowed in the top-level registries",
                         hint: "set it in an image's or version's extraRegistries/overrideRegistries instead", code: .unknownKey)
        }
        guard let host = f.string("host", required: true, hint: "a registry needs a 'host', e.g. host: ghcr.io") else { return nil }
        if host.isEmpty || host.contains(where: { $0 == " " || $0 == "/" }) {
            reader.error(f["host"], path.key("host"), "'\(host)' is not a registry host name",
                         hint: "give the host only, e.g. 'ghcr.io', and put the rest in 'namespace'")
        }
        let namespace = f.optionalString("namespace")
        let repository = allowRepository ? f.optionalString("repository") : nil
        return Registry(host: host, namespace: namespace, repository: repository)
    }

    /// Drops exact duplicates (warning for each) and sorts by base URL, as the reference does.
    static func normalize(_ registries: [(Registry, YAMLNode)], reader: ConfigReader, path: ConfigPath,
                          owner: String) -> [Registry] {
        var seen = Set<Registry>()
        var result: [Registry] = []
        for (registry, node) in registries {
            if seen.contains(registry) {
                reader.warning(node, path, "duplicate registry defined in config\(owner): \(registry.baseURL)",
                               hint: "remove the repeated entry", code: .duplicate)
                continue
            }
            seen.insert(registry)
            result.append(registry)
        }
        return stableSorted(result) { $0.baseURL < $1.baseURL }
    }

    /// Reads `extraRegistries` / `overrideRegistries` of one level; both set is an error.
    static func decodeLevel(_ f: Fields, reader: ConfigReader, owner: String, ownerForError: String) -> (extra: [Registry], override: [Registry]) {
        func read(_ key: String) -> [Registry] {
            let pairs = f.entries(key, of: "registries") { decode($0, $1, reader: reader, allowRepository: true) }.map { ($0.value, $0.node) }
            return normalize(pairs, reader: reader, path: f.path.key(key), owner: owner)
        }
        let extra = read("extraRegistries")
        let override = read("overrideRegistries")
        if f.has("extraRegistries"), f.has("overrideRegistries") {
            reader.error(f["overrideRegistries"], f.path.key("overrideRegistries"),
                         "only one of 'extraRegistries' or 'overrideRegistries' can be defined for \(ownerForError)",
                         hint: "keep extraRegistries to add to the inherited registries, or overrideRegistries to replace them")
        }
        return (extra, override)
    }

    /// The effective list at a level: the override list if non-empty, else extra followed by inherited ones not already present.
    public static func effective(override: [Registry], extra: [Registry], inherited: [Registry]) -> [Registry] {
        if !override.isEmpty { return override }
        var result = extra
        for r in inherited where !result.contains(r) { result.append(r) }
        return result
    }
}

/// A sort that keeps the original order of equal elements (Swift's sort is not guaranteed stable).
func stableSorted<T>(_ items: [T], by less: (T, T) -> Bool) -> [T] {
    items.enumerated().sorted { a, b in
        if less(a.element, b.element) { return true }
        if less(b.element, a.element) { return false }
        return a.offset < b.offset
    }.map(\.element)
}
