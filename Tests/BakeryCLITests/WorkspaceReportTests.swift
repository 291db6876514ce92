import Bakery
import Foundation
import TestSupport
import Testing

/// Workspaces of product folders, product rules on edits, and how failures are reported: each test
/// is the user's command line and what they should see. Also the source layout of `Bakery`.
@Suite("Workspace reports and source layout")
struct WorkspaceReportTests {
    static func scratch() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-workspace-report-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    /// A small Connect image project: `connect` and `connect-content-init`, one version each, a
    /// template folder per image and a rendered folder per version.
    static func connectProject(in folder: URL, initVersion: String = "2026.03.1", template: String = "FROM ubuntu:24.04\n") throws {
        try write("""
            repository:
              url: "github.com/example/connect"
            images:
              - name: connect
                versions:
                  - name: 2026.03.1
                    latest: true
                    os:
                      - name: Ubuntu 24.04
                        primary: true
              - name: connect-content-init
                versions:
                  - name: \(initVersion)
                    latest: true
                    os:
                      - name: Ubuntu 24.04
                        primary: true

            """, to: folder.appendingPathComponent("bakery.yaml"))
        for image in ["connect", "connect-content-init"] {
            try write(template, to: folder.appendingPathComponent("\(image)/template/Containerfile.ubuntu2404.jinja2"))
        }
        try write("FROM ubuntu:24.04\n", to: folder.appendingPathComponent("connect/2026.03.1/Containerfile.ubuntu2404"))
        try write("FROM ubuntu:24.04\n", to: folder.appendingPathComponent("connect-content-init/\(initVersion)/Containerfile.ubuntu2404"))
    }

    /// `bakery validate` at a repository root says it validates every product folder; a broken first
    /// product must not hide the problems of the next one.
    @Test func validateAtAWorkspaceRootReportsEveryBrokenProduct() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.connectProject(in: root.appendingPathComponent("Connect"), initVersion: "2026.13.1")
        try Self.write("images: [\n", to: root.appendingPathComponent("Workbench/bakery.yaml"))
        let before = BakeryBinary.snapshot(root)
        let r = try BakeryBinary.run(["validate"], in: root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("Connect/bakery.yaml:13:9: images[1].versions[0].name: '2026.13.1' is not a Posit Connect version"), "\(r.stderr)")
        #expect(r.stderr.contains("❌ Workbench/bakery.yaml is not valid YAML"), "\(r.stderr)")
        #expect(BakeryBinary.snapshot(root) == before)

