// The commit a project is at (the revision label of its images).
import Foundation

/// The HEAD commit of a project's repository, for synchronous planning code: read from `.git`'s
/// files, else `GitRepository.headRevision(of:)` waited for (see `Blocking`).
public enum GitRevision {
    /// The HEAD commit of the repository containing `directory`, or nil outside a repository.
    public static func head(of directory: URL) -> String? {
        guard let git = GitDirectory.locate(from: directory) else { return nil }
        if let fromFiles = GitDirectory.head(of: git) { return fromFiles }
        return try? Blocking.wait { () async throws(BakeryError) -> String? in await GitRepository.headRevision(of: directory) }
    }
}
