// The one place the CLI chooses where versions that are not in bakery.yaml come from.
import Bakery
import Foundation
import Logging

/// Chooses the version resolver every target-selecting command and `create version` use, and the document
/// source `get versions` reads.
///
///     let selector = TargetSelector(filter: filter, resolver: VersionSources.resolver(logger: logger), log: log)
///     let source = try VersionSources.documentSource(documents: folder, logger: logger)
enum VersionSources {
    /// The resolver for target selection and `create version`: offline until the HTTP source is wired in.
    static func resolver(logger: Logger) -> any VersionResolver {
        OfflineVersionResolver()
    }

    /// Where `get versions` reads its documents: the mirror folder given with `--documents`.
    static func documentSource(documents: URL?, logger: Logger) throws(BakeryError) -> any DocumentSource {
        guard let documents else {
            throw BakeryError(.invalidArgument, "no source for the version documents",
                              hint: "pass --documents DIR, a folder laid out as DIR/<host>/<path> (fetching them over HTTP is not available yet)")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: documents.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw BakeryError(.notFound, "--documents: '\(documents.path)' is not a folder",
                              hint: "pass a folder laid out as DIR/<host>/<path>")
        }
        logger.debug("Reading version documents from the folder \(documents.path)")
        return FolderDocumentSource(root: documents)
    }
}
