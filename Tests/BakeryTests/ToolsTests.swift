import Bakery
import Foundation
import Testing
import TestSupport

/// Finding a tool's binary (reference §15.0) and the results folder, which must never reach outside the project.
@Suite("Tools: locating binaries, results folders")
struct ToolsTests {
    /// A scratch folder: `project/` and `outside/` (which nothing may touch).
    final class Scratch {
        let root: URL
        var project: URL { root.appendingPathComponent("project") }
        var outside: URL { root.appendingPathComponent("outside") }

        init() throws {
            root = URL(fileURLWithPath: FileManager.default.temporaryDirectory.path).resolvingSymlinksInPath()
                .appendingPathComponent("bakery-tools-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: project, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            try Data("keep me\n".utf8).write(to: outside.appendingPathComponent("precious.txt"))
        }

        deinit { try? FileManager.default.removeItem(at: root) }

        func file(_ relative: String, _ text: String = "x", executable: Bool = false) throws {
            let url = project.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            if executable { try ChildProcess.writeExecutable(text, to: url) } else { try Data(text.utf8).write(to: url) }
        }

        func link(_ relative: String, to target: String) throws {
            let url = project.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        }

        var outsideSnapshot: [String: Data] { BakeryBinary.snapshot(outside) }

        func read(_ relative: String) -> String? {
            (try? Data(contentsOf: project.appendingPathComponent(relative))).map { String(decoding: $0, as: UTF8.self) }
        }

        func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: project.appendingPathComponent(relative).path) }
    }

    // MARK: - ToolLocator

    @Test func environmentVariableNames() {
        #expect(ToolLocator.environmentVariable(for: "hadolint") == "HADOLINT_PATH")
        #expect(ToolLocator.environmentVariable(for: "dgoss") == "DGOSS_PATH")
        #expect(ToolLocator.environmentVariable(for: "wizcli") == "WIZCLI_PATH")
        #expect(ToolLocator.environmentVariable(for: "my-tool") == "MY_TOOL_PATH")
    }

    @Test func theEnvironmentVariableComesFirstThenPathThenTheProjectsTools() throws {
        let s = try Scratch()
        try s.file("bin/fake-lint", "#!/bin/sh\n", executable: true)
        try s.file("tools/fake-lint", "#!/bin/sh\n", executable: true)
        let bin = s.project.appendingPathComponent("bin").path
        let fromEnv = try ToolLocator.locate("fake-lint", projectRoot: s.project, environment: ["FAKE_LINT_PATH": "/opt/x/lint", "PATH": bin])
        #expect(fromEnv == ToolLocator.Location(executable: "/opt/x/lint", source: .environment("FAKE_LINT_PATH")))
        #expect(fromEnv.isExplicitPath)
        let onPath = try ToolLocator.locate("fake-lint", projectRoot: s.project, environment: ["FAKE_LINT_PATH": "", "PATH": "/nowhere:" + bin])
        #expect(onPath == ToolLocator.Location(executable: "fake-lint", source: .path))
        #expect(!onPath.isExplicitPath)
        let inTools = try ToolLocator.locate("fake-lint", projectRoot: s.project, environment: ["PATH": "/nowhere"])
        #expect(inTools == ToolLocator.Location(executable: s.project.appendingPathComponent("tools/fake-lint").path, source: .projectTools))
    }

    @Test func aToolFoundNowhereIsTheReferencesError() throws {
        let s = try Scratch()
        // A non-executable file of that name on PATH does not count; a folder in tools/ does not either.
        try s.file("bin/fake-lint", "not executable")
        try FileManager.default.createDirectory(at: s.project.appendingPathComponent("tools/fake-lint"), withIntermediateDirectories: true)
        #expect {
            try ToolLocator.locate("fake-lint", projectRoot: s.project, environment: ["PATH": s.project.appendingPathComponent("bin").path])
        } throws: { error in
            guard let error = error as? BakeryError else { return false }
            return error.code == .commandNotFound && error.message ==
                "Could not find fake-lint in PATH or in project tools directory. Either install fake-lint or set the `FAKE_LINT_PATH` environment variable."
        }
        #expect(throws: BakeryError.self) { try ToolLocator.locate("../evil", projectRoot: s.project, environment: ["PATH": "/usr/bin"]) }
    }

    // MARK: - ResultsDirectory

    @Test func prepareEmptiesTheToolsFolderAndWritesPerTargetFiles() throws {
        let s = try Scratch()
        try s.file("results/hadolint/old-image/old.json", "old")
        try s.file("results/hadolint/deep/a/b/c/d.json", "old")
        try s.file("results/dgoss/other.json", "another tool's")
        let results = try ResultsDirectory.prepare(tool: "hadolint", projectRoot: s.project)
        #expect(results.url.path == s.project.appendingPathComponent("results/hadolint").path)
        #expect(try FileManager.default.contentsOfDirectory(atPath: results.url.path).isEmpty)
        #expect(s.read("results/dgoss/other.json") == "another tool's")
        let url = try results.write(Data("[]".utf8), image: "app", uid: "app-1-0-0", ext: "json")
        #expect(url == results.fileURL(image: "app", uid: "app-1-0-0", ext: "json"))
        #expect(s.read("results/hadolint/app/app-1-0-0.json") == "[]")
        try results.write(Data("second".utf8), image: "app", uid: "app-1-0-0", ext: "json")
        #expect(s.read("results/hadolint/app/app-1-0-0.json") == "second")
        let sarif = try results.write(Data("{}\n".utf8), named: "hadolint.sarif")
        #expect(sarif.path == s.project.appendingPathComponent("results/hadolint/hadolint.sarif").path)
        // A fresh project: results/ is created.
        let fresh = try Scratch()
        _ = try ResultsDirectory.prepare(tool: "dgoss", projectRoot: fresh.project)
        #expect(fresh.exists("results/dgoss"))
    }

    @Test func aResultsFolderThatIsALinkIsRefusedAndNothingOutsideChanges() throws {
        let s = try Scratch()
        try FileManager.default.createDirectory(at: s.outside.appendingPathComponent("hadolint"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: s.outside.appendingPathComponent("hadolint/keep.json"))
        try s.link("results", to: s.outside.path)
        let before = s.outsideSnapshot
        #expect {
            try ResultsDirectory.prepare(tool: "hadolint", projectRoot: s.project)
        } throws: { error in
            guard let error = error as? BakeryError else { return false }
            return error.code == .unsafePath
                && error.message == "cannot prepare the results folder 'results/hadolint': 'results' is a symbolic link to '\(s.outside.path)'"
                && error.hint?.contains("never writes or deletes through a link") == true
        }
        #expect(s.outsideSnapshot == before)
    }

    @Test func aToolFolderThatIsALinkIsRefusedNotDeleted() throws {
        let s = try Scratch()
        try s.link("results/hadolint", to: s.outside.path)
        let before = s.outsideSnapshot
        #expect {
            try ResultsDirectory.prepare(tool: "hadolint", projectRoot: s.project)
        } throws: { error in
            guard let error = error as? BakeryError else { return false }
            return error.code == .unsafePath
                && error.message == "cannot prepare the results folder 'results/hadolint': it is a symbolic link to '\(s.outside.path)'"
        }
        #expect(s.outsideSnapshot == before)
        // The link itself is left alone too.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: s.project.appendingPathComponent("results/hadolint").path)) == s.outside.path)
    }

    @Test func aFileWhereAFolderShouldBeIsRefused() throws {
        let s = try Scratch()
        try s.file("results/hadolint", "a file")
        #expect {
            try ResultsDirectory.prepare(tool: "hadolint", projectRoot: s.project)
        } throws: { error in
            (error as? BakeryError)?.message == "cannot prepare the results folder 'results/hadolint': it is a regular file, not a folder"
        }
        #expect(s.read("results/hadolint") == "a file")
        let t = try Scratch()
        try t.file("results", "a file")
        #expect(throws: BakeryError.self) { try ResultsDirectory.prepare(tool: "hadolint", projectRoot: t.project) }
        #expect(t.read("results") == "a file")
    }

    @Test func linksInsideTheOldResultsAreRemovedAsLinks() throws {
        let s = try Scratch()
        try s.link("results/hadolint/escape", to: s.outside.path)
        try s.link("results/hadolint/img/file.json", to: s.outside.appendingPathComponent("precious.txt").path)
        let before = s.outsideSnapshot
        _ = try ResultsDirectory.prepare(tool: "hadolint", projectRoot: s.project)
        #expect(s.outsideSnapshot == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.project.appendingPathComponent("results/hadolint").path).isEmpty)
    }

    @Test func writesNeverFollowALinkPlacedDuringTheRun() throws {
        let s = try Scratch()
        let results = try ResultsDirectory.prepare(tool: "hadolint", projectRoot: s.project)
        // An image folder swapped for a link, and a results file that is a link: refused, outside untouched.
        try s.link("results/hadolint/app", to: s.outside.path)
        try FileManager.default.createDirectory(at: s.project.appendingPathComponent("results/hadolint/web"), withIntermediateDirectories: true)
        try s.link("results/hadolint/web/web-1.json", to: s.outside.appendingPathComponent("precious.txt").path)
        let before = s.outsideSnapshot
        #expect {
            try results.write(Data("[]".utf8), image: "app", uid: "app-1", ext: "json")
        } throws: { error in
            (error as? BakeryError)?.message == "cannot write 'results/hadolint/app/app-1.json': 'results/hadolint/app' is a symbolic link to '\(s.outside.path)'"
        }
        #expect {
            try results.write(Data("[]".utf8), image: "web", uid: "web-1", ext: "json")
        } throws: { error in
            (error as? BakeryError)?.message == "cannot write 'results/hadolint/web/web-1.json': it is a symbolic link to '\(s.outside.appendingPathComponent("precious.txt").path)'"
        }
        #expect(s.outsideSnapshot == before)
        // Names that are not one folder or file name are refused before anything is opened.
        for (image, uid) in [("../x", "u"), ("a/b", "u"), ("img", "../../escape"), ("", "u"), (".", "u")] {
            #expect(throws: BakeryError.self) { try results.write(Data(), image: image, uid: uid, ext: "json") }
        }
        #expect(throws: BakeryError.self) { try ResultsDirectory.prepare(tool: "../x", projectRoot: s.project) }
    }

    @Test func aFIFOWhereAResultsFileGoesIsRefusedWithoutBlocking() throws {
        let s = try Scratch()
        let results = try ResultsDirectory.prepare(tool: "hadolint", projectRoot: s.project)
        try FileManager.default.createDirectory(at: s.project.appendingPathComponent("results/hadolint/app"), withIntermediateDirectories: true)
        #expect(mkfifo(s.project.appendingPathComponent("results/hadolint/app/app-1.json").path, 0o644) == 0)
        #expect {
            try results.write(Data("[]".utf8), image: "app", uid: "app-1", ext: "json")
        } throws: { error in
            (error as? BakeryError)?.code == .unsafePath
        }
    }
}
