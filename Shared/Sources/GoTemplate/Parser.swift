// Builds the node tree: text, actions, if/range/with blocks closed by end, break/continue, define/template/block;
// checks variables at parse time as Go does, and bounds nesting so that no input can exhaust the stack.

struct ParsedTemplate {
    var nodes: [Node]
    var definitions: [String: [Node]]
    /// Every function named, in source order, checked against the function table before executing.
    var functionUses: [(String, GoTemplatePosition)]
}

struct Parser {
    /// Nested blocks and parentheses beyond this are refused (Go refuses very deep nesting too).
    static let maxDepth = 100

    let lexer: Lexer
    private var segments: [Segment] = []
    private var index = 0
    private var variables: [String] = ["$"]
    private var rangeDepth = 0
    private var depth = 0
    private var definitions: [String: [Node]] = [:]
    private var functionUses: [(String, GoTemplatePosition)] = []
    /// Tokens after `else` (for `else if` / `else with`) when a list ended at an else.
    private var pendingElse: [LocatedToken] = []

    init(lexer: Lexer) { self.lexer = lexer }

    private enum ListEnd { case eof, end(GoTemplatePosition), elseAt(GoTemplatePosition) }

    mutating func parse() throws -> ParsedTemplate {
        segments = try lexer.segments()
        index = 0
        let (nodes, terminator) = try parseList(topLevel: true)
        switch terminator {
        case .eof: break
        case .end(let position): throw lexer.error("unexpected {{end}}", position)
        case .elseAt(let position): throw lexer.error("unexpected {{else}}", position)
        }
        return ParsedTemplate(nodes: nodes, definitions: definitions, functionUses: functionUses)
    }

    private mutating func parseList(topLevel: Bool = false) throws -> ([Node], ListEnd) {
        var nodes: [Node] = []
        while index < segments.count {
            let segment = segments[index]
            index += 1
            switch segment {
            case .text(let text): nodes.append(.text(text))
            case .action(let raw):
                let tokens = raw.tokens
                guard let first = tokens.first else { throw lexer.error("missing value for command", raw.position) }
                if case .identifier(let keyword) = first.token {
                    let rest = Array(tokens.dropFirst())
                    switch keyword {
                    case "end":
                        if let extra = rest.first { throw lexer.error("unexpected \(describe(extra.token)) in end", extra.position) }
                        return (nodes, .end(first.position))
                    case "else":
                        pendingElse = rest
                        return (nodes, .elseAt(first.position))
                    case "if", "range", "with":
                        nodes.append(try parseBlock(keyword, rest, at: first.position))
                        continue
                    case "break", "continue":
                        guard rangeDepth > 0 else { throw lexer.error("{{\(keyword)}} outside {{range}}", first.position) }
                        if let extra = rest.first { throw lexer.error("unexpected \(describe(extra.token)) in {{\(keyword)}}", extra.position) }
                        nodes.append(keyword == "break" ? .breakNode(first.position) : .continueNode(first.position))
                        continue
                    case "define":
                        guard topLevel else { throw lexer.error("unexpected <define> in command", first.position) }
                        let name = try templateName(rest, keyword, at: first.position)
                        guard rest.count == 1 else { throw lexer.error("unexpected \(describe(rest[1].token)) in define clause", rest[1].position) }
                        try define(name, at: first.position)
                        continue
                    case "template", "block":
                        let name = try templateName(rest, keyword, at: first.position)
                        let pipelineTokens = Array(rest.dropFirst())
                        var pipeline: Pipeline? = nil
                        if !pipelineTokens.isEmpty {
                            pipeline = try parsePipeline(pipelineTokens, at: pipelineTokens[0].position, allowDeclaration: false)
                        }
                        if keyword == "block" {
                            guard pipeline != nil else { throw lexer.error("missing value for block clause", first.position) }
                            try define(name, at: first.position)
                        }
                        nodes.append(.templateCall(name, pipeline, first.position))
                        continue
                    default: break
                    }
                }
                nodes.append(.action(try parsePipeline(tokens, at: tokens[0].position, allowDeclaration: true)))
            }
        }
        return (nodes, .eof)
    }

