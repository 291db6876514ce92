// The input digest of `bakery build --skip-unchanged`: what changes it, what does not, and how a Containerfile's
// COPY/ADD sources and FROM images are read.
import Foundation
import OCIRegistry
import Testing
@testable import Bakery

@Suite struct InputDigestTests {
    static let base = InputDigest.Inputs(
        containerfile: Data("FROM ubuntu:24.04\nCOPY a.txt /a\n".utf8),
        contextFiles: [.init(path: "a.txt", mode: 0o644, content: .file(Digest.sha256(of: Data("a".utf8))))],
        ignoreFiles: [".dockerignore": Data("*.log\n".utf8)],
        args: ["DEBIAN_FRONTEND": "noninteractive"],
        labels: ["org.opencontainers.image.version": "1.0.0", "org.opencontainers.image.created": "2026-01-01T00:00:00Z",
                 "org.opencontainers.image.revision": "abc123"],
        stage: "final", secretIDs: ["token"], platforms: ["linux/amd64"],
        baseImages: ["linux/amd64 ubuntu:24.04 linux/amd64": "sha256:" + String(repeating: "1", count: 64)])

    static func digest(_ change: (inout InputDigest.Inputs) -> Void) -> InputDigest {
        var inputs = base
        change(&inputs)
        return InputDigest(inputs)
    }

    @Test func theSameInputsGiveTheSameDigest() {
        #expect(InputDigest(Self.base) == InputDigest(Self.base))
        #expect(InputDigest(Self.base).description.hasPrefix("sha256:"))
        #expect(InputDigest(Self.base).description.count == 71)
    }

    @Test func everyInputChangesTheDigest() {
        let original = InputDigest(Self.base)
        let changes: [(String, (inout InputDigest.Inputs) -> Void)] = [
            ("containerfile", { $0.containerfile.append(contentsOf: Array("# x\n".utf8)) }),
            ("file bytes", { $0.contextFiles[0].content = .file(Digest.sha256(of: Data("b".utf8))) }),
            ("file mode", { $0.contextFiles[0].mode = 0o755 }),
            ("file path", { $0.contextFiles[0].path = "b.txt" }),
            ("another file", { $0.contextFiles.append(.init(path: "c.txt", mode: 0o644, content: .directory)) }),
            ("ignore file", { $0.ignoreFiles[".dockerignore"] = Data("*.tmp\n".utf8) }),
            ("no ignore file", { $0.ignoreFiles = [:] }),
            ("build arg value", { $0.args["DEBIAN_FRONTEND"] = "teletype" }),
            ("build arg added", { $0.args["X"] = "" }),
            ("label", { $0.labels["org.opencontainers.image.version"] = "1.0.1" }),
            ("stage", { $0.stage = "build" }),
            ("no stage", { $0.stage = nil }),
            ("secret id", { $0.secretIDs = ["other"] }),
            ("platform", { $0.platforms = ["linux/arm64"] }),
            ("another platform", { $0.platforms.append("linux/arm64") }),
            ("base digest", { $0.baseImages["linux/amd64 ubuntu:24.04 linux/amd64"] = "sha256:" + String(repeating: "2", count: 64) }),
        ]
        var seen: Set<InputDigest> = [original]
        for (name, change) in changes {
            let changed = Self.digest(change)
            #expect(changed != original, "\(name) did not change the digest")
            #expect(seen.insert(changed).inserted, "\(name) gave the digest of another change")
        }
    }

    @Test func createdRevisionAndTheDigestLabelItselfDoNotChangeIt() {
        let original = InputDigest(Self.base)
        #expect(Self.digest { $0.labels["org.opencontainers.image.created"] = "2027-06-30T12:00:00Z" } == original)
        #expect(Self.digest { $0.labels["org.opencontainers.image.revision"] = "def456" } == original)
        #expect(Self.digest { $0.labels.removeValue(forKey: "org.opencontainers.image.revision") } == original)
        #expect(Self.digest { $0.labels[InputDigest.label] = "sha256:" + String(repeating: "0", count: 64) } == original)
    }

    @Test func valuesCannotBeShiftedBetweenFields() {
        // Length prefixes: "ab" + "c" is not "a" + "bc".
        let a = Self.digest { $0.args = ["ab": "c"] }
        let b = Self.digest { $0.args = ["a": "bc"] }
        #expect(a != b)
        let c = Self.digest { $0.secretIDs = ["a", "b"] }
        let d = Self.digest { $0.secretIDs = ["ab"] }
        #expect(c != d)
    }

