// Running bakery with a time limit and an environment, and comparing whole trees without following links.
import Bakery
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension BakeryBinary {
    /// Runs bakery; a run still going after `timeout` seconds is killed and reported with status -1
    /// (a hang is a failure, never a stuck test). `environment` entries are added to the inherited one.
    public static func run(_ arguments: [String], in directory: URL, timeout: Double, environment: [String: String] = [:]) throws -> Result {
        let ending = try ChildProcess.start(path, arguments, in: directory, environment: environment).finish(timeout: timeout)
        return Result(status: ending.timedOut ? -1 : ending.status, stdout: ending.stdout, stderr: ending.stderr)
    }
}

/// Every entry below a folder, links not followed: kind, and contents or link target. Equal trees
/// have equal snapshots; modification times are left out so a rewrite with the same bytes is equal.
public struct TreeSnapshot: Equatable, Sendable {
    public var entries: [String: String]

    public init(_ folder: URL) {
        var entries: [String: String] = [:]
        for entry in FolderWalk.entries(folder) {
            let url = folder.appendingPathComponent(entry.path)
            switch entry.kind {
            case .regular:
                let data = (try? RegularFile.read(url.path)) ?? Data()
                let mode = ((try? FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions]) as? Int) ?? 0
                entries[entry.path] = "file \(String(mode, radix: 8)) \(data.count) \(Self.hash(data))"
            case .symlink(let target): entries[entry.path] = "link \(target)"
            default: entries[entry.path] = entry.kind.words
            }
        }
        self.entries = entries
    }

    /// Paths whose entry differs between the two snapshots (added, removed or changed).
    public func changes(to other: TreeSnapshot) -> [String] {
        Set(entries.keys).union(other.entries.keys).filter { entries[$0] != other.entries[$0] }.sorted()
    }

    static func hash(_ data: Data) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return String(h, radix: 16)
    }
}
