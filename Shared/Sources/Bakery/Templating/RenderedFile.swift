// One file a rendering produces, before anything is written.
import Foundation
import Jinja

/// One file a rendering produces, before anything is written.
public struct RenderedFile: Sendable {
    /// Relative to the project root.
    public var path: String
    public var contents: Data
    public var permissions: Int?
}
