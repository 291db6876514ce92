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
    /// The resolver for target selection and `create version`: matrix and image `dependencyConstraints` from the
    /// version documents over HTTP (cache, `--offline`, `BAKERY_SOURCES_MIRROR`: `HTTPDocumentSource`), one source per
    /// run; development versions as before (channels come next). A bad cache or mirror setting is an error.
    static func resolver(logger: Logger) throws(BakeryError) -> any VersionResolver {
        let source = try HTTPDocumentSource.fromEnvironment(ProcessInfo.processInfo.environment, logger: logger)
        return SourcedVersionResolver(source: source)
    }

    /// Where `get versions` reads its documents: the mirror folder given with `--documents`, else HTTP (with the
    /// cache, `--offline` and `BAKERY_SOURCES_MIRROR`).
    static func documentSource(documents: URL?, logger: Logger) throws(BakeryError) -> any DocumentSource {
        guard let documents else {
            return try HTTPDocumentSource.fromEnvironment(ProcessInfo.processInfo.environment, logger: logger)
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
