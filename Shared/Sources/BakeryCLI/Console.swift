// Writes whole lines to stdout/stderr.
import Foundation
import Logging

/// Writes whole lines to stdout/stderr.
enum Console {
    static func stdout(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func stderr(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
