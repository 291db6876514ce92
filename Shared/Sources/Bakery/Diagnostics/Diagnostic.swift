// One problem or remark about the user's input, with its location, key path and a hint.

/// A located message about the configuration.
///
///     let d = Diagnostic(.error, "expected a string, found a number", code: .invalidType,
///                        location: loc, path: ConfigPath().key("name"), hint: "quote it: name: \"24.04\"")
///     print(d)   // bakery.yaml:3:11: name: expected a string, found a number (quote it: name: "24.04")
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable, Comparable {
        case info, warning, error

        private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
        public static func < (l: Severity, r: Severity) -> Bool { l.rank < r.rank }
    }

    public var severity: Severity
    public var code: BakeryError.Code
    public var message: String
    public var location: SourceLocation?
    public var path: ConfigPath?
    public var hint: String?

    public init(_ severity: Severity, _ message: String, code: BakeryError.Code, location: SourceLocation? = nil,
                path: ConfigPath? = nil, hint: String? = nil) {
        self.severity = severity
        self.code = code
        self.message = message
        self.location = location
        self.path = path
        self.hint = hint
    }

    /// `FILE:LINE:COL: [warning: ]PATH: MESSAGE (HINT)`; errors carry no severity word, as users grep for them by location.
    public var description: String { render(withSeverity: true) }

    /// The same without the severity word, for output that already says the level (log lines).
    public var locatedMessage: String { render(withSeverity: false) }

    private func render(withSeverity: Bool) -> String {
        var parts: [String] = []
        if let location { parts.append(location.description) }
        if withSeverity, severity != .error { parts.append(severity.rawValue) }
        if let path, !path.isRoot { parts.append(path.description) }
        var text = parts.joined(separator: ": ")
        text += text.isEmpty ? message : ": \(message)"
        if let hint { text += " (\(hint))" }
        return text
    }

    /// The same diagnostic raised to an error (used by `--strict`).
    public var asError: Diagnostic {
        var copy = self
        copy.severity = .error
        return copy
    }
}
