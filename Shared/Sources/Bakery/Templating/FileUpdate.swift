// `bakery update files`: the templates of existing versions (and matrix folders) rendered again into their folders.
import Foundation

/// Which versions to re-render, and the render itself, all or nothing.
///
///     let update = FileUpdate(imageName: try RegexSafety.compile("^connect$", what: "--image-name"))
///     let transactions = try update.transactions(for: workspace, log: log) { print($0) }
///     for t in transactions { try t.commit(holdingLock: true, log: log) }
public struct FileUpdate {
    /// Only images whose name this matches (anywhere in the name, as Python's `re.search`).
    public var imageName: NSRegularExpression?
    /// Only versions equal to, or starting with, this version.
    public var imageVersion: String?
    /// Only templates whose path below template/ starts with a match of one of these.
    public var templatePatterns: [NSRegularExpression]

    public init(imageName: NSRegularExpression? = nil, imageVersion: String? = nil, templatePatterns: [NSRegularExpression] = []) {
        self.imageName = imageName
        self.imageVersion = imageVersion
        self.templatePatterns = templatePatterns
    }

    /// One transaction per project holding every rendered file of the selected versions and matrix
    /// folders. Every template is rendered before anything is written: failures of all versions are
    /// thrown together as one `.templateFailed` error. `progress` hears which folder is being rendered.
    public func transactions(for workspace: Workspace, log: TargetLog, progress: (String) -> Void) throws(BakeryError) -> [ProjectTransaction] {
        var failures: [RenderFailure] = []
        var transactions: [ProjectTransaction] = []
        for project in workspace.projects {
            let root = workspace.directory(of: project)
            var transaction = ProjectTransaction(root: root)
            for image in project.loaded.config.images where selects(image) {
                var folders: [(label: String, version: ImageVersion?, subpath: String)] = []
                for version in image.versions {
                    if let v = imageVersion, !ParsedVersion.matches(filter: v, version: version.name) { continue }
                    folders.append(("version '\(version.name)'", version, version.subpath))
                }
                if let matrix = image.matrix { folders.append(("matrix", nil, matrix.subpath)) }
                for folder in folders {
                    progress("Rendering templates for image '\(image.name)' \(folder.label)")
                    let destination = image.subpath + "/" + folder.subpath
                    transaction.own(destination)
                    let result = try VersionRendering.renderCollecting(image: image, version: folder.version, matrix: folder.version == nil,
                                                                       root: root, destination: destination, patterns: templatePatterns, log: log)
                    transaction.write(result.files)
                    failures += result.failures.map { Self.fromWorkspaceRoot($0, context: project.context) }
                }
            }
            transactions.append(transaction)
        }
        if !failures.isEmpty { throw .templatesFailed(failures) }
        return transactions
    }

    /// A failure with its paths as seen from the workspace root (`Connect/connect/template/…`) when
    /// the project is a product folder of a workspace, so the user can open them from where they ran.
    private static func fromWorkspaceRoot(_ failure: RenderFailure, context: String) -> RenderFailure {
        guard context != "." else { return failure }
        var f = failure
        f.template = context + "/" + f.template
        f.destination = context + "/" + f.destination
        return f
    }

    private func selects(_ image: Image) -> Bool {
        guard let imageName else { return true }
        return RegexWatchdog.run(imageName.pattern, what: "--image-name") {
            imageName.firstMatch(in: image.name, range: NSRange(image.name.startIndex..., in: image.name))
        } != nil
    }
}
