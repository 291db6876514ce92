import Bakery
import Foundation
import TestSupport
import Testing

/// Problems a hostile review of issue 12's process and git work found (CommandRunner, GitRepository,
/// change detection, `create project`'s remote guess): each test is a user's command line and what
/// they should see.
@Suite("Git, change detection and create project on hostile repositories")
struct ChangeDetectionCLITests {
    static func scratch() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-change-detection-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        return root
    }

    static func write(_ text: String, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    static let git = "git -c user.email=t@example.com -c user.name=t -c tag.gpgSign=false -c commit.gpgSign=false"

    /// One image with three versions, each in a folder of its own.
    static func threeVersionProject(in dir: URL) throws {
        try write("""
            repository:
              url: "github.com/example/images"
            images:
              - name: app
                versions:
                  - name: "3.0"
                    subpath: "3.0"
                    latest: true
                  - name: "2.0"
                    subpath: "2.0"
                  - name: "1.0"
                    subpath: "1.0"

            """, to: dir.appendingPathComponent("bakery.yaml"))
        for v in ["1.0", "2.0", "3.0"] {
            try write("FROM scratch\n", to: dir.appendingPathComponent("app/\(v)/Containerfile"))
        }
    }

    /// Release pipelines diff against the last release tag. An annotated tag names a commit
    /// (`v1^{commit}` resolves), so `--base-ref v1` must narrow the matrix exactly as the tag's
    /// commit id does, not fall back to a full build because `git diff --merge-base` wants commits.
    @Test func anAnnotatedTagAsBaseRefNarrowsTheMatrix() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.threeVersionProject(in: dir)
        let setup = try BakeryBinary.shell("""
            set -e
            git init -q . && git add -A && \(Self.git) commit -qm base && \(Self.git) tag -a -m release v1
            echo 'RUN true' >> app/2.0/Containerfile && git add -A && \(Self.git) commit -qm change
            """, in: dir)
        try #require(setup.status == 0, "\(setup.stderr)")
        let bySHA = try BakeryBinary.run(["ci", "matrix", "--base-ref", "HEAD~1"], in: dir)
        #expect(bySHA.status == 0, "\(bySHA.stderr)")
        #expect(bySHA.stdout.contains("\"version\": \"2.0\"") && !bySHA.stdout.contains("\"version\": \"3.0\""), "\(bySHA.stdout)")
        let byTag = try BakeryBinary.run(["ci", "matrix", "--base-ref", "v1"], in: dir)
        #expect(byTag.status == 0, "\(byTag.stderr)")
        #expect(!byTag.stderr.contains("Could not diff"), "\(byTag.stderr)")
        #expect(byTag.stdout == bySHA.stdout)
    }

    /// The same with a changed bakery.yaml: the old text is read at the tag, and its semantic
    /// diff narrows the rebuild to the version whose entry changed.
    @Test func anAnnotatedTagAsBaseRefDiffsBakeryYAMLSemantically() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.threeVersionProject(in: dir)
        let setup = try BakeryBinary.shell("""
            set -e
            git init -q . && git add -A && \(Self.git) commit -qm base && \(Self.git) tag -a -m release v1
            sed 's/name: "1.0"/name: "1.1"/' bakery.yaml > b.tmp && mv b.tmp bakery.yaml && git add -A && \(Self.git) commit -qm rename
            """, in: dir)
        try #require(setup.status == 0, "\(setup.stderr)")
        let r = try BakeryBinary.run(["ci", "matrix", "--base-ref", "v1"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("Could not"), "\(r.stderr)")
        #expect(r.stdout == #"[{"image": "app", "version": "1.1", "dev": false, "latest": false, "platform": "linux/amd64"}]"# + "\n", "\(r.stdout)")
    }

    /// `create project` guesses `repository.url` from the first remote. A remote whose URL cannot
    /// be a repository URL (a quote, a backslash, a newline) must not be pasted into the new file:
    /// the file bakery writes must be valid YAML, with the placeholder and the usual warning.
    @Test(arguments: [#"https://github.com/org/re"po.git"#, #"git@github.com:org/re\po.git"#,
                      "https://github.com/org/repo\nimages: [injected]"])
    func createProjectNeverWritesAnUnusableRemoteIntoBakeryYAML(remote: String) throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let quoted = "'" + remote.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
        let setup = try BakeryBinary.shell("git init -q . && git config remote.origin.url \(quoted)", in: dir)
        try #require(setup.status == 0, "\(setup.stderr)")
        let r = try BakeryBinary.run(["create", "project"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Unable to determine repository name"), "\(r.stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("bakery.yaml"), encoding: .utf8)
        #expect(text.contains(#"url: "<REPLACE ME>""#), "\(text)")
        #expect(!text.contains("injected"), "\(text)")
        let validate = try BakeryBinary.run(["validate"], in: dir)
        #expect(!validate.stderr.contains("not valid YAML"), "\(validate.stderr)")
    }

    /// A usable remote is still guessed, without its credentials.
    @Test func createProjectGuessesAUsableRemoteWithoutItsCredentials() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        let setup = try BakeryBinary.shell("git init -q . && git config remote.origin.url https://x:ghp_SECRET@github.com/org/repo.git", in: dir)
        try #require(setup.status == 0, "\(setup.stderr)")
        let r = try BakeryBinary.run(["create", "project"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOf: dir.appendingPathComponent("bakery.yaml"), encoding: .utf8)
        #expect(text.contains(#"url: "github.com/org/repo""#), "\(text)")
        #expect(!text.contains("SECRET") && !r.stderr.contains("SECRET") && !r.stdout.contains("SECRET"))
    }

    /// The `--recent` warnings for changed versions it leaves out come in a fixed order (the
    /// versions sorted, as the change summary lists them), not in a hash set's order, which differs
    /// from run to run.
    @Test func recentWarningsComeInAFixedOrder() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.threeVersionProject(in: dir)
        try Self.write("app/1.0/Containerfile\napp/2.0/Containerfile\napp/3.0/Containerfile\n", to: dir.appendingPathComponent("changed.txt"))
        for _ in 0..<4 {
            let r = try BakeryBinary.run(["ci", "matrix", "--recent", "1", "--changed-files-from", "changed.txt"], in: dir)
            #expect(r.status == 0, "\(r.stderr)")
            let warned = r.stderr.split(separator: "\n").filter { $0.contains("excluded by --recent") }
            #expect(warned.count == 2)
            #expect(warned.first?.contains("'1.0'") == true && warned.last?.contains("'2.0'") == true, "\(warned)")
        }
    }
}

