// What the product suites check about development versions: the daily/preview targets bakery plans when the fixture
// mirror serves the channel documents, and the .dev-* folders rendered for them.
import Bakery
import Foundation

/// Plans and renders a product folder's development targets from the fixture documents.
///
///     let server = try DocumentServer(root: DocumentServer.mirror)
///     let (result, targets) = try DevelopmentTargets.plan(project, server: server)
///     targets["connect-content-init-2026-05-0-dev-185-g1a2b3c4-ubuntu-24-04-daily"]?.tags
public enum DevelopmentTargets {
    public struct Planned: Sendable {
        public var tags: [String]
        public var dockerfile: String
    }

    /// `bakery build --plan --dev-versions only` on `project` with `server` as the sources mirror: the run and its
    /// targets by UID (none when the run failed).
    public static func plan(_ project: URL, server: DocumentServer, arguments: [String] = [],
                            environment: [String] = []) throws -> (result: BakeryBinary.Result, targets: [String: Planned]) {
        let result = try server.bakery(["build", "--plan", "--dev-versions", "only"] + arguments, in: project, environment: environment)
        guard result.status == 0, let plan = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
              let targets = plan["target"] as? [String: [String: Any]] else { return (result, [:]) }
        return (result, targets.compactMapValues { t in
            guard let tags = t["tags"] as? [String], let dockerfile = t["dockerfile"] as? String else { return nil }
            return Planned(tags: tags, dockerfile: dockerfile)
        })
    }

    /// A copy of `project` with the `.dev-*` folders of its development targets rendered, documents read from the
    /// fixture mirror folder through `products`' channel readers. The caller removes the copy.
    public static func renderedCopy(of project: URL, products: ProductRegistry) throws -> (copy: URL, targets: [ImageTarget]) {
        let copy = try BakeryBinary.temporaryCopy(of: project)
        let config = try ConfigLoader.load(context: copy).config
        var filter = TargetFilter()
        filter.devVersions = .only
        filter.matrixVersions = .include
        let resolver = SourcedVersionResolver(source: FolderDocumentSource(root: DocumentServer.mirror), products: products)
        let targets = try TargetSelector(filter: filter, resolver: resolver).select([TargetProject(config: config, context: ".")])
        _ = try EphemeralVersionFolders.render(targets, workspace: copy, log: TargetLog())
        return (copy, targets)
    }
}
