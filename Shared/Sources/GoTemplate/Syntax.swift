// Go text/template syntax: the source split into text and actions, action tokens, and the parsed tree.

/// A position in the template source (1-based).
public struct GoTemplatePosition: Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let column: Int
    public var description: String { "\(line):\(column)" }
}

/// A template that cannot be parsed or executed, with where and why.
///
///     template: goss.yaml:12:5: function "nope" not defined
public struct GoTemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    public let name: String
    public let position: GoTemplatePosition
    public let message: String
    public var description: String { "template: \(name):\(position): \(message)" }
}

enum Token: Equatable {
    case identifier(String)          // function name or keyword
    case field([String])             // .A.B
    case dot                         // .
    case variable(String, [String])  // $x.A.B ("$" alone is the root)
    case string(String)
    case number(GoValue)
    case leftParen, rightParen, pipe, declare, assign, comma
}

struct LocatedToken {
    let token: Token
    let position: GoTemplatePosition
}

indirect enum Operand: Sendable {
    case function(String, GoTemplatePosition)
    case field([String])
    case dot
    case variable(String, [String])
    case literal(GoValue)
    case pipeline(Pipeline)
    /// `(pipeline).Field`
    case chained(Pipeline, [String])
}

struct Command: Sendable {
    let operands: [Operand]
    let position: GoTemplatePosition
}

struct Pipeline: Sendable {
    var declarations: [String] = []
    var isAssignment = false
    var commands: [Command] = []
    let position: GoTemplatePosition
}

indirect enum Node: Sendable {
    case text(String)
    case action(Pipeline)
    case ifNode(Pipeline, [Node], [Node])
    case rangeNode(Pipeline, [Node], [Node])
    case withNode(Pipeline, [Node], [Node])
}
