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
    /// The resolver for target selection and `create version`: matrix and image `dependencyConstraints`, and
    /// development versions from the product channels of the registered modules, read from the version documents
    /// (`documents(logger:)`), one source per run; `spec` and `devChannel` pin a development build (`--dev-spec`).
    /// A bad cache or mirror setting is an error.
    static func resolver(logger: Logger, spec: DevelopmentSpec? = nil, devChannel: ReleaseChannel? = nil) throws(BakeryError) -> any VersionResolver {
        SourcedVersionResolver(source: try documents(logger: logger), products: RegisteredProducts.registry, spec: spec, devChannel: devChannel)
    }

    /// Where version documents come from: `BAKERY_SOURCES_MIRROR` naming a folder (`file:///path` or an absolute path,
    /// laid out as `<folder>/<host>/<path>`, such as the committed snapshot of an example), else HTTP with the cache,
    /// `--offline` and a mirror URL (`HTTPDocumentSource`).
    static func documents(logger: Logger) throws(BakeryError) -> any DocumentSource {
        let env = ProcessInfo.processInfo.environment
        if let mirror = env["BAKERY_SOURCES_MIRROR"], mirror.hasPrefix("file:") || mirror.hasPrefix("/") {
            let folder = mirror.hasPrefix("/") ? URL(fileURLWithPath: mirror) : URL(string: mirror).map { URL(fileURLWithPath: $0.path) }
            guard let folder, folder.path.hasPrefix("/") else {
                throw BakeryError(.invalidArgument, "BAKERY_SOURCES_MIRROR is '\(HTTPDocumentSource.redactedSetting(mirror))', not a folder URL",
                                  hint: "use file:///absolute/path or /absolute/path for a mirror folder laid out as <folder>/<host>/<path>")
            }
            return try folderSource(folder, setting: "BAKERY_SOURCES_MIRROR", logger: logger)
        }
        return try HTTPDocumentSource.fromEnvironment(env, logger: logger)
    }

    /// Where `get versions` reads its documents: the mirror folder given with `--documents`, else HTTP (with the
    /// cache, `--offline` and `BAKERY_SOURCES_MIRROR`).
    static func documentSource(documents: URL?, logger: Logger) throws(BakeryError) -> any DocumentSource {
        guard let documents else { return try Self.documents(logger: logger) }
        return try folderSource(documents, setting: "--documents", logger: logger)
    }

    /// A mirror folder, which must exist.
    static func folderSource(_ folder: URL, setting: String, logger: Logger) throws(BakeryError) -> any DocumentSource {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
            throw BakeryError(.notFound, "\(setting): '\(folder.path)' is not a folder",
                              hint: "pass a folder laid out as DIR/<host>/<path>")
        }
        logger.debug("Reading version documents from the folder \(folder.path)")
        return FolderDocumentSource(root: folder)
    }
}