    private func templateName(_ tokens: [LocatedToken], _ keyword: String, at position: GoTemplatePosition) throws -> String {
        guard case .string(let name, _)? = tokens.first?.token else {
            throw lexer.error("unexpected \(tokens.first.map { describe($0.token) } ?? "EOF") in \(keyword) clause", tokens.first?.position ?? position)
        }
        return name
    }

    /// Parses a definition body up to its `{{end}}` with its own variables (only `$`).
    private mutating func define(_ name: String, at position: GoTemplatePosition) throws {
        let savedVariables = variables, savedRange = rangeDepth
        variables = ["$"]
        rangeDepth = 0
        defer { variables = savedVariables; rangeDepth = savedRange }
        let (body, end) = try nested { try $0.parseList() }
        switch end {
        case .end: break
        case .eof: throw lexer.error("unexpected EOF", lexer.endPosition)
        case .elseAt(let at): throw lexer.error("unexpected {{else}}", at)
        }
        if let existing = definitions[name], !existing.isEmpty, !body.isEmpty {
            throw lexer.error("template: multiple definition of template \"\(name)\"", position)
        }
        definitions[name] = body
    }

    private mutating func nested<T>(_ body: (inout Parser) throws -> T) throws -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw lexer.error("max nesting depth exceeded", segmentPosition)
        }
        return try body(&self)
    }

    private var segmentPosition: GoTemplatePosition {
        if index > 0, index - 1 < segments.count, case .action(let raw) = segments[index - 1] { return raw.position }
        return lexer.endPosition
    }

    private mutating func parseBlock(_ keyword: String, _ tokens: [LocatedToken], at position: GoTemplatePosition) throws -> Node {
        guard !tokens.isEmpty else { throw lexer.error("missing value for \(keyword)", position) }
        let mark = variables.count
        defer { variables.removeSubrange(mark...) }
        let pipeline = try parsePipeline(tokens, at: tokens[0].position, allowDeclaration: true, context: keyword)
        if keyword == "range" { rangeDepth += 1 }
        let (body, end) = try nested { try $0.parseList() }
        if keyword == "range" { rangeDepth -= 1 }
        var elseBody: [Node] = []
        switch end {
        case .eof: throw lexer.error("unexpected EOF", lexer.endPosition)
        case .end: break
        case .elseAt(let elsePosition):
            let rest = pendingElse
            pendingElse = []
            if let chained = rest.first, case .identifier(let next) = chained.token, next == "if" || next == "with" {
                // "else if" / "else with": a nested block sharing this block's end.
                elseBody = [try nested { try $0.parseBlock(next, Array(rest.dropFirst()), at: chained.position) }]
            } else {
                if let extra = rest.first { throw lexer.error("unexpected \(describe(extra.token)) in else", extra.position) }
                let (elseNodes, elseEnd) = try nested { try $0.parseList() }
                switch elseEnd {
                case .end: elseBody = elseNodes
                case .eof: throw lexer.error("unexpected EOF", lexer.endPosition)
                case .elseAt(let again):
                    _ = elsePosition
                    throw lexer.error("expected end; found {{else}}", again)
                }
            }
        }
        switch keyword {
        case "if": return .ifNode(pipeline, body, elseBody)
        case "range": return .rangeNode(pipeline, body, elseBody)
        default: return .withNode(pipeline, body, elseBody)
        }
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .identifier(let name): return "<\(name)>"
        case .field(let names): return "<." + names.joined(separator: ".") + ">"
        case .dot: return "<.>"
        case .variable(let name, let names): return "<" + ([name] + names).joined(separator: ".") + ">"
        case .string(_, let text), .number(_, let text): return "<\(text)>"
        case .leftParen: return "\"(\""
        case .rightParen: return "\")\""
        case .pipe: return "\"|\""
        case .declare: return "\":=\""
        case .assign: return "\"=\""
        case .comma: return "\",\""
        }
    }

    private mutating func parsePipeline(_ tokens: [LocatedToken], at position: GoTemplatePosition, allowDeclaration: Bool,
                                        context: String = "command") throws -> Pipeline {
        var pipeline = Pipeline(position: position)
        var rest = tokens[...]
        // Declarations: $x := …, $i, $v := … (range only), or assignment $x = …
        if allowDeclaration, case .variable(let first, let fields)? = rest.first?.token, fields.isEmpty {
            var names = [first]
            var probe = rest.dropFirst()
            if probe.first?.token == .comma, case .variable(let second, let secondFields)? = probe.dropFirst().first?.token, secondFields.isEmpty {
                guard context == "range" else {
                    throw lexer.error("too many declarations in \(context)", probe.first?.position ?? position)
                }
                names.append(second)
                probe = probe.dropFirst(2)
            }
            if probe.first?.token == .declare || probe.first?.token == .assign {
                pipeline.declarations = names
                pipeline.isAssignment = probe.first?.token == .assign
                if pipeline.isAssignment {
                    for name in names where !variables.contains(name) {
                        throw lexer.error("undefined variable \"\(name)\"", rest.first?.position ?? position)
                    }
                }
                rest = probe.dropFirst()
                guard !rest.isEmpty else { throw lexer.error("missing value for \(context)", position) }
            }
        }
        var command: [Operand] = []
        var commandPosition = rest.first?.position ?? position
        var i = rest.startIndex
        func finish() throws {
            guard !command.isEmpty else { throw lexer.error("missing value for command", commandPosition) }
            if !pipeline.commands.isEmpty {
                switch command[0] {
                case .literal, .dot: throw lexer.error("non executable command in pipeline stage \(pipeline.commands.count + 1)", commandPosition)
                default: break
                }
            }
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
                var level = 1
                var j = i + 1
                while j < rest.endIndex, level > 0 {
                    if rest[j].token == .leftParen {
                        level += 1
                        if level + depth > Self.maxDepth { throw lexer.error("max nesting depth exceeded", rest[j].position) }
                    }
                    if rest[j].token == .rightParen { level -= 1 }
                    if level > 0 { j += 1 }
                }
                guard j < rest.endIndex else { throw lexer.error("unclosed left paren", located.position) }
                let innerTokens = Array(rest[(i + 1)..<j])
                guard let innerStart = innerTokens.first?.position else { throw lexer.error("missing value for parenthesized pipeline", located.position) }
                let inner = try nested { try $0.parsePipeline(innerTokens, at: innerStart, allowDeclaration: false) }
                // `(x).Field` reads a field of the result; `(x) .Field` (a space between) is a second argument.
                if j + 1 < rest.endIndex, case .field(let names) = rest[j + 1].token,
                   rest[j + 1].position.line == rest[j].position.line, rest[j + 1].position.byteColumn == rest[j].position.byteColumn + 1 {
                    command.append(.chained(inner, names, rest[j + 1].position)); i = j + 2
                } else {
                    command.append(.pipeline(inner)); i = j + 1
                }
            case .rightParen: throw lexer.error("unexpected right paren", located.position)
            case .identifier(let name):
                switch name {
                case "true": command.append(.literal(.bool(true), text: "true"))
                case "false": command.append(.literal(.bool(false), text: "false"))
                case "nil": command.append(.literal(.null, text: "nil"))
                case "if", "range", "with", "end", "else", "define", "template", "block", "break", "continue":
                    throw lexer.error("unexpected <\(name)> in \(context)", located.position)
                default:
                    functionUses.append((name, located.position))
                    command.append(.function(name, located.position))
                }
                i += 1
            case .field(let names): command.append(.field(names, located.chainPosition ?? located.position)); i += 1
            case .dot: command.append(.dot); i += 1
            case .variable(let name, let names):
                guard variables.contains(name) else { throw lexer.error("undefined variable \"\(name)\"", located.position) }
                command.append(.variable(name, names, located.chainPosition ?? located.position)); i += 1
            case .string(let s, let text): command.append(.literal(.string(s), text: text)); i += 1
            case .number(let n, let text): command.append(.literal(n, text: text)); i += 1
            case .declare, .assign, .comma: throw lexer.error("unexpected \(describe(located.token)) in operand", located.position)
            }
        }
        try finish()
        if !pipeline.isAssignment { variables.append(contentsOf: pipeline.declarations) }
        return pipeline
    }
}
