// A key and a value in their source order (matrix row values, build args).
import Foundation

/// A key and a value in their source order (matrix row values, build args).
public struct KeyValue: Sendable, Hashable {
    public var key: String
    public var value: String
    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}
