import Bakery
import BakeryYAML
import Foundation
import Testing
import TestSupport

/// The path-safety corpus (Tests/Fixtures/path-safety/cases.yaml): every hostile spelling, link and
/// special file, run through validate and the mutating commands with a canary folder beside the
/// project. A case is rejected by validate with a located error, refused by the commands, or confined
/// to the folders each command owns; the canary never changes and no staging folder is left behind.
@Suite struct PathSafetyTests {
    static let corpus = BakeryBinary.fixtures.appendingPathComponent("path-safety/cases.yaml")

    struct Command {
        var arguments: [String]
        var expect: String
        var error: String?
        var warning: String?
    }

    struct Case: CustomStringConvertible {
        var name: String
        var spelling: String
        var images: String
        var setup: [[String: String]]
        var expect: String
        var error: String?
        var commands: [Command]?
        var folders: [String: String]
        var description: String { "\(name) [\(spelling.debugDescription)]" }
    }

    /// The commands every case goes through unless it names its own.
    static let standardCommands: [[String]] = [
        ["remove", "image", "img2"],
        ["remove", "version", "img1", "2.0.0"],
        ["create", "version", "img2", "3.0.0"],
        ["create", "version", "img1", "2.0.0", "--force"],
        ["update", "version", "img1", "2.0.1", "--target-version", "2.0.0"],
        ["update", "files", "--all"],
        ["create", "image", "img3"],
    ]

    static func loadCases() throws -> [Case] {
        let text = try String(contentsOf: corpus, encoding: .utf8)
        guard let root = try YAMLParser.parse(text) else { return [] }
        var cases: [Case] = []
        for node in root.items {
            let name = node["name"]?.scalar ?? "?"
            for spelling in node["spellings"]?.items.compactMap(\.scalar) ?? [""] {
                func fill(_ s: String) -> String { s.replacingOccurrences(of: "{S}", with: spelling) }
                let setup = (node["setup"]?.items ?? []).map { step in
                    Dictionary(uniqueKeysWithValues: step.pairs.compactMap { p in p.key.scalar.map { ($0, fill(p.value.scalar ?? "")) } })
                }
                let commands = node["commands"].map { list in
                    list.items.map { c in
                        Command(arguments: c["run"]?.items.compactMap { $0.scalar.map(fill) } ?? [], expect: c["expect"]?.scalar ?? "confined",
                                error: c["error"]?.scalar, warning: c["warning"]?.scalar)
                    }
                }
                var folders = ["img1": "img1", "img2": "img2", "v2": "2.0.0"]
                for p in node["folders"]?.pairs ?? [] { if let k = p.key.scalar, let v = p.value.scalar { folders[k] = v } }
                cases.append(Case(name: name, spelling: spelling, images: fill(node["images"]?.scalar ?? ""), setup: setup,
                                  expect: node["expect"]?.scalar ?? "confined", error: node["error"]?.scalar, commands: commands, folders: folders))
            }
        }
        return cases
    }

