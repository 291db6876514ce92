// Loads the workspace, selects targets and reports what happened, the same way for every command.
import ArgumentParser
import Bakery
import Foundation
import Logging

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
        let resolver: any VersionResolver
        do {
            if filter.devVersions != .exclude { _ = try DevelopmentSpec.effectiveChannel(spec: filter.devSpec, devChannel: filter.devChannel) }
            resolver = try VersionSources.resolver(logger: logger, spec: filter.devSpec, devChannel: filter.devChannel)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
        let selector = TargetSelector(filter: filter, resolver: resolver, log: log)
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

    /// Renders the `.dev-*` folders of the development versions among the targets (build, dgoss and hadolint need
    /// their Containerfiles and tests on disk); a failure is printed and exits 1 with nothing left behind.
    func renderEphemeralFolders(logger: Logger) throws -> EphemeralVersionFolders {
        do {
            return try EphemeralVersionFolders.render(targets, workspace: workspace.root, log: TargetLog(forwardingTo: logger))
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            throw ExitCode(1)
        }
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
