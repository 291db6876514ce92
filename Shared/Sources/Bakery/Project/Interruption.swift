// Signals that arrive while a change is applied are held until a step boundary.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Signals that arrive while a change is applied are held until a step boundary.
public enum Interruption {
    nonisolated(unsafe) private static var pending: Int32 = 0
    nonisolated(unsafe) private static var depth = 0
    private static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// The signal that arrived since `begin`, if any.
    public static var received: Int32? { pending == 0 ? nil : pending }

    static func begin() {
        depth += 1
        guard depth == 1 else { return }
        pending = 0
        for s in signals { signal(s) { Interruption.pending = $0 } }
    }

    static func end() {
        depth -= 1
        guard depth == 0 else { return }
        for s in signals { signal(s, SIG_DFL) }
    }

    /// Throws at a step boundary once a signal has arrived, so the change is rolled back.
    static func check() throws(BakeryError) {
        if pending != 0 {
            throw BakeryError(.interrupted, "interrupted by signal \(pending); the change was rolled back and the project is as it was",
                              hint: "run the command again to make the change")
        }
    }
}
