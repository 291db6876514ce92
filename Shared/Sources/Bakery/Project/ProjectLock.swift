// An advisory lock (flock) on the project folder, held while a command reads, computes and commits a change.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// An advisory lock (flock) on the project folder itself, which no command ever replaces, held while
/// a command reads and changes the project. Taking it finishes or rolls back an interrupted change.
public final class ProjectLock {
    private var descriptor: Int32 = -1

    public init(root: URL, log: TargetLog? = nil, timeout: Double = 120) throws(BakeryError) {
        let fd = open(root.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT {
                throw BakeryError(.configNotFound, "the project folder '\(ConfigLoader.displayPath(root))' does not exist",
                                  hint: "create it first, or pass --context with an existing folder")
            }
            throw FileSystemError.make("lock the project folder", ConfigLoader.displayPath(root), errno: code)
        }
        descriptor = fd
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno != EWOULDBLOCK && errno != EINTR { break }  // no locking on this file system: go on unlocked
            if Date() > deadline {
                release()
                throw BakeryError(.fileSystem, "another bakery process has been changing '\(ConfigLoader.displayPath(root))' for \(Int(timeout)) s",
                                  hint: "wait for it to finish, then run the command again")
            }
            usleep(20_000)
        }
        do {
            try ProjectStaging.recover(root: root, log: log)
        } catch {
            release()
            throw error
        }
    }

    public func release() {
        if descriptor >= 0 {
            flock(descriptor, LOCK_UN)
            close(descriptor)
            descriptor = -1
        }
    }

    deinit { release() }
}
