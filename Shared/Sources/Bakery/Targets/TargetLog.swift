// Messages produced while selecting targets, handed to the command to print.
import Foundation

/// Collects the INFO/WARNING/DEBUG messages of target selection, in order.
public final class TargetLog: @unchecked Sendable {
    public enum Level: String, Sendable { case debug, info, warning }
    public struct Entry: Sendable {
        public var level: Level
        public var message: String
    }

    private let lock = NSLock()
    private var storage: [Entry] = []

    public init() {}

    public var entries: [Entry] { lock.withLock { storage } }

    public func add(_ level: Level, _ message: String) { lock.withLock { storage.append(Entry(level: level, message: message)) } }
    public func debug(_ message: String) { add(.debug, message) }
    public func info(_ message: String) { add(.info, message) }
    public func warning(_ message: String) { add(.warning, message) }
}
