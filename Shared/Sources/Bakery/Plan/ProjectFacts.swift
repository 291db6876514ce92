// Per-project facts the plan needs: repository metadata and the git revision.
import Foundation
import OrderedCollections

/// Per-project facts the plan needs: repository metadata and the git revision.
public struct ProjectFacts: Sendable {
    public var repository: Repository
    public var revision: String?
    public init(repository: Repository, revision: String?) {
        self.repository = repository
        self.revision = revision
    }
}
