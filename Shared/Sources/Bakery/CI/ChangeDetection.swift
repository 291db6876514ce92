// Which images a change touches: from a list of changed files, or from git history since a base ref.
import Foundation

/// Finds what a change touched in a workspace, for `ci matrix --changed-files-from` and `--base-ref`.
/// Paths are relative to the workspace root; with several products, each path under a product
/// folder is classified for that product.
public struct ChangeDetection: Sendable {
    /// What was found: the selection (nil: no narrowing, build everything) and the warnings to show.
    public struct Report: Sendable {
        public var selection: ChangeSelection?
        public var warnings: [String] = []
    }

    public var workspace: Workspace
    public var runner: CommandRunner

    public init(workspace: Workspace, runner: CommandRunner = CommandRunner()) {
        self.workspace = workspace
        self.runner = runner
    }

    /// The changed paths of a list: one per line, trimmed, blank lines dropped.
    public static func paths(inList text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The changed paths listed in `file` (a path, or `-` for standard input).
    public static func paths(listedIn file: String) throws(BakeryError) -> [String] {
        // Not RegularFile.read: `--changed-files-from <(git diff --name-only …)` is a pipe. Read in
        // chunks up to a limit, so `/dev/zero` or an endless pipe is refused instead of read forever.
        let handle: FileHandle
        if file == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let opened = FileHandle(forReadingAtPath: file) else {
                throw BakeryError(.fileSystem, "cannot read '\(file)'", hint: "give a file with one changed path per line, or - for stdin")
            }
            handle = opened
        }
        defer { if file != "-" { try? handle.close() } }
        var data = Data()
        while true {
            let chunk: Data
            do {
                guard let read = try handle.read(upToCount: 1 << 20), !read.isEmpty else { break }
                chunk = read
            } catch {
                throw BakeryError(.fileSystem, "cannot read '\(file)': \(error.localizedDescription)",
                                  hint: "give a file with one changed path per line, or - for stdin", cause: error)
            }
            data.append(chunk)
            if data.count > maxListBytes {
                throw BakeryError(.invalidArgument, "the changed-files list '\(file)' is larger than \(maxListBytes >> 20) MiB",
                                  hint: "give one changed path per line (a git diff --name-only list), not a device or an endless stream")
            }
        }
        return paths(inList: String(decoding: data, as: UTF8.self))
    }

    /// The most a changed-files list may hold (a diff of a whole monorepo is far below it).
    public static let maxListBytes = 64 << 20

    /// The selection for `paths`. A changed bakery.yaml rebuilds everything: without history there is no old text to compare.
    public func selection(forChangedPaths paths: [String]) -> ChangeSelection {
        classify(paths, oldConfig: { _ in nil })
    }

    /// What HEAD changed since its merge base with `base`. Fatal (thrown): the workspace is not in
    /// a git repository, `base` looks like an option, git is missing. Not fatal (a warning, and
    /// no narrowing): `base` is not a commit here, or git cannot diff against it.
    public func report(since base: String) async throws(BakeryError) -> Report {
        let repository: GitRepository
        do {
            repository = try await GitRepository.containing(workspace.root, runner: runner)
        } catch where error.code == .commandFailed {
            let said = (error.cause as? CommandFailure)?.standardErrorTail() ?? error.message
            throw BakeryError(.invalidArgument, "--base-ref needs a git repository: \(said)", cause: error)
        }
        if base.hasPrefix("-") {
            throw BakeryError(.invalidArgument, "--base-ref '\(base)' is not a git ref: refs cannot start with '-' (give a branch, tag or commit, e.g. origin/main)")
        }
        // The commit id from here on: an annotated tag (or FETCH_HEAD) names a commit, but
        // `git diff --merge-base` takes only commits, and the base cannot move between questions.
        guard let baseCommit = try await repository.commit(base) else {
            return Report(selection: nil, warnings: ["Could not diff against base-ref '\(base)' (it is not a commit in this repository); falling back to a full build."])
        }
        let changed: [String]
        do {
            changed = try await repository.changedFiles(since: baseCommit)
        } catch where error.code == .commandFailed {
            return Report(selection: nil, warnings: ["Could not diff against base-ref '\(base)' (\(Self.gitSaid(error))); falling back to a full build."])
        }
        // Re-base repository paths onto the workspace root; paths outside it are dropped.
        let repoPath = repository.root.resolvingSymlinksInPath().path
        let rootPath = workspace.root.resolvingSymlinksInPath().path
        let prefix = rootPath == repoPath ? "" : String(rootPath.dropFirst(repoPath.count + 1)) + "/"
        let paths = changed.compactMap { p -> String? in
            prefix.isEmpty ? p : (p.hasPrefix(prefix) ? String(p.dropFirst(prefix.count)) : nil)
        }
        // The old bakery.yaml of each project this change touched: its semantic diff narrows the rebuild.
        var warnings: [String] = []
        var oldConfigs: [String: String] = [:]
        for project in workspace.projects {
            let inWorkspace = (project.context == "." ? "" : project.context + "/") + project.loaded.file.lastPathComponent
            guard paths.contains(inWorkspace) else { continue }
            do throws(BakeryError) {
                oldConfigs[project.context] = try await repository.file(prefix + inWorkspace, at: baseCommit)
            } catch {
                warnings.append("Could not read bakery.yaml at base-ref '\(base)' (\(Self.gitSaid(error))); disabling semantic bakery.yaml diffing for this run.")
            }
        }
        return Report(selection: classify(paths) { oldConfigs[$0.context] }, warnings: warnings)
    }

    /// What git said about a failure (its stderr), else the error's message.
    static func gitSaid(_ error: BakeryError) -> String {
        (error.cause as? CommandFailure)?.standardErrorTail() ?? error.message
    }

    private func classify(_ paths: [String], oldConfig: (Workspace.Project) -> String?) -> ChangeSelection {
        func yamlChange(_ project: Workspace.Project) -> ChangeSelection? {
            oldConfig(project).map { BakeryYAMLDiff.change(old: $0, new: (try? String(contentsOf: project.loaded.file, encoding: .utf8)) ?? "") }
        }
        if !workspace.isMultiProject, let project = workspace.projects.first {
            return ChangeSelection.classify(paths, config: project.loaded.config, bakeryYAMLChange: yamlChange(project))
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
            selection.merge(selection: ChangeSelection.classify(ps, config: project.loaded.config, bakeryYAMLChange: yamlChange(project)))
            if selection.images == nil { return .full }
        }
        return selection
    }
}
