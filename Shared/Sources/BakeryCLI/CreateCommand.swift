// `bakery create project|image|version|matrix`: add to a project, all or nothing.
import ArgumentParser
import Bakery
import Foundation
import Logging

struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a project, an image or a version.",
        subcommands: [CreateProjectCommand.self, CreateImageCommand.self, CreateVersionCommand.self, CreateMatrixCommand.self],
        aliases: ["c", "new"])
}

struct CreateProjectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "project", abstract: "Write a new bakery.yaml in the context folder.")
    @OptionGroup var options: GlobalOptions

    func run() throws {
        try ProjectRun.run(options, success: "✅ Project initialized in '\(options.contextURL.standardizedFileURL.path)'",
                           failure: "❌ Failed to initialize project") { root, log in
            try ProjectChanges.createProject(at: root, log: log)
        }
    }
}

struct CreateImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "image", abstract: "Add an image: its template folder and its bakery.yaml entry.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: ArgumentHelp("The image name.", valueName: "name")) var name: String
    @Option(help: ArgumentHelp("The base image of the Containerfile template.", valueName: "image")) var baseImage = "docker.io/library/ubuntu:22.04"
    @Option(help: ArgumentHelp("The image folder (default: derived from the name).", valueName: "path")) var subpath: String?
    @Option(help: ArgumentHelp("The display name.", valueName: "text")) var displayName: String?
    @Option(help: ArgumentHelp("The description.", valueName: "text")) var description: String?
    @Option(help: ArgumentHelp("The documentation URL.", valueName: "url")) var documentationUrl: String?

    func run() throws {
        try ProjectRun.run(options, success: "✅ Successfully created image '\(name)'", failure: "❌ Failed to create image '\(name)'") { root, log in
            var new = ProjectChanges.NewImage(name: name)
            new.baseImage = baseImage
            new.subpath = subpath
            new.displayName = displayName
            new.description = description
            new.documentationURL = documentationUrl
            return try ProjectRun.changes(at: root, log: log).createImage(new)
        }
    }
}

struct CreateVersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Add a version: render the image's templates into its folder and record it in bakery.yaml.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: ArgumentHelp("The image name.", valueName: "image")) var image: String
    @Argument(help: ArgumentHelp("The version name.", valueName: "version")) var version: String
    @Option(help: ArgumentHelp("The version folder (default: derived from the version).", valueName: "path")) var subpath: String?
    @Option(help: ArgumentHelp("A template value (repeatable).", valueName: "key=value")) var value: [String] = []
    @Flag(inversion: .prefixedNo, help: "Mark the new version as the latest (and no other).") var markLatest = true
    @Flag(help: "Overwrite an existing version.") var force = false
    @Option(help: ArgumentHelp("Print (stdout) a Markdown block of how the new folder differs from this version's.", valueName: "version"))
    var diffAgainst: String?

    func run() throws {
        let values = try ProjectRun.pairs(value)
        final class Box: @unchecked Sendable { var diff: String? }
        let box = Box()
        let resolver: any VersionResolver
        do { resolver = try VersionSources.resolver(logger: options.makeLogger()) } catch {
            DiagnosticReporter.fail(error, logger: options.makeLogger())
            throw ExitCode(1)
        }
        try ProjectRun.run(options, success: "✅ Successfully created version '\(image)/\(version)'",
                           failure: "❌ Failed to create version '\(image)/\(version)'") { root, log in
            var new = ProjectChanges.NewVersion(image: image, name: version)
            new.subpath = subpath
            new.values = values
            new.markLatest = markLatest
            new.force = force
            new.diffAgainst = diffAgainst
            var changes = try ProjectRun.changes(at: root, log: log)
            let t = try changes.createVersion(new, resolver: resolver)
            box.diff = changes.editionDiff
            return t
        }
        if let diff = box.diff { Console.stdout(diff) }
    }
}

struct CreateMatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Give an image a matrix: versions from combinations of dependency versions and values.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: ArgumentHelp("The image name.", valueName: "image")) var image: String
    @Option(help: ArgumentHelp("How matrix versions are named (Jinja), e.g. R{{ Dependencies.R }}.", valueName: "pattern")) var namePattern: String?
    @Option(help: ArgumentHelp("The matrix folder (default: matrix).", valueName: "path")) var subpath: String?
    @Option(help: ArgumentHelp("A constraint, as JSON: {\"dependency\": \"R\", \"constraint\": {\"latest\": true, \"count\": 2}} (repeatable).", valueName: "json"))
    var dependencyConstraint: [String] = []
    @Option(help: ArgumentHelp("Pinned versions, as JSON: {\"dependency\": \"R\", \"versions\": [\"4.5.2\", \"4.4.3\"]} (repeatable).", valueName: "json"))
    var dependency: [String] = []
    @Option(help: ArgumentHelp("A value axis (repeatable).", valueName: "key=value")) var value: [String] = []
    @Flag(help: "Replace an existing matrix.") var force = false

    func run() throws {
        var new = ProjectChanges.NewMatrix(image: image)
        new.values = try ProjectRun.pairs(value)
        new.namePattern = namePattern
        new.subpath = subpath
        new.force = force
        do {
            new.constraints = try dependencyConstraint.map(ProjectChanges.constraintEntry)
        } catch {
            Console.stderr("ERROR: \(error)")
            Console.stderr("❌ Errors parsing dependency constraints")
            throw ExitCode(1)
        }
        do {
            new.dependencies = try dependency.map(ProjectChanges.dependencyEntry)
        } catch {
            Console.stderr("ERROR: \(error)")
            Console.stderr("❌ Errors parsing dependency versions")
            throw ExitCode(1)
        }
        let matrix = new
        try ProjectRun.run(options, success: "✅ Successfully created matrix for image '\(image)'\nBe sure to update templates and the supported OS list in bakery.yaml as needed.",
                           failure: "❌ Failed to create matrix for image '\(image)'") { root, log in
            try ProjectRun.changes(at: root, log: log).createMatrix(matrix)
        }
    }
}
