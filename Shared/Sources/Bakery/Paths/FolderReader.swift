// Reads the files below one folder through descriptors that never follow a link.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Reads files below a folder through descriptors: the folder is opened once, every folder below it
/// and the file itself without following a link, so a file swapped for a link after it was listed
/// is refused instead of read.
public final class FolderReader {
    let fd: Int32
    let shown: String

    /// Opens `folder` (its last component not through a link).
    public init(_ folder: URL, shown: String) throws(BakeryError) {
        self.shown = shown
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError.make("open", shown, errno: errno) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The bytes and mode of `relative` (a `/`-separated path below the folder).
    public func read(_ relative: String) throws(BakeryError) -> (data: Data, mode: Int) {
        let parts = relative.split(separator: "/").map(String.init)
        guard let name = parts.last else { throw FileSystemError.make("read", shown, errno: EISDIR) }
        var current = dup(fd)
        for part in parts.dropLast() {
            let next = openat(current, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            let code = errno
            close(current)
            guard next >= 0 else { throw FileSystemError.make("read", shown + "/" + relative, errno: code) }
            current = next
        }
        defer { close(current) }
        return try RegularFile.read(at: current, name, shown: shown + "/" + relative)
    }
}
