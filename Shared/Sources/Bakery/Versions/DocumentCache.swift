// The on-disk cache of version documents fetched over HTTP: one body file and one metadata file per URL, written so
// that several bakery runs sharing the folder never see a half-written or mismatched entry.
import Foundation
import OCIRegistry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A folder of cached documents, keyed by URL. Entries are named after the SHA-256 of the URL:
/// `<hex>.body` holds the document, `<hex>.json` its metadata (URL, ETag, Last-Modified, fetched-at, and the body's
/// size and SHA-256). Both are written to a temporary file and renamed into place, so a reader sees an old file or a
/// new one, never a partial one. Writers replace the pair under an exclusive lock on the folder's `.lock` file and
/// readers read it under a shared one, so concurrent bakery runs keep pairs whole; and the metadata records the
/// body it describes, so a pair left mismatched anyway (a crash between the two renames) is treated as no entry.
///
///     let cache = DocumentCache(folder: URL(fileURLWithPath: "/home/me/.cache/bakery/http"))
///     try cache.store(DocumentCache.Entry(url: url, body: data, etag: "\"abc\"", lastModified: nil, fetchedAt: Date()))
///     let entry = cache.entry(for: url)          // nil when absent, unreadable or inconsistent
public struct DocumentCache: Sendable {
    /// A cached document and what the server said about it.
    public struct Entry: Sendable, Equatable {
        /// The URL the document was asked for (the source URL, before any mirror rewriting).
        public var url: URL
        public var body: Data
        public var etag: String?
        public var lastModified: String?
        /// When the document was last fetched or revalidated.
        public var fetchedAt: Date

        public init(url: URL, body: Data, etag: String?, lastModified: String?, fetchedAt: Date) {
            self.url = url
            self.body = body
            self.etag = etag
            self.lastModified = lastModified
            self.fetchedAt = fetchedAt
        }
    }

    /// What is stored beside a body. `format` lets a later bakery recognise (and ignore) entries it cannot read.
    struct Metadata: Codable, Equatable {
        static let currentFormat = 1
        var format: Int
        var url: String
        var etag: String?
        var lastModified: String?
        /// Seconds since 1970, so sub-second freshness windows (tests) and any locale read the same.
        var fetchedAt: Double
        var size: Int
        var sha256: String
    }

    /// Why an entry was not used: for the debug log, so a refetch is explained.
    public enum Miss: Error, Sendable, Equatable {
        case absent
        case unreadable(String)
    }

    public let folder: URL

    public init(folder: URL) { self.folder = folder }

    /// The file names of `url`'s entry: the SHA-256 of its absolute string, in hex.
    public func key(for url: URL) -> String {
        Digest.sha256(of: Data(url.absoluteString.utf8)).encoded
    }

    func bodyFile(for url: URL) -> URL { folder.appendingPathComponent(key(for: url) + ".body") }
    func metadataFile(for url: URL) -> URL { folder.appendingPathComponent(key(for: url) + ".json") }

    /// The entry for `url`, or nil when there is none or it cannot be trusted.
    public func entry(for url: URL) -> Entry? {
        if case .success(let entry) = lookup(url) { return entry }
        return nil
    }

    /// The entry for `url`, or why there is none usable: absent, or unreadable (bad JSON, another URL, a body whose
    /// size or SHA-256 is not the one the metadata records).
    public func lookup(_ url: URL) -> Result<Entry, Miss> {
        guard FileManager.default.fileExists(atPath: metadataFile(for: url).path) else { return .failure(.absent) }
        return locked(exclusive: false) { read(url) }
    }

