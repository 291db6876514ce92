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

/// `--dev-versions`, `--dev-channel`, `--matrix-versions`.
struct VersionSelectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Development versions: include, exclude or only.", valueName: "include|exclude|only"))
    var devVersions: VersionInclusion = .exclude

    @Option(help: ArgumentHelp("Only development versions of this release channel.", valueName: "release|preview|daily"))
    var devChannel: ReleaseChannel?

    @Option(name: .customLong("dev-stream"), help: .hidden)
    var devStream: ReleaseChannel?

    @Option(help: ArgumentHelp("Matrix versions: include, exclude or only.", valueName: "include|exclude|only"))
    var matrixVersions: VersionInclusion = .exclude

    func apply(to filter: inout TargetFilter, logger: Logger) {
        filter.devVersions = devVersions
        filter.matrixVersions = matrixVersions
        if devStream != nil {
            logger.warning("--dev-stream is deprecated, use --dev-channel instead.")
        }
        filter.devChannel = devChannel ?? devStream
    }
}

/// Loads the workspace, selects targets and reports what happened, the same way for every command.
struct TargetRun {
    let workspace: Workspace
    let targets: [ImageTarget]

    static func load(_ global: GlobalOptions, filter: TargetFilter, logger: Logger) throws -> TargetRun {
        let workspace: Workspace
        do {
            let root = global.contextURL
            workspace = try Workspace.load(context: root, products: RegisteredProducts.registry)
            for p in workspace.projects {
                logger.info("Loading Bakery config from \(p.loaded.file.path)")
                DiagnosticReporter.report(p.loaded.diagnostics, logger: logger)
            }
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let log = TargetLog(forwardingTo: logger)
        let selector = TargetSelector(filter: filter, log: log)
        selector.settingWarnings()
        let targets: [ImageTarget]
        do {
            targets = try selector.select(workspace.targetProjects)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        return TargetRun(workspace: workspace, targets: targets)
    }

    /// Loads the project (or workspace) and prints its diagnostics; a failure is printed and exits 1.
    static func loadWorkspace(_ global: GlobalOptions, logger: Logger) throws -> Workspace {
        do {
            let workspace = try Workspace.load(context: global.contextURL, products: RegisteredProducts.registry)
            for p in workspace.projects { DiagnosticReporter.report(p.loaded.diagnostics, logger: logger) }
            return workspace
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
    }

    /// Prints JSON on stdout with a final newline.
    static func emit(_ json: JSONValue, _ style: JSONValue.Style) {
        FileHandle.standardOutput.write(Data((json.text(style) + "\n").utf8))
    }

    /// Prints a typed output (plan, tag listing) as JSON on stdout, keys in its encoding order.
    static func emit(_ value: some Encodable, _ style: JSONValue.Style) throws {
        emit(try JSONValueEncoder().encode(value), style)
    }
}
