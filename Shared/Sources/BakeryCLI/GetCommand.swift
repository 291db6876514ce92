// `bakery get tags` and `bakery get version` (`get versions` is in GetVersionsCommand.swift).
import ArgumentParser
import Bakery
import Foundation

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print facts about the project: tags, latest version.",
        subcommands: [GetTagsCommand.self, GetVersionCommand.self, GetVersionsCommand.self])
}

struct GetTagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tags",
        abstract: "Print the tags of the selected targets as JSON.",
        discussion: "--output component nests image → version → variant → OS; --output uid maps each target UID to its tags.")

    enum Output: String, ExpressibleByArgument, CaseIterable { case component, uid }

    @OptionGroup var options: GlobalOptions
    @OptionGroup var filters: ImageFilterOptions
    @OptionGroup var selection: VersionSelectionOptions

    @Flag(help: "Only the versions marked latest: true.")
    var latest = false

    @Option(help: ArgumentHelp("component or uid.", valueName: "component|uid"))
    var output: Output = .component

    func run() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filters.apply(to: &filter)
        filter.latest = latest
        selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)
        let tagger = Tagger()
        let ordered = run.targets.sortedForOutput()
        do {
            let json = output == .uid ? try JSONValueEncoder().encode(TagsByUID.make(ordered, tagger: tagger)) : try JSONValueEncoder().encode(TagTree.byComponent(ordered, tagger: tagger))
            TargetRun.emit(json, .pretty)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
    }
}

struct GetVersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Print an image's latest version, or the version in a subpath.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("The image name.", valueName: "image"))
    var image: String

    @Option(help: ArgumentHelp("Print the version whose subpath is this instead of the latest one.", valueName: "subpath"))
    var subpath: String?

    func run() throws {
        let logger = options.makeLogger()
        let workspace = try TargetRun.loadWorkspace(options, logger: logger)
        guard let found = workspace.projects.lazy.compactMap({ $0.loaded.config.image(named: self.image) }).first else {
            let known = workspace.projects.flatMap { $0.loaded.config.images.map(\.name) }
            DiagnosticReporter.fail(BakeryError(.notFound, "Image '\(image)' does not exist in the config.",
                                                hint: known.isEmpty ? "the config defines no images" : "images: " + known.joined(separator: ", ")),
                                    logger: logger)
            throw ExitCode(1)
        }
        if let subpath {
            // Folders are compared normalised, as validate stores them ('2025.12/' is '2025.12').
            let wanted = FolderPath.parse(subpath).folder?.description ?? subpath
            guard let v = found.versions.first(where: { $0.subpath == wanted }) else {
                DiagnosticReporter.fail(BakeryError(.notFound, "No version found with subpath '\(subpath)' for image '\(image)'.",
                                                    location: found.location,
                                                    hint: "its versions' subpaths: " + found.versions.map(\.subpath).joined(separator: ", ")),
                                        logger: logger)
                throw ExitCode(1)
            }
            Console.stdout(v.name)
        } else {
            guard let v = found.versions.first(where: \.latest) else {
                DiagnosticReporter.fail(BakeryError(.notFound, "No latest version found for image '\(image)'.", location: found.location,
                                                    hint: "mark one of its versions with latest: true"),
                                        logger: logger)
                throw ExitCode(1)
            }
            Console.stdout(v.name)
        }
    }
}
