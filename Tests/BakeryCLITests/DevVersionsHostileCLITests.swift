// Development versions and version sources attacked from the command line: mirror settings that are not folders or
// carry credentials, and the commands that only plan writing nothing into the project.
import Bakery
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

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

    // MARK: The .dev-* folders go after build, failed or interrupted

    /// A copy of the Connect project, and a fake `buildah` first on PATH that fails each build (after waiting,
    /// when HOLD is set, until it is killed).
    final class BuildSandbox {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-dev-build-\(UUID().uuidString.prefix(8))")
        var project: URL { root.appendingPathComponent("project") }
        var devFolders: [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: project.appendingPathComponent("connect").path)) ?? []).filter { $0.hasPrefix(".dev-") }
        }
        init() throws {
            try FileManager.default.createDirectory(at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: DevVersionsHostileCLITests.connect, to: project)
            try ChildProcess.writeExecutable("""
                #!/bin/bash
                case "$1" in
                  build) touch "$FAKE_DIR/started"; if [ -n "$HOLD" ]; then sleep 60 & wait; fi; echo boom >&2; exit 1 ;;
                esac
                exit 0

                """, to: root.appendingPathComponent("bin/buildah"))
        }
        deinit { try? FileManager.default.removeItem(at: root) }
        var environment: [String: String] {
            ["PATH": root.appendingPathComponent("bin").path + ":/usr/bin:/bin", "FAKE_DIR": root.path, "HOLD": "",
             "BAKERY_SOURCES_MIRROR": "file://" + BakeryBinary.fixtures.appendingPathComponent("version-sources").path]
        }
        static let arguments = ["build", "--strategy", "build", "--engine", "buildah", "--dev-versions", "only", "--image-name", "^connect$"]
    }

    @Test func aFailedBuildRemovesItsDevFolder() throws {
        let box = try BuildSandbox()
        let child = try ChildProcess.start(BakeryBinary.path, BuildSandbox.arguments, in: box.project, environment: box.environment)
        let ending = child.finish(timeout: 60)
        #expect(ending.status == 1, "\(ending.stderr.suffix(800))")
        #expect(FileManager.default.fileExists(atPath: box.root.appendingPathComponent("started").path), "no build ran")
        #expect(box.devFolders.isEmpty, "left behind: \(box.devFolders)")
    }

    @Test func anInterruptedBuildRemovesItsDevFolder() throws {
        let box = try BuildSandbox()
        var environment = box.environment
        environment["HOLD"] = "1"
        let child = try ChildProcess.start(BakeryBinary.path, BuildSandbox.arguments, in: box.project, environment: environment)
        let started = waitUntil { FileManager.default.fileExists(atPath: box.root.appendingPathComponent("started").path) }
        #expect(started, "no build started")
        #expect(!box.devFolders.isEmpty, "the dev folder was not rendered for the build")
        kill(child.pid, SIGINT)
        let ending = child.finish(timeout: 60)
        #expect(ending.status == 130, "\(ending.stderr.suffix(800))")
        #expect(box.devFolders.isEmpty, "left behind: \(box.devFolders)")
    }

    /// Waits up to 60 s for `condition`.
    func waitUntil(_ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return false
    }
}
