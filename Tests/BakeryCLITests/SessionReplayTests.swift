import Foundation
import TestSupport
import Testing

/// The reference's 38-step project session (create project → images → versions → update → remove,
/// shared/reference/new-project-scratch-py312) replayed with our bakery: after each step the same
/// files are added, modified and deleted, bakery.yaml changes by the same lines, and the exit code
/// is the same. Deliberate differences are asserted as what we do instead.
@Suite("Project session replay")
struct SessionReplayTests {
    static let session = BakeryBinary.fixtures.appendingPathComponent("reference/new-project-scratch-py312")

    /// Steps whose recorded result we deliberately differ from.
    static let differences: [String: (changes: String?, diff: [String])] = [
        // Dependency entries are written `dependency` first (the reference writes the JSON's
        // `versions` before `dependency` for the first entry).
        "24-create-matrix": (nil, ["+    matrix:", "+      dependencies:", "+        - dependency: R", "+          versions:",
                                   "+            - 4.5.2", "+            - 4.4.3", "+        - dependency: python", "+          version: 3.13.12"]),
        // --force replaces the whole matrix (the reference keeps the old subpath and namePattern in
        // bakery.yaml but renders into the default folder anyway); constraint keys keep the given order.
        "38-create-matrix-constraint-nested": (nil, ["-      subpath: mx", "-      values:", "-        flavor: a", "-      namePattern: '{{ Values.flavor }}'",
                                                     "+      dependencyConstraints:", "+        - dependency: R", "+          constraint:",
                                                     "+            latest: true", "+            count: 2"]),
    ]

    static func arguments(_ argv: String) -> [String] {
        if argv.contains("--display-name") {
            return ["create", "image", "my-other", "--base-image", "docker.io/library/rockylinux:9", "--subpath", "other",
                    "--display-name", "My Other Image", "--description", "Another image", "--documentation-url", "https://example.com/docs"]
        }
        if argv.hasPrefix("create matrix") {
            // JSON arguments contain spaces: split around {...} groups.
            var out: [String] = []
            var rest = Substring(argv)
            while !rest.isEmpty {
                rest = rest.drop { $0 == " " }
                if rest.first == "{" {
                    var depth = 0
                    var end = rest.startIndex
                    for i in rest.indices {
                        if rest[i] == "{" { depth += 1 }
                        if rest[i] == "}" { depth -= 1; if depth == 0 { end = i; break } }
                    }
                    out.append(String(rest[...end]))
                    rest = rest[rest.index(after: end)...]
                } else if !rest.isEmpty {
                    let word = rest.prefix { $0 != " " }
                    out.append(String(word))
                    rest = rest.dropFirst(word.count)
                }
            }
            return out
        }
        return argv.split(separator: " ").map(String.init)
    }

    static func changedLines(_ diff: String) -> [String] {
        diff.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { ($0.hasPrefix("+") || $0.hasPrefix("-")) && !$0.hasPrefix("+++") && !$0.hasPrefix("---") }
    }

    @Test func theSessionGivesTheSameChanges() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("bakery-session-\(UUID().uuidString)/my-images")
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir.deletingLastPathComponent()) }
        let setup = try BakeryBinary.shell("git init -q && git remote add origin https://github.com/example/my-images.git && git -c user.email=t@example.com -c user.name=t commit -q --allow-empty -m init", in: dir)
        guard setup.status == 0 else {
            if ExternalTool.toolsRequired { Issue.record("git is needed: \(setup.stderr)") }
            print("skipping the session replay: git is not available")
            return
        }
        let cases = try String(contentsOf: Self.session.appendingPathComponent("cases.tsv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(cases.count == 38)
        for row in cases {
            let (slug, argv, code) = (row[0], row[1], Int32(row[2])!)
            _ = try BakeryBinary.shell("git add -A && git -c user.email=t@example.com -c user.name=t commit -q --allow-empty -m step", in: dir)
            let result = try BakeryBinary.run(Self.arguments(argv), in: dir)
            let changes = try BakeryBinary.shell("git add -A && git diff --cached --no-renames --name-status", in: dir).stdout
            let diff = try BakeryBinary.shell("git diff --cached -- bakery.yaml", in: dir).stdout
            let wantChanges = (try? String(contentsOf: Self.session.appendingPathComponent("\(slug).changes.txt"), encoding: .utf8)) ?? ""
            let wantDiff = (try? String(contentsOf: Self.session.appendingPathComponent("\(slug).bakery-yaml.diff"), encoding: .utf8)) ?? ""
            #expect(result.status == code, "\(slug): \(result.stderr.suffix(500))")
            let difference = Self.differences[slug]
            #expect(changes.trimmingCharacters(in: .whitespacesAndNewlines) == (difference?.changes ?? wantChanges).trimmingCharacters(in: .whitespacesAndNewlines), "\(slug)")
            #expect(Self.changedLines(diff) == (difference?.diff ?? Self.changedLines(wantDiff)), "\(slug)")
            if slug == "09-create-version-diff-against" {
                let want = try String(contentsOf: Self.session.appendingPathComponent("\(slug).txt"), encoding: .utf8)
                #expect(result.stdout == want, "\(slug)")
            }
        }
    }
}
