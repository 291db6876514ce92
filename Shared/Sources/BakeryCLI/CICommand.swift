// `bakery ci matrix`: the CI build matrix, optionally narrowed to what a change touched.
import ArgumentParser
import Bakery
import Foundation
import Logging

struct CICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ci",
        abstract: "Commands for CI pipelines.",
        subcommands: [CIMatrixCommand.self])
}

struct CIMatrixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matrix",
        abstract: "Print the CI matrix (one row per image version and platform) as one line of JSON.",
        discussion: """
        With --changed-files-from FILE (or - for stdin; paths relative to the project root) or \
        --base-ref REF (git diff against the merge base), only the versions a change affects are listed.
        """)

    enum Excluded: String, ExpressibleByArgument, CaseIterable { case version, dev, latest, platform }

    @OptionGroup var options: GlobalOptions

    @Argument(help: ArgumentHelp("Only images whose name matches this regular expression.", valueName: "image-name"))
    var imageName: String?

    @OptionGroup var selection: VersionSelectionOptions

    @Option(help: ArgumentHelp("Only versions matching this version or version prefix.", valueName: "version"))
    var imageVersion: String?

    // Unconditional: `--recent -1` is a value to reject, not an unknown option.
    @Option(parsing: .unconditional, help: ArgumentHelp("Only the N newest release versions of each image.", valueName: "n"))
    var recent: Int?

    @Option(help: ArgumentHelp("Leave a column out (repeatable).", valueName: "version|dev|latest|platform"))
    var exclude: [Excluded] = []

    @Option(help: ArgumentHelp("Only what changed since the merge base with REF (default: $BAKERY_BASE_REF).", valueName: "ref"))
    var baseRef: String?

    @Option(help: ArgumentHelp("Only what the listed files affect: one path per line, relative to the project root; - reads stdin.", valueName: "file"))
    var changedFilesFrom: String?

    func validate() throws {
        if let recent, recent < 1 { throw ValidationError("--recent must be at least 1.") }
    }

    func run() throws {
        let logger = options.makeLogger()
        var filter = TargetFilter()
        filter.imageName = imageName
        filter.imageVersion = imageVersion
        filter.recent = recent
        selection.apply(to: &filter, logger: logger)
        let run = try TargetRun.load(options, filter: filter, logger: logger)
        var targets = run.targets

        let base = baseRef ?? ProcessInfo.processInfo.environment["BAKERY_BASE_REF"].flatMap { $0.isEmpty ? nil : $0 }
        var change: ChangeSelection? = nil
        if let file = changedFilesFrom {
            if base != nil { logger.warning("--base-ref is ignored because --changed-files-from is set.") }
            let text: String
            if file == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                guard let data = FileManager.default.contents(atPath: file) else {
                    Console.stderr("❌ --changed-files-from: cannot read '\(file)' (give a file with one changed path per line, or - for stdin)")
                    throw ExitCode(1)
                }
                text = String(decoding: data, as: UTF8.self)
            }
            let paths = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            change = classify(paths, run.workspace, oldConfig: { _ in nil })
        } else if let base {
            change = try changeFromGit(base: base, run.workspace, logger: logger)
        }
        if let change {
            logger.info("Change-aware matrix: \(change.summary)")
            if let recent, let images = change.images {
                for (name, s) in images {
                    for v in s.versions where !targets.contains(where: { $0.image.name == name && $0.version.name == v }) {
                        if run.workspace.projects.contains(where: { $0.loaded.config.image(named: name)?.versions.contains { $0.name == v } == true }) {
                            logger.warning("Version '\(v)' in image '\(name)' was modified in this changeset but is excluded by --recent \(recent). It will not be built.")
                        }
                    }
                }
            }
            targets = targets.filter(change.keeps)
        }
        let rows = CIMatrix.rows(targets, exclude: Set(exclude.map { CIMatrix.Column(rawValue: $0.rawValue)! }))
        if let imageVersion, case .array(let items) = rows, items.isEmpty {
            logger.error("No matrix entries matched --image-version '\(imageVersion)'")
            throw ExitCode(1)
        }
        TargetRun.emit(rows, .compact)
    }

    /// Paths relative to the workspace root: with one project, relative to it; with several,
    /// each path under a product folder is classified for that project.
    private func classify(_ paths: [String], _ workspace: Workspace, oldConfig: (Workspace.Project) -> String?) -> ChangeSelection {
        if !workspace.isMultiProject, let project = workspace.projects.first {
            let diff = oldConfig(project).map { BakeryYAMLDiff.change(old: $0, new: (try? String(contentsOf: project.loaded.file, encoding: .utf8)) ?? "") }
            return ChangeSelection.classify(paths, config: project.loaded.config, bakeryYAMLChange: diff)
        }
        var selection = ChangeSelection.none
        var rootPaths: [String] = []
        var perProject: [String: [String]] = [:]
        for path in paths {
            if let p = workspace.projects.first(where: { path.hasPrefix($0.context + "/") }) {
                perProject[p.context, default: []].append(String(path.dropFirst(p.context.count + 1)))
            } else {
                rootPaths.append(path)
            }
        }
        // Paths outside every product folder: documentation and editor files are ignored, anything else rebuilds all.
        let rootOnly = ChangeSelection.classify(rootPaths, config: BakeryConfig.empty, bakeryYAMLChange: ChangeSelection.none)
        if rootOnly.images == nil { return .full }
        for project in workspace.projects {
            guard let ps = perProject[project.context] else { continue }
            let diff = oldConfig(project).map { BakeryYAMLDiff.change(old: $0, new: (try? String(contentsOf: project.loaded.file, encoding: .utf8)) ?? "") }
            let s = ChangeSelection.classify(ps, config: project.loaded.config, bakeryYAMLChange: diff)
            selection.merge(selection: s)
            if selection.images == nil { return .full }
        }
        return selection
    }

    private func changeFromGit(base: String, _ workspace: Workspace, logger: Logger) throws -> ChangeSelection? {
        let root = workspace.root.path
        let top = Git.run(["-C", root, "rev-parse", "--show-toplevel"])
        guard top.status == 0 else {
            Console.stderr("❌ --base-ref needs a git repository: \(top.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            throw ExitCode(1)
        }
        let repo = top.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // A ref, never an option: `--base-ref=--output=FILE` must not reach git as one.
        if base.hasPrefix("-") {
            Console.stderr("❌ --base-ref '\(base)' is not a git ref: refs cannot start with '-' (give a branch, tag or commit, e.g. origin/main)")
            throw ExitCode(1)
        }
        let verified = Git.run(["-C", repo, "rev-parse", "--verify", "--quiet", "--end-of-options", base + "^{commit}"])
        guard verified.status == 0 else {
            logger.warning("Could not diff against base-ref '\(base)' (it is not a commit in this repository); falling back to a full build.")
            return nil
        }
        let diff = Git.run(["-C", repo, "diff", "--name-only", "--merge-base", "--end-of-options", base, "HEAD"])
        guard diff.status == 0 else {
            logger.warning("Could not diff against base-ref '\(base)' (\(diff.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); falling back to a full build.")
            return nil
        }
        // Re-base repository paths onto the workspace root; paths outside it are dropped.
        let repoURL = URL(fileURLWithPath: repo).resolvingSymlinksInPath().path
        let rootURL = workspace.root.resolvingSymlinksInPath().path
        let prefix = rootURL == repoURL ? "" : String(rootURL.dropFirst(repoURL.count + 1)) + "/"
        let paths = diff.stdout.split(whereSeparator: \.isNewline).map(String.init).compactMap { p -> String? in
            prefix.isEmpty ? p : (p.hasPrefix(prefix) ? String(p.dropFirst(prefix.count)) : nil)
        }
        return classify(paths, workspace) { project in
            let rel = prefix + (project.context == "." ? "" : project.context + "/") + project.loaded.file.lastPathComponent
            guard paths.contains(where: { $0 == (project.context == "." ? "" : project.context + "/") + project.loaded.file.lastPathComponent }) else { return nil }
            let show = Git.run(["-C", repo, "show", "--end-of-options", "\(base):\(rel)"])
            guard show.status == 0 else {
                logger.warning("Could not read bakery.yaml at base-ref '\(base)' (\(show.stderr.trimmingCharacters(in: .whitespacesAndNewlines))); disabling semantic bakery.yaml diffing for this run.")
                return nil
            }
            return show.stdout
        }
    }
}

/// Runs git and captures its output.
enum Git {
    static func run(_ arguments: [String]) -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return (127, "", "git could not be run: \(error)") }
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
