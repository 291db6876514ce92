// Blobs: existence and size, verified downloads (into memory, or into a file as they arrive), uploads (from
// memory or a file; monolithic or in PATCH chunks, resumed where the registry says it stopped, started again
// when the registry loses the session) and cross-repository mounts.
import Foundation

extension RegistryClient {
    /// HEAD a blob: its size, or nil when the repository does not have it. When the answer carries no
    /// Content-Length, the first byte is asked for (`Range: bytes=0-0`) and the size read from Content-Range.
    public func blobSize(_ digest: Digest, in reference: ImageReference) async throws(RegistryError) -> Int64? {
        let response = try await send("HEAD", reference, path: "blobs/\(digest)", scope: .pull, expect: [200, 404], what: "blob \(digest)")
        guard response.status == 200 else { return nil }
        if let size = response.header("Content-Length").flatMap({ Int64($0) }), size >= 0 { return size }
        let ranged = try await send("GET", reference, path: "blobs/\(digest)", scope: .pull, headers: [("Range", "bytes=0-0")],
                                    expect: [200, 206], limit: 64 * 1024, what: "first byte of blob \(digest)")
        if ranged.status == 206, let total = ranged.header("Content-Range")?.split(separator: "/").last.flatMap({ Int64($0) }) {
            return total
        }
        if ranged.status == 200, digest.verifies(ranged.body) { return Int64(ranged.body.count) }
        throw RegistryError(.invalidDocument, "\(reference.registry)/\(reference.repository): blob \(digest) exists, but the registry tells "
                            + "its size neither in Content-Length nor in the Content-Range of a ranged GET")
    }

    /// Whether the repository has the blob (a HEAD; the size is not needed).
    func blobExists(_ digest: Digest, in reference: ImageReference) async throws(RegistryError) -> Bool {
        try await send("HEAD", reference, path: "blobs/\(digest)", scope: .pull, expect: [200, 404], what: "blob \(digest)").status == 200
    }

    /// GET a blob, verified against its digest.
    public func blob(_ digest: Digest, in reference: ImageReference) async throws(RegistryError) -> Data {
        try await blob(digest, in: reference, size: nil)
    }

    /// GET a blob of a known `size` (from its descriptor): the registry is not read beyond it.
    func blob(_ digest: Digest, in reference: ImageReference, size: Int64?) async throws(RegistryError) -> Data {
        let limit = size.map { Int(clamping: $0) }
        let response = try await send("GET", reference, path: "blobs/\(digest)", scope: .pull, expect: [200], limit: limit, what: "blob \(digest)")
        guard digest.verifies(response.body) else {
            throw RegistryError(.digestMismatch, "\(reference.registry)/\(reference.repository): blob \(digest) arrived with other content (\(response.body.count) bytes)")
        }
        statistics.bytesDownloaded += Int64(response.body.count)
        return response.body
    }

    /// GET a blob into `file` (created, or emptied, with mode 0600; a symbolic link there is refused) as it
    /// arrives, hashing it on the way: the blob is never whole in memory. `size` (from its descriptor) bounds
    /// what is read. Returns the bytes written. A blob with other content is `.digestMismatch`; on any failure
    /// (a mismatch, a registry error, cancellation) the file is removed. A failed attempt is retried like
    /// any request, from the start.
    ///
    /// A blob larger than `streamingChunkSize` is asked for in ranges of that size, each one read whole before the
    /// next is asked for: URLSession hands a body to its delegate as fast as the network brings it and queues what
    /// the file writer has not taken yet, so one long GET on a fast link (loopback, a busy machine) could pile up
    /// most of the blob in memory. A registry that ignores `Range` answers the first request with the whole blob
    /// (200), which is streamed into the file as before.
    @discardableResult
    public func downloadBlob(_ digest: Digest, in reference: ImageReference, size: Int64?, to file: URL) async throws(RegistryError) -> Int64 {
        let writer = try BlobWriter(creating: file)
        do throws(RegistryError) {
            let limit = size.map { Int(clamping: $0) }
            let chunk = Int64(max(1, options.streamingChunkSize))
            if let size, size > chunk {
                try await downloadInRanges(digest, in: reference, size: size, chunk: chunk, into: writer)
            } else {
                _ = try await send("GET", reference, path: "blobs/\(digest)", scope: .pull, expect: [200], limit: limit, streamingTo: writer,
                                   what: "blob \(digest)")
            }
            try writer.close()
            let written = writer.count
            let arrived = writer.digest
            guard digest.algorithm == "sha256" ? arrived == digest : digest.verifies(try contents(of: file, size: written)) else {
                throw RegistryError(.digestMismatch, "\(reference.registry)/\(reference.repository): blob \(digest) arrived with other content "
                                    + "(\(written) bytes hashing to \(arrived))")
            }
            statistics.bytesDownloaded += written
            return written
        } catch {
            try? writer.close()
            try? FileManager.default.removeItem(at: file)
            throw error
        }
    }

