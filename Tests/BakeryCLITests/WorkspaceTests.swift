import Bakery
import Foundation
import TestSupport
import Testing

/// A repository root holding several product folders, and --base-ref against real git history.
@Suite("Workspace and change-aware CI")
struct WorkspaceTests {
    static func makeWorkspace() throws -> URL {
        let fm = FileManager.default
        let root = fm.temporaryDirectory.appendingPathComponent("bakery-workspace-\(UUID().uuidString)")
        // Two registered product folders (the second holds a tutorial's config); "Tutorial" is not a
        // registered product, so the workspace ignores it.
        for (folder, project) in [("Connect", "connect"), ("PackageManager", "01-basic-image"), ("Tutorial", "02-multiple-images-and-versions")] {
            let dir = root.appendingPathComponent(folder)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try fm.copyItem(at: ExampleProjects.referenceConfig(project), to: dir.appendingPathComponent("bakery.yaml"))
        }
        try fm.createDirectory(at: root.appendingPathComponent("docs"), withIntermediateDirectories: true)
        return root
    }

    static func json(_ args: [String], in dir: URL) throws -> JSONValue {
        let r = try BakeryBinary.run(args, in: dir)
        #expect(r.status == 0, "\(args): \(r.stderr.suffix(400))")
        return try #require(JSONValue.parse(r.stdout), "\(r.stdout.prefix(200))")
    }

    @Test func theRootPlansEveryProductFolder() throws {
        let root = try Self.makeWorkspace()
        defer { try? FileManager.default.removeItem(at: root) }
        let plan = try Self.json(["build", "--plan"], in: root)
        let connect = try Self.json(["build", "--plan"], in: root.appendingPathComponent("Connect"))
        let tutorial = try Self.json(["build", "--plan"], in: root.appendingPathComponent("PackageManager"))
        guard case .object(let all)? = plan["target"], case .object(let c)? = connect["target"], case .object(let t)? = tutorial["target"] else {
            Issue.record("no targets")
            return
        }
        #expect(all.count == c.count + t.count)
        // Each target is its single-project target with the product folder as context.
        for (uid, target) in Array(c) + Array(t) {
            guard case .object(var fields) = target, let mine = all.first(where: { $0.0 == uid })?.1 else {
                Issue.record("missing \(uid)")
                continue
            }
            let folder = c.contains(where: { $0.0 == uid }) ? "Connect" : "PackageManager"
            if fields["context"] != nil { fields["context"] = .string(folder) }
            func withoutCreated(_ v: JSONValue) -> JSONValue {
                guard case .object(let f) = v else { return v }
                return .object(f.map { k, v in
                    guard k == "labels", case .object(let labels) = v else { return (k, v) }
                    return (k, .object(labels.filter { !$0.0.hasSuffix(".created") }))
                })
            }
            #expect(withoutCreated(.object(fields)) == withoutCreated(mine), "\(uid)")
        }
        let tags = try Self.json(["get", "tags"], in: root)
        #expect(tags["connect"] != nil && tags["example-image"] != nil)
        let matrix = try Self.json(["ci", "matrix"], in: root)
        let connectMatrix = try Self.json(["ci", "matrix"], in: root.appendingPathComponent("Connect"))
        let tutorialMatrix = try Self.json(["ci", "matrix"], in: root.appendingPathComponent("PackageManager"))
        if case .array(let a) = matrix, case .array(let x) = connectMatrix, case .array(let y) = tutorialMatrix {
            #expect(a == x + y)
        }
        // Changed files under one product folder select only that product.
        try "Connect/connect/2026.03/Containerfile.ubuntu2404.std\ndocs/index.md\n".write(to: root.appendingPathComponent("changed.txt"), atomically: true, encoding: .utf8)
        let changed = try Self.json(["ci", "matrix", "--changed-files-from", "changed.txt"], in: root)
        if case .array(let rows) = changed {
            #expect(!rows.isEmpty)
            #expect(rows.allSatisfy { $0["image"] == .string("connect") && $0["version"] == .string("2026.03.1") })
        }
    }

    @Test func anEmptyRootSaysWhereBakeryYamlIsMissing() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let r = try BakeryBinary.run(["build", "--plan"], in: root)
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("no bakery.yaml file found"))
    }

    @Test func baseRefFollowsGitHistoryAndDiffsBakeryYaml() throws {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("bakery-git-\(UUID().uuidString)")
        try fm.createDirectory(at: dir.appendingPathComponent("plain/1.0"), withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: dir) }
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
        try config.write(to: dir.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        try "FROM scratch\n".write(to: dir.appendingPathComponent("plain/1.0/Containerfile"), atomically: true, encoding: .utf8)
        func sh(_ script: String) throws {
            let r = try BakeryBinary.shell(script, in: dir)
            #expect(r.status == 0, "\(script): \(r.stderr)")
        }
        try sh("git init -q && git add -A && git -c user.email=t@example.com -c user.name=t commit -qm one")
        try "FROM scratch\nRUN true\n".write(to: dir.appendingPathComponent("plain/1.0/Containerfile"), atomically: true, encoding: .utf8)
        try sh("git -c user.email=t@example.com -c user.name=t commit -qam two")
        let versionChange = try Self.json(["ci", "matrix", "--base-ref", "HEAD~1"], in: dir)
        #expect(versionChange == .array([.object([("image", .string("plain")), ("version", .string("1.0")), ("dev", .bool(false)),
                                                  ("latest", .bool(true)), ("platform", .string("linux/amd64"))])]))
        try (config + "      - name: \"1.1\"\n").write(to: dir.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        try sh("git -c user.email=t@example.com -c user.name=t commit -qam three")
        let yamlChange = try Self.json(["ci", "matrix", "--base-ref", "HEAD~1", "--exclude", "platform"], in: dir)
        #expect(yamlChange == .array([.object([("image", .string("plain")), ("version", .string("1.1")), ("dev", .bool(false)),
                                               ("latest", .bool(false))])]))
        #expect(try Self.json(["ci", "matrix", "--base-ref", "HEAD"], in: dir) == .array([]))
        let env = try BakeryBinary.execute("/usr/bin/env", ["BAKERY_BASE_REF=HEAD", BakeryBinary.path, "ci", "matrix"], in: dir)
        #expect(env.stdout == "[]\n")
    }
}
