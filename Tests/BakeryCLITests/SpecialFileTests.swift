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

/// What an earlier session's hostile-review found: a staging folder shipped in a repository, links
/// among the parents of a folder only read, linked product folders, read-only folders, FIFOs in git.
@Suite struct HostileRepositoryTests {
    static func project(in dir: URL) throws -> URL {
        let project = dir.appendingPathComponent("project")
        for path in ["img/template/Containerfile.jinja2", "img/1.0.0/Containerfile"] {
            let url = project.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("FROM base\n".utf8).write(to: url)
        }
        try Data(SpecialFileTests.config.utf8).write(to: project.appendingPathComponent("bakery.yaml"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("canary/dir"), withIntermediateDirectories: true)
        try Data("precious\n".utf8).write(to: dir.appendingPathComponent("canary/dir/f"))
        try Data("secret\n".utf8).write(to: dir.appendingPathComponent("canary/id_rsa"))
        return project
    }

    /// Journal lines that name things outside the staging folder's own new/ and old/ entries.
    static let forged: [String] = [
        #"{"aside":"../../canary/id_rsa","op":"remove","path":"img/loot"}"#,
        #"{"aside":"CANARY/dir","op":"remove","path":"img/loot2"}"#,
        #"{"aside":"old/r1","op":"remove","path":".bakery-staging/old/x"}"#,
        #"{"aside":"old/../../../canary/id_rsa","op":"remove","path":"img/loot3"}"#,
        #"{"aside":"old/w0","op":"write","path":"bakery.yaml","saved":"no","staged":"../../canary/id_rsa"}"#,
        #"{"aside":"old/w1","op":"write","path":"img/loot4","saved":"yes","staged":"new/9"}"#,
        #"{"from":"../canary","op":"move","to":"img/loot5"}"#,
    ]

    /// A journal names the folder it was written in (device and inode): one shipped in a repository
    /// or copied never matches, and is refused without touching anything. With a matching identity
    /// (which an attacker cannot know in advance, but the second line of defence must hold anyway),
    /// only bakery's own names are honoured, so nothing outside is reached.
    @Test(arguments: 0..<forged.count, [false, true])
    func aStagingFolderShippedInTheRepositoryReachesNothingOutside(_ i: Int, _ matching: Bool) throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir)
        let staging = project.appendingPathComponent(".bakery-staging")
        try FileManager.default.createDirectory(at: staging.appendingPathComponent("new"), withIntermediateDirectories: true)
        // old/ itself a link out of the project: a name inside it must not be followed.
        try FileManager.default.createSymbolicLink(atPath: staging.appendingPathComponent("old").path, withDestinationPath: dir.appendingPathComponent("canary").path)
        let line = Self.forged[i].replacingOccurrences(of: "CANARY", with: dir.appendingPathComponent("canary").path)
        var st = stat()
        #expect(stat(staging.path, &st) == 0)
        let identity = matching ? "\(st.st_dev):\(st.st_ino)" : "1:2"
        try Data("{\"folder\":\"\(identity)\",\"op\":\"begin\"}\n\(line)\n".utf8).write(to: staging.appendingPathComponent("journal"))
        let canary = TreeSnapshot(dir.appendingPathComponent("canary"))
        let before = TreeSnapshot(project)
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0"], in: project, timeout: 20)
        #expect(TreeSnapshot(dir.appendingPathComponent("canary")) == canary, "the canary changed: \(line)")
        guard matching else {
            #expect(result.status == 1)
            #expect(result.stderr.contains("'.bakery-staging' was not created by bakery in this folder"), "\(result.stderr)")
            #expect(TreeSnapshot(project) == before)
            return
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("An earlier bakery run was interrupted"))
        #expect(TreeSnapshot(dir.appendingPathComponent("canary")) == canary, "the canary changed: \(line)")
        let after = TreeSnapshot(project)
        #expect(!after.entries.keys.contains { $0.hasPrefix("img/loot") || $0.hasPrefix(".bakery-staging") }, "\(after.entries.keys.sorted())")
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("img/2.0.0/Containerfile").path))
    }

    @Test func aJournalThatIsAFIFOIsRefusedAtOnce() throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir)
        try FileManager.default.createDirectory(at: project.appendingPathComponent(".bakery-staging"), withIntermediateDirectories: true)
        #expect(mkfifo(project.appendingPathComponent(".bakery-staging/journal").path, 0o644) == 0)
        let result = try BakeryBinary.run(["remove", "version", "img", "1.0.0"], in: project, timeout: 10)
        #expect(result.status == 1, "hung or passed: \(result.status)")
        #expect(result.stderr.contains("'.bakery-staging/journal' is not a regular file"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("img/1.0.0/Containerfile").path))
    }

    @Test func diffAgainstNeverReadsThroughALink() throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("canary/v"), withIntermediateDirectories: true)
        try Data("AWS_SECRET=hunter2\n".utf8).write(to: dir.appendingPathComponent("canary/v/secret.txt"))
        try FileManager.default.createSymbolicLink(atPath: project.appendingPathComponent("img/lnk").path, withDestinationPath: dir.appendingPathComponent("canary").path)
        let config = SpecialFileTests.config + "        latest: true\n      - name: 0.9.0\n        subpath: lnk/v\n"
        try Data(config.utf8).write(to: project.appendingPathComponent("bakery.yaml"))
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0", "--diff-against", "0.9.0"], in: project, timeout: 20)
        #expect(result.status == 1)
        #expect(!result.stdout.contains("hunter2") && !result.stderr.contains("hunter2"))
        #expect(result.stderr.contains("'img/lnk' is a symbolic link"), "\(result.stderr)")
    }

    @Test func aWorkspaceProductFolderThatIsALinkIsRefused() throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir)
        let workspace = dir.appendingPathComponent("workspace")
        try FileManager.default.createDirectory(at: workspace, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: workspace.appendingPathComponent("Workbench").path, withDestinationPath: project.path)
        let before = TreeSnapshot(project)
        let result = try BakeryBinary.run(["update", "files", "--all"], in: workspace, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the product folder 'Workbench' of the workspace is a symbolic link"), "\(result.stderr)")
        #expect(TreeSnapshot(project) == before)
    }

    @Test func aReadOnlyFolderRemovedByANonRootUserLeavesNoStagingBehind() throws {
        guard getuid() == 0, let setpriv = ExternalTool.locate("setpriv") else {
            print("⚠️  skipping: needs root and setpriv (util-linux) to run bakery as an unprivileged user")
            #expect(!ExternalTool.toolsRequired, "CI must run this test")
            return
        }
        let dir = try SpecialFileTests.scratch()
        defer { _ = try? BakeryBinary.shell("chmod -R u+w '\(dir.path)'", in: URL(fileURLWithPath: "/")); try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir)
        let locked = project.appendingPathComponent("img/1.0.0/locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: true)
        try Data("x\n".utf8).write(to: locked.appendingPathComponent("f"))
        _ = try BakeryBinary.shell("chmod 755 '\(dir.path)' && chown -R 65534:65534 '\(project.path)' && chmod 555 '\(locked.path)'", in: dir)
        let run = try BakeryBinary.execute(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", BakeryBinary.path, "remove", "version", "img", "1.0.0"], in: project)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent(".bakery-staging").path))
        #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent("img/1.0.0").path))
    }

    @Test func aFIFOInTheGitFolderDoesNotBlockAPlan() throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try Self.project(in: dir)
        try Data("gitdir: \(dir.appendingPathComponent("gitdir").path)\n".utf8).write(to: project.appendingPathComponent(".git"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("gitdir"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.appendingPathComponent("gitdir/HEAD").path, 0o644) == 0)
        let result = try BakeryBinary.run(["build", "--plan"], in: project, timeout: 20)
        #expect(result.status != -1, "hung on the FIFO")
    }
}

/// The second hostile review: mounts, deep trees, stray folders, case folding, links swapped in.
@Suite struct HostileRepositoryMoreTests {
    @Test func aMountInsideAFolderBeingRemovedIsNeverEmptied() throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try HostileRepositoryTests.project(in: dir)
        let mountPoint = project.appendingPathComponent("img/1.0.0/data")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        guard getuid() == 0, try BakeryBinary.shell("mount -t tmpfs bakery-test '\(mountPoint.path)'", in: dir).status == 0 else {
            print("⚠️  skipping: mounting a tmpfs needs root (and a kernel that allows it here)")
            return
        }
        defer { _ = try? BakeryBinary.shell("umount '\(mountPoint.path)'", in: dir) }
        try Data("on another file system\n".utf8).write(to: mountPoint.appendingPathComponent("precious"))
        let before = TreeSnapshot(project)
        let result = try BakeryBinary.run(["remove", "version", "img", "1.0.0"], in: project, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("refusing to remove 'img/1.0.0': 'img/1.0.0/data' is a mount point"), "\(result.stderr)")
        #expect(TreeSnapshot(project) == before)
        #expect(FileManager.default.contents(atPath: mountPoint.appendingPathComponent("precious").path) == Data("on another file system\n".utf8))
    }

    /// `depth` nested folders below `base`, made through descriptors (the path is longer than PATH_MAX).
    static func nest(_ base: URL, depth: Int) {
        var fd = open(base.path, O_RDONLY | O_DIRECTORY)
        for _ in 0..<depth {
            mkdirat(fd, "d", 0o755)
            let next = openat(fd, "d", O_RDONLY | O_DIRECTORY)
            close(fd)
            fd = next
        }
        close(fd)
    }

    @Test func aFolderNestedDeeperThanBakeryChecksIsRefusedWithNothingChanged() throws {
        let dir = try SpecialFileTests.scratch()
        defer { _ = try? BakeryBinary.shell("rm -rf '\(dir.path)'", in: URL(fileURLWithPath: "/")) }
        let project = try HostileRepositoryTests.project(in: dir)
        Self.nest(project.appendingPathComponent("img/1.0.0"), depth: 3_000)
        let result = try BakeryBinary.shell("'\(BakeryBinary.path)' remove version img 1.0.0", in: project)
        #expect(result.status == 1)
        #expect(result.stderr.contains("folders nested more than 256 levels deep"), "\(result.stderr)")
        // Out of descriptors before that depth: still refused, never a partial look.
        let starved = try BakeryBinary.shell("ulimit -n 64; '\(BakeryBinary.path)' remove version img 1.0.0", in: project)
        #expect(starved.status == 1)
        #expect(starved.stderr.contains("which cannot be opened (Too many open files)"), "\(starved.stderr)")
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("img/1.0.0/Containerfile").path))
        #expect(!FileManager.default.fileExists(atPath: project.appendingPathComponent(".bakery-staging").path))
        // Within the limit, a deep tree goes with a handful of descriptors, whatever the depth.
        let shallow = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: shallow) }
        let p2 = try HostileRepositoryTests.project(in: shallow)
        Self.nest(p2.appendingPathComponent("img/1.0.0"), depth: 200)
        let removed = try BakeryBinary.shell("ulimit -n 64; '\(BakeryBinary.path)' remove version img 1.0.0", in: p2)
        #expect(removed.status == 0 || removed.stderr.contains("cannot be opened"), "\(removed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: p2.appendingPathComponent(".bakery-staging").path))
    }

    @Test func aFolderNoVersionOwnsIsNeverWrittenInto() throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let project = try HostileRepositoryTests.project(in: dir)
        for stray in ["img/7.0.0", "img/1.0.1"] {
            try FileManager.default.createDirectory(at: project.appendingPathComponent(stray), withIntermediateDirectories: true)
            try Data("mine\n".utf8).write(to: project.appendingPathComponent("\(stray)/Containerfile"))
        }
        let before = TreeSnapshot(project)
        let create = try BakeryBinary.run(["create", "version", "img", "7.0.0"], in: project, timeout: 20)
        #expect(create.status == 1)
        #expect(create.stderr.contains("The folder 'img/7.0.0' already exists, and no version in bakery.yaml uses it"), "\(create.stderr)")
        let update = try BakeryBinary.run(["update", "version", "img", "1.0.1", "--target-version", "1.0.0"], in: project, timeout: 20)
        #expect(update.status == 1)
        #expect(update.stderr.contains("The folder 'img/1.0.1' already exists"), "\(update.stderr)")
        #expect(TreeSnapshot(project) == before)
    }

    @Test(arguments: [("imgs", "imgſ"), ("strasse", "Straße"), ("img1", "IMG1"), ("caf\u{e9}", "cafe\u{301}")])
    func foldersEqualUnderCaseFoldingOrNormalisationAreOneFolder(_ a: String, _ b: String) throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = "repository:\n  url: \"https://github.com/posit-dev/x\"\nimages:\n  - name: one\n    subpath: \"\(a)\"\n  - name: two\n    subpath: \"\(b)\"\n"
        try Data(config.utf8).write(to: dir.appendingPathComponent("bakery.yaml"))
        let result = try BakeryBinary.run(["validate"], in: dir, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("images[1].subpath: image 'two' and image 'one' share the folder"), "\(result.stderr)")
    }

    @Test func aTemplateFileSwappedForALinkIsRefusedWhenRead() throws {
        let dir = try SpecialFileTests.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("secret\n".utf8).write(to: dir.appendingPathComponent("outside"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("t/sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("t/sub/notes.txt").path, withDestinationPath: "../../outside")
        let reader = try FolderReader(dir.appendingPathComponent("t"), shown: "t")
        #expect(throws: BakeryError.self) { try reader.read("sub/notes.txt") }
        try FileManager.default.removeItem(at: dir.appendingPathComponent("t/sub"))
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("t/sub").path, withDestinationPath: dir.path)
        #expect(throws: BakeryError.self) { try reader.read("sub/outside") }
    }
}
