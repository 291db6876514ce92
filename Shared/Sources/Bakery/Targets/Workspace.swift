// One project, or a workspace of product folders (the repository root) planned together.
import Foundation

/// The projects a command works on: the context's own bakery.yaml, or — at a workspace root
/// without one — every registered product whose folder holds a bakery.yaml (Connect/, PackageManager/,
/// Workbench/), in registration order. A product's folder is validated with the product's checks.
public struct Workspace: Sendable {
    public struct Project: Sendable {
        public var loaded: LoadedConfig
        /// Relative to the workspace root: "." for a single project, else the product's folder name.
        public var context: String
    }

    public var root: URL
    public var projects: [Project]
    public var isMultiProject: Bool { projects.count > 1 || projects.first?.context != "." }

    public static func load(context: URL, products: ProductRegistry, strict: Bool = false) throws(BakeryError) -> Workspace {
        let each = try loadEach(context: context, products: products, strict: strict)
        var projects: [Project] = []
        for result in each.projects { projects.append(try result.get()) }
        return Workspace(root: each.root, projects: projects)
    }

    /// Each project loaded on its own, in workspace order: a product folder that fails (invalid,
    /// unreadable, a link) does not hide the others, so `validate` can report every one of them.
    /// Throws only when there is no project at all (the usual "no bakery.yaml" error).
    public static func loadEach(context: URL, products: ProductRegistry, strict: Bool = false) throws(BakeryError)
        -> (root: URL, projects: [Result<Project, BakeryError>]) {
        let root = context.standardizedFileURL
        if try ConfigLoader.locate(context: root) != nil || !FileManager.default.fileExists(atPath: root.path) {
            let product = products.product(for: root)
            let loaded = try ConfigLoader.load(context: root, strict: strict, product: product)
            return (root, [.success(Project(loaded: loaded, context: "."))])
        }
        var projects: [Result<Project, BakeryError>] = []
        for product in products.products {
            let name = product.folderName
            let dir = root.appendingPathComponent(name, isDirectory: true)
            do throws(BakeryError) {
                switch ProjectDirectory.kind(at: AT_FDCWD, dir.path) {
                case .directory:
                    guard try ConfigLoader.locate(context: dir) != nil else { continue }
                    projects.append(.success(Project(loaded: try ConfigLoader.load(context: dir, strict: strict, product: product),
                                                     context: name)))
                case .symlink(let target):
                    guard try ConfigLoader.locate(context: dir) != nil else { continue }
                    // Commands write into product folders: one reached through a link could be anywhere.
                    throw BakeryError(.unsafePath, "the product folder '\(name)' of the workspace is a symbolic link to '\(target)'",
                                      hint: "a workspace's product folders must be real folders; replace the link, or run bakery with --context on the folder itself")
                default:
                    continue
                }
            } catch {
                projects.append(.failure(error))
            }
        }
        if projects.isEmpty {
            // The usual "no bakery.yaml" error, which names the folder and what to do, with a word
            // about a product folder spelled another way (`connect/` for `Connect/`).
            do {
                _ = try ConfigLoader.load(context: root, strict: strict)
            } catch {
                throw Self.withSpellingHint(error, root: root, products: products)
            }
        }
        return (root, projects)
    }

    /// `error` with a hint naming a folder at `root` that differs from a product folder only in case.
    static func withSpellingHint(_ error: BakeryError, root: URL, products: ProductRegistry) -> BakeryError {
        guard error.code == .configNotFound else { return error }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        for product in products.products {
            if let near = names.first(where: { $0 != product.folderName && $0.lowercased() == product.folderName.lowercased() }),
               (try? ConfigLoader.locate(context: root.appendingPathComponent(near))) != nil {
                var hinted = error
                hinted.hint = "the folder '\(near)' holds a bakery.yaml, but \(product.displayName)'s folder is spelled '\(product.folderName)': rename it, or pass --context \(near)"
                return hinted
            }
        }
        return error
    }

    public var targetProjects: [TargetProject] { projects.map { TargetProject(config: $0.loaded.config, context: $0.context) } }

    /// Repository metadata and git revision per project context.
    public func facts() -> [String: ProjectFacts] {
        var out: [String: ProjectFacts] = [:]
        for p in projects {
            out[p.context] = ProjectFacts(repository: p.loaded.config.repository, revision: GitRevision.head(of: directory(of: p)))
        }
        return out
    }

    public func project(context: String) -> Project? { projects.first { $0.context == context } }

    public func directory(of project: Project) -> URL {
        project.context == "." ? root : root.appendingPathComponent(project.context)
    }
}
