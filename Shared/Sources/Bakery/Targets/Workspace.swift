// One project, or a workspace of product folders (the repository root) planned together.
import Foundation

/// The projects a command works on: the context's own bakery.yaml, or — at a workspace root
/// without one — every direct subfolder that has a bakery.yaml (Connect/, PackageManager/, …).
public struct Workspace: Sendable {
    public struct Project: Sendable {
        public var loaded: LoadedConfig
        /// Relative to the workspace root: "." for a single project, else the folder name.
        public var context: String
    }

    public var root: URL
    public var projects: [Project]
    public var isMultiProject: Bool { projects.count > 1 || projects.first?.context != "." }

    public static func load(context: URL, strict: Bool = false) throws(BakeryError) -> Workspace {
        let root = context.standardizedFileURL
        if try ConfigLoader.locate(context: root) != nil || !FileManager.default.fileExists(atPath: root.path) {
            return Workspace(root: root, projects: [Project(loaded: try ConfigLoader.load(context: root, strict: strict), context: ".")])
        }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted()
        var projects: [Project] = []
        for name in entries where !name.hasPrefix(".") {
            let dir = root.appendingPathComponent(name)
            if case .symlink(let target) = ProjectDirectory.kind(at: AT_FDCWD, dir.path), try ConfigLoader.locate(context: dir) != nil {
                // Commands write into product folders: one reached through a link could be anywhere.
                throw BakeryError(.unsafePath, "the product folder '\(name)' of the workspace is a symbolic link to '\(target)'",
                                  hint: "a workspace's product folders must be real folders; replace the link, or run bakery with --context on the folder itself")
            }
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDir), isDir.boolValue,
                  try ConfigLoader.locate(context: dir) != nil else { continue }
            projects.append(Project(loaded: try ConfigLoader.load(context: dir, strict: strict), context: name))
        }
        if projects.isEmpty {
            // The usual "no bakery.yaml" error, which names the folder and what to do.
            _ = try ConfigLoader.load(context: root, strict: strict)
        }
        return Workspace(root: root, projects: projects)
    }

    public var targetProjects: [TargetProject] { projects.map { TargetProject(config: $0.loaded.config, context: $0.context) } }

    /// Repository metadata and git revision per project context.
    public func facts() -> [String: ProjectFacts] {
        var out: [String: ProjectFacts] = [:]
        var revisions: [String: String?] = [:]
        for p in projects {
            let dir = directory(of: p)
            let key = dir.path
            let revision: String?
            if let known = revisions[key] {
                revision = known
            } else {
                revision = GitRevision.head(of: dir)
                revisions[key] = .some(revision)
            }
            out[p.context] = ProjectFacts(repository: p.loaded.config.repository, revision: revision)
        }
        return out
    }

    public func project(context: String) -> Project? { projects.first { $0.context == context } }

    public func directory(of project: Project) -> URL {
        project.context == "." ? root : root.appendingPathComponent(project.context)
    }
}
