// `bakery update files` re-renders existing versions; `bakery update version` renames one in place.
import ArgumentParser
import Bakery
import Foundation

struct UpdateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Update project files.",
        subcommands: [UpdateFilesCommand.self, UpdateVersionCommand.self],
        aliases: ["up", "u"])
}

struct UpdateFilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "Re-render image templates into existing version and matrix folders.",
        discussion: """
        Renders every matching image's templates into each matching version's folder (and its matrix \
        folder), overwriting files; nothing is deleted and bakery.yaml is not changed. All files are \
        rendered before any is written: if a template fails, nothing changes.
        """)

    @OptionGroup var options: GlobalOptions

    @Option(help: ArgumentHelp("Only images whose name matches this regular expression.", valueName: "regex"))
    var imageName: String?

    @Option(help: ArgumentHelp("Only versions matching this version or version prefix.", valueName: "version"))
    var imageVersion: String?

    @Option(help: ArgumentHelp("Only templates whose path below template/ starts with a match of this regular expression (repeatable).", valueName: "regex"))
    var templatePattern: [String] = []

    @Flag(help: "Render every image and version.")
    var all = false

    func run() throws {
        let logger = options.makeLogger()
        guard imageName != nil || imageVersion != nil || all else {
            Console.stderr("❌ No scope specified. Pass --image-name and/or --image-version to scope the render, or --all to intentionally render every image and version.")
            throw ExitCode(1)
        }
        // Every project is locked before it is read (taking a lock repairs an interrupted change),
        // so nothing another bakery run changes can slip between this render and its commit.
        let commitLog = TargetLog(forwardingTo: logger)
        var locks: [ProjectLock] = []
        defer { locks.forEach { $0.release() } }
        let workspace: Workspace
        do {
            let found = try Workspace.load(context: options.contextURL, products: RegisteredProducts.registry)
            for project in found.projects { locks.append(try ProjectLock(root: found.directory(of: project), log: commitLog)) }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        workspace = try TargetRun.loadWorkspace(options, logger: logger)
        var patterns: [NSRegularExpression] = []
        for p in templatePattern {
            do { patterns.append(try RegexSafety.compile(p, what: "--template-pattern")) } catch {
                DiagnosticReporter.fail(error, logger: logger)
                throw ExitCode(1)
            }
        }
        let namePattern: NSRegularExpression?
        if let imageName {
            do { namePattern = try RegexSafety.compile(imageName, what: "--image-name") } catch {
                DiagnosticReporter.fail(error, logger: logger)
                throw ExitCode(1)
            }
        } else {
            namePattern = nil
        }
        let log = TargetLog(forwardingTo: logger)
        let transactions: [ProjectTransaction]
        do {
            let update = FileUpdate(imageName: namePattern, imageVersion: imageVersion, templatePatterns: patterns)
            transactions = try update.transactions(for: workspace, log: log) { logger.info("\($0)") }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            Console.stderr("❌ Update failed")
            throw ExitCode(1)
        }
        do {
            for t in transactions { try t.commit(holdingLock: true, log: commitLog) }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            Console.stderr("❌ Update failed")
            throw ExitCode(error.code == .interrupted ? 128 + (Interruption.received ?? 2) : 1)
        }
        Console.stderr("✅ Files updated successfully")
    }
}

struct UpdateVersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "version",
        abstract: "Patch a version: rename it (e.g. to a new patch release), re-render its files.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: ArgumentHelp("The image name.", valueName: "image")) var image: String
    @Argument(help: ArgumentHelp("The new version name.", valueName: "new-version")) var newVersion: String
    @Option(help: ArgumentHelp("The version to patch (default: the latest).", valueName: "version")) var targetVersion: String?
    @Option(help: ArgumentHelp("A template value to set (repeatable).", valueName: "key=value")) var value: [String] = []
    @Flag(inversion: .prefixedNo, help: "Delete the old folder's files before rendering (else move them).") var clean = true

    func run() throws {
        let values = try ProjectRun.pairs(value)
        let target = targetVersion
        try ProjectRun.run(options, success: "✅ Successfully updated '\(image)' to '\(newVersion)'",
                           failure: "❌ Failed to update version for '\(image)' to '\(newVersion)'") { root, log in
            try ProjectRun.changes(at: root, log: log).updateVersion(image: image, to: newVersion, target: target, values: values, clean: clean)
        }
    }
}
