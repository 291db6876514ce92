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
}
