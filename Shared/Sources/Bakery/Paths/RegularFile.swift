// Reads files that must be regular files: a FIFO, socket or device is refused at once.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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
        return try readOpen(fd, shown: shown)
    }

    /// Reads `name` in the open folder `folder` without following a link at it: the file that was
    /// checked is the file that is read (no window to swap in a link). Returns its bytes and mode.
    public static func read(at folder: Int32, _ name: String, shown: String) throws(BakeryError) -> (data: Data, mode: Int) {
        let fd = openat(folder, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP {
                throw BakeryError(.unsafePath, "cannot read '\(shown)': it is \(ProjectDirectory.kind(at: folder, name).words)",
                                  hint: "bakery never reads through a link here; copy the file instead")
            }
            throw FileSystemError.make("read", shown, errno: code)
        }
        defer { close(fd) }
        return (try readOpen(fd, shown: shown), try mode(fd, shown: shown))
    }

    private static func mode(_ fd: Int32, shown: String) throws(BakeryError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileSystemError.make("read", shown, errno: errno) }
        return Int(st.st_mode & 0o7777)
    }

    /// Reads an open descriptor that must be a regular file.
    static func readOpen(_ fd: Int32, shown: String) throws(BakeryError) -> Data {
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