    /// A scratch folder holding `project/` (the standard tree, then the case's setup) and `canary/`.
    static func makeTree(_ c: Case) throws -> URL {
        let fm = FileManager.default
        let top = fm.temporaryDirectory.appendingPathComponent("bakery-paths-\(UUID().uuidString)")
        let project = top.appendingPathComponent("project"), canary = top.appendingPathComponent("canary")
        func put(_ path: String, _ text: String, in base: URL) throws {
            let url = base.appendingPathComponent(path)
            try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try put("keep", "the canary\n", in: canary)
        try put("sub/keep", "the canary's folder\n", in: canary)
        let header = "repository:\n  url: \"https://github.com/posit-dev/images-test\"\nimages:\n"
        try put("bakery.yaml", header + c.images.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"), in: project)
        for (image, versions) in [("img1", ["1.0.0", "2.0.0"]), ("img2", ["1.0.0"])] {
            try put("\(image)/template/Containerfile.jinja2", "FROM base:{{ Image.Version }}\n", in: project)
            try put("\(image)/template/test/goss.yaml.jinja2", "file: {}\n", in: project)
            for v in versions {
                try put("\(image)/\(v)/Containerfile", "FROM base:\(v)\n", in: project)
                try put("\(image)/\(v)/test/goss.yaml", "file: {}\n", in: project)
            }
        }
        func resolve(_ p: String) -> URL {
            p.hasPrefix("$CANARY") ? URL(fileURLWithPath: canary.path + p.dropFirst("$CANARY".count)) : project.appendingPathComponent(p)
        }
        for step in c.setup {
            if let p = step["remove"] { try fm.removeItem(at: resolve(p)) }
            if let p = step["dir"] { try fm.createDirectory(at: resolve(p), withIntermediateDirectories: true) }
            if let p = step["file"] {
                try fm.createDirectory(at: resolve(p).deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data((step["text"] ?? "").utf8).write(to: resolve(p))
            }
            if let p = step["link"], let to = step["to"] {
                let target = to.replacingOccurrences(of: "$CANARY", with: canary.path)
                try fm.createSymbolicLink(atPath: resolve(p).path, withDestinationPath: target)
            }
            if let p = step["fifo"] { #expect(mkfifo(resolve(p).path, 0o644) == 0) }
        }
        return top
    }

    /// The folders a command may change (besides bakery.yaml), from its arguments and the case's folders.
    static func region(_ args: [String], _ folders: [String: String]) -> [String] {
        func image(_ n: String) -> String { folders[n] ?? n }
        func version(_ i: String, _ v: String) -> String { i == "img1" && v == "2.0.0" ? folders["v2"]! : v }
        func option(_ name: String) -> String? { args.firstIndex(of: name).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil } }
        switch (args[0], args[1]) {
        case ("remove", "image"): return [image(args[2])]
        case ("remove", "version"): return [image(args[2]) + "/" + version(args[2], args[3])]
        case ("create", "version"): return [image(args[2]) + "/" + (option("--subpath") ?? version(args[2], args[3]))]
        case ("update", "version"):
            return [image(args[2]) + "/" + args[3], image(args[2]) + "/" + version(args[2], option("--target-version") ?? "2.0.0")]
        case ("update", "files"): return [folders["img1"]! + "/1.0.0", folders["img1"]! + "/" + folders["v2"]!, folders["img2"]! + "/1.0.0"]
        case ("create", "image"): return [option("--subpath") ?? args[2]]
        default: return []
        }
    }

    /// A folder of the scratch tree, link targets written relative to the scratch folder.
    static func snapshot(_ top: URL, _ folder: String) -> TreeSnapshot {
        var s = TreeSnapshot(top.appendingPathComponent(folder))
        s.entries = s.entries.mapValues { $0.replacingOccurrences(of: top.path, with: "$TOP") }
        return s
    }

    static func check(_ c: Case) throws {
        let canaryBefore: TreeSnapshot, projectBefore: TreeSnapshot
        do {
            let top = try makeTree(c)
            defer { try? FileManager.default.removeItem(at: top) }
            canaryBefore = snapshot(top, "canary")
            projectBefore = snapshot(top, "project")
            let validate = try BakeryBinary.run(["validate"], in: top.appendingPathComponent("project"), timeout: 20)
            if c.expect == "invalid" {
                #expect(validate.status == 1, "\(c): validate should fail: \(validate.stderr)")
                let errors = validate.stderr.split(separator: "\n").filter { $0.hasPrefix("bakery.yaml:") }
                #expect(!errors.isEmpty, "\(c): the error must be located: \(validate.stderr)")
                if let e = c.error { #expect(errors.contains { $0.contains(e) }, "\(c): expected a located «\(e)» in:\n\(validate.stderr)") }
            } else {
                #expect(validate.status == 0, "\(c): validate should pass: \(validate.stderr)")
            }
        }
        let commands = c.commands ?? standardCommands.map { Command(arguments: $0, expect: c.expect == "invalid" ? "refused" : "confined") }
        for command in commands {
            let top = try makeTree(c)
            defer { try? FileManager.default.removeItem(at: top) }
            let project = top.appendingPathComponent("project")
            let result = try BakeryBinary.run(command.arguments, in: project, timeout: 20)
            let label = "\(c): bakery \(command.arguments.joined(separator: " "))"
            #expect(result.status != -1, "\(label): hung (killed after 20 s)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("NSCocoaErrorDomain"), "\(label): \(result.stderr)")
            #expect(snapshot(top, "canary") == canaryBefore, "\(label): the canary outside the project changed")
            let after = snapshot(top, "project")
            #expect(!after.entries.keys.contains { $0.hasPrefix(".bakery-staging") }, "\(label): a staging folder was left behind")
            let changed = projectBefore.changes(to: after)
            if command.expect == "refused" || c.expect == "invalid" {
                #expect(result.status == 1, "\(label): should fail\n\(result.stderr)")
                #expect(changed.isEmpty, "\(label): a refused command changed \(changed)")
            } else {
                let allowed = region(command.arguments, c.folders)
                let outside = changed.filter { path in
                    path != "bakery.yaml" && !allowed.contains { path == $0 || path.hasPrefix($0 + "/") }
                }
                #expect(outside.isEmpty, "\(label): changed \(outside) outside its folders \(allowed)\n\(result.stderr)")
            }
            if let e = command.error { #expect(result.stderr.contains(e), "\(label): expected «\(e)» in:\n\(result.stderr)") }
            if let w = command.warning {
                let expected = w.replacingOccurrences(of: "$CANARY", with: top.appendingPathComponent("canary").path)
                #expect(result.stderr.contains(expected), "\(label): expected the warning «\(expected)» in:\n\(result.stderr)")
            }
        }
    }

    @Test func theCorpusCoversEveryBulletWithSeveralSpellings() throws {
        let cases = try Self.loadCases()
        #expect(cases.count >= 100)
        #expect(Set(cases.map(\.name)).count >= 30)
    }

    @Test(arguments: try PathSafetyTests.loadCases())
    func everyCaseIsRejectedOrConfined(_ c: Case) throws {
        try Self.check(c)
    }
}
