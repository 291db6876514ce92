// Builds the node tree: text, actions and if/range/with blocks closed by end.

struct Parser {
    let lexer: Lexer
    private var segments: [Segment] = []
    private var index = 0

    init(lexer: Lexer) { self.lexer = lexer }

    mutating func parse() throws -> [Node] {
        segments = try lexer.segments()
        index = 0
        let (nodes, terminator) = try parseList()
        switch terminator {
        case .eof: return nodes
        case .end(let position): throw lexer.error("unexpected {{end}}", position)
        case .elseAt(let position): throw lexer.error("unexpected {{else}}", position)
        }
    }

    private enum ListEnd { case eof, end(GoTemplatePosition), elseAt(GoTemplatePosition) }

    /// Parses nodes up to `end`, `else` (returning the remaining else tokens in `pendingElse`) or EOF.
    private var pendingElse: [LocatedToken] = []

    private mutating func parseList() throws -> ([Node], ListEnd) {
        var nodes: [Node] = []
        while index < segments.count {
            let segment = segments[index]
            index += 1
            switch segment {
            case .text(let text): nodes.append(.text(text))
            case .action(let raw):
                let tokens = try lexer.tokens(of: raw)
                guard let first = tokens.first else { throw lexer.error("missing value for command", raw.position) }
                if case .identifier(let keyword) = first.token {
                    switch keyword {
                    case "end":
                        guard tokens.count == 1 else { throw lexer.error("unexpected tokens after end", tokens[1].position) }
                        return (nodes, .end(first.position))
                    case "else":
                        pendingElse = Array(tokens.dropFirst())
                        return (nodes, .elseAt(first.position))
                    case "if", "range", "with":
                        nodes.append(try parseBlock(keyword, Array(tokens.dropFirst()), at: first.position))
                        continue
                    case "define", "template", "block", "break", "continue":
                        throw lexer.error("{{\(keyword)}} is not supported by this renderer", first.position)
                    default: break
                    }
                }
                nodes.append(.action(try parsePipeline(tokens, at: raw.position, allowDeclaration: true)))
            }
        }
        return (nodes, .eof)
    }

    private mutating func parseBlock(_ keyword: String, _ tokens: [LocatedToken], at position: GoTemplatePosition) throws -> Node {
        guard !tokens.isEmpty else { throw lexer.error("missing value for \(keyword)", position) }
        let pipeline = try parsePipeline(tokens, at: position, allowDeclaration: true)
        let (body, end) = try parseList()
        var elseBody: [Node] = []
        switch end {
        case .eof: throw lexer.error("unexpected EOF: {{\(keyword)}} at \(position) has no {{end}}", position)
        case .end: break
        case .elseAt(let elsePosition):
            let rest = pendingElse
            pendingElse = []
            if let chained = rest.first, case .identifier(let next) = chained.token, next == "if" || next == "with" {
                // "else if" / "else with": a nested block sharing this block's end.
                elseBody = [try parseBlock(next, Array(rest.dropFirst()), at: chained.position)]
            } else {
                guard rest.isEmpty else { throw lexer.error("unexpected tokens after else", rest[0].position) }
                let (elseNodes, elseEnd) = try parseList()
                switch elseEnd {
                case .end: elseBody = elseNodes
                case .eof: throw lexer.error("unexpected EOF: {{else}} at \(elsePosition) has no {{end}}", elsePosition)
                case .elseAt(let again): throw lexer.error("more than one {{else}} in {{\(keyword)}}", again)
                }
            }
        }
        switch keyword {
        case "if": return .ifNode(pipeline, body, elseBody)
        case "range": return .rangeNode(pipeline, body, elseBody)
        default: return .withNode(pipeline, body, elseBody)
        }
    }

    private func parsePipeline(_ tokens: [LocatedToken], at position: GoTemplatePosition, allowDeclaration: Bool) throws -> Pipeline {
        var pipeline = Pipeline(position: position)
        var rest = tokens[...]
        // Declarations: $x := …, $i, $v := …, or assignment $x = …
        if allowDeclaration, case .variable(let first, let fields)? = rest.first?.token, fields.isEmpty {
            var names = [first]
            var probe = rest.dropFirst()
            if probe.first?.token == .comma, case .variable(let second, let secondFields)? = probe.dropFirst().first?.token, secondFields.isEmpty {
                names.append(second)
                probe = probe.dropFirst(2)
            }
            if probe.first?.token == .declare || probe.first?.token == .assign {
                pipeline.declarations = names
                pipeline.isAssignment = probe.first?.token == .assign
                rest = probe.dropFirst()
            }
        }
        var command: [Operand] = []
        var commandPosition = rest.first?.position ?? position
        var i = rest.startIndex
        func finish() throws {
            guard !command.isEmpty else { throw lexer.error("missing command in pipeline", commandPosition) }
            pipeline.commands.append(Command(operands: command, position: commandPosition))
            command = []
        }
        while i < rest.endIndex {
            let located = rest[i]
            switch located.token {
            case .pipe:
                try finish()
                commandPosition = i + 1 < rest.endIndex ? rest[i + 1].position : located.position
                i += 1
            case .leftParen:
                var depth = 1
                var j = i + 1
                while j < rest.endIndex, depth > 0 {
                    if rest[j].token == .leftParen { depth += 1 }
                    if rest[j].token == .rightParen { depth -= 1 }
                    if depth > 0 { j += 1 }
                }
                guard j < rest.endIndex else { throw lexer.error("unclosed left paren", located.position) }
                let inner = try parsePipeline(Array(rest[(i + 1)..<j]), at: located.position, allowDeclaration: false)
                if j + 1 < rest.endIndex, case .field(let names) = rest[j + 1].token {
                    command.append(.chained(inner, names)); i = j + 2
                } else {
                    command.append(.pipeline(inner)); i = j + 1
                }
            case .rightParen: throw lexer.error("unexpected right paren", located.position)
            case .identifier(let name):
                switch name {
                case "true": command.append(.literal(.bool(true)))
                case "false": command.append(.literal(.bool(false)))
                case "nil": command.append(.literal(.null))
                case "if", "range", "with", "end", "else":
                    throw lexer.error("unexpected keyword \(name) in command", located.position)
                default: command.append(.function(name, located.position))
                }
                i += 1
            case .field(let names): command.append(.field(names)); i += 1
            case .dot: command.append(.dot); i += 1
            case .variable(let name, let names): command.append(.variable(name, names)); i += 1
            case .string(let s): command.append(.literal(.string(s))); i += 1
            case .number(let n): command.append(.literal(n)); i += 1
            case .declare, .assign, .comma: throw lexer.error("unexpected \(located.token) in operand", located.position)
            }
        }
        try finish()
        return pipeline
    }
}
