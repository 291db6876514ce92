import Bakery
import Foundation
import Testing
import TestSupport

/// Reproductions from the robustness issue, each a test that failed before: traps, lost updates,
/// option injection, and the smaller items.
@Suite struct RobustnessCLITests {
    static func project(_ config: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-robust-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("img/template"), withIntermediateDirectories: true)
        try Data("FROM base:{{ Image.Version }}\n".utf8).write(to: dir.appendingPathComponent("img/template/Containerfile.jinja2"))
        try Data(config.utf8).write(to: dir.appendingPathComponent("bakery.yaml"))
        return dir
    }

    static let lines = ["repository:", "  url: \"https://github.com/posit-dev/x\"", "images:", "  - name: img", "    versions:",
                        "      - name: 1.0.0", "        latest: true", "      - name: 0.9.0"]

    /// Every line break the YAML reader accepts: edits work, untouched lines keep their bytes.
    @Test(arguments: ["\r", "\u{85}", "\u{2028}", "\u{2029}", "\r\n", "\n"])
    func everyLineBreakConventionCanBeEdited(_ br: String) throws {
        let dir = try Self.project(Self.lines.joined(separator: br) + br)
        defer { try? FileManager.default.removeItem(at: dir) }
        for command in [["create", "version", "img", "2.0.0"], ["create", "version", "img", "2.0.0", "--force"], ["update", "version", "img", "2.0.1"],
                        ["remove", "version", "img", "0.9.0"], ["create", "image", "other"], ["remove", "image", "other"]] {
            let result = try BakeryBinary.run(command, in: dir, timeout: 20)
            #expect(result.status == 0, "\(command) with \(br.unicodeScalars.map { String($0.value, radix: 16) }): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
            #expect(try BakeryBinary.run(["validate"], in: dir, timeout: 20).status == 0)
        }
        let text = try String(contentsOf: dir.appendingPathComponent("bakery.yaml"), encoding: .utf8)
        #expect(text.hasPrefix(Self.lines[0] + br + Self.lines[1] + br), "the untouched lines lost their line breaks")
        #expect(text.contains("- name: 2.0.1"))
    }

    /// An entry ending in an alias, or defining an anchor: edited or refused with a message, never a trap.
    @Test(arguments: [["remove", "version", "img", "3.0.0"], ["remove", "version", "img", "2.0.0"], ["create", "version", "img", "2.0.0", "--force"],
                      ["update", "version", "img", "2.0.5", "--target-version", "2.0.0"], ["create", "version", "img", "4.0.0"],
                      ["remove", "version", "img", "1.0.0"], ["update", "version", "img", "3.0.1", "--target-version", "3.0.0"]])
    func entriesWithAnchorsAndAliasesNeverTrap(_ command: [String]) throws {
        let config = (Self.lines.prefix(5) + [
            "      - name: 1.0.0", "        os: &o", "          - name: Ubuntu 24.04", "            primary: true",
            "      - name: 2.0.0", "        latest: true", "        os: *o", "      - name: 3.0.0", "        os: *o",
        ]).joined(separator: "\n") + "\n"
        let dir = try Self.project(config)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try BakeryBinary.run(["validate"], in: dir, timeout: 20).status == 0)
        let result = try BakeryBinary.run(command, in: dir, timeout: 20)
        #expect(result.status == 0 || result.status == 1)
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Range requires"), "\(result.stderr)")
        if command == ["remove", "version", "img", "1.0.0"] {
            // Removing the anchor's entry moves the anchor to the first alias: the other versions keep their OS.
            #expect(result.status == 0, "\(result.stderr)")
            let versions = try ConfigLoader.load(context: dir).config.image(named: "img")?.versions ?? []
            #expect(versions.map(\.name) == ["2.0.0", "3.0.0"] && versions.allSatisfy { $0.os.map(\.name) == ["Ubuntu 24.04"] })
        }
        #expect(try BakeryBinary.run(["validate"], in: dir, timeout: 20).status == 0, "the project must stay valid")
    }

    @Test(arguments: ["a\rb", "a\u{85}b", "tab\there", "line\nbreak", "x\u{2028}y", "bell\u{7}", "c1\u{9B}", "'quoted' \"both\"", "back\\slash", "\u{FEFF}bom"])
    func valuesWithBreaksAndControlsRoundTrip(_ value: String) throws {
        let dir = try Self.project(Self.lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0", "--value", "k=\(value)"], in: dir, timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        let loaded = try ConfigLoader.load(context: dir)
        #expect(loaded.config.image(named: "img")?.versions.first { $0.name == "2.0.0" }?.values["k"] == value)
    }

    @Test func aHugeDottedValueKeyIsRefusedNotAStackOverflow() throws {
        let dir = try Self.project(Self.lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = String(repeating: "a.", count: 20_000) + "b"
        let result = try BakeryBinary.run(["render", "img/template/Containerfile.jinja2", "--value", "\(key)=1"], in: dir, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("at most 64 are allowed"), "\(result.stderr.prefix(300))")
    }

    @Test func aBaseRefIsNeverAnOptionToGit() throws {
        let dir = try Self.project(Self.lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try BakeryBinary.shell("git init -q . && git add -A && git -c user.email=t@t -c user.name=t commit -qm init && echo keep > victim", in: dir)
        let result = try BakeryBinary.run(["ci", "matrix", "--base-ref=--output=victim"], in: dir, timeout: 20)
        #expect(result.status == 1)
        #expect(result.stderr.contains("is not a git ref"), "\(result.stderr)")
        #expect(try String(contentsOf: dir.appendingPathComponent("victim"), encoding: .utf8) == "keep\n")
        let unknown = try BakeryBinary.run(["ci", "matrix", "--base-ref", "no-such-branch"], in: dir, timeout: 20)
        #expect(unknown.status == 0)
        #expect(unknown.stderr.contains("(it is not a commit in this repository); falling back to a full build"))
    }

    @Test(arguments: [["get", "tags", "--image-name", "(a+)+b"], ["build", "--plan", "--image-variant", "(x*)*y"], ["get", "tags", "--image-os", "(?:u+)+z"],
                      ["update", "files", "--image-name", "(a|aa)+(b+)+c"]])
    func exponentialPatternsAreRefusedBeforeTheyRun(_ command: [String]) throws {
        let dir = try Self.project(Self.lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(command, in: dir, timeout: 20)
        #expect(result.status != 0 && result.status != -1, "\(result.stderr)")
        #expect(result.stderr.contains("is refused: it repeats a group"), "\(result.stderr)")
    }

    /// A pattern the static check lets through still cannot run for ever: bakery stops it and says so.
    @Test func aBacktrackingPatternIsStoppedWithAMessage() throws {
        let config = "repository:\n  url: \"https://github.com/posit-dev/x\"\nimages:\n  - name: \(String(repeating: "a", count: 40))\n    versions:\n      - name: 1.0.0\n"
        let dir = try Self.project(config)
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["get", "tags", "--image-name", "(a|a)+c"], in: dir, timeout: 30)
        #expect(result.status == 1)
        #expect(result.stderr.contains("'(a|a)+c' took more than 5 s to match"), "\(result.stderr)")
    }

    @Test func aByteOrderMarkBeforeTheFirstKeyIsReadAndKept() throws {
        let text = "\u{FEFF}" + Self.lines.joined(separator: "\n") + "\n"
        let dir = try Self.project(text)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try BakeryBinary.run(["validate"], in: dir, timeout: 20).status == 0)
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0"], in: dir, timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        let bytes = try Data(contentsOf: dir.appendingPathComponent("bakery.yaml"))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF, UInt8(ascii: "r")]))
    }

    @Test func aValueStartingWithACombiningMarkIsSplitAtItsEqualsSign() throws {
        let dir = try Self.project(Self.lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0", "--value", "k=\u{301}x"], in: dir, timeout: 20)
        #expect(result.status == 0, "\(result.stderr)")
        let loaded = try ConfigLoader.load(context: dir)
        #expect(loaded.config.image(named: "img")?.versions.first { $0.name == "2.0.0" }?.values["k"] == "\u{301}x")
    }

    @Test(arguments: ["create", "get", "update", "remove", "ci"])
    func aCommandGroupWithoutASubcommandIsAUsageError(_ group: String) throws {
        let result = try BakeryBinary.run([group], in: FileManager.default.temporaryDirectory, timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderr.contains("USAGE: bakery \(group) <subcommand>"))
    }

    @Test(arguments: [["build", "--plan"], ["ci", "matrix"]])
    func aNegativeRecentIsRejectedAsSuch(_ command: [String]) throws {
        let result = try BakeryBinary.run(command + ["--recent", "-1"], in: FileManager.default.temporaryDirectory, timeout: 20)
        #expect(result.status == 2)
        #expect(result.stderr.contains("--recent must be at least 1."), "\(result.stderr)")
    }

    /// Many processes started at random moments, all changing one project: every change lands.
    @Test func staggeredConcurrentChangesAllLand() throws {
        let dir = try Self.project(Self.lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: dir) }
        var rng = SeededRandom(seed: 77)
        let count = 16
        let delays = (0..<count).map { _ in Int.random(in: 0...300, using: &rng) }
        let group = DispatchGroup()
        let failures = FailureList()
        for i in 0..<count {
            group.enter()
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(delays[i])) {
                defer { group.leave() }
                do {
                    let r = try BakeryBinary.run(["create", "version", "img", "3.\(i).0", "--no-mark-latest"], in: dir, timeout: 120)
                    if r.status != 0 { failures.add("3.\(i).0: \(r.stderr)") }
                } catch {
                    failures.add("3.\(i).0: \(error)")
                }
            }
        }
        group.wait()
        #expect(failures.items.isEmpty, "\(failures.items)")
        let versions = try ConfigLoader.load(context: dir).config.image(named: "img")?.versions.map(\.name) ?? []
        for i in 0..<count {
            #expect(versions.contains("3.\(i).0"), "version 3.\(i).0 was lost")
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("img/3.\(i).0/Containerfile").path))
        }
    }
}

