// Messages the domain produces while it works (skipped versions, warnings about links, lock recovery).
import Foundation
import Logging

/// Collects the INFO/WARNING/DEBUG messages of a run, in order, and forwards each one at once to a
/// swift-log `Logger` when it is given one (the CLI's, so messages appear live at the chosen level).
/// The recorded `entries` let a library caller or a test read them back.
///
///     let log = TargetLog(forwardingTo: logger)
///     log.warning("Skipping connect development version …")   // printed now, and recorded
public final class TargetLog: @unchecked Sendable {
    public enum Level: String, Sendable { case debug, info, warning }
    public struct Entry: Sendable {
        public var level: Level
        public var message: String
    }

    private let lock = NSLock()
    private var storage: [Entry] = []
    private let logger: Logger?

    public init(forwardingTo logger: Logger? = nil) {
        self.logger = logger
    }

    public var entries: [Entry] { lock.withLock { storage } }

    public func add(_ level: Level, _ message: String) {
        lock.withLock { storage.append(Entry(level: level, message: message)) }
        switch level {
        case .debug: logger?.debug("\(message)")
        case .info: logger?.info("\(message)")
        case .warning: logger?.warning("\(message)")
        }
    }
    public func debug(_ message: String) { add(.debug, message) }
    public func info(_ message: String) { add(.info, message) }
    public func warning(_ message: String) { add(.warning, message) }
}
