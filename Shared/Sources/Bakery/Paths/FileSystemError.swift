// A failed system call, turned into words and a hint a user can act on.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

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
