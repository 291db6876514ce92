import Bakery
import Foundation

/// Runs the built `bakery` executable as a user would, capturing output and exit code (shared by the
/// CLI suite and the product suites).
public enum BakeryBinary {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let fixtures = repositoryRoot.appendingPathComponent("Tests/Fixtures")

    /// `swift build --build-tests` puts the executable beside the test bundle.
    public static var path: String {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [beside.appendingPathComponent("bakery"), beside.deletingLastPathComponent().appendingPathComponent("bakery"),
                          repositoryRoot.appendingPathComponent(".build/debug/bakery")]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path ?? candidates.last!.path
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs bakery with `arguments`; a `prefix` (e.g. `["/usr/bin/env", "-u", "X"]`) runs in front of it.
    public static func run(_ arguments: [String], in directory: URL, prefix: [String] = []) throws -> Result {
        let exe = prefix.first ?? path
        return try execute(exe, Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [path]) + arguments, in: directory)
    }

    /// Runs a shell script (setting up git repositories and the like).
    public static func shell(_ script: String, in directory: URL) throws -> Result {
        try execute("/bin/sh", ["-c", script], in: directory)
    }

    public static func execute(_ executable: String, _ arguments: [String], in directory: URL) throws -> Result {
        let ending = try ChildProcess.start(executable, arguments, in: directory).finish()
        return Result(status: ending.status, stdout: ending.stdout, stderr: ending.stderr)
    }

    /// Every file below `dir` with its size, modification time and contents, to prove nothing changed.
    public static func snapshot(_ dir: URL) -> [String: Data] {
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

    public static func temporaryCopy(of source: URL) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bakery-test-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: source, to: dir)
        return dir
    }
}

/// The normalisation of shared/reference/README.md, so our outputs compare with posit-bakery's recorded ones.
public enum ReferenceNormalization {
    /// Created/revision labels to tokens, the project path to <CONTEXT>.
    public static func normalize(_ v: JSONValue, context: String, key: String? = nil) -> JSONValue {
        switch v {
        case .object(let pairs): return .object(pairs.map { ($0.0, normalize($0.1, context: context, key: $0.0)) })
        case .array(let items): return .array(items.map { normalize($0, context: context, key: key) })
        case .string(let s):
            if let key, key.hasSuffix(".created"), s.first?.isNumber == true, s.contains("T") { return .string("<CREATED>") }
            if let key, key.hasSuffix(".revision"), s.count == 40, s.allSatisfy(\.isHexDigit) { return .string("<REVISION>") }
            return .string(s.replacingOccurrences(of: context, with: "<CONTEXT>"))
        default: return v
        }
    }

    /// A plan or other JSON stdout in the reference's canonical form (2-space indent, key order kept).
    public static func canonicalJSON(_ stdout: String, context: String) -> String? {
        guard let parsed = JSONValue.parse(stdout) else { return nil }
        return normalize(parsed, context: context).text(JSONValue.Style(indent: 2, asciiOnly: false)) + "\n"
    }

    public static func normalizeText(_ s: String, context: String) -> String {
        var lines = s.replacingOccurrences(of: context, with: "<CONTEXT>").components(separatedBy: "\n").map { line -> String in
            var l = Substring(line)
            while let last = l.last, last == " " || last == "\t" { l = l.dropLast() }
            return String(l)
        }
        while lines.last == "" { lines.removeLast() }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
