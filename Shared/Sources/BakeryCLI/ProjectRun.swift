// Runs a project change: computes it, reports problems, commits it, prints the outcome.
import ArgumentParser
import Bakery
import Foundation
import Logging

/// Runs a project change: computes it, reports problems, commits it, prints the outcome.
enum ProjectRun {
    static func run(_ global: GlobalOptions, success: String, failure: String,
                    _ make: (URL, TargetLog) throws -> ProjectTransaction) throws {
        let logger = global.makeLogger()
        let log = TargetLog(forwardingTo: logger)
        let root = global.contextURL.standardizedFileURL
        do {
            // Held from reading bakery.yaml to writing it, so concurrent commands do not lose changes.
            let lock = try ProjectLock(root: root, log: log)
            defer { lock.release() }
            let transaction = try make(root, log)
            try transaction.commit(holdingLock: true, log: log)
            Console.stderr(success)
        } catch {
            DiagnosticReporter.fail(error, logger: logger)
            Console.stderr(failure)
            let code = BakeryError.from(error).code
            throw ExitCode(code == .interrupted ? 128 + (Interruption.received ?? 2) : 1)
        }
    }

    /// The project's changes; a registered product's folder is judged by that product's rules too.
    static func changes(at root: URL, log: TargetLog) throws(BakeryError) -> ProjectChanges {
        try ProjectChanges(root: root, log: log, product: RegisteredProducts.registry.product(for: root))
    }

    static func pairs(_ values: [String]) throws -> [KeyValue] {
        var out: [KeyValue] = []
        var bad = false
        for v in values {
            // Split at the first '=' code point: '=' followed by a combining mark is one Character.
            let scalars = v.unicodeScalars
            guard let eq = scalars.firstIndex(of: "="), eq != scalars.startIndex else {
                Console.stderr("ERROR: Invalid key=value pair: \(v)")
                bad = true
                continue
            }
            out.append(KeyValue(String(scalars[..<eq]), String(scalars[scalars.index(after: eq)...])))
        }
        if bad {
            Console.stderr("❌ Errors parsing key=value pairs")
            throw ExitCode(1)
        }
        return out
    }
}
