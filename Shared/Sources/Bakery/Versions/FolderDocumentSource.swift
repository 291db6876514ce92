// Documents read from a mirror folder laid out as <host>/<path>: air-gapped users, the committed examples
// snapshot and tests serve version documents this way.
import Foundation

/// Reads `https://HOST/PATH` from `ROOT/HOST/PATH`.
///
///     let source = FolderDocumentSource(root: URL(fileURLWithPath: "snapshot"))
///     try source.document(URL(string: "https://cdn.posit.co/r/versions.json")!)   // snapshot/cdn.posit.co/r/versions.json
///
/// A document the folder does not hold is an error naming the file looked for; `exists` is true when the file is there.
public struct FolderDocumentSource: DocumentSource {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    /// The file standing for `url`, or an error when the URL cannot map into the folder (no host, `..`, a query).
    public func file(for url: URL) throws(BakeryError) -> URL {
        guard let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else {
            throw BakeryError(.versionResolution, "\(url.absoluteString) cannot be looked up in the mirror folder \(root.path)",
                              hint: "only http(s) URLs without a query map to <folder>/<host>/<path>")
        }
        // The host is one folder name: a host of `..` (or one spelling a slash) would lead out of the mirror.
        let hostAllowed = host.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-._:[]".unicodeScalars.contains($0)) }
        guard hostAllowed, !host.hasPrefix("."), !host.contains("..") else {
            throw BakeryError(.versionResolution, "\(url.absoluteString) cannot be looked up in the mirror folder \(root.path)",
                              hint: "its host must be a plain host name")
        }
        let segments = url.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !segments.isEmpty, !segments.contains(where: { $0 == "." || $0 == ".." }) else {
            throw BakeryError(.versionResolution, "\(url.absoluteString) cannot be looked up in the mirror folder \(root.path)",
                              hint: "its path must name a file, without '.' or '..' segments")
        }
        return segments.reduce(root.appendingPathComponent(host.lowercased(), isDirectory: true)) { $0.appendingPathComponent($1) }
    }

    public func document(_ url: URL) throws(BakeryError) -> Data {
        let file = try file(for: url)
        try checkInside(file, for: url)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder) else {
            throw BakeryError(.versionResolution, "the mirror folder \(root.path) has no document for \(url.absoluteString) (looked for \(file.path))",
                              hint: "copy the document there, laid out as <folder>/<host>/<path>")
        }
        guard !isFolder.boolValue else {
            throw BakeryError(.versionResolution, "the mirror folder \(root.path) has a folder where the document for \(url.absoluteString) belongs (\(file.path))")
        }
        // A FIFO or device in the folder is refused at once rather than waited on.
        do {
            return try RegularFile.read(file.path)
        } catch {
            throw BakeryError(.versionResolution, "cannot read \(file.path), the mirror's copy of \(url.absoluteString): \(error.message)", cause: error)
        }
    }

    public func exists(_ url: URL) throws(BakeryError) -> Bool {
        let file = try file(for: url)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: file.path, isDirectory: &isFolder), !isFolder.boolValue else { return false }
        try checkInside(file, for: url)
        return true
    }

    /// Links inside the mirror may lead to other files of the mirror, never out of it: `file`, every link on its
    /// way resolved, must still be under the root (itself resolved).
    func checkInside(_ file: URL, for url: URL) throws(BakeryError) {
        guard let resolved = ProjectDirectory.realPath(file.path) else { return }   // missing: the caller reports it
        let base = ProjectDirectory.realPath(root.path) ?? root.path
        guard resolved.hasPrefix(base == "/" ? "/" : base + "/") else {
            throw BakeryError(.versionResolution,
                "the mirror folder \(root.path) holds \(file.path) for \(url.absoluteString), but it is a link leading out of the mirror (to \(resolved))",
                hint: "copy the document into the mirror instead of linking to it")
        }
    }
}