    /// The ranged GETs of `downloadBlob`: `bytes=0-<chunk-1>` streamed into the writer (a 200 there is the whole
    /// blob, and the download is done), then each further range read whole (at most `chunk` bytes in memory) and
    /// written. A range answered with other bounds than asked is `.invalidDocument`.
    private func downloadInRanges(_ digest: Digest, in reference: ImageReference, size: Int64, chunk: Int64,
                                  into writer: BlobWriter) async throws(RegistryError) {
        let what = "blob \(digest)"
        let first = try await send("GET", reference, path: "blobs/\(digest)", scope: .pull, headers: [("Range", "bytes=0-\(chunk - 1)")],
                                   expect: [200, 206], limit: Int(clamping: size), streamingTo: writer, what: what)
        if first.status == 200 { return }
        try Self.checkRange(first, start: 0, count: Int64(writer.count), size: size, reference: reference, what: what)
        var offset = writer.count
        while offset < size {
            if Task.isCancelled { throw RegistryError(.cancelled, "\(what): cancelled") }
            let end = min(offset + chunk, size) - 1
            let piece = try await send("GET", reference, path: "blobs/\(digest)", scope: .pull, headers: [("Range", "bytes=\(offset)-\(end)")],
                                       expect: [206], limit: Int(end - offset + 1), what: what)
            try Self.checkRange(piece, start: offset, count: Int64(piece.body.count), size: size, reference: reference, what: what)
            do { try writer.write(piece.body) } catch {
                throw RegistryError(.localFile, "\(what): \(error); free some space or set TMPDIR to a writable folder")
            }
            offset += Int64(piece.body.count)
        }
    }

    /// A 206 must say `bytes <start>-<start+count-1>/<size>` and bring at least one byte.
    private static func checkRange(_ response: HTTPResponse, start: Int64, count: Int64, size: Int64, reference: ImageReference,
                                   what: String) throws(RegistryError) {
        let expected = "bytes \(start)-\(start + count - 1)/\(size)"
        guard count > 0, response.header("Content-Range")?.trimmingCharacters(in: .whitespaces) == expected else {
            throw RegistryError(.invalidDocument, "\(reference.registry)/\(reference.repository): \(what): a ranged GET from byte \(start) "
                                + "came back as '\(response.header("Content-Range") ?? "no Content-Range")' with \(count) bytes, not \(expected)")
        }
    }

    /// A small file's contents (a sha512 digest, which the streaming hash does not compute, is checked on them).
    private func contents(of file: URL, size: Int64) throws(RegistryError) -> Data {
        guard size <= options.streamingThreshold else {
            throw RegistryError(.invalidDigest, "blobs larger than \(options.streamingThreshold) bytes are verified by sha256 digests only")
        }
        let reader = try BlobFileReader(file)
        return try reader.read(from: 0, count: Int(reader.size))
    }

    /// Uploads the blob in `file` unless the repository has it already, reading it a chunk at a time: in one PUT
    /// when it is at most `chunkSize` bytes, else in PATCH chunks of `chunkSize` (default
    /// `options.streamingChunkSize`), so at most a chunk is in memory. `size` and `digest`, when given, are
    /// what the file must hold (the size is checked; the digest is not recomputed, and the registry refuses
    /// content that does not match it); without `digest` the file is hashed first. A lost session starts again
    /// from the file, as `uploadBlob(_:mediaType:to:chunkSize:)` does. Returns the blob's descriptor.
    @discardableResult
    public func uploadBlob(from file: URL, size: Int64? = nil, digest: Digest? = nil, mediaType: String = "application/octet-stream",
                           to reference: ImageReference, chunkSize: Int? = nil) async throws(RegistryError) -> Descriptor {
        let reader = try BlobFileReader(file)
        if let size, size != reader.size {
            throw RegistryError(.localFile, "the blob file \(file.path) holds \(reader.size) bytes, not the \(size) its descriptor says")
        }
        let chunk = max(chunkSize ?? options.streamingChunkSize, 1)
        let known: Digest
        if let digest { known = digest } else { known = try reader.digest(chunkSize: chunk) }
        return try await upload(.file(reader), digest: known, mediaType: mediaType, to: reference, chunkSize: chunk)
    }

