import Bakery
import Foundation
import TestSupport
import Testing

/// The product modules are plugged into the CLI: a workspace is made of the registered product
/// folders, and a product's folder is validated with the product's own rules.
@Suite("Registered products")
struct ProductRegistryTests {
    static func scratch() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-products-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    static func copy(_ reference: String, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ExampleProjects.referenceConfig(reference),
                                         to: folder.appendingPathComponent("bakery.yaml"))
    }

    @Test func validateAtTheRootChecksEveryRegisteredProductFolderAndNothingElse() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.copy("connect", to: root.appendingPathComponent("Connect"))
        try Self.copy("workbench", to: root.appendingPathComponent("Workbench"))
        // Not a registered product: ignored, even though it is broken.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Other"), withIntermediateDirectories: true)
        try "images: [".write(to: root.appendingPathComponent("Other/bakery.yaml"), atomically: true, encoding: .utf8)
        let r = try BakeryBinary.run(["validate"], in: root)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("✅ Connect/bakery.yaml is valid") == true)
        #expect(lines.last?.hasPrefix("✅ Workbench/bakery.yaml is valid") == true)
    }

    @Test func aConnectVersionThatIsNotAConnectReleaseIsALocatedError() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let connect = root.appendingPathComponent("Connect")
        try Self.copy("connect", to: connect)
        let file = connect.appendingPathComponent("bakery.yaml")
        let original = try String(contentsOf: file, encoding: .utf8)
        let line = try #require(original.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("- name: 2026.") })
        let text = original.replacingOccurrences(of: "- name: 2026.", with: "- name: v2026.", options: [], range: original.range(of: "- name: 2026."))
        try text.write(to: file, atomically: true, encoding: .utf8)
        let before = BakeryBinary.snapshot(root)
        for dir in [connect, root] {
            let r = try BakeryBinary.run(["validate"], in: dir)
            #expect(r.status == 1)
            #expect(r.stderr.contains(":\(line + 1):"), "\(r.stderr)")
            #expect(r.stderr.contains("is not a Posit Connect version (connect versions are release numbers such as 2026.03.1)"), "\(r.stderr)")
        }
        // The same folder under another name is a plain project: no product rule applies.
        let plain = root.appendingPathComponent("Elsewhere")
        try FileManager.default.moveItem(at: connect, to: plain)
        #expect(try BakeryBinary.run(["validate"], in: plain).status == 0)
        try FileManager.default.moveItem(at: plain, to: connect)
        #expect(BakeryBinary.snapshot(root) == before)
    }

    @Test func aProductFolderWithAnImageTheModuleDoesNotKnowIsWarned() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let folder = root.appendingPathComponent("PackageManager")
        try Self.copy("01-basic-image", to: folder)
        let r = try BakeryBinary.run(["validate"], in: folder)
        #expect(r.status == 0)
        #expect(r.stderr.contains("Posit Package Manager does not publish an image named 'example-image'"), "\(r.stderr)")
        #expect(try BakeryBinary.run(["validate", "--strict"], in: folder).status == 1)
    }

    @Test func editsOfAProductFolderFollowTheProductsRules() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let connect = root.appendingPathComponent("Connect")
        try FileManager.default.copyItem(at: BakeryBinary.repositoryRoot.appendingPathComponent("Connect"), to: connect)
        try? FileManager.default.removeItem(at: connect.appendingPathComponent("Sources"))
        try? FileManager.default.removeItem(at: connect.appendingPathComponent("Tests"))
        let before = BakeryBinary.snapshot(root)
        let bad = try BakeryBinary.run(["create", "version", "connect-content-init", "2026.4.0"], in: connect)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("'2026.4.0' is not a Posit Connect version"), "\(bad.stderr)")
        #expect(bad.stderr.contains("nothing was written"), "\(bad.stderr)")
        #expect(BakeryBinary.snapshot(root) == before)
        let good = try BakeryBinary.run(["create", "version", "connect-content-init", "2026.04.0"], in: connect)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(FileManager.default.fileExists(atPath: connect.appendingPathComponent("connect-content-init/2026.04.0/Containerfile.ubuntu2404").path))
    }

    @Test func aProductFolderSpelledInAnotherCaseIsNamedInTheHint() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.copy("connect", to: root.appendingPathComponent("connect"))
        let r = try BakeryBinary.run(["validate"], in: root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("the folder 'connect' holds a bakery.yaml, but Posit Connect's folder is spelled 'Connect'"), "\(r.stderr)")
    }
}
