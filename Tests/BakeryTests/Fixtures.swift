import Bakery
import Foundation
import TestSupport

/// Test fixtures live in Tests/Fixtures of the source tree, shared by every suite.
enum Fixtures {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func load(_ example: String) throws -> LoadedConfig {
        try ConfigLoader.load(context: ExampleProjects.folder(example))
    }

    /// Validates YAML text as if it were bakery.yaml in /project.
    static func load(yaml: String, strict: Bool = false) throws(BakeryError) -> LoadedConfig {
        try ConfigLoader.load(bytes: Array(yaml.utf8), displayPath: "bakery.yaml", context: URL(fileURLWithPath: "/project"),
                              file: URL(fileURLWithPath: "/project/bakery.yaml"), strict: strict)
    }

    static let header = """
    repository:
      url: "github.com/example/project"
    registries:
      - host: ghcr.io
        namespace: example
    images:

    """
}
