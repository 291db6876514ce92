// The commit a project is at (the revision label of its images).
import Foundation

/// The HEAD commit of a project's repository; `GitRepository.headRevision(of:)` under the name the
/// planning code has always used.
public enum GitRevision {
    /// The HEAD commit of the repository containing `directory`, or nil outside a repository.
    public static func head(of directory: URL) -> String? {
        GitRepository.headRevision(of: directory)
    }
}
