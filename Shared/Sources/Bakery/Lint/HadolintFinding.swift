// One rule violation hadolint reported.
import Foundation

/// One rule violation hadolint reported.
public struct HadolintFinding: Sendable, Hashable {
    /// hadolint's severities, most severe first.
    public enum Level: String, Sendable, Hashable, CaseIterable {
        case error, warning, info, style

        /// The SARIF level: error → error, warning → warning, info and style → note.
        public var sarifLevel: String {
            switch self {
            case .error: "error"
            case .warning: "warning"
            case .info, .style: "note"
            }
        }
    }

    /// `DL3008` (hadolint's own rules) or `SC2086` (ShellCheck's, on RUN instructions).
    public var code: String
    public var column: Int
    /// The path hadolint was given (absolute, as bakery passes it).
    public var file: String
    public var level: Level
    public var line: Int
    public var message: String

    public init(code: String, column: Int, file: String, level: Level, line: Int, message: String) {
        self.code = code
        self.column = column
        self.file = file
        self.level = level
        self.line = line
        self.message = message
    }

    /// `  DL3008 warning line 7: Pin versions in apt get install…` (the report's detail line).
    public var reportLine: String { "  \(code) \(level.rawValue) line \(line): \(message)" }
}
