// Log records as plain `LEVEL: message` lines on stderr (results go to stdout, logs never do).
import Foundation
import Logging

struct StderrLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    /// Where lines go instead of stderr (a live display that keeps its status lines below them).
    var sink: (@Sendable (String) -> Void)?

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let line = "\(event.level.rawValue.uppercased()): \(event.message)"
        if let sink { sink(line) } else { Console.stderr(line) }
    }
}
