// Options that select targets, shared by build, get tags and ci matrix.
import ArgumentParser
import Bakery
import Foundation
import Logging

extension VersionInclusion: ExpressibleByArgument {}

extension ReleaseChannel: ExpressibleByArgument {}

/// `--image-name`, `--image-version`, `--image-variant`, `--image-os`, and the version selection.
struct ImageFilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only images whose name matches this regular expression (searched anywhere in the name).", valueName: "regex"))
    var imageName: String?

    @Option(help: ArgumentHelp("Only versions matching this version or version prefix (2026.03 matches 2026.03.1).", valueName: "version"))
    var imageVersion: String?

    @Option(help: ArgumentHelp("Only variants whose name matches this regular expression.", valueName: "regex"))
    var imageVariant: String?

    @Option(help: ArgumentHelp("Only operating systems whose name matches this regular expression.", valueName: "regex"))
    var imageOs: String?

    func apply(to filter: inout TargetFilter) {
        filter.imageName = imageName
        filter.imageVersion = imageVersion
        filter.imageVariant = imageVariant
        filter.imageOS = imageOs
    }
}

/// `--dev-versions`, `--dev-channel`, `--dev-spec`, `--matrix-versions`.
struct VersionSelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Development versions: include, exclude or only.", valueName: "include|exclude|only"))
    var devVersions: VersionInclusion = .exclude

    @Option(help: ArgumentHelp("Only development versions of this release channel.", valueName: "release|preview|daily"))
    var devChannel: ReleaseChannel?

    @Option(name: .customLong("dev-stream"), help: .hidden)
    var devStream: ReleaseChannel?

    @Option(help: ArgumentHelp(#"Pin the development build of the chosen channel: a JSON object with "version" (CalVer), "channel" and/or "release_branch", e.g. '{"version": "2026.05.0-dev+185-g1a2b3c4", "channel": "daily"}'. Default: the BAKERY_DEV_SPEC environment variable."#, valueName: "json"))
    var devSpec: String?

    @Option(help: ArgumentHelp("Matrix versions: include, exclude or only.", valueName: "include|exclude|only"))
    var matrixVersions: VersionInclusion = .exclude

    /// `--dev-spec`, else a non-empty BAKERY_DEV_SPEC.
    var devSpecText: String? {
        if let devSpec { return devSpec }
        if let text = ProcessInfo.processInfo.environment["BAKERY_DEV_SPEC"], !text.trimmingCharacters(in: .whitespaces).isEmpty { return text }
        return nil
    }

    /// A malformed spec is a usage error (exit 2), found before any work starts.
    func validate() throws {
        if let text = devSpecText {
            do { _ = try DevelopmentSpec.parse(text) } catch { throw ValidationError(error.message) }
        }
    }

    func apply(to filter: inout TargetFilter, logger: Logger) {
        filter.devVersions = devVersions
        filter.matrixVersions = matrixVersions
        filter.devSpec = devSpecText.flatMap { try? DevelopmentSpec.parse($0) }
        if devStream != nil {
            logger.warning("--dev-stream is deprecated, use --dev-channel instead.")
        }
        filter.devChannel = devChannel ?? devStream
    }
}
