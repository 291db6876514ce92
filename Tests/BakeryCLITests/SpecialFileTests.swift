import Bakery
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Links, FIFOs and folders where bakery expects something else: refused at once with a message
/// that says what is there, never followed, blocked on, replaced or deleted.
@Suite struct SpecialFileTests {
    static func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-special-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    static let config = "repository:\n  url: \"https://github.com/posit-dev/x\"\nimages:\n  - name: img\n    versions:\n      - name: 1.0.0\n"

    @Test func anIncludeThroughALinkOutOfTheTemplateFolderIsRefusedWithItsLine() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("top secret\n".utf8).write(to: dir.appendingPathComponent("outside.txt"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("t"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("t/evil.j2").path, withDestinationPath: "../outside.txt")
        try Data("line one\n{% include 'evil.j2' %}\n".utf8).write(to: dir.appendingPathComponent("t/main.j2"))
        let result = try BakeryBinary.run(["render", "t/main.j2"], in: dir, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("t/main.j2:2: template 'evil.j2' points outside the template folder"), "\(result.stderr)")
        #expect(!result.stdout.contains("top secret") && !result.stderr.contains("top secret"))
    }

    @Test func aLinkInsideTheTemplateFolderStillWorks() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("t/parts"), withIntermediateDirectories: true)
        try Data("shared part\n".utf8).write(to: dir.appendingPathComponent("t/parts/real.j2"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("t/alias.j2").path, withDestinationPath: "parts/real.j2")
        try Data("{% include 'alias.j2' %}".utf8).write(to: dir.appendingPathComponent("t/main.j2"))
        let result = try BakeryBinary.run(["render", "t/main.j2"], in: dir, timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "shared part\n")
    }

    @Test func aFIFOValuesFileIsRefusedAtOnce() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("x".utf8).write(to: dir.appendingPathComponent("main.j2"))
        #expect(mkfifo(dir.appendingPathComponent("values.yaml").path, 0o644) == 0)
        let result = try BakeryBinary.run(["render", "main.j2", "--values-file", "values.yaml"], in: dir, timeout: 10)
        #expect(result.status == 1, "hung or passed: \(result.status)")
        #expect(result.stderr.contains("values.yaml: is a FIFO (named pipe), not a regular file"), "\(result.stderr)")
    }

    @Test func createProjectNeverReplacesAFolderNamedBakeryYAML() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("bakery.yaml"), withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: dir.appendingPathComponent("bakery.yaml/inside"))
        let result = try BakeryBinary.run(["create", "project"], in: dir, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("'bakery.yaml' is a directory, not a file"), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("bakery.yaml/inside").path) == Data("keep\n".utf8))
    }

    @Test func createProjectInAMissingFolderCreatesNothing() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["create", "project", "--context", "missing/deeper"], in: dir, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the project folder 'missing/deeper' does not exist"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("missing").path))
    }

    @Test func aLinkedBakeryYAMLIsReadButNeverReplaced() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = dir.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("img/template"), withIntermediateDirectories: true)
        try Data(Self.config.utf8).write(to: dir.appendingPathComponent("elsewhere.yaml"))
        try FileManager.default.createSymbolicLink(atPath: project.appendingPathComponent("bakery.yaml").path, withDestinationPath: "../elsewhere.yaml")
        #expect(try BakeryBinary.run(["validate"], in: project, timeout: 20).status == 0)
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0"], in: project, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write 'bakery.yaml': it is a symbolic link to '../elsewhere.yaml'"), "\(result.stderr)")
        #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("elsewhere.yaml").path) == Data(Self.config.utf8))
        #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent("img/2.0.0").path))
    }

    @Test(arguments: ["file", "link"])
    func aStagingFolderNameTakenByAnythingElseIsRefused(_ what: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = dir.appendingPathComponent("project")
        try FileManager.default.createDirectory(at: project.appendingPathComponent("img/template"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("canary"), withIntermediateDirectories: true)
        try Data(Self.config.utf8).write(to: project.appendingPathComponent("bakery.yaml"))
        let staging = project.appendingPathComponent(".bakery-staging")
        if what == "file" {
            try Data("not bakery's\n".utf8).write(to: staging)
        } else {
            try FileManager.default.createSymbolicLink(atPath: staging.path, withDestinationPath: dir.appendingPathComponent("canary").path)
        }
        let before = TreeSnapshot(dir)
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0"], in: project, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("'.bakery-staging' in the project folder is"), "\(result.stderr)")
        #expect(TreeSnapshot(dir) == before)
    }
}
