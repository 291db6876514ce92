import Bakery
import Foundation
import Testing

/// The git questions, asked of scratch repositories, and the change detection built on them.
@Suite("GitRepository")
struct GitRepositoryTests {
    /// A scratch folder; `sh` runs a script in it (through CommandRunner, as bakery runs git).
    struct Scratch {
        let dir: URL
        init() throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("git-repo-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
        @discardableResult
        func sh(_ script: String) async throws -> String {
            let command = ChildCommand("sh", arguments: ["-c", CommandValue("set -e; " + script)], workingDirectory: dir,
                                       environment: ["GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                                                     "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
                                                     "GIT_CONFIG_NOSYSTEM": "1", "HOME": CommandValue(dir.path)])
            return try await CommandRunner().run(command).requireSuccess().stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func write(_ path: String, _ text: String) throws {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        func remove() { try? FileManager.default.removeItem(at: dir) }
    }

    @Test func rootAndRevision() async throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.write("sub/a.txt", "a\n")
        try await s.sh("git init -q -b main . && git add -A && git commit -qm one")
        let sha = try await s.sh("git rev-parse HEAD")
        let repo = try await GitRepository.containing(s.dir.appendingPathComponent("sub"))
        #expect(repo.root.resolvingSymlinksInPath().path == s.dir.resolvingSymlinksInPath().path)
        #expect(try await repo.commit("HEAD") == sha)
        #expect(try await repo.commit("main") == sha)
        #expect(try await repo.commit("no-such-branch") == nil)
        #expect(try await repo.commit("") == nil)
        // From .git's files, then packed refs, then (a symbolic ref the files cannot resolve) from git.
        #expect(await GitRepository.headRevision(of: s.dir.appendingPathComponent("sub")) == sha)
        try await s.sh("git pack-refs --all")
        #expect(await GitRepository.headRevision(of: s.dir) == sha)
        try await s.sh("git symbolic-ref refs/heads/alias refs/heads/main && git symbolic-ref HEAD refs/heads/alias")
        #expect(try String(contentsOf: s.dir.appendingPathComponent(".git/refs/heads/alias"), encoding: .utf8).hasPrefix("ref:"))
        #expect(await GitRepository.headRevision(of: s.dir) == sha)
        // The synchronous entry the planning code uses, from a plain thread as the CLI's main thread is.
        let dir = s.dir
        #expect(try await onPlainThread { GitRevision.head(of: dir) } == sha)
    }

    @Test func outsideARepository() async throws {
        let s = try Scratch()
        defer { s.remove() }
        #expect(await GitRepository.headRevision(of: s.dir) == nil)
        do {
            _ = try await GitRepository.containing(s.dir)
            Issue.record("a plain folder was taken for a repository")
        } catch {
            #expect(error.code == .commandFailed)
            #expect(error.message.contains("rev-parse --show-toplevel"), "\(error.message)")
            let failure = try #require(error.cause as? CommandFailure)
            #expect(failure.standardErrorTail().contains("not a git repository"), "\(failure.standardError)")
        }
    }

    @Test func changedFilesSinceTheMergeBase() async throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.write("base.txt", "base\n")
        try await s.sh("git init -q -b main . && git add -A && git commit -qm base && git checkout -q -b feature")
        try s.write("img/1.0/Containerfile", "FROM scratch\n")
        try s.write("caf\u{E9} \"quoted\".txt", "odd name\n")
        try await s.sh("git add -A && git commit -qm feature && git checkout -q main")
        // A commit on main after the branch left it is not part of the branch's change.
        try s.write("main-only.txt", "later\n")
        try await s.sh("git add -A && git commit -qm later && git checkout -q feature")
        let repo = try await GitRepository.containing(s.dir)
        #expect(try await repo.changedFiles(since: "main").sorted() == ["caf\u{E9} \"quoted\".txt", "img/1.0/Containerfile"])
        #expect(try await repo.changedFiles(since: "HEAD") == [])
        await #expect(throws: BakeryError.self) { try await repo.changedFiles(since: "no-such-branch") }
    }

    @Test func fileAtARef() async throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.write("bakery.yaml", "old: 1\n")
        try await s.sh("git init -q . && git add -A && git commit -qm one")
        try s.write("bakery.yaml", "new: 2\n")
        try await s.sh("git commit -qam two")
        let repo = try await GitRepository.containing(s.dir)
        #expect(try await repo.file("bakery.yaml", at: "HEAD~1") == "old: 1\n")
        #expect(try await repo.file("bakery.yaml", at: "HEAD") == "new: 2\n")
        do {
            _ = try await repo.file("missing.yaml", at: "HEAD")
            Issue.record("a missing file was read")
        } catch {
            #expect(error.code == .commandFailed)
            #expect((error.cause as? CommandFailure)?.standardErrorTail().contains("missing.yaml") == true)
        }
    }

