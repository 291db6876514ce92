import Foundation
import TestSupport
import Testing

@Suite struct ValidateCommandTests {
    @Test(arguments: ExampleProjects.names)
    func everyReferenceExampleValidates(_ name: String) throws {
        let dir = ExampleProjects.folder(name)
        let result = try BakeryBinary.run(["validate", "--context", dir.path], in: BakeryBinary.repositoryRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("✅ \(ExampleProjects.relativeFolder(name))/bakery.yaml is valid: "))
    }

    @Test func summaryCountsImagesVersionsMatricesAndDevVersions() throws {
        let dir = BakeryBinary.fixtures.appendingPathComponent("examples/connect")
        let result = try BakeryBinary.run(["validate", "--context", "."], in: dir)
        #expect(result.stdout == "✅ bakery.yaml is valid: 3 images, 20 versions, 1 matrix, 2 dev versions (2 warnings)\n")
        #expect(result.stderr.contains("WARNING: bakery.yaml:62:17: images[0].devVersions[0].stream: devVersions: 'stream' is deprecated"))
    }

    @Test func quietHidesWarningsAndStrictFailsOnThem() throws {
        let dir = BakeryBinary.fixtures.appendingPathComponent("examples/connect")
        let quiet = try BakeryBinary.run(["validate", "-q"], in: dir)
        #expect(quiet.status == 0 && quiet.stderr.isEmpty)
        let strict = try BakeryBinary.run(["validate", "--strict", "-q"], in: dir)
        #expect(strict.status == 1)
        #expect(strict.stderr.hasPrefix("bakery.yaml:62:17: images[0].devVersions[0].stream:"))
        #expect(strict.stderr.hasSuffix("❌ bakery.yaml has 2 errors\n"))
    }

    @Test func verboseAndQuietTogetherIsAUsageError() throws {
        let result = try BakeryBinary.run(["validate", "-v", "-q"], in: BakeryBinary.repositoryRoot)
        #expect(result.status == 2)
        #expect(result.stderr.contains("Cannot set both --verbose and --quiet flags."))
    }

    @Test func unknownOptionsAndCommandsAreUsageErrors() throws {
        #expect(try BakeryBinary.run(["validate", "--nope"], in: BakeryBinary.repositoryRoot).status == 2)
        #expect(try BakeryBinary.run(["frobnicate"], in: BakeryBinary.repositoryRoot).status == 2)
    }

    @Test func noCommandPrintsHelpAndIsAUsageError() throws {
        let result = try BakeryBinary.run([], in: BakeryBinary.repositoryRoot)
        #expect(result.status == 2)
        #expect(result.stderr.contains("validate"))
    }

    @Test func aDanglingBakeryYamlLinkIsNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("bakery.yaml").path, withDestinationPath: "gone.yaml")
        let result = try BakeryBinary.run(["validate"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr == "bakery.yaml:1:1: 'bakery.yaml' is a symbolic link to 'gone.yaml', which does not exist (point the link at the project's config file, or replace it with the file)\n")
    }

    @Test func versionPrintsTheToolVersion() throws {
        let result = try BakeryBinary.run(["version"], in: BakeryBinary.repositoryRoot)
        #expect(result.status == 0)
        #expect(result.stdout == "Posit Bakery v0.1.0\n")
    }

    @Test func aMissingContextOrConfigIsALocatedFailure() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let none = try BakeryBinary.run(["validate"], in: empty)
        #expect(none.status == 1)
        #expect(none.stderr.contains("no bakery.yaml file found in the context path '.'"))
        #expect(none.stderr.contains("bakery create project"))
        let missing = try BakeryBinary.run(["validate", "--context", "does-not-exist"], in: empty)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("the context 'does-not-exist' is not a directory"))
    }

    @Test func validateNeverWritesToTheProject() throws {
        let copy = try BakeryBinary.temporaryCopy(of: BakeryBinary.fixtures.appendingPathComponent("examples/workbench"))
        defer { try? FileManager.default.removeItem(at: copy) }
        let before = BakeryBinary.snapshot(copy)
        for args in [["validate"], ["validate", "--strict"], ["validate", "-v"]] {
            _ = try BakeryBinary.run(args, in: copy)
        }
        #expect(BakeryBinary.snapshot(copy) == before)
    }

    /// Root can read any file, so the unreadable case runs the binary as an unprivileged user (setpriv, util-linux).
    @Test func anUnreadableConfigSaysSo() throws {
        let requireTools = ExternalTool.toolsRequired
        let setpriv = "/usr/bin/setpriv"
        let isRoot = getuid() == 0
        guard isRoot, FileManager.default.isExecutableFile(atPath: setpriv) else {
            if requireTools { Issue.record("needs root and \(setpriv) (BAKERY_REQUIRE_TOOLS=1)") }
            print("skipped anUnreadableConfigSaysSo: needs root and \(setpriv) to drop privileges")
            return
        }
        let dir = URL(fileURLWithPath: "/tmp").appendingPathComponent("unreadable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bakery.yaml")
        try Data("repository: {url: example.com/x}\n".utf8).write(to: file)
        try FileManager.default.setAttributes([.posixPermissions: 0o000], ofItemAtPath: file.path)
        let result = try BakeryBinary.run(["validate", "--context", dir.path], in: URL(fileURLWithPath: "/tmp"),
                                          prefix: [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(result.status == 1)
        let shown = "\(dir.lastPathComponent)/bakery.yaml"  // relative to the working directory, /tmp
        #expect(result.stderr.hasPrefix("\(shown):1:1: cannot read '\(shown)': permission denied"))
        #expect(result.stderr.contains("chmod a+r"))
    }
}
