import Foundation

/// Runs the built `bakery` executable as a user would, capturing output and exit code.
enum BakeryBinary {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// `swift build --build-tests` puts the executable beside the test bundle.
    static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [beside.appendingPathComponent("bakery"), beside.deletingLastPathComponent().appendingPathComponent("bakery"),
                          repositoryRoot.appendingPathComponent(".build/debug/bakery")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs bakery with `arguments`; a `prefix` (e.g. `["/usr/bin/env", "-u", "X"]`) runs in front of it.
    static func run(_ arguments: [String], in directory: URL, prefix: [String] = []) throws -> Result {
        let exe = prefix.first ?? path
        return try execute(exe, Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [path]) + arguments, in: directory)
    }

    /// Runs a shell script (setting up git repositories and the like).
    static func shell(_ script: String, in directory: URL) throws -> Result {
        try execute("/bin/sh", ["-c", script], in: directory)
    }

    static func execute(_ executable: String, _ arguments: [String], in directory: URL) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes before waiting, so a full pipe cannot block the child.
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        let stderrData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                      stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Every file below `dir` with its size, modification time and contents, to prove nothing changed.
    static func snapshot(_ dir: URL) -> [String: Data] {
        var result: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: [.contentModificationDateKey])
        while let url = enumerator?.nextObject() as? URL {
            let attrs = (try? FileManager.default.attributesOfItem(atPath: url.path)) ?? [:]
            var data = (try? Data(contentsOf: url)) ?? Data()
            data.append(Data("\(attrs[.modificationDate] ?? "")|\(attrs[.size] ?? "")|\(attrs[.posixPermissions] ?? "")".utf8))
            result[url.path] = data
        }
        return result
    }

    static func temporaryCopy(of source: URL) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-test-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: dir)
        return dir
    }
}
