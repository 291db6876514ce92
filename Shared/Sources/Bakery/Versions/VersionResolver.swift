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
