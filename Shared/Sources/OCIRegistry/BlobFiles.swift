// The local files a large blob streams through when it moves between registries: a writer that hashes what it
// writes (the digest is known the moment the last byte lands), a reader that hands out one chunk at a time, and
// the private temporary folder (mode 0700) they live in.
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a blob's bytes to a file as they arrive and hashes them on the way (SHA-256), so the blob is never
/// whole in memory and never read twice. Used from the transport's delegate queue, one piece at a time.
final class BlobWriter: @unchecked Sendable {
    let file: URL
    private let sink: FileSink
    private let lock = NSLock()
    private var hasher = SHA256()
    private var written: Int64 = 0

    init(creating file: URL) throws(RegistryError) {
        self.file = file
        do { sink = try FileSink(creating: file) } catch {
            throw RegistryError(.localFile, "cannot create the temporary file for a blob: \(error); set TMPDIR to a writable folder")
        }
    }

    /// Pieces (16 KB from URLSession) are gathered to 1 MiB before they are written and hashed: a write and a
    /// hash step per piece made the delegate slower than loopback, and URLSession queues the pieces it has not
    /// handed on yet in memory.
    func write(_ data: Data) throws {
        let full: Data? = lock.withLock {
            pending.append(data)
            written += Int64(data.count)
            guard pending.count >= Self.batch else { return nil }
            defer { pending = Data(capacity: Self.batch + 64 * 1024) }
            return pending
        }
        if let full { try flush(full) }
    }

    private static let batch = 1024 * 1024
    private var pending = Data()

    private func flush(_ data: Data) throws {
        try sink.write(data)
        lock.withLock { hasher.update(data: data) }
    }

    /// Writes what is gathered (before the digest is read or the file closed).
    private func flushPending() throws {
        let rest = lock.withLock { defer { pending = Data() }; return pending }
        if !rest.isEmpty { try flush(rest) }
    }

    /// Empties the file and forgets what was hashed (before each attempt of a download).
    func reset() throws {
        try sink.truncate()
        lock.withLock {
            hasher = SHA256()
            written = 0
            pending = Data()
        }
    }

    /// The bytes written so far.
    var count: Int64 { lock.withLock { written } }

    /// The digest of what was written, once `close` has written the last gathered bytes.
    var digest: Digest {
        Digest(sha256: lock.withLock { hasher }.finalize())
    }

    /// Writes what is gathered, then closes the file; the digest is final after it.
    func close() throws(RegistryError) {
        do {
            try flushPending()
            try sink.close()
        } catch {
            throw RegistryError(.localFile, "cannot finish the temporary file for a blob: \(error)")
        }
    }
}

/// Reads a blob file a chunk at a time (uploads from a file).
final class BlobFileReader: @unchecked Sendable {
    let file: URL
    let size: Int64
    private let handle: FileHandle

    init(_ file: URL) throws(RegistryError) {
        self.file = file
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw RegistryError(.localFile, "cannot open the blob file \(file.path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            Glibc.close(descriptor)
            throw RegistryError(.localFile, "the blob file \(file.path) is not a regular file")
        }
        size = Int64(status.st_size)
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }

    /// `count` bytes from `offset`; a file that ends before them (it changed underneath) is an error.
    func read(from offset: Int64, count: Int) throws(RegistryError) -> Data {
        var data = Data()
        do {
            try handle.seek(toOffset: UInt64(offset))
            while data.count < count {
                guard let piece = try handle.read(upToCount: count - data.count), !piece.isEmpty else { break }
                data.append(piece)
            }
        } catch {
            throw RegistryError(.localFile, "cannot read the blob file \(file.path): \((error as NSError).localizedDescription)")
        }
        guard data.count == count else {
            throw RegistryError(.localFile, "the blob file \(file.path) ended after \(offset + Int64(data.count)) bytes; it changed while being uploaded")
        }
        return data
    }

    /// The SHA-256 digest of the whole file, read a chunk at a time.
    func digest(chunkSize: Int) throws(RegistryError) -> Digest {
        var hasher = SHA256()
        var offset: Int64 = 0
        while offset < size {
            let count = Int(min(Int64(chunkSize), size - offset))
            hasher.update(data: try read(from: offset, count: count))
            offset += Int64(count)
        }
        return Digest(sha256: hasher.finalize())
    }

    deinit { try? handle.close() }
}

/// A folder only this user can enter (mkdtemp: mode 0700), removed by `remove`.
struct PrivateTemporaryFolder: Sendable {
    let url: URL

    /// Makes `<parent>/bakery-blob-XXXXXX`; `parent` nil is the system's temporary folder (`TMPDIR`).
    init(in parent: URL?) throws(RegistryError) {
        let base = parent ?? FileManager.default.temporaryDirectory
        var template = Array(base.appendingPathComponent("bakery-blob-XXXXXX").path.utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard made != nil else {
            throw RegistryError(.localFile, "cannot make a temporary folder in \(base.path) for a blob: \(String(cString: strerror(errno))); "
                                + "set TMPDIR to a writable folder")
        }
        url = URL(fileURLWithPath: String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), isDirectory: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
