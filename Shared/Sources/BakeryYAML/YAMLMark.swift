// Positions in a YAML source text, as libyaml reports them.

/// A position in a YAML source: 1-based line and column, plus libyaml's 0-based character index.
///
///     let mark = YAMLMark(line: 3, column: 5, index: 42)
///     print(mark)            // "3:5"
///
/// `index` counts Unicode scalars (a CRLF counts as two), which is what libyaml counts.
public struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public var index: Int

    public init(line: Int, column: Int, index: Int = 0) {
        self.line = line
        self.column = column
        self.index = index
    }

    public var description: String { "\(line):\(column)" }

    public static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}
