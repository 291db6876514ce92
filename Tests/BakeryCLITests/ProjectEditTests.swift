import Foundation
import TestSupport
import Testing

/// bakery.yaml edits keep every untouched byte; failures change nothing; concurrent runs serialise.
@Suite("Project edits")
struct ProjectEditTests {
    static let fixtures = BakeryBinary.fixtures.appendingPathComponent("yaml-edits")

    static func steps() throws -> [[String]] {
        try String(contentsOf: fixtures.appendingPathComponent("steps.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { line in
                var args: [String] = []
                var current = ""
                var quoted = false
                for c in line {
                    if c == "\"" { quoted.toggle(); continue }
                    if c == " " && !quoted {
                        if !current.isEmpty { args.append(current) }
                        current = ""
                    } else {
                        current.append(c)
                    }
                }
                if !current.isEmpty { args.append(current) }
                return args
            }
    }

    static func project(_ bakeryYAML: String) throws -> URL {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("bakery-edits-\(UUID().uuidString)")
        for image in ["alpha", "beta"] {
            try fm.createDirectory(at: dir.appendingPathComponent("\(image)/template"), withIntermediateDirectories: true)
            try "FROM x\n# {{ Image.Version }}\n".write(to: dir.appendingPathComponent("\(image)/template/Containerfile.jinja2"), atomically: true, encoding: .utf8)
        }
        try bakeryYAML.write(to: dir.appendingPathComponent("bakery.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test("each command changes exactly its entries (LF and CRLF files)", arguments: ["\n", "\r\n"])
    func roundTrips(_ newline: String) throws {
        let input = try String(contentsOf: Self.fixtures.appendingPathComponent("awkward.bakery.yaml"), encoding: .utf8)
        let dir = try Self.project(input.replacingOccurrences(of: "\n", with: newline))
        defer { try? FileManager.default.removeItem(at: dir) }
        for (n, step) in try Self.steps().enumerated() {
            let result = try BakeryBinary.run(step, in: dir)
            #expect(result.status == 0, "\(step): \(result.stderr)")
            let expected = try String(contentsOf: Self.fixtures.appendingPathComponent("after-\(n + 1).bakery.yaml"), encoding: .utf8)
                .replacingOccurrences(of: "\n", with: newline)
            let got = try String(contentsOf: dir.appendingPathComponent("bakery.yaml"), encoding: .utf8)
            #expect(got == expected, "after \(step.joined(separator: " "))")
        }
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("alpha/3.0.1/Containerfile").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("alpha/1.0").path))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("beta").path))
        #expect(try BakeryBinary.run(["validate"], in: dir).status == 0)
    }

    @Test func failuresChangeNothing() throws {
        let input = try String(contentsOf: Self.fixtures.appendingPathComponent("awkward.bakery.yaml"), encoding: .utf8)
        let dir = try Self.project(input)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "FROM x\n{{ missing }}\n".write(to: dir.appendingPathComponent("beta/template/Containerfile.jinja2"), atomically: true, encoding: .utf8)
        let before = BakeryBinary.snapshot(dir)
        let cases: [([String], String)] = [
            (["create", "version", "beta", "9.9"], "Error rendering template beta/template/Containerfile.jinja2, line 2: 'missing' is undefined"),
            (["create", "version", "alpha", "2.0"], "Version '2.0' already exists for image 'alpha'. Use --force to overwrite."),
            (["create", "version", "nope", "1.0"], "Image 'nope' does not exist in the config."),
            (["create", "image", "alpha"], "Image 'alpha' already exists in config."),
            (["remove", "version", "alpha", "0.0.1"], "Version '0.0.1' does not exist for image 'alpha' in the config."),
            (["remove", "image", "nope"], "Image 'nope' does not exist in the config."),
            (["update", "version", "alpha", "3.0", "--target-version", "9.9.9"], "Version '9.9.9' does not exist for image 'alpha'."),
            (["update", "version", "alpha", "1.0"], "Version '1.0' already exists in image 'alpha'."),
            (["create", "version", "alpha", "4.0", "--value", "novalue"], "Invalid key=value pair: novalue"),
            (["create", "project"], "Project already exists"),
        ]
        for (args, message) in cases {
            let result = try BakeryBinary.run(args, in: dir)
            #expect(result.status == 1, "\(args)")
            #expect(result.stderr.contains(message), "\(args): \(result.stderr)")
            #expect(BakeryBinary.snapshot(dir) == before, "\(args) changed the project")
        }
    }

    @Test func anUnwritableProjectChangesNothing() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"), getuid() == 0 else {
            print("skipping: needs root and setpriv to run as an unprivileged user")
            return
        }
        let input = try String(contentsOf: Self.fixtures.appendingPathComponent("awkward.bakery.yaml"), encoding: .utf8)
        let dir = try Self.project(input)
        defer { try? FileManager.default.removeItem(at: dir) }
        // bakery.yaml and alpha/ are read-only for the user; creating alpha/3.0 must fail cleanly.
        _ = try BakeryBinary.shell("chmod -R a+rX . && chmod 555 alpha . ", in: dir)
        let before = BakeryBinary.snapshot(dir)
        let result = try BakeryBinary.execute("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", BakeryBinary.path,
                                                                    "create", "version", "alpha", "3.0"], in: dir)
        #expect(result.status == 1)
        #expect(result.stderr.contains("❌ Failed to create version 'alpha/3.0'"))
        #expect(BakeryBinary.snapshot(dir) == before)
        _ = try BakeryBinary.shell("chmod -R u+w .", in: dir)
    }

    @Test func concurrentCommandsKeepEveryChange() throws {
        let input = try String(contentsOf: Self.fixtures.appendingPathComponent("awkward.bakery.yaml"), encoding: .utf8)
        let dir = try Self.project(input)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Six bakery processes at once, each adding a version.
        let processes = try (1...6).map { i in
            try ChildProcess.start(BakeryBinary.path, ["create", "version", "alpha", "5.\(i)", "--no-mark-latest", "-q"], in: dir, capture: false)
        }
        let endings = processes.map { $0.finish() }
        #expect(endings.allSatisfy { $0.status == 0 })
        let text = try String(contentsOf: dir.appendingPathComponent("bakery.yaml"), encoding: .utf8)
        for i in 1...6 { #expect(text.contains("- name: \"5.\(i)\""), "5.\(i) lost") }
        #expect(try BakeryBinary.run(["validate"], in: dir).status == 0)
    }
}
