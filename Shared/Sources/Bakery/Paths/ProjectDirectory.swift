// The project root opened once; every path below it is reached one component at a time through
// descriptors that never follow a symbolic link, so no write or delete can leave the project.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The project root as an open folder. Paths are `FolderPath`s relative to it.
public final class ProjectDirectory: @unchecked Sendable {
    public let root: URL
    let fd: Int32

    public init(root: URL) throws(BakeryError) {
        self.root = root
        let fd = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.make("open the project folder", root.path, errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The real path of the project root (links above it resolved: the user chose them).
    public var realRoot: String { Self.realPath(root.path) ?? root.standardizedFileURL.path }

    static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// The names in the open folder `folder`, without "." and "..", read through a duplicate of the
    /// descriptor (the caller keeps `folder` open). Each name is read where readdir left it: the
    /// record is not copied, since glibc's records are shorter than `struct dirent`. Nil when the
    /// folder cannot be read (out of descriptors, say): callers must not take that for "empty".
    static func names(in folder: Int32) -> [String]? {
        let copy = dup(folder)
        guard copy >= 0 else { return nil }
        guard let stream = fdopendir(copy) else { close(copy); return nil }
        defer { closedir(stream) }
        // The copy shares its read position with `folder`: a folder listed before would otherwise list as empty.
        rewinddir(stream)
        // d_name is a stored field, so its offset is always known.
        guard let offset = MemoryLayout<dirent>.offset(of: \dirent.d_name) else { return nil }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = String(cString: (UnsafeRawPointer(entry) + offset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// What `name` in the folder `dirfd` is, not following a link.
    static func kind(at dirfd: Int32, _ name: String) -> FileKind {
        var st = stat()
        guard fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return .missing }
        return FileKind(mode: st.st_mode, target: linkTarget(at: dirfd, name))
    }

    static func linkTarget(at dirfd: Int32, _ name: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlinkat(dirfd, name, &buffer, buffer.count - 1)
        guard n >= 0 else { return "?" }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens the folder `components` (empty: the root), never through a link. Returns nil when a
    /// component is missing (or, with `create`, creates it, calling `created` first for each).
    /// A link or a non-folder on the way is an error that names it.
    func openFolder(_ components: [String], action: String, path: String, create: ((FolderPath) throws(BakeryError) -> Void)? = nil)
        throws(BakeryError) -> Int32? {
        var current = dup(fd)
        guard current >= 0 else { throw FileSystemError.make(action, path, errno: errno) }
        for (i, name) in components.enumerated() {
            var next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT, let create {
                let folder = FolderPath(components: Array(components[...i]))
                do { try create(folder) } catch { close(current); throw error }
                if mkdirat(current, name, 0o755) != 0, errno != EEXIST {
                    let code = errno
                    close(current)
                    throw FileSystemError.make("create the folder", folder.description, errno: code)
                }
                next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            if next < 0 {
                let code = errno
                let kind = Self.kind(at: current, name)
                close(current)
                if code == ENOENT, create == nil { return nil }
                let shown = components[...i].joined(separator: "/")
                switch kind {
                case .symlink(let target):
                    throw BakeryError(.unsafePath, "cannot \(action) '\(path)': '\(shown)' is a symbolic link to '\(target)'",
                                      hint: "bakery never writes or deletes through a link, so nothing outside the project is touched; replace the link with a real folder")
                case .directory, .missing:
                    throw FileSystemError.make(action, path, errno: code)
                default:
                    throw BakeryError(.unsafePath, "cannot \(action) '\(path)': '\(shown)' is \(kind.words), not a folder",
                                      hint: "move it away, then run the command again")
                }
            }
            close(current)
            current = next
        }
        return current
    }

    /// What the path is: its parents walked without following links (a link among them is an error).
    func kind(_ path: FolderPath, action: String) throws(BakeryError) -> FileKind {
        guard let last = path.components.last else { return .directory }
        guard let dir = try openFolder(Array(path.components.dropLast()), action: action, path: path.description) else { return .missing }
        defer { close(dir) }
        return Self.kind(at: dir, last)
    }

    /// Device of the nearest existing folder on the way to `path` (rename works only within one).
    func device(near path: FolderPath) -> UInt64 {
        var st = stat()
        var current = dup(fd)
        for name in path.components.dropLast() {
            let next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 { break }
            close(current)
            current = next
        }
        defer { close(current) }
        fstat(current, &st)
        return UInt64(st.st_dev)
    }

    /// What lies below a folder, seen without following links.
    struct Inspection {
        /// Links whose real target lies outside the folder (dangling ones too).
        var linksLeaving: [(link: String, target: String)] = []
        /// Folders on another file system (mount points) inside it.
        var mountPoints: [String] = []
    }

    static let maxDepth = 256

    /// Scans `folder` (nothing when it is missing); folders nested deeper than `maxDepth` or more
    /// than `limit` entries are an error, never silently left unseen.
    func inspect(_ folder: FolderPath, limit: Int = 1_000_000) throws(BakeryError) -> Inspection {
        guard let dir = try openFolder(folder.components, action: "check", path: folder.description) else { return Inspection() }
        let base = root.appendingPathComponent(folder.description).path
        guard let realBase = Self.realPath(base) else { close(dir); return Inspection() }
        var rootStat = stat()
        fstat(fd, &rootStat)
        var found = Inspection()
        var visited = 0
        var tooMuch: String?
        func scan(_ streamFD: Int32, _ relative: String, depth: Int) {
            defer { close(streamFD) }
            guard let names = Self.names(in: streamFD) else {
                tooMuch = "'\(relative.isEmpty ? "." : relative)', which cannot be opened (\(String(cString: strerror(errno))))"
                return
            }
            for name in names where tooMuch == nil {
                visited += 1
                if visited > limit { tooMuch = "more than \(limit) entries"; return }
                let shown = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard fstatat(streamFD, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFLNK:
                    let full = base + "/" + shown
                    if let real = Self.realPath(full), real == realBase || real.hasPrefix(realBase + "/") { continue }
                    found.linksLeaving.append((folder.description + "/" + shown, Self.linkTarget(at: streamFD, name)))
                case S_IFDIR:
                    if st.st_dev != rootStat.st_dev { found.mountPoints.append(folder.description + "/" + shown); continue }
                    if depth >= Self.maxDepth { tooMuch = "folders nested more than \(Self.maxDepth) levels deep"; return }
                    let child = openat(streamFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    guard child >= 0 else {
                        // Unseen is unsafe: a folder that cannot be opened (permissions, too many open files) stops the check.
                        tooMuch = "'\(shown)', which cannot be opened (\(String(cString: strerror(errno))))"
                        return
                    }
                    scan(child, shown, depth: depth + 1)
                default: continue
                }
            }
        }
        scan(dir, "", depth: 1)
        if let tooMuch {
            throw BakeryError(.unsafePath, "refusing to change '\(folder)': it holds \(tooMuch)",
                              hint: "bakery checks every entry of a folder before it writes into or removes it; flatten or remove it by hand")
        }
        return found
    }

    /// Deletes `name` in `parent` and everything below it; links are removed as links, and nothing
    /// on another file system is entered (a mount point is left, and reported as a failure). Deep
    /// trees are flattened into `parent` as they are emptied, so at most two folders are open at a
    /// time whatever the depth. Used only on bakery's own staging folder: a read-only folder moved
    /// there is made writable for its owner first, so what was removed can always be discarded.
    static func removeTree(at parent: Int32, _ name: String) -> Int32? {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return errno == ENOENT ? nil : errno }
        guard st.st_mode & S_IFMT == S_IFDIR else { return unlinkat(parent, name, 0) == 0 ? nil : errno }
        var parentStat = stat()
        guard fstat(parent, &parentStat) == 0 else { return errno }
        let device = parentStat.st_dev
        if st.st_dev != device { return EXDEV }
        var pending = [name]
        var failure: Int32?
        var counter = 0
        while let current = pending.popLast() {
            let dir = openat(parent, current, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard dir >= 0 else { failure = failure ?? errno; continue }
            var dst = stat()
            fstat(dir, &dst)
            guard dst.st_dev == device else { close(dir); failure = failure ?? EXDEV; continue }
            if dst.st_mode & 0o700 != 0o700 { _ = fchmod(dir, (dst.st_mode & 0o7777) | 0o700) }
            guard let entries = names(in: dir) else { failure = failure ?? errno; close(dir); continue }
            for n in entries {
                var cst = stat()
                guard fstatat(dir, n, &cst, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
                if cst.st_mode & S_IFMT == S_IFDIR {
                    // A mount point is never entered or moved.
                    guard cst.st_dev == device else { failure = failure ?? EBUSY; continue }
                    // Moving a folder to another parent rewrites its '..': it must be writable.
                    if cst.st_mode & 0o700 != 0o700 {
                        let child = openat(dir, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                        if child >= 0 { _ = fchmod(child, (cst.st_mode & 0o7777) | 0o700); close(child) }
                    }
                    counter += 1
                    let flat = ".bakery-trash-\(getpid())-\(counter)"
                    if renameat(dir, n, parent, flat) == 0 { pending.append(flat) } else { failure = failure ?? errno }
                } else if unlinkat(dir, n, 0) != 0 {
                    failure = failure ?? errno
                }
            }
            close(dir)
            if unlinkat(parent, current, AT_REMOVEDIR) != 0 { failure = failure ?? errno }
        }
        return failure
    }

}

func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
