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

/// What a path is, without following a link at its end.
public enum FileKind: Sendable, Equatable {
    case missing
    case regular
    case directory
    case symlink(target: String)
    case fifo
    case socket
    case characterDevice
    case blockDevice
    case other

    /// "a FIFO (named pipe)", "a directory", … for messages.
    public var words: String {
        switch self {
        case .missing: "missing"
        case .regular: "a regular file"
        case .directory: "a directory"
        case .symlink(let target): "a symbolic link to '\(target)'"
        case .fifo: "a FIFO (named pipe)"
        case .socket: "a socket"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .other: "not a regular file"
        }
    }

    init(mode: mode_t, target: @autoclosure () -> String) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink(target: target())
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .other
        }
    }
}

/// A failed system call, turned into words and a hint a user can act on.
public enum FileSystemError {
    public static func make(_ action: String, _ path: String, errno code: Int32) -> BakeryError {
        let (reason, hint): (String, String)
        switch code {
        case EACCES, EPERM: (reason, hint) = ("permission denied", "make the folder writable (and its files readable) for the user running bakery")
        case ENOSPC, EDQUOT: (reason, hint) = ("no space left on the device", "free some space, then run the command again")
        case EROFS: (reason, hint) = ("the file system is read-only", "run bakery on a writable checkout")
        case EBUSY, ETXTBSY: (reason, hint) = ("it is busy (in use, or a mount point)", "stop whatever uses it, then run the command again")
        case ENOTEMPTY, EEXIST: (reason, hint) = ("something is already there", "move it away, then run the command again")
        case EXDEV: (reason, hint) = ("it lies on another file system than the project root", "bakery renames files into place; keep the project on one file system")
        case ENAMETOOLONG: (reason, hint) = ("the name is too long", "choose a shorter subpath or name")
        case ELOOP, EMLINK: (reason, hint) = ("a symbolic link is in the way", "bakery never writes or deletes through a link; replace the link with a real folder")
        case ENOTDIR: (reason, hint) = ("a part of the path is not a folder", "move the file that is in the way")
        case ENOENT: (reason, hint) = ("it does not exist", "check the project's folders")
        case EIO: (reason, hint) = ("an input/output error occurred", "check the disk, then run the command again")
        default: (reason, hint) = (String(cString: strerror(code)), "check the path and its permissions")
        }
        return BakeryError(.fileSystem, "cannot \(action) '\(path)': \(reason)", hint: hint)
    }
}

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

    /// Every symbolic link below `folder` whose real target lies outside `folder` (dangling ones too).
    func linksLeaving(_ folder: FolderPath, limit: Int = 100_000) throws(BakeryError) -> [(link: String, target: String)] {
        guard let dir = try openFolder(folder.components, action: "check", path: folder.description) else { return [] }
        let base = root.appendingPathComponent(folder.description).path
        guard let realBase = Self.realPath(base) else { close(dir); return [] }
        var found: [(String, String)] = []
        var visited = 0
        func scan(_ fd: Int32, _ relative: String) {
            guard let stream = fdopendir(fd) else { close(fd); return }
            defer { closedir(stream) }
            let streamFD = streamDescriptor(stream)
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                visited += 1
                if visited > limit { return }
                let shown = relative.isEmpty ? name : relative + "/" + name
                switch Self.kind(at: streamFD, name) {
                case .symlink(let target):
                    let full = base + "/" + shown
                    if let real = Self.realPath(full), real == realBase || real.hasPrefix(realBase + "/") { continue }
                    found.append((folder.description + "/" + shown, target))
                case .directory:
                    let child = openat(streamFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if child >= 0 { scan(child, shown) }
                default: continue
                }
            }
        }
        scan(dir, "")
        return found
    }

    /// Deletes `name` in `parent` and, for a folder, everything below it; links are removed as links.
    /// Used only on bakery's own staging folder: a read-only folder moved there is made writable
    /// for its owner first, so what was removed can always be discarded.
    static func removeTree(at parent: Int32, _ name: String) -> Int32? {
        var st = stat()
        guard fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return errno == ENOENT ? nil : errno }
        if st.st_mode & S_IFMT == S_IFDIR {
            let child = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { return errno }
            if st.st_mode & 0o700 != 0o700 { _ = fchmod(child, (st.st_mode & 0o7777) | 0o700) }
            guard let stream = fdopendir(child) else { return errno }
            var names: [String] = []
            while let entry = readdir(stream) {
                let n = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if n != "." && n != ".." { names.append(n) }
            }
            var failure: Int32?
            for n in names { if let e = removeTree(at: streamDescriptor(stream), n) { failure = failure ?? e } }
            closedir(stream)
            if let failure { return failure }
            return unlinkat(parent, name, AT_REMOVEDIR) == 0 ? nil : errno
        }
        return unlinkat(parent, name, 0) == 0 ? nil : errno
    }
}

private func streamDescriptor(_ stream: OpaquePointer) -> Int32 { dirfd(stream) }

private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }

/// Reads files that must be regular files: a FIFO, socket or device is refused at once (opening
/// never blocks), a directory is named as one.
public enum RegularFile {
    public static func read(_ path: String, shown: String? = nil) throws(BakeryError) -> Data {
        let shown = shown ?? path
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            throw FileSystemError.make("read", shown, errno: code)
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError.make("read", shown, errno: errno) }
        let kind = FileKind(mode: st.st_mode, target: "")
        guard kind == .regular else {
            throw BakeryError(.unsafePath, "cannot read '\(shown)': it is \(kind.words), not a regular file",
                              hint: "bakery reads only regular files; replace it with one")
        }
        _ = fcntl(fd, F_SETFL, 0)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = systemRead(fd, &buffer, buffer.count)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileSystemError.make("read", shown, errno: errno)
            }
            if n == 0 { break }
            data.append(contentsOf: buffer[0..<n])
        }
        return data
    }

    /// What is at `path` (following links), for messages; `.missing` when nothing is.
    public static func kind(_ path: String) -> FileKind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        return FileKind(mode: st.st_mode, target: "")
    }
}

/// Everything below a folder, depth first, without following links (bounded: a hostile tree cannot spin).
public enum FolderWalk {
    public struct Entry: Sendable {
        /// Relative to the walked folder.
        public var path: String
        public var kind: FileKind
    }

    public static func entries(_ folder: URL, limit: Int = 200_000) -> [Entry] {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        var out: [Entry] = []
        func scan(_ fd: Int32, _ relative: String) {
            guard let stream = fdopendir(fd) else { close(fd); return }
            defer { closedir(stream) }
            let streamFD = streamDescriptor(stream)
            var names: [String] = []
            while let entry = readdir(stream) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { names.append(name) }
            }
            for name in names.sorted() {
                if out.count >= limit { return }
                let path = relative.isEmpty ? name : relative + "/" + name
                let kind = ProjectDirectory.kind(at: streamFD, name)
                out.append(Entry(path: path, kind: kind))
                if kind == .directory {
                    let child = openat(streamFD, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                    if child >= 0 { scan(child, path) }
                }
            }
        }
        scan(fd, "")
        return out
    }
}
