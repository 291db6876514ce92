// The folders development versions are rendered into for one run (`<image>/.dev-<version>`), written before the
// targets are built, tested or linted and removed afterwards.
import Foundation

/// The `.dev-*` folders of the ephemeral versions among some targets.
///
///     let folders = try EphemeralVersionFolders.render(targets, workspace: root, log: log)   // writes connect/.dev-2026.05.0-dev+185-g1a2b3c4/…
///     defer { folders.remove(log: log) }                                      // unless --no-clean
///
/// Each folder is written as one project transaction (all files or none, never outside the project, a folder left
/// by an earlier `--no-clean` run replaced), so an interrupted render leaves nothing half-written.
public struct EphemeralVersionFolders: Sendable {
    /// Every folder written: the project root and the folder relative to it.
    public let folders: [(root: URL, path: String)]

    public init(folders: [(root: URL, path: String)]) { self.folders = folders }

    /// Renders the image templates of every ephemeral version among `targets`, once per (project, image, version);
    /// `workspace` is the folder the targets' contexts are relative to.
    public static func render(_ targets: [ImageTarget], workspace: URL, log: TargetLog) throws(BakeryError) -> EphemeralVersionFolders {
        var written: [(root: URL, path: String)] = []
        var seen = Set<String>()
        do {
            for target in targets where target.version.isEphemeral {
                let root = target.projectFolder(in: workspace).standardizedFileURL
                let path = "\(target.image.subpath)/\(target.version.subpath)"
                guard seen.insert(root.path + "\u{0}" + path).inserted else { continue }
                let files = try VersionRendering.render(image: target.image, version: target.version, matrix: false, root: root,
                                                        destination: path, log: log)
                var change = ProjectTransaction(root: root)
                change.own(path)
                if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path) { change.remove(path) }
                change.write(files)
                try change.commit(log: log)
                written.append((root, path))
                log.info("Rendered development version \(target.image.name)/\(target.version.name) into \(path)")
            }
        } catch {
            EphemeralVersionFolders(folders: written).remove(log: log)
            throw error
        }
        return EphemeralVersionFolders(folders: written)
    }

    /// Removes the folders (each as a transaction of its own); a folder that cannot be removed is reported.
    public func remove(log: TargetLog) {
        for (root, path) in folders {
            var change = ProjectTransaction(root: root)
            change.own(path)
            change.remove(path)
            do {
                try change.commit(log: log)
                log.debug("Removed the development version folder \(path)")
            } catch {
                log.warning("Could not remove the development version folder \(path): \(error.message)")
            }
        }
    }
}