    @Test func orderOfFilesPlatformsAndSecretsDoesNotMatter() {
        let files: [InputDigest.ContextFile] = [
            .init(path: "x/1", mode: 0o644, content: .file(Digest.sha256(of: Data("1".utf8)))),
            .init(path: "x", mode: 0o755, content: .directory),
            .init(path: "a", mode: 0o644, content: .link(target: "x/1", reached: nil)),
        ]
        let one = Self.digest { $0.contextFiles = files; $0.platforms = ["linux/amd64", "linux/arm64"]; $0.secretIDs = ["a", "b"] }
        let two = Self.digest { $0.contextFiles = files.reversed(); $0.platforms = ["linux/arm64", "linux/amd64"]; $0.secretIDs = ["b", "a"] }
        #expect(one == two)
    }

    // MARK: - The context

    static func tree(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("input-digest-\(UUID().uuidString)")
        for (path, text) in files {
            let url = dir.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return dir
    }

    @Test func copiedFilesFoldersAndGlobsAreReadAndNothingElse() throws {
        let dir = try Self.tree(["deps/packages.txt": "curl", "deps/extra/more.txt": "git", "conf/a.conf": "a", "conf/b.ini": "b",
                                 "unrelated.txt": "x"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try InputDigest.contextFiles(in: dir, sources: ["./deps", "/conf/*.conf"], wholeContext: false)
        #expect(files.map(\.path) == ["conf/a.conf", "deps", "deps/extra", "deps/extra/more.txt", "deps/packages.txt"])
        #expect(files.first { $0.path == "deps/packages.txt" }?.content == .file(Digest.sha256(of: Data("curl".utf8))))
        // An unrelated file changes nothing; a copied one does.
        let before = InputDigest(.init(containerfile: Data(), contextFiles: files, platforms: ["linux/amd64"]))
        try Data("y".utf8).write(to: dir.appendingPathComponent("unrelated.txt"))
        let same = try InputDigest.contextFiles(in: dir, sources: ["./deps", "/conf/*.conf"], wholeContext: false)
        #expect(InputDigest(.init(containerfile: Data(), contextFiles: same, platforms: ["linux/amd64"])) == before)
        try Data("curl wget".utf8).write(to: dir.appendingPathComponent("deps/packages.txt"))
        let changed = try InputDigest.contextFiles(in: dir, sources: ["./deps", "/conf/*.conf"], wholeContext: false)
        #expect(InputDigest(.init(containerfile: Data(), contextFiles: changed, platforms: ["linux/amd64"])) != before)
    }

    @Test func aFileModeChangeIsSeen() throws {
        let dir = try Self.tree(["run.sh": "echo"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let before = try InputDigest.contextFiles(in: dir, sources: ["run.sh"], wholeContext: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.appendingPathComponent("run.sh").path)
        let after = try InputDigest.contextFiles(in: dir, sources: ["run.sh"], wholeContext: false)
        #expect(before.count == 1 && after.count == 1)
        #expect(before[0].mode != after[0].mode && after[0].mode == 0o755)
    }

    @Test func theWalkDoesNotDependOnTheOrderFilesWereCreatedIn() throws {
        let names = (0..<30).map { "d/f\($0).txt" }
        let one = try Self.tree(Dictionary(uniqueKeysWithValues: names.map { ($0, $0) }))
        let two = FileManager.default.temporaryDirectory.appendingPathComponent("input-digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: one); try? FileManager.default.removeItem(at: two) }
        try FileManager.default.createDirectory(at: two.appendingPathComponent("d"), withIntermediateDirectories: true)
        for name in names.reversed() { try Data(name.utf8).write(to: two.appendingPathComponent(name)) }
        let a = try InputDigest.contextFiles(in: one, sources: ["d"], wholeContext: false)
        let b = try InputDigest.contextFiles(in: two, sources: ["d"], wholeContext: false)
        #expect(a.count == 31)
        #expect(InputDigest(.init(containerfile: Data(), contextFiles: a, platforms: ["p"])) ==
                InputDigest(.init(containerfile: Data(), contextFiles: b, platforms: ["p"])))
    }

    @Test func aVariableSourceOrOneThatLeavesOrMissesTheContextTakesTheWholeContext() throws {
        let dir = try Self.tree(["a.txt": "a", "b/c.txt": "c"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let read = InputDigest.Instructions(parsing: "FROM scratch\nCOPY $SRC/c.txt /c\n")
        #expect(read.wholeContext)
        let everything = ["a.txt", "b", "b/c.txt"]
        #expect(try InputDigest.contextFiles(in: dir, sources: read.contextSources, wholeContext: read.wholeContext).map(\.path) == everything)
        #expect(try InputDigest.contextFiles(in: dir, sources: ["../outside"], wholeContext: false).map(\.path) == everything)
        #expect(try InputDigest.contextFiles(in: dir, sources: ["missing.txt"], wholeContext: false).map(\.path) == everything)
        #expect(try InputDigest.contextFiles(in: dir, sources: ["."], wholeContext: false).map(\.path) == everything)
        #expect(try InputDigest.contextFiles(in: dir, sources: ["a.txt"], wholeContext: false).map(\.path) == ["a.txt"])
    }

    @Test func ignoreFilesBesideTheContainerfileAndAtTheRootAreFound() throws {
        let dir = try Self.tree([".dockerignore": "*.log", "img/Containerfile": "FROM scratch", "img/Containerfile.containerignore": "x"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let found = InputDigest.ignoreFiles(containerfile: dir.appendingPathComponent("img/Containerfile"), context: dir)
        #expect(Set(found.keys) == [".dockerignore", "containerfile.containerignore"])
    }

    // MARK: - Reading the Containerfile

    @Test func copySourcesAreReadAndStageCopiesAndHeredocsAreNot() {
        let text = """
        # syntax=docker/dockerfile:1
        FROM docker.io/library/ubuntu:24.04 AS build
        COPY --chown=1000:1000 --chmod=644 deps/packages.txt \\
             deps/more.txt /tmp/
        ADD ["with space.txt", "/x/"]
        RUN echo hi
        FROM build AS test
        COPY --from=build /usr/bin/x /usr/bin/x
        COPY <<EOF /etc/conf
        COPY not/a/source /y
        EOF
        FROM scratch
        COPY --link scripts/*.sh /s/
        """
        let read = InputDigest.Instructions(parsing: text)
        #expect(read.contextSources == ["deps/packages.txt", "deps/more.txt", "with space.txt", "scripts/*.sh"])
        #expect(!read.wholeContext)
        #expect(read.bases.map(\.image) == ["docker.io/library/ubuntu:24.04"])
        #expect(read.remoteSources.isEmpty)
    }

    @Test func fromResolvesBuildArgsAndPlatformsAndFlagsWhatItCannot() {
        let text = """
        ARG BASE=ubuntu:22.04
        ARG OTHER
        FROM --platform=$BUILDPLATFORM ${BASE} AS one
        FROM $OTHER
        FROM ${MISSING:-debian:12}
        ADD https://example.com/x.tar.gz /x
        """
        let read = InputDigest.Instructions(parsing: text, args: ["BASE": "ubuntu:24.04"])
        #expect(read.bases.map(\.image) == ["ubuntu:24.04", nil, "debian:12"])
        #expect(read.bases.first?.platform == "$BUILDPLATFORM")
        #expect(read.remoteSources == ["https://example.com/x.tar.gz"])
        let defaults = InputDigest.Instructions(parsing: text)
        #expect(defaults.bases.first?.image == "ubuntu:22.04")
        let given = InputDigest.Instructions(parsing: text, args: ["OTHER": "alpine:3"])
        #expect(given.bases.map(\.image) == ["ubuntu:22.04", "alpine:3", "debian:12"])
    }

    @Test func aBasePlatformIsTheTargetsUnlessTheFromSaysOtherwise() {
        typealias Base = InputDigest.Instructions.Base
        #expect(UnchangedTargets.platform(of: Base(image: "x", written: "x", platform: nil), target: "linux/arm64") == "linux/arm64")
        #expect(UnchangedTargets.platform(of: Base(image: "x", written: "x", platform: "$TARGETPLATFORM"), target: "linux/arm64") == "linux/arm64")
        #expect(UnchangedTargets.platform(of: Base(image: "x", written: "x", platform: "linux/s390x"), target: "linux/arm64") == "linux/s390x")
        #expect(UnchangedTargets.platform(of: Base(image: "x", written: "x", platform: "$WHATEVER"), target: "linux/arm64") == nil)
        #expect(UnchangedTargets.platform(of: Base(image: "x", written: "x", platform: "$BUILDPLATFORM"), target: "linux/arm64")?.hasPrefix("linux/") == true)
    }

    @Test func labelsAreReadFromAnImageConfig() {
        let config = Data(#"{"architecture":"amd64","config":{"Labels":{"co.posit.bakery.input-digest":"sha256:ab","x":"y"}}}"#.utf8)
        #expect(UnchangedTargets.labels(inConfig: config) == ["co.posit.bakery.input-digest": "sha256:ab", "x": "y"])
        #expect(UnchangedTargets.labels(inConfig: Data("{}".utf8)).isEmpty)
        #expect(UnchangedTargets.labels(inConfig: Data("not json".utf8)).isEmpty)
    }
}
