// A target's full build log on disk: every command bakery ran for it and every line it wrote.
import Foundation

/// An append-only log file, written from the tasks that read a child's two output streams.
final class TargetLogFile: @unchecked Sendable {
    let url: URL
    private let lock = NSLock()
    private var handle: FileHandle?

    /// Creates (or empties) the file; a file that cannot be created leaves the log off, never the build.
    init(_ url: URL) {
        self.url = url
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0o600)
        handle = fd >= 0 ? FileHandle(fileDescriptor: fd, closeOnDealloc: true) : nil
    }

    var isOpen: Bool { lock.withLock { handle != nil } }

    func write(_ line: String) {
        lock.withLock {
            guard let handle else { return }
            do { try handle.write(contentsOf: Data((line + "\n").utf8)) } catch { self.handle = nil }
        }
    }

    func close() {
        lock.withLock {
            try? handle?.close()
            handle = nil
        }
    }
}
