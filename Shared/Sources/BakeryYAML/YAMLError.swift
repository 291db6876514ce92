// Errors from reading YAML (libyaml's own problem text and mark, or a structural limit we enforce) and from editing it.

/// A YAML reading error with the position libyaml (or our own check) reports.
///
///     do { _ = try YAMLParser.parse("a: [1,\n") }
///     catch let error as YAMLError { print(error.mark, error.message) }
public struct YAMLError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case syntax, duplicateKey, undefinedAlias, aliasExpansionLimit, nestingLimit, multipleDocuments, encoding
        /// The span editor cannot make an edit at `mark` (a layout it does not know how to change).
        case unsupportedEdit
    }

    public var code: Code
    public var message: String
    public var mark: YAMLMark
    /// libyaml's "while scanning …" context, when it gives one.
    public var context: String?
    public var contextMark: YAMLMark?
    public var hint: String?

    public init(code: Code, message: String, mark: YAMLMark, context: String? = nil, contextMark: YAMLMark? = nil, hint: String? = nil) {
        self.code = code
        self.message = message
        self.mark = mark
        self.context = context
        self.contextMark = contextMark
        self.hint = hint
    }

    public var description: String {
        var text = "\(mark): \(message)"
        if let context, let contextMark { text += " (\(context) started at \(contextMark))" }
        return text
    }
}
