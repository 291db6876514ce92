// Where versions that are not written in bakery.yaml come from: development versions (product
// release channels, newest dependency releases) and matrix dependencyConstraints.

/// Resolves versions that need an outside source. The offline implementation below is the default;
/// a resolver with network access and an offline cache plugs in here. A failure the user can act on
/// is a `BakeryError` with code `.versionResolution`.
public protocol VersionResolver: Sendable {
    /// The development versions of `image` (from product channels or dependency releases), as image versions with their
    /// metadata set. Messages (skipped entries, excluded OSes) go to `log`.
    func developmentVersions(of image: Image, log: TargetLog) throws -> [ImageVersion]

    /// The versions a matrix `dependencyConstraints` entry selects (latest N, or up to a maximum), newest first.
    func versions(for constraint: DependencyConstraint, image: Image) throws -> [String]
}

/// Resolves nothing that needs the network: development versions are skipped with a warning each
/// (as posit-bakery does when it cannot reach the product feeds), and matrix
/// `dependencyConstraints` fail with a message saying how to pin versions instead.
public struct OfflineVersionResolver: VersionResolver {
    public init() {}

    public func developmentVersions(of image: Image, log: TargetLog) throws -> [ImageVersion] {
        for dev in image.devVersions {
            log.warning("Skipping \(image.name) development version (\(dev.summary)): resolving it needs the product's release feed, and this bakery resolves versions offline only")
        }
        return []
    }

    public func versions(for constraint: DependencyConstraint, image: Image) throws -> [String] {
        throw BakeryError(.versionResolution,
            "image '\(image.name)': the matrix dependency constraint for \(constraint.dependency.rawValue) needs the list of \(constraint.dependency.rawValue) releases, and this bakery resolves versions offline only; pin the versions with 'dependencies: - dependency: \(constraint.dependency.rawValue)\n  versions: [...]' instead")
    }
}

extension DevVersion {
    /// `channel connect daily`, `dependency quarto (prerelease)` — for messages.
    public var summary: String {
        switch source {
        case .channel(let product, let channel): return "product \(product.rawValue), channel \(channel.rawValue)"
        case .dependency(let dep, let prerelease, let channel):
            return "dependency \(dep.rawValue)\(prerelease ? " (prerelease)" : "")\(channel.map { ", channel \($0.rawValue)" } ?? "")"
        }
    }
}