    /// Uploads a blob unless the repository has it already. `chunkSize` uploads in PATCH chunks of that many
    /// bytes (the chunked flow); nil uploads in one PUT (monolithic). Returns the blob's descriptor.
    ///
    /// The upload session is one unit: when it fails transiently, or the registry loses it (404
    /// BLOB_UPLOAD_UNKNOWN, 416, a Range that does not advance), a new session starts, up to `maxAttempts` times.
    @discardableResult
    public func uploadBlob(_ data: Data, mediaType: String = "application/octet-stream", to reference: ImageReference,
                           chunkSize: Int? = nil) async throws(RegistryError) -> Descriptor {
        try await upload(.data(data), digest: Digest.sha256(of: data), mediaType: mediaType, to: reference, chunkSize: chunkSize)
    }

    /// What an upload sends: bytes in memory, or a file read a chunk at a time.
    enum UploadSource {
        case data(Data)
        case file(BlobFileReader)

        var size: Int64 {
            switch self {
            case .data(let data): Int64(data.count)
            case .file(let reader): reader.size
            }
        }

        func bytes(_ range: Range<Int64>) throws(RegistryError) -> Data {
            switch self {
            case .data(let data):
                return range.lowerBound == 0 && range.upperBound == Int64(data.count) ? data : data.subdata(in: Int(range.lowerBound)..<Int(range.upperBound))
            case .file(let reader):
                return try reader.read(from: range.lowerBound, count: Int(range.upperBound - range.lowerBound))
            }
        }
    }

    private func upload(_ source: UploadSource, digest: Digest, mediaType: String, to reference: ImageReference,
                        chunkSize: Int?) async throws(RegistryError) -> Descriptor {
        let descriptor = Descriptor(mediaType: mediaType, digest: digest, size: source.size)
        if try await blobExists(digest, in: reference) { return descriptor }
        var attempt = 1
        while true {
            let lost: RegistryError
            do {
                switch try await uploadSession(source, digest: digest, to: reference, chunkSize: chunkSize) {
                case .stored:
                    statistics.bytesUploaded += source.size
                    return descriptor
                case .lost(let error):
                    lost = error
                }
            } catch let error where error.code == .unavailable {
                lost = error
            }
            guard attempt < options.maxAttempts else { throw lost }
            try await pause(attempt: attempt, what: "upload of blob \(digest) to \(reference.registry)/\(reference.repository)", error: lost)
            attempt += 1
        }
    }

    private enum SessionEnd {
        case stored
        /// The session is gone or out of step; a new one may succeed.
        case lost(RegistryError)
    }

    private func uploadSession(_ source: UploadSource, digest: Digest, to reference: ImageReference, chunkSize: Int?) async throws(RegistryError) -> SessionEnd {
        let startURL = try endpoint(reference, path: "blobs/uploads/")
        let start = try await sendTo(startURL, "POST", reference, scope: .push, headers: [], body: nil, expect: [202, 200],
                                     attempts: options.maxAttempts, what: "upload to \(reference.repository)")
        guard var location = try uploadLocation(start, requested: startURL, reference: reference) else {
            throw RegistryError(.invalidDocument, "\(reference.registry): an upload answer without a usable Location header")
        }
        let size = source.size
        do throws(RegistryError) {
            let closed: HTTPResponse
            if let chunkSize, chunkSize > 0, size > Int64(chunkSize) {
                var offset: Int64 = 0
                while offset < size {
                    let end = min(offset + Int64(chunkSize), size)
                    let what = "chunk \(offset)-\(end - 1) of blob \(digest)"
                    let patched = try await sendTo(location, "PATCH", reference, scope: .push,
                                                   headers: [("Content-Type", "application/octet-stream"), ("Content-Range", "\(offset)-\(end - 1)")],
                                                   body: try source.bytes(offset..<end), expect: Self.success, attempts: 1, what: what)
                    let kept = Int64(Self.keptBytes(patched, sentUpTo: Int(end)))
                    guard kept > offset, kept <= end else {
                        return .lost(RegistryError(.invalidDocument, "PATCH \(location.redactedForMessages) (\(what)): the registry kept "
                                                   + "\(kept) bytes of the upload (Range \(patched.header("Range") ?? "-")), so the chunk did not advance it"))
                    }
                    location = try uploadLocation(patched, requested: location, reference: reference) ?? location
                    offset = kept
                }
                closed = try await sendTo(location.appendingQuery("digest", digest.description), "PUT", reference, scope: .push,
                                          headers: [], body: nil, expect: Self.success, attempts: 1, what: "blob \(digest)")
            } else {
                closed = try await sendTo(location.appendingQuery("digest", digest.description), "PUT", reference, scope: .push,
                                          headers: [("Content-Type", "application/octet-stream")], body: try source.bytes(0..<size),
                                          expect: Self.success, attempts: 1, what: "blob \(digest)")
            }
            if let announced = closed.header("Docker-Content-Digest"), let parsed = try? Digest(parsing: announced), parsed != digest {
                throw RegistryError(.digestMismatch, "\(reference.registry)/\(reference.repository): the registry stored blob \(digest) as \(parsed)")
            }
            return .stored
        } catch let error where error.code == .unavailable || error.status == 404 || error.status == 416 {
            return .lost(error)
        }
    }