    @Test func aRefIsNeverAnOption() async throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.write("a.txt", "a\n")
        try await s.sh("git init -q . && git add -A && git commit -qm one")
        let repo = try await GitRepository.containing(s.dir)
        func refused(_ ref: String, _ question: () async throws(BakeryError) -> Void) async {
            do {
                try await question()
                Issue.record("'\(ref)' reached git")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(error.message.contains("is not a git ref"))
            }
        }
        for ref in ["--output=victim", "-p"] {
            await refused(ref) { () async throws(BakeryError) in _ = try await repo.commit(ref) }
            await refused(ref) { () async throws(BakeryError) in _ = try await repo.changedFiles(since: ref) }
            await refused(ref) { () async throws(BakeryError) in _ = try await repo.file("a.txt", at: ref) }
        }
        #expect(!FileManager.default.fileExists(atPath: s.dir.appendingPathComponent("victim").path))
    }

    @Test func remoteURLGuess() async throws {
        let s = try Scratch()
        defer { s.remove() }
        try await s.sh("git init -q .")
        #expect(await GitRepository.firstRemoteURL(of: s.dir) == nil)
        try await s.sh("git remote add origin git@github.com:posit-dev/images-connect.git")
        #expect(await GitRepository.firstRemoteURL(of: s.dir) == "git@github.com:posit-dev/images-connect.git")
        #expect(GitRepository.webPath(ofRemoteURL: "git@github.com:posit-dev/images-connect.git") == "github.com/posit-dev/images-connect")
        #expect(GitRepository.webPath(ofRemoteURL: "https://user@github.com/org/repo.git") == "github.com/org/repo")
        #expect(GitRepository.webPath(ofRemoteURL: "https://github.com/org/repo") == "github.com/org/repo")
        #expect(GitRepository.webPath(ofRemoteURL: ".git") == nil)
    }

    @Test func changeDetectionRebasesRepositoryPathsOntoTheWorkspace() async throws {
        let s = try Scratch()
        defer { s.remove() }
        let config = """
        repository:
          url: github.com/example/history
        images:
          - name: plain
            versions:
              - name: "1.0"
                latest: true
              - name: "0.9"

        """
        // The project is a subfolder of the repository; a change outside it is not its change.
        try s.write("product/bakery.yaml", config)
        try s.write("product/plain/1.0/Containerfile", "FROM scratch\n")
        try s.write("product/plain/0.9/Containerfile", "FROM scratch\n")
        try await s.sh("git init -q . && git add -A && git commit -qm one")
        try s.write("product/plain/1.0/Containerfile", "FROM scratch\nRUN true\n")
        try s.write("elsewhere/script.sh", "true\n")
        try await s.sh("git add -A && git commit -qm two")
        let workspace = try Workspace.load(context: s.dir.appendingPathComponent("product"), products: .none)
        let detection = ChangeDetection(workspace: workspace)
        let report = try await detection.report(since: "HEAD~1")
        #expect(report.warnings.isEmpty)
        #expect(report.selection?.images?.keys.elements == ["plain"])
        #expect(report.selection?.images?["plain"]?.versions == ["1.0"])

        // A new version in bakery.yaml: the old text comes from git and only the new version is selected.
        try s.write("product/bakery.yaml", config + "      - name: \"1.1\"\n")
        try await s.sh("git commit -qam three")
        let yaml = try await detection.report(since: "HEAD~1")
        #expect(yaml.selection?.images?["plain"]?.versions == ["1.1"])
        #expect(yaml.selection?.summary == "{'plain': {'versions': {'1.1'}, 'include_all_release': False, 'include_dev': False, 'include_matrix_latest': False}}")

        let unknown = try await detection.report(since: "no-such-branch")
        #expect(unknown.selection == nil)
        #expect(unknown.warnings == ["Could not diff against base-ref 'no-such-branch' (it is not a commit in this repository); falling back to a full build."])
        do {
            _ = try await detection.report(since: "--output=victim")
            Issue.record("an option-like base ref was accepted")
        } catch {
            #expect(BakeryError.from(error).message.hasPrefix("--base-ref '--output=victim' is not a git ref"))
        }
        #expect(detection.selection(forChangedPaths: ChangeDetection.paths(inList: "  plain/0.9/Containerfile \n\nREADME.md\n")).images?["plain"]?.versions == ["0.9"])
        #expect(detection.selection(forChangedPaths: ["bakery.yaml"]) == .full)
    }

    @Test func changeDetectionOutsideARepositoryIsFatal() async throws {
        let s = try Scratch()
        defer { s.remove() }
        try s.write("bakery.yaml", "repository:\n  url: github.com/example/x\nimages: []\n")
        let detection = ChangeDetection(workspace: try Workspace.load(context: s.dir, products: .none))
        do {
            _ = try await detection.report(since: "main")
            Issue.record("a base ref outside a repository was accepted")
        } catch {
            #expect(BakeryError.from(error).message.hasPrefix("--base-ref needs a git repository: fatal: not a git repository"), "\(BakeryError.from(error).message)")
        }
        #expect(throws: BakeryError.self) { _ = try ChangeDetection.paths(listedIn: s.dir.appendingPathComponent("missing.txt").path) }
    }
}
