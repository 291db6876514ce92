// A gossfile that cannot be read, rendered or parsed: goss ends such a run with exit 78 and `Error: <message>`.

/// A configuration error (goss's exit code 78), with where it happened when known.
public struct GossError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text goss prints after `Error: `.
    public var message: String
    /// The gossfile (as given) the error is in.
    public var file: String?
    /// 1-based line and column in the rendered file (the template's own for render errors), when known.
    public var line: Int?
    public var column: Int?
    /// What to do about it.
    public var hint: String?

    public init(message: String, file: String? = nil, line: Int? = nil, column: Int? = nil, hint: String? = nil) {
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.hint = hint
    }

    /// goss's exit code for configuration errors.
    public static let exitCode: Int32 = 78

    /// `file:line:col: message` (what bakery prints), with the hint on its own line.
    public var description: String {
        var location = file ?? "gossfile"
        if let line { location += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        return "\(location): \(message)" + (hint.map { "\n  hint: \($0)" } ?? "")
    }
}