extension ChangeDetectionCLITests {
    /// A `.git/HEAD` that is a FIFO held `git rev-parse --show-toplevel` (and so `ci matrix
    /// --base-ref`) for its whole 60 s time limit; planning already refuses it at once. It is
    /// refused at once, located, with exit 1.
    @Test(.timeLimit(.minutes(1))) func aFIFOAsGitHEADIsRefusedAtOnce() throws {
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.threeVersionProject(in: dir)
        let setup = try BakeryBinary.shell("git init -q . && git add -A && \(Self.git) commit -qm base && rm .git/HEAD && mkfifo .git/HEAD", in: dir)
        try #require(setup.status == 0, "\(setup.stderr)")
        let started = Date()
        let r = try BakeryBinary.run(["ci", "matrix", "--base-ref", "HEAD"], in: dir)
        #expect(Date().timeIntervalSince(started) < 20)
        #expect(r.status == 1)
        #expect(r.stderr.contains(".git/HEAD' is a FIFO"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }
}

extension ChangeDetectionCLITests {
    @Test func anEndlessChangedFilesListIsRefusedNotReadForever() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-endless-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: ExampleProjects.referenceConfig("01-basic-image"), to: dir.appendingPathComponent("bakery.yaml"))
        let started = Date()
        let r = try BakeryBinary.run(["ci", "matrix", "--changed-files-from", "/dev/zero"], in: dir, timeout: 60)
        #expect(r.status == 1)
        #expect(r.stderr.contains("is larger than 64 MiB"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
    }
}