    private func read(_ url: URL) -> Result<Entry, Miss> {
        let metadataURL = metadataFile(for: url)
        guard let metadataBytes = try? Data(contentsOf: metadataURL) else { return .failure(.absent) }
        guard let metadata = try? JSONDecoder().decode(Metadata.self, from: metadataBytes) else {
            return .failure(.unreadable("its metadata \(metadataURL.lastPathComponent) is not valid JSON of the expected shape"))
        }
        guard metadata.format == Metadata.currentFormat else {
            return .failure(.unreadable("its metadata has format \(metadata.format), not \(Metadata.currentFormat)"))
        }
        guard metadata.url == url.absoluteString else {
            return .failure(.unreadable("its metadata is for another URL (\(metadata.url))"))
        }
        guard let body = try? Data(contentsOf: bodyFile(for: url)) else {
            return .failure(.unreadable("its body file is missing or unreadable"))
        }
        guard body.count == metadata.size, Digest.sha256(of: body).encoded == metadata.sha256 else {
            return .failure(.unreadable("its body (\(body.count) bytes) does not match its metadata (\(metadata.size) bytes, sha256 \(metadata.sha256.prefix(12))…)"))
        }
        return .success(Entry(url: url, body: body, etag: metadata.etag, lastModified: metadata.lastModified,
                              fetchedAt: Date(timeIntervalSince1970: metadata.fetchedAt)))
    }

    /// Stores `entry`, replacing any previous one: the body first, then the metadata that vouches for it. Creates the
    /// folder (mode 0700) when missing; files are mode 0600.
    public func store(_ entry: Entry) throws(BakeryError) {
        try createFolder()
        try locked(exclusive: true) { () throws(BakeryError) in
            try writeAtomically(entry.body, to: bodyFile(for: entry.url))
            try storeMetadata(of: entry)
        }
    }

    /// Records a revalidation: the same body, a new fetched-at (and the validators the 304 answer carried, if any).
    public func touch(_ entry: Entry) throws(BakeryError) {
        try createFolder()
        try locked(exclusive: true) { () throws(BakeryError) in try storeMetadata(of: entry) }
    }

    /// Runs `body` holding the folder's lock (`.lock`, with flock): exclusive to replace an entry's two files,
    /// shared to read them, so a reader never pairs one writer's body with another's metadata. Without a lock file
    /// (a read-only folder), `body` runs unlocked: the metadata's size and SHA-256 still reject a mismatched pair.
    private func locked<T, E: Error>(exclusive: Bool, _ body: () throws(E) -> T) throws(E) -> T {
        let fd = open(folder.appendingPathComponent(".lock").path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }
        while flock(fd, exclusive ? LOCK_EX : LOCK_SH) != 0 && errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    private func storeMetadata(of entry: Entry) throws(BakeryError) {
        let metadata = Metadata(format: Metadata.currentFormat, url: entry.url.absoluteString, etag: entry.etag,
                                lastModified: entry.lastModified, fetchedAt: entry.fetchedAt.timeIntervalSince1970,
                                size: entry.body.count, sha256: Digest.sha256(of: entry.body).encoded)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let bytes: Data
        do { bytes = try encoder.encode(metadata) } catch {
            throw BakeryError(.internal, "could not encode the cache metadata of \(entry.url.absoluteString): \(error)", cause: error)
        }
        try writeAtomically(bytes, to: metadataFile(for: entry.url))
    }

    /// Creates the cache folder and its missing parents with mode 0700 (the documents say which products a user
    /// builds; other users of the machine have no business reading them).
    func createFolder() throws(BakeryError) {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw BakeryError(.fileSystem, "the cache folder \(folder.path) is a file",
                                  hint: "remove it, or point BAKERY_CACHE_DIR at a folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw BakeryError(.fileSystem, "cannot create the cache folder \(folder.path): \(error.localizedDescription)",
                              hint: "check the permissions of its parent, or point BAKERY_CACHE_DIR elsewhere", cause: error)
        }
    }

    /// Writes `data` to a uniquely named temporary file beside `destination` (exclusive create, mode 0600), then
    /// renames it over `destination`: rename is atomic within a folder, so concurrent runs never interleave bytes.
    func writeAtomically(_ data: Data, to destination: URL) throws(BakeryError) {
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).\(UUID().uuidString).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw BakeryError(.fileSystem, "cannot write to the cache folder \(folder.path): \(reason)",
                              hint: "check its permissions, or point BAKERY_CACHE_DIR elsewhere")
        }
        var failure: String?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = write(fd, buffer.baseAddress!.advanced(by: offset), buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if failure == nil, rename(temporary.path, destination.path) != 0 { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(temporary.path)
            throw BakeryError(.fileSystem, "cannot write \(destination.path): \(failure)",
                              hint: "check the free space and permissions of the cache folder, or point BAKERY_CACHE_DIR elsewhere")
        }
    }
}
