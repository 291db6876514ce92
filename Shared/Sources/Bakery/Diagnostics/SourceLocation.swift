// Where in which file a diagnostic points.

/// A file and a 1-based line and column.
///
///     SourceLocation(file: "Connect/bakery.yaml", line: 12, column: 7).description
///     // "Connect/bakery.yaml:12:7"
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}