    /// How many bytes of the upload the registry holds after a PATCH, from its `Range: 0-<last>` (distribution
    /// also writes `bytes=0-<last>`); without a readable Range, everything sent. Distribution answers `0-0` for an
    /// empty upload as well as for a one-byte one: it counts as nothing unless a single byte was all there was.
    static func keptBytes(_ response: HTTPResponse, sentUpTo end: Int) -> Int {
        guard var range = response.header("Range")?.trimmingCharacters(in: .whitespaces) else { return end }
        if range.lowercased().hasPrefix("bytes=") { range = String(range.dropFirst(6)) }
        let bounds = range.split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, bounds[0] == "0", let last = Int(bounds[1]), last >= 0 else { return end }
        return last == 0 && end != 1 ? 0 : last + 1
    }

    /// The upload URL an answer names, resolved against the URL of the request it answers; nil when it names
    /// none. Plain HTTP away from loopback or an insecure registry is refused.
    func uploadLocation(_ response: HTTPResponse, requested: URL, reference: ImageReference) throws(RegistryError) -> URL? {
        guard let text = response.header("Location"), !text.isEmpty else { return nil }
        guard let url = URL(string: text, relativeTo: requested)?.absoluteURL else {
            throw RegistryError(.invalidDocument, "\(reference.registry): an upload answer whose Location header is not a URL")
        }
        try checkScheme(url, reference: reference)
        return url
    }

    /// Asks the registry to mount `digest` from another repository of the same registry (no bytes move).
    /// Returns false when it cannot (the registry then offered an upload, which is cancelled; upload instead).
    public func mountBlob(_ digest: Digest, from source: String, to reference: ImageReference) async throws(RegistryError) -> Bool {
        let url = try endpoint(reference, path: "blobs/uploads/", query: [("mount", digest.description), ("from", source)])
        let response = try await sendTo(url, "POST", reference, scope: .push, extraScopes: ["repository:\(source):pull"], headers: [], body: nil,
                                        expect: [201, 202, 200], attempts: options.maxAttempts, what: "mount of \(digest)")
        let location = try? uploadLocation(response, requested: url, reference: reference)
        // A Location naming the blob itself (`…/blobs/<digest>`) is the answer to a mount, never an upload to cancel.
        let lastComponent = location.flatMap { URLComponents(url: $0, resolvingAgainstBaseURL: false)?.percentEncodedPath }?
            .split(separator: "/").last.flatMap { String($0).removingPercentEncoding }
        let namesBlob = lastComponent.map { (try? Digest(parsing: $0)) != nil } ?? false
        if response.status == 201 { return true }
        if response.status == 200, namesBlob || response.header("Docker-Content-Digest") == digest.description { return true }
        if let location, !namesBlob {
            _ = try? await sendTo(location, "DELETE", reference, scope: .push, headers: [], body: nil, expect: [204, 202, 200, 404], attempts: 1,
                                  what: "cancelled upload")
        }
        return false
    }

    /// DELETE a blob.
    public func deleteBlob(_ digest: Digest, in reference: ImageReference) async throws(RegistryError) {
        _ = try await send("DELETE", reference, path: "blobs/\(digest)", scope: .delete, expect: Self.success, what: "blob \(digest)")
    }
}
