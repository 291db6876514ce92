// The version resolver that reads dependency release lists and product channel documents through a DocumentSource
// (network, cache, mirror or fixtures).
import Foundation

/// Resolves matrix and image `dependencyConstraints` from the documents a `DocumentSource` gives; each list is
/// read once per resolver (per process, as the reference memoises).
///
///     let resolver = SourcedVersionResolver(source: FolderDocumentSource(root: mirror))
///     let selector = TargetSelector(filter: filter, resolver: resolver)
///     try resolver.versions(for: constraint, image: image)   // ["4.5.1", "4.4.3"]
///
/// Development versions come from the channels of the registered `products` (and dependency release lists), a
/// `spec` pinning one of them (`DevelopmentVersionLoader`).
public struct SourcedVersionResolver: VersionResolver, DependencyVersionLookup {
    public let source: any DocumentSource
    public let products: ProductRegistry
    public let spec: DevelopmentSpec?
    public let devChannel: ReleaseChannel?
    private let memo = Memo()
    private let channelDocuments: DevelopmentVersionLoader.DocumentMemo

    public init(source: any DocumentSource, products: ProductRegistry = .none, spec: DevelopmentSpec? = nil,
                devChannel: ReleaseChannel? = nil) {
        self.source = source
        self.products = products
        self.spec = spec
        self.devChannel = devChannel
        self.channelDocuments = DevelopmentVersionLoader.DocumentMemo()
    }

    public func developmentVersions(of image: Image, log: TargetLog) throws -> [ImageVersion] {
        try DevelopmentVersionLoader(source: source, products: products, dependencyVersions: self, spec: spec,
                                     devChannel: devChannel, documents: channelDocuments).load(image, log: log)
    }

    /// The available versions of `dependency` (with pre-releases when `prerelease`), newest first; read once.
    public func availableVersions(of dependency: DependencyName, prerelease: Bool) throws(BakeryError) -> [String] {
        let key = Memo.Key(dependency: dependency, prerelease: prerelease && dependency.supportsPrerelease)
        if let known = memo.get(key) { return known }
        let versions = try DependencyVersionSource(dependency).availableVersions(prerelease: key.prerelease, from: source)
        memo.set(key, versions)
        return versions
    }

    public func versions(for constraint: DependencyConstraint, image: Image) throws -> [String] {
        let available = try availableVersions(of: constraint.dependency, prerelease: constraint.prerelease)
        let selected = try constraint.constraint.select(from: available)
        if selected.isEmpty {
            let newest = available.first.map { ", the newest being \($0)" } ?? ""
            throw BakeryError(.versionResolution,
                "image '\(image.name)': the \(constraint.dependency.rawValue) constraint \(constraint.constraint.summary) selects none of the \(available.count) available versions\(newest)",
                hint: "loosen 'min' or 'max', or pin the versions with 'dependencies' instead")
        }
        return selected
    }

    /// Lists already read, shared by copies of the resolver.
    private final class Memo: @unchecked Sendable {
        struct Key: Hashable { var dependency: DependencyName; var prerelease: Bool }
        private let lock = NSLock()
        private var lists: [Key: [String]] = [:]
        func get(_ key: Key) -> [String]? { lock.withLock { lists[key] } }
        func set(_ key: Key, _ value: [String]) { lock.withLock { lists[key] = value } }
    }
}

extension VersionConstraint {
    /// The constraint as bakery.yaml spells it, for messages: `{latest: true, count: 2}`.
    public var summary: String {
        var parts: [String] = []
        if let latest { parts.append("latest: \(latest)") }
        if let count { parts.append("count: \(count)") }
        if let max { parts.append("max: \"\(max)\"") }
        if let min { parts.append("min: \"\(min)\"") }
        return "{" + parts.joined(separator: ", ") + "}"
    }
}
