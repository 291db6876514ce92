import Bakery
import Foundation
import TestSupport
import Testing

/// On real configs: adding a version (without moving `latest`) and removing it again gives back
/// bakery.yaml byte for byte, and the added entry reads back as the version we asked for.
@Suite("Round trips on real configs")
struct RoundTripTests {
    static let configs: [String] = {
        let fm = FileManager.default
        var out: [String] = ExampleProjects.names.map { "examples/\($0)" }
        for base in ["reference"] {
            let dir = BakeryBinary.fixtures.appendingPathComponent(base)
            for name in ((try? fm.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
            where fm.fileExists(atPath: dir.appendingPathComponent("\(name)/bakery.yaml").path) && !name.hasPrefix("new-project") {
                out.append("\(base)/\(name)")
            }
        }
        return out
    }()

    @Test("create version then remove version restores bakery.yaml", arguments: configs)
    func createThenRemove(_ config: String) throws {
        let fm = FileManager.default
        let source = config.hasPrefix("examples/")
            ? ExampleProjects.folder(String(config.dropFirst("examples/".count))).appendingPathComponent("bakery.yaml")
            : BakeryBinary.fixtures.appendingPathComponent("\(config)/bakery.yaml")
        let original = try String(contentsOf: source, encoding: .utf8)
        let loaded = try ConfigLoader.load(context: source.deletingLastPathComponent())
        // An image without a matrix and without constraints that need the network.
        guard let image = loaded.config.images.first(where: { $0.matrix == nil && $0.dependencyConstraints.isEmpty }) else { return }
        let dir = fm.temporaryDirectory.appendingPathComponent("bakery-roundtrip-\(UUID().uuidString)")
        try fm.createDirectory(at: dir.appendingPathComponent("\(image.subpath)/template"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
        try original.write(to: dir.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        try "FROM scratch\n# {{ Image.Version }}\n".write(to: dir.appendingPathComponent("\(image.subpath)/template/Containerfile.jinja2"), atomically: true, encoding: .utf8)

        let create = try BakeryBinary.run(["create", "version", image.name, "99.1.0", "--no-mark-latest", "--value", "k=v"], in: dir)
        #expect(create.status == 0, "\(create.stderr)")
        let edited = try ConfigLoader.load(context: dir)
        let added = try #require(edited.config.image(named: image.name)?.versions.first { $0.name == "99.1.0" })
        #expect(added.values == ["k": "v"])
        #expect(!added.latest)
        #expect(edited.config.image(named: image.name)?.versions.count == image.versions.count + 1)
        // Containerfile templates fan out over variants (Containerfile.<variant extension>).
        let containerfile = image.variants.first.map { "Containerfile.\($0.extension)" } ?? "Containerfile"
        #expect(fm.fileExists(atPath: dir.appendingPathComponent("\(image.subpath)/99.1.0/\(containerfile)").path))

        let remove = try BakeryBinary.run(["remove", "version", image.name, "99.1.0"], in: dir)
        #expect(remove.status == 0, "\(remove.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("bakery.yaml"), encoding: .utf8) == original)
        #expect(!fm.fileExists(atPath: dir.appendingPathComponent("\(image.subpath)/99.1.0").path))
    }
}