        // A valid product keeps its ✅ line when a later one is broken.
        try FileManager.default.removeItem(at: root.appendingPathComponent("Connect"))
        try Self.connectProject(in: root.appendingPathComponent("Connect"))
        let again = try BakeryBinary.run(["validate"], in: root)
        #expect(again.status == 1)
        #expect(again.stdout.hasPrefix("✅ Connect/bakery.yaml is valid"), "\(again.stdout)")
        #expect(again.stderr.contains("❌ Workbench/bakery.yaml is not valid YAML"), "\(again.stderr)")
    }

    /// Product rules refuse a bad version name an edit introduces, even when the file already holds
    /// the same bad name for another image (the known errors were matched by message text alone).
    @Test func anAlreadyBrokenNameElsewhereDoesNotLetTheSameBadNameIn() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let connect = root.appendingPathComponent("Connect")
        try Self.connectProject(in: connect, initVersion: "2026.13.1")
        let before = BakeryBinary.snapshot(root)
        let r = try BakeryBinary.run(["create", "version", "connect", "2026.13.1"], in: connect)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("'2026.13.1' is not a Posit Connect version (connect versions are"), "\(r.stderr)")
        #expect(BakeryBinary.snapshot(root) == before)
        // The file can still be repaired: the broken entry itself may be renamed to a good name.
        let fix = try BakeryBinary.run(["update", "version", "connect-content-init", "2026.03.1"], in: connect)
        #expect(fix.status == 0, "\(fix.stderr)")
    }

    /// An in-place rename that breaks a product rule is located where validate would locate it, column included.
    @Test func aRefusedRenameIsLocatedAtTheName() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let connect = root.appendingPathComponent("Connect")
        try Self.connectProject(in: connect)
        let before = BakeryBinary.snapshot(root)
        let r = try BakeryBinary.run(["update", "version", "connect", "2026.03.x"], in: connect)
        #expect(r.status == 1)
        #expect(r.stderr.contains("bakery.yaml:6:9: images[0].versions[0].name: '2026.03.x' is not a Posit Connect version"), "\(r.stderr)")
        #expect(BakeryBinary.snapshot(root) == before)
    }

    /// An image without a template folder: the error is located at the image in bakery.yaml (as
    /// `create version` already does) and `update files` closes with its ❌ line, as it did before.
    @Test func aMissingTemplateFolderIsLocatedAndTheUpdateSaysItFailed() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        let project = root.appendingPathComponent("PackageManager")
        // The tutorial's bakery.yaml alone: Examples/01-basic-image itself has its template folder.
        try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ExampleProjects.referenceConfig("01-basic-image"), to: project.appendingPathComponent("bakery.yaml"))
        let before = BakeryBinary.snapshot(root)
        let atRoot = try BakeryBinary.run(["update", "files", "--all"], in: root)
        #expect(atRoot.status == 1)
        #expect(atRoot.stderr.contains("PackageManager/bakery.yaml:23:5: Image 'example-image' template path does not exist"), "\(atRoot.stderr)")
        #expect(atRoot.stderr.hasSuffix("❌ Update failed\n"), "\(atRoot.stderr)")
        let update = try BakeryBinary.run(["update", "version", "example-image", "1.0.1"], in: project)
        #expect(update.status == 1)
        #expect(update.stderr.contains("bakery.yaml:23:5: Image 'example-image' template path does not exist"), "\(update.stderr)")
        #expect(BakeryBinary.snapshot(root) == before)
    }

    /// At a workspace root, a failed template is named by a path the user can open from there.
    @Test func templateFailuresAtAWorkspaceRootNameTheProductFolder() throws {
        let root = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.connectProject(in: root.appendingPathComponent("Connect"), template: "FROM {{ undefined_thing.x }}\n")
        let before = BakeryBinary.snapshot(root)
        let r = try BakeryBinary.run(["update", "files", "--image-name", "^connect$"], in: root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("Error rendering template Connect/connect/template/Containerfile.ubuntu2404.jinja2, line 1"), "\(r.stderr)")
        #expect(r.stderr.contains("- Destination: Connect/connect/2026.03.1/Containerfile.ubuntu2404"), "\(r.stderr)")
        #expect(BakeryBinary.snapshot(root) == before)
        // In the product folder itself the paths stay relative to it.
        let inside = try BakeryBinary.run(["update", "files", "--image-name", "^connect$"], in: root.appendingPathComponent("Connect"))
        #expect(inside.stderr.contains("Error rendering template connect/template/Containerfile.ubuntu2404.jinja2"), "\(inside.stderr)")
    }

    /// Inside Bakery, one main type per file, named after it; comments cite behaviour, not sections of
    /// an outside document. (CIMatrix.swift and Labels.swift are being reworked with change detection.)
    @Test func bakeryFilesAreNamedAfterTheirTypeAndCiteNoSections() throws {
        let sources = BakeryBinary.repositoryRoot.appendingPathComponent("Shared/Sources/Bakery")
        var misnamed: [String] = [], citing: [String] = []
        for entry in FolderWalk.entries(sources) where entry.kind == .regular && entry.path.hasSuffix(".swift") {
            let name = (entry.path as NSString).lastPathComponent
            let text = try String(contentsOf: sources.appendingPathComponent(entry.path), encoding: .utf8)
            let type = String(name.dropLast(".swift".count).split(separator: "+").first ?? "")
            let declares = ["struct", "enum", "class", "protocol", "extension", "actor"].contains { kind in
                text.contains("\(kind) \(type) ") || text.contains("\(kind) \(type):") || text.contains("\(kind) \(type)<")
            }
            if !declares { misnamed.append(entry.path) }
            if text.contains("§") { citing.append(entry.path) }
        }
        #expect(misnamed.isEmpty, "files not named after a type they declare: \(misnamed)")
        #expect(citing.isEmpty, "comments citing sections: \(citing)")
    }
}