extension RobustnessCLITests {
    /// A full disk: the command fails naming the path and the cause, and the project is as it was.
    @Test func aFullDiskSaysSoAndChangesNothing() throws {
        let mount = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: mount) }
        guard getuid() == 0, try BakeryBinary.shell("mount -t tmpfs -o size=256k bakery-full '\(mount.path)'", in: mount).status == 0 else {
            print("⚠️  skipping: mounting a small tmpfs needs root (and a kernel that allows it here)")
            return
        }
        defer { _ = try? BakeryBinary.shell("umount '\(mount.path)'", in: URL(fileURLWithPath: "/")) }
        let dir = mount.appendingPathComponent("p")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("img/template"), withIntermediateDirectories: true)
        try Data((RobustnessCLITests.lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("bakery.yaml"))
        // A template that renders to more than the disk holds.
        try Data("{% for i in range(60000) %}line {{ i }} of the big file\n{% endfor %}".utf8).write(to: dir.appendingPathComponent("img/template/big.txt.jinja2"))
        let before = TreeSnapshot(dir)
        let result = try BakeryBinary.run(["create", "version", "img", "2.0.0"], in: dir, timeout: 60, environment: ["BAKERY_TEMPLATE_MAX_STEPS": "10000000"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no space left on the device (free some space, then run the command again)"), "\(result.stderr)")
        #expect(!result.stderr.contains("NSCocoaErrorDomain"))
        #expect(TreeSnapshot(dir) == before)
    }
}

final class FailureList: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.withLock { list.append(s) } }
    var items: [String] { lock.withLock { list } }
}
