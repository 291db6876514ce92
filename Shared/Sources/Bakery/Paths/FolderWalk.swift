// Everything below a folder, depth first, without following links (bounded: a hostile tree cannot spin).
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Everything below a folder, depth first, without following links (bounded: a hostile tree cannot spin).
public enum FolderWalk {
    public struct Entry: Sendable {
        /// Relative to the walked folder.
        public var path: String
        public var kind: FileKind
    }

    public static func entries(_ folder: URL, limit: Int = 200_000) -> [Entry] { scan(folder, limit: limit).entries }

    /// The entries, and whether the walk saw everything (false past `limit` entries or
    /// `ProjectDirectory.maxDepth` levels, so callers can say so instead of missing files silently).
    public static func scan(_ folder: URL, limit: Int = 200_000) -> (entries: [Entry], complete: Bool) {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return ([], true) }
        var out: [Entry] = []
        var complete = true
        func scan(_ streamFD: Int32, _ relative: String, depth: Int) {
            defer { close(streamFD) }
            guard let names = ProjectDirectory.names(in: streamFD) else { complete = false; return }
            for name in names.sorted() {
                if out.count >= limit { complete = false; return }
                let path = relative.isEmpty ? name : relative + "/" + name
                let kind = ProjectDirectory.kind(at: streamFD, name)
                out.append(Entry(path: path, kind: kind))
                if kind == .directory {
                    if depth >= ProjectDirectory.maxDepth { complete = false; continue }
                    let child = openat(streamFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if child >= 0 { scan(child, path, depth: depth + 1) }
                }
            }
        }
        scan(fd, "", depth: 1)
        return (out, complete)
    }
}
