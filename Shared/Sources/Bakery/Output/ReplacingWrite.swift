// Writing a file a user named (a metadata file, a Markdown report): all or nothing, never through a link.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Replaces a file's contents through a temporary file in the same folder and a rename, so a reader never sees
/// half a file and an interrupted write leaves the old one; the temporary file is created new
/// (`O_EXCL | O_NOFOLLOW`), never through a link or over a file someone placed at its name.
///
///     try ReplacingWrite.write(Data(markdown.utf8), to: URL(fileURLWithPath: "summary.md"), what: "the summary")
public enum ReplacingWrite {
    /// `what` names the file in errors ("the metadata file").
    public static func write(_ data: Data, to url: URL, what: String) throws(BakeryError) {
        let folder = url.deletingLastPathComponent()
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let code = errno
            throw BakeryError(.fileSystem, "cannot write \(what) \(url.path): \(temp.path): \(String(cString: strerror(code)))",
                              hint: "check that the folder \(folder.path) exists and is writable, and remove \(temp.lastPathComponent) if it is left over")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try handle.write(contentsOf: data)
            try handle.close()
        } catch {
            unlink(temp.path)
            throw BakeryError(.fileSystem, "cannot write \(what) \(url.path): \(error.localizedDescription)",
                              hint: "check that the folder \(folder.path) has room")
        }
        if rename(temp.path, url.path) != 0 {
            let code = errno
            unlink(temp.path)
            throw BakeryError(.fileSystem, "cannot write \(what) \(url.path): \(String(cString: strerror(code)))",
                              hint: url.hasDirectoryPath ? "name a file, not a folder" : "check that \(url.path) is not a folder and its folder is writable")
        }
    }
}
