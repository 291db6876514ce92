// A folder of its own for a CLI test that runs bakery against fake tools (engines, dgoss, hadolint): the project,
// a temporary folder, the fakes, and links to the few real tools the fakes may use.
import Foundation

/// `root/project`, `root/tmp`, `root/bin` (the fakes) and `root/tools` (links to allowed real tools), under the
/// resolved temporary folder so paths compare equal to what bakery and the fakes' `$PWD` report.
///
///     let folder = try FakeToolFolder(prefix: "bakery-build", tools: ["bash", "cat"])
///     try folder.installFake("docker", script: fakeEngine(bash: folder.bash), aliases: ["podman"])
///     try folder.writeProject(config: yaml, files: ["img/1.0/Containerfile": "FROM scratch\n"])
///     ... PATH = folder.searchPath ...
///     folder.remove()
public struct FakeToolFolder: Sendable {
    public let root: URL
    public var project: URL { root.appendingPathComponent("project") }
    public var tmp: URL { root.appendingPathComponent("tmp") }
    public var bin: URL { root.appendingPathComponent("bin") }
    public var tools: URL { root.appendingPathComponent("tools") }
    /// The real bash the fakes' `#!` line should name (`/bin/bash` when none was found).
    public let bash: String
    /// The fakes first, then the linked tools, and nothing else.
    public var searchPath: String { "\(bin.path):\(tools.path)" }

    /// Creates the folders and links `tools` (those installed) into `tools/`.
    public init(prefix: String, tools names: [String]) throws {
        let fm = FileManager.default
        let base = URL(fileURLWithPath: fm.temporaryDirectory.path).resolvingSymlinksInPath()
        root = base.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        var bash = "/bin/bash"
        let tools = root.appendingPathComponent("tools")
        for dir in ["project", "tmp", "bin", "tools"] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
        }
        for tool in names {
            guard let path = ExternalTool.locate(tool) else { continue }
            if tool == "bash" { bash = path }
            try fm.createSymbolicLink(atPath: tools.appendingPathComponent(tool).path, withDestinationPath: path)
        }
        self.bash = bash
    }

    /// Writes the fake `name` into `bin/` (through a close-on-exec descriptor: a child another test starts meanwhile
    /// must not inherit it, or running the fake fails with "Text file busy"), with `aliases` linked to it.
    public func installFake(_ name: String, script: String, aliases: [String] = []) throws {
        try ChildProcess.writeExecutable(script, to: bin.appendingPathComponent(name))
        for alias in aliases {
            try FileManager.default.createSymbolicLink(atPath: bin.appendingPathComponent(alias).path, withDestinationPath: name)
        }
    }

    /// Writes `bakery.yaml` and `files` (paths relative to the project) into the project.
    public func writeProject(config: String, files: [String: String]) throws {
        try Data(config.utf8).write(to: project.appendingPathComponent("bakery.yaml"))
        for (path, text) in files {
            let url = project.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    public func remove() { try? FileManager.default.removeItem(at: root) }
}
