// Development versions and version sources attacked from the command line: mirror settings that are not folders or
// carry credentials, and the commands that only plan writing nothing into the project.
import Bakery
import Foundation
import Testing
import TestSupport

@Suite("Dev versions vs hostile input (CLI)")
struct DevVersionsHostileCLITests {
    static let connect = BakeryBinary.repositoryRoot.appendingPathComponent("Connect")
    static let mirror = "BAKERY_SOURCES_MIRROR=file://" + BakeryBinary.fixtures.appendingPathComponent("version-sources").path

    static func run(_ arguments: [String], in directory: URL = connect, _ environment: [String]) throws -> BakeryBinary.Result {
        try BakeryBinary.run(arguments, in: directory,
                             prefix: ["/usr/bin/env", "-u", "BAKERY_DEV_SPEC", "-u", "BAKERY_OFFLINE"] + environment)
    }

    /// A mirror URL's password never reaches the terminal, whatever is wrong with the setting.
    @Test(arguments: ["user:s3cr3t-pw@mirror.example.com/sources", "ftp://user:s3cr3t-pw@mirror.example.com/", "http://user:s3cr3t-pw@mirror.example.com/",
                      "https://user:s3cr3t-pw@[bad/", "https://user:s3cr3t-pw@mirror.invalid/sources"])
    func aMirrorPasswordIsNeverPrinted(mirror: String) throws {
        let r = try Self.run(["get", "tags", "--dev-versions", "only", "-v"], ["BAKERY_SOURCES_MIRROR=\(mirror)", "BAKERY_CACHE_DIR=/nonexistent-bakery-cache"])
        #expect(!r.stderr.contains("s3cr3t-pw") && !r.stdout.contains("s3cr3t-pw"), "\(r.stderr)")
    }

    /// A mirror "folder" that is a FIFO, a link loop or a file is refused at once, with its name.
    @Test func aMirrorThatIsNotAFolderIsRefusedPromptly() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-mirror-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let fifo = scratch.appendingPathComponent("fifo").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let loop = scratch.appendingPathComponent("loop").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: loop)
        let file = scratch.appendingPathComponent("file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        for path in [fifo, loop, file] {
            let r = try Self.run(["get", "tags", "--dev-versions", "only"], ["BAKERY_SOURCES_MIRROR=file://\(path)"])
            #expect(r.status == 1)
            #expect(r.stderr.contains("BAKERY_SOURCES_MIRROR: '\(path)' is not a folder"), "\(r.stderr)")
        }
    }

    /// Planning and listing commands resolve development versions but write no `.dev-*` folder into the project.
    @Test func planningCommandsWriteNothingIntoTheProject() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-plan-nowrite-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        try FileManager.default.copyItem(at: Self.connect, to: scratch)
        func listing() throws -> [String] {
            (FileManager.default.enumerator(atPath: scratch.path)?.allObjects as? [String] ?? []).sorted()
        }
        let before = try listing()
        for arguments in [["build", "--plan", "--dev-versions", "only"], ["get", "tags", "--dev-versions", "only"],
                          ["ci", "matrix", "--dev-versions", "only"]] {
            let r = try Self.run(arguments, in: scratch, [Self.mirror])
            #expect(r.status == 0, "\(arguments): \(r.stderr)")
            #expect(r.stdout.contains("2026.") || r.stdout.contains("dev"), "\(arguments) planned no dev version: \(r.stdout.prefix(300))")
            #expect(try listing() == before, "\(arguments) changed the project")
        }
    }
}
