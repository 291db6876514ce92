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

/// Writes whole lines to stdout/stderr.
enum Console {
    static func stdout(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
