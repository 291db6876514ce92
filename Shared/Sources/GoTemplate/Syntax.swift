// Go text/template syntax: positions, the located error, action tokens and the parsed tree.

/// A position in the template source.
public struct GoTemplatePosition: Sendable, Equatable, CustomStringConvertible {
    /// 1-based line.
    public let line: Int
    /// 1-based column, counted in Unicode scalars (what an editor shows for most text).
    public let column: Int
    /// Go's column: the 0-based byte offset in the line, as Go prints it in `template: test:LINE:COL:`.
    public let byteColumn: Int
    public var description: String { "\(line):\(column)" }

    init(line: Int, column: Int, byteColumn: Int) {
        self.line = line
        self.column = column
        self.byteColumn = byteColumn
    }

    init(line: Int, column: Int) { self.init(line: line, column: column, byteColumn: column - 1) }
}

/// A template that cannot be parsed or executed, with where and why, printed as Go prints it:
///
///     template: test:3: function "nope" not defined                                         (parse)
///     template: test:2:10: executing "test" at <.Env.FOO>: map has no entry for key "FOO"    (execution)
///
/// In the printed form the column is Go's (a 0-based byte offset in the line); `column` is 1-based in Unicode scalars,
/// for pointing at the gossfile line.
public struct GoTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Phase: Sendable, Equatable {
        /// The template text is malformed (or names an unknown function or variable); Go prints only the line.
        case parse
        /// Executing the template failed at a node.
        case execution
    }

    /// The template's name (goss names it `test`).
    public let name: String
    public let phase: Phase
    /// 1-based line.
    public let line: Int
    /// 1-based column in Unicode scalars, when known.
    public let column: Int?
    /// The node being executed, as Go prints it between `at <` and `>` (execution errors only).
    public let context: String?
    /// The reason alone, e.g. `map has no entry for key "FOO"`.
    public let message: String
    let byteColumn: Int?

    /// Where the error is (the column as the 1-based `column`).
    public var position: GoTemplatePosition {
        GoTemplatePosition(line: line, column: column ?? 1, byteColumn: byteColumn ?? 0)
    }

    public var description: String {
        switch phase {
        case .parse:
            return "template: \(name):\(line): \(message)"
        case .execution:
            let location = "\(name):\(line):\(byteColumn ?? 0)"
            if let context { return "template: \(location): executing \"\(name)\" at <\(context)>: \(message)" }
            return "template: \(location): \(message)"
        }
    }

    static func parse(_ name: String, _ position: GoTemplatePosition, _ message: String) -> GoTemplateError {
        GoTemplateError(name: name, phase: .parse, line: position.line, column: position.column, context: nil,
                        message: message, byteColumn: position.byteColumn)
    }

    static func execution(_ name: String, _ position: GoTemplatePosition, _ context: String?, _ message: String) -> GoTemplateError {
        GoTemplateError(name: name, phase: .execution, line: position.line, column: position.column, context: context,
                        message: message, byteColumn: position.byteColumn)
    }
}

enum Token: Equatable {
    case identifier(String)          // function name or keyword
    case field([String])             // .A.B
    case dot                         // .
    case variable(String, [String])  // $x.A.B ("$" alone is the root)
    case string(String, text: String)
    case number(GoValue, text: String)
    case leftParen, rightParen, pipe, declare, assign, comma
}

struct LocatedToken {
    let token: Token
    let position: GoTemplatePosition
    /// For `.field` and `.variable` with fields: where the second component starts (Go reports chained fields there).
    var chainPosition: GoTemplatePosition? = nil
}

indirect enum Operand: Sendable {
    case function(String, GoTemplatePosition)
    case field([String], GoTemplatePosition)
    case dot
    case variable(String, [String], GoTemplatePosition)
    case literal(GoValue, text: String)
    case pipeline(Pipeline)
    /// `(pipeline).Field`
    case chained(Pipeline, [String], GoTemplatePosition)

    /// How Go prints the node in an error's context.
    var text: String {
        switch self {
        case .function(let name, _): return name
        case .field(let names, _): return "." + names.joined(separator: ".")
        case .dot: return "."
        case .variable(let name, let names, _): return ([name] + names).joined(separator: ".")
        case .literal(_, let text): return text
        case .pipeline(let pipeline): return "(" + pipeline.text + ")"
        case .chained(let pipeline, let names, _): return "(" + pipeline.text + ")." + names.joined(separator: ".")
        }
    }
}

struct Command: Sendable {
    let operands: [Operand]
    let position: GoTemplatePosition
    var text: String { operands.map(\.text).joined(separator: " ") }
}

struct Pipeline: Sendable {
    var declarations: [String] = []
    var isAssignment = false
    var commands: [Command] = []
    let position: GoTemplatePosition

    var text: String {
        var out = ""
        if !declarations.isEmpty { out = declarations.joined(separator: ", ") + (isAssignment ? " = " : " := ") }
        return out + commands.map(\.text).joined(separator: " | ")
    }
}

indirect enum Node: Sendable {
    case text(String)
    case action(Pipeline)
    case ifNode(Pipeline, [Node], [Node])
    case rangeNode(Pipeline, [Node], [Node])
    case withNode(Pipeline, [Node], [Node])
    case breakNode(GoTemplatePosition)
    case continueNode(GoTemplatePosition)
    /// `{{ template "name" pipeline }}` (the pipeline may be absent).
    case templateCall(String, Pipeline?, GoTemplatePosition)
}
