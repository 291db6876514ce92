// Log records as plain `LEVEL: message` lines on stderr (results go to stdout, logs never do).
import Foundation
import Logging

struct StderrLogHandler: LogHandler {
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        Console.stderr("\(event.level.rawValue.uppercased()): \(event.message)")
    }
}
