import Foundation

/// The twelve example configs the suites validate and plan: the six tutorials, read from `Examples/`
/// (never copied), and the product-shaped reference configs kept in `Tests/Fixtures/examples`.
public enum ExampleProjects {
    static let tutorials = BakeryBinary.repositoryRoot.appendingPathComponent("Examples")
    static let fixtures = BakeryBinary.fixtures.appendingPathComponent("examples")

    /// Every example name (`01-basic-image` … `workbench`), sorted.
    public static let names: [String] = (subfolders(of: tutorials) + subfolders(of: fixtures)).sorted()

    /// The folder holding the example's bakery.yaml.
    public static func folder(_ name: String) -> URL {
        let tutorial = tutorials.appendingPathComponent(name)
        return FileManager.default.fileExists(atPath: tutorial.appendingPathComponent("bakery.yaml").path)
            ? tutorial : fixtures.appendingPathComponent(name)
    }

    /// The folder relative to the repository root, as bakery prints it when run there.
    public static func relativeFolder(_ name: String) -> String {
        String(folder(name).path.dropFirst(BakeryBinary.repositoryRoot.path.count + 1))
    }

    private static func subfolders(of dir: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).filter {
            FileManager.default.fileExists(atPath: dir.appendingPathComponent("\($0)/bakery.yaml").path)
        }
    }

    /// The bakery.yaml a recorded reference project (Tests/Fixtures/reference/<project>) was run on:
    /// for the six tutorials, the tutorial's own file in Examples/ (the recordings are of those exact
    /// bytes, so changing a tutorial means recording its outputs again); else the copy kept beside
    /// the recording.
    public static func referenceConfig(_ project: String) -> URL {
        let tutorial = tutorials.appendingPathComponent("\(project)/bakery.yaml")
        return FileManager.default.fileExists(atPath: tutorial.path)
            ? tutorial : BakeryBinary.fixtures.appendingPathComponent("reference/\(project)/bakery.yaml")
    }
}
