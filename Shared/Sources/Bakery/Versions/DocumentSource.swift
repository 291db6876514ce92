// Where version lists and product channel documents come from: the network (with a cache and an offline mode),
// a mirror, or fixture documents in tests. Version sources and channel readers only say what to fetch.
import Foundation

/// Gives the documents version resolution reads. Synchronous, because target selection is: an implementation
/// that talks HTTP waits on a thread of its own.
///
///     let data = try source.document(URL(string: "https://cdn.posit.co/r/versions.json")!)
///     let there = try source.exists(downloadURL)      // HEAD probe of a pinned dev build
///
/// Failures are `BakeryError`s with code `.versionResolution` whose message names the URL (never a credential)
/// and says what to do (e.g. fill the cache while online, or set BAKERY_SOURCES_MIRROR).
public protocol DocumentSource: Sendable {
    /// The body of `url`.
    func document(_ url: URL) throws(BakeryError) -> Data
    /// Whether `url` exists: true for a 2xx answer to HEAD, false for 404; anything else throws.
    func exists(_ url: URL) throws(BakeryError) -> Bool
}

/// Documents held in memory, keyed by absolute URL string: for tests and for `--dev-spec`-only runs. A URL it
/// does not hold is an error (for `document`) or absent (for `exists`).
public struct InMemoryDocumentSource: DocumentSource {
    public var documents: [String: Data]

    public init(_ documents: [String: Data] = [:]) { self.documents = documents }

    public func document(_ url: URL) throws(BakeryError) -> Data {
        guard let data = documents[url.absoluteString] else {
            throw BakeryError(.versionResolution, "no document for \(url.absoluteString)",
                              hint: "this source only holds the documents it was given")
        }
        return data
    }

    public func exists(_ url: URL) throws(BakeryError) -> Bool { documents[url.absoluteString] != nil }
}
