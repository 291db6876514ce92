// The version resolver that needs no network: dev versions are skipped, constraints refused.

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
