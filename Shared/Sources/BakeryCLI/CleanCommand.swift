// `bakery clean cache-registry|temp-registry`: removes old build cache or temporary images of the selected
// images (the work is Bakery's RegistryCleaner; this file parses options and reports).
import ArgumentParser
import Bakery
import Foundation
import Logging

struct CleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean",
        abstract: "Remove old artifacts from cache and temporary registries.",
        subcommands: [CleanCacheRegistryCommand.self, CleanTempRegistryCommand.self])

    /// What both subcommands share once their `--untagged` default is settled.
    static func run(kind: RegistryCleaner.Kind, registry: String, options: GlobalOptions, shared: CleanOptions, untagged: Bool) throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filter.imageName = shared.imageName
        shared.selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)
        let repositories = RegistryCleaner.repositories(for: run.targets, registry: registry, kind: kind)
        if repositories.isEmpty {
            let described = filter.description
            logger.warning("No image targets\(described.isEmpty ? "" : " matching \(described)"); nothing to clean.")
            return
        }
        let cleanOptions = RegistryCleaner.Options(olderThan: shared.olderThan, untagged: untagged, dryRun: shared.dryRun)
        let outcome: Result<Int, BakeryError> = SignalCancellation.run {
            do throws(BakeryError) {
                let cleaner = RegistryCleaner(options: cleanOptions, access: try RegistryAccess(), logger: logger) { Console.stdout($0) }
                return .success(try await cleaner.clean(repositories))
            } catch {
                return .failure(error)
            }
        }
        switch outcome {
        case .success(let errors):
            if errors > 0 {
                logger.error("Completed with \(errors) errors encountered during cleanup.")
                throw ExitCode(1)
            }
        case .failure(let error):
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(error.code == .interrupted ? 130 : 1)
        }
    }
}

/// The options of both clean commands but `--untagged`, whose default differs.
struct CleanOptions: ParsableArguments {
    @Flag(help: "Print what would be removed (JSON on stdout) and remove nothing.")
    var dryRun = false

    @Option(help: ArgumentHelp("Remove artifacts older than this many days.", valueName: "days"))
    var olderThan: Int?

    @Option(help: ArgumentHelp("Only images whose name matches this regular expression (searched anywhere in the name).", valueName: "regex"))
    var imageName: String?

    @OptionGroup var selection: VersionSelectionOptions

    func validate() throws {
        if let olderThan, olderThan < 0 { throw ValidationError("--older-than must be 0 or more days.") }
    }
}

private let cleanDiscussion = """
    The repositories cleaned are <registry>/<image>/cache (cache-registry) or <registry>/<image>/tmp \
    (temp-registry) for each selected image; nothing else is touched. \
    On ghcr.io, GitHub's packages API is used with the token in GITHUB_TOKEN (BAKERY_GITHUB_API_URL replaces \
    https://api.github.com): package versions updated more than --older-than days ago, and with --untagged those \
    without tags, are deleted. \
    On any other registry the OCI distribution API is used (credentials as for ci publish): each tag's manifest is \
    dated by its org.opencontainers.image.created annotation or label, else its config's created time; manifests \
    older than --older-than days are deleted by digest (with every tag pointing at them), and so are the children \
    of a deleted index that no kept tag uses. That API cannot list untagged manifests: there --untagged only warns. \
    The registry must allow deletes. With neither --older-than nor --untagged nothing is removed. \
    Exit status: 0 done, 1 errors during cleanup or invalid input, 2 usage error, 130 interrupted.
    """

struct CleanCacheRegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache-registry",
        abstract: "Remove old build cache images from <registry>/<image>/cache.",
        discussion: cleanDiscussion)

    @Argument(help: ArgumentHelp("The cache registry, host[:port][/namespace] (e.g. ghcr.io/posit-dev).", valueName: "registry"))
    var registry: String

    @OptionGroup var options: GlobalOptions
    @OptionGroup var shared: CleanOptions

    @Flag(inversion: .prefixedNo, help: "Remove versions without tags (ghcr.io only; see the description above).")
    var untagged = true

    func run() throws {
        try CleanCommand.run(kind: .cache, registry: registry, options: options, shared: shared, untagged: untagged)
    }
}

struct CleanTempRegistryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "temp-registry",
        abstract: "Remove old temporary images from <registry>/<image>/tmp.",
        discussion: cleanDiscussion)

    @Argument(help: ArgumentHelp("The temporary registry, host[:port][/namespace] (e.g. ghcr.io/posit-dev).", valueName: "registry"))
    var registry: String

    @OptionGroup var options: GlobalOptions
    @OptionGroup var shared: CleanOptions

    @Flag(inversion: .prefixedNo, help: "Remove versions without tags (ghcr.io only; see the description above).")
    var untagged = false

    func run() throws {
        try CleanCommand.run(kind: .temp, registry: registry, options: options, shared: shared, untagged: untagged)
    }
}
