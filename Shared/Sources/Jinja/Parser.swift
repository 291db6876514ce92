/// Builds statements from tokens, following Jinja2's grammar and its syntax error messages.
struct Parser {
    private var tokens: [Token]
    private var index = 0
    private let name: String
    private let filters: Set<String>
    private let tests: Set<String>
    private var endTokenStack: [[String]] = []
    private var tagStack: [String] = []
    /// Names referenced inside the macro bodies being parsed (innermost last).
    private var referencedNames: [Set<String>] = []
    /// Directly inside an `if` branch, unknown filters and tests fail only when executed (as in
    /// Jinja2 3.1, where such branches compile in a "soft" frame).
    private var softFrame = false
    /// Current nesting of expressions and statements, bounded so hostile input cannot exhaust the stack.
    private var nesting = 0
    static let maxNesting = 200

    init(tokens: [Token], name: String, filters: Set<String>, tests: Set<String>) {
        self.tokens = tokens
        self.name = name
        self.filters = filters
        self.tests = tests
    }

    static func parse(_ source: String, name: String, filters: Set<String>, tests: Set<String>) throws -> [Statement] {
        var parser = Parser(tokens: try Lexer.tokenize(source, name: name), name: name, filters: filters, tests: tests)
        return try parser.subparse(endTokens: nil)
    }

    // MARK: token stream

    private var current: Token { tokens[index] }
    private var look: Token { tokens[min(index + 1, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    private mutating func enter() throws {
        nesting += 1
        if nesting > Parser.maxNesting {
            throw fail("template nested too deeply (more than \(Parser.maxNesting) levels of expressions or blocks)", kind: .limit)
        }
    }

    private func fail(_ message: String, line: Int? = nil, kind: JinjaError.Kind = .syntax) -> JinjaError {
        JinjaError(kind, message, template: name, line: line ?? current.line)
    }

    private func describe(_ expected: String) -> String {
        switch expected {
        case "variable_end": return "end of print statement"
        case "block_end": return "end of statement block"
        case "name": return "name"
        default: return expected
        }
    }

    /// Consumes a token of the given kind (or operator/name text) or fails as Jinja2's `expect` does.
    @discardableResult
    private mutating func expect(_ kind: Token.Kind, _ text: String? = nil, describedAs: String) throws -> Token {
        let t = current
        let ok = t.kind == kind && (text == nil || t.text == text)
        guard ok else {
            if t.kind == .eof {
                throw fail("unexpected end of template, expected '\(describedAs)'.")
            }
            throw fail("expected token '\(describedAs)', got '\(t.description)'")
        }
        return advance()
    }

    private mutating func expectOp(_ op: String) throws {
        try expect(.op, op, describedAs: op)
    }

    private mutating func expectName(_ n: String) throws {
        try expect(.name, n, describedAs: n)
    }

    private mutating func skipOp(_ op: String) -> Bool {
        if current.isOp(op) { advance(); return true }
        return false
    }

    private mutating func skipName(_ n: String) -> Bool {
        if current.isName(n) { advance(); return true }
        return false
    }

    // MARK: statements

    private mutating func subparse(endTokens: [String]?) throws -> [Statement] {
        var body: [Statement] = []
        if let endTokens { endTokenStack.append(endTokens) }
        defer { if endTokens != nil { endTokenStack.removeLast() } }
        while current.kind != .eof {
            let token = current
            switch token.kind {
            case .data:
                advance()
                body.append(.data(token.text))
            case .variableBegin:
                advance()
                let expr = try parseTuple(withCondition: true)
                try expect(.variableEnd, describedAs: "end of print statement")
                body.append(.output(expr))
            case .blockBegin:
                advance()
                if let endTokens, current.kind == .name, endTokens.contains(current.text) {
                    return body
                }
                body.append(contentsOf: try parseStatement())
                try expect(.blockEnd, describedAs: "end of statement block")
            default:
                throw fail("unexpected '\(token.description)'")
            }
        }
        return body
    }

    private mutating func parseStatements(_ endTokens: [String], dropNeedle: Bool = false) throws -> [Statement] {
        _ = skipOp(":")
        try expect(.blockEnd, describedAs: "end of statement block")
        let result = try subparse(endTokens: endTokens)
        if current.kind == .eof {
            throw failEOF(extra: endTokens)
        }
        if dropNeedle { advance() }
        return result
    }

    /// Parses a block body in a frame of its own (`soft` only for `if` branches).
    private mutating func parseBody(_ endTokens: [String], dropNeedle: Bool = false, soft: Bool = false) throws -> [Statement] {
        let saved = softFrame
        softFrame = soft
        defer { softFrame = saved }
        return try parseStatements(endTokens, dropNeedle: dropNeedle)
    }

    private func failEOF(extra: [String]?) -> JinjaError {
        var stack = endTokenStack
        if let extra { stack.append(extra) }
        return failUnknownTag(nil, stack: stack, line: current.line)
    }

    private func failUnknownTag(_ tag: String?, stack: [[String]], line: Int) -> JinjaError {
        var expected = Set<String>()
        for level in stack { expected.formUnion(level) }
        var message: [String] = [tag.map { "Encountered unknown tag '\($0)'." } ?? "Unexpected end of template."]
        if let innermost = stack.last {
            let looking = innermost.map { "'\($0)'" }.joined(separator: " or ")
            if let tag, expected.contains(tag) {
                message.append("You probably made a nesting mistake. Jinja is expecting this tag, but currently looking for \(looking).")
            } else {
                message.append("Jinja was looking for the following tags: \(looking).")
            }
        }
        if let tag = tagStack.last {
            message.append("The innermost block that needs to be closed is '\(tag)'.")
        }
        return fail(message.joined(separator: " "), line: line)
    }

    private mutating func parseStatement() throws -> [Statement] {
        try enter()
        defer { nesting -= 1 }
        let token = current
        guard token.kind == .name else { throw fail("tag name expected") }
        tagStack.append(token.text)
        var popTag = true
        defer { if popTag { tagStack.removeLast() } }
        switch token.text {
        case "for": return [try parseFor()]
        case "if": return [try parseIf()]
        case "set": return [try parseSet()]
        case "macro": return [try parseMacro()]
        case "call": return [try parseCallBlock()]
        case "filter": return [try parseFilterBlock()]
        case "include": return [try parseInclude()]
        case "import": return [try parseImport()]
        case "from": return [try parseFrom()]
        case "with": return [try parseWith()]
        case "block": return [try parseBlock()]
        case "print":
            advance()
            var out: [Statement] = []
            while current.kind != .blockEnd {
                if !out.isEmpty { try expectOp(",") }
                out.append(.output(try parseExpression()))
            }
            return out
        case "extends", "autoescape":
            throw fail("the '\(token.text)' tag is not supported by this engine (bakery templates do not use it)")
        default:
            tagStack.removeLast()
            popTag = false
            throw failUnknownTag(token.text, stack: endTokenStack, line: token.line)
        }
    }

    private mutating func parseFor() throws -> Statement {
        let line = advance().line
        let target = try parseAssignTarget(extraEndRules: ["in"])
        try expectName("in")
        let iterable = try parseTuple(withCondition: false, extraEndRules: ["recursive"])
        var filter: Expr? = nil
        if skipName("if") { filter = try parseExpression() }
        if current.isName("recursive") {
            throw fail("recursive for loops are not supported by this engine")
        }
        let body = try parseBody(["endfor", "else"])
        var otherwise: [Statement] = []
        if advance().text != "endfor" {
            otherwise = try parseBody(["endfor"], dropNeedle: true)
        }
        return .forLoop(ForLoop(target: target, iterable: iterable, filter: filter, body: body, otherwise: otherwise, line: line))
    }

    private mutating func parseIf() throws -> Statement {
        advance()
        var branches: [(Expr, [Statement])] = []
        var otherwise: [Statement]? = nil
        while true {
            let test = try parseTuple(withCondition: false)
            let body = try parseBody(["elif", "else", "endif"], soft: true)
            branches.append((test, body))
            let token = advance()
            if token.isName("elif") { continue }
            if token.isName("else") {
                otherwise = try parseBody(["endif"], dropNeedle: true, soft: true)
            }
            break
        }
        return .ifChain(branches, otherwise: otherwise)
    }

    private mutating func parseSet() throws -> Statement {
        let line = advance().line
        let target = try parseAssignTarget(withNamespace: true)
        if skipOp("=") {
            return .set(target, try parseTuple(withCondition: true), line: line)
        }
        let filter = try parseFilter(nil, startInline: false)
        let body = try parseBody(["endset"], dropNeedle: true)
        return .setBlock(target, filter: filter, body: body, line: line)
    }

    private mutating func parseSignature() throws -> [(name: String, defaultValue: Expr?)] {
        var params: [(name: String, defaultValue: Expr?)] = []
        try expectOp("(")
        var sawDefault = false
        while !skipOp(")") {
            if !params.isEmpty { try expectOp(",") }
            let token = try expect(.name, describedAs: "name")
            if skipOp("=") {
                params.append((token.text, try parseExpression()))
                sawDefault = true
            } else {
                if sawDefault { throw fail("non-default argument follows default argument") }
                params.append((token.text, nil))
            }
        }
        return params
    }

    private mutating func parseMacro() throws -> Statement {
        let line = advance().line
        let nameToken = try expect(.name, describedAs: "name")
        referencedNames.append([])
        let params = try parseSignature()
        let body = try parseBody(["endmacro"], dropNeedle: true)
        let refs = referencedNames.removeLast()
        if !referencedNames.isEmpty { referencedNames[referencedNames.count - 1].formUnion(refs) }
        return .macro(MacroDefinition(name: nameToken.text, parameters: params, body: body, line: line, referencedNames: refs))
    }

    private mutating func parseCallBlock() throws -> Statement {
        let line = advance().line
        referencedNames.append([])
        let params = current.isOp("(") ? try parseSignature() : []
        let call = try parseExpression()
        guard case .call = call.kind else { throw fail("expected call", line: line) }
        let body = try parseBody(["endcall"], dropNeedle: true)
        let refs = referencedNames.removeLast()
        if !referencedNames.isEmpty { referencedNames[referencedNames.count - 1].formUnion(refs) }
        let caller = MacroDefinition(name: "caller", parameters: params, body: body, line: line, referencedNames: refs)
        return .callBlock(caller: caller, call: call)
    }

    private mutating func parseFilterBlock() throws -> Statement {
        advance()
        guard let filter = try parseFilter(nil, startInline: true) else { throw fail("expected a filter name") }
        let body = try parseBody(["endfilter"], dropNeedle: true)
        return .filterBlock(filter, body: body)
    }

    private mutating func parseContext(default value: Bool) -> Bool {
        if (current.isName("with") || current.isName("without")) && look.isName("context") {
            let with = advance().text == "with"
            advance()
            return with
        }
        return value
    }

    private mutating func parseInclude() throws -> Statement {
        let line = advance().line
        let template = try parseExpression()
        var ignoreMissing = false
        if current.isName("ignore") && look.isName("missing") {
            advance(); advance()
            ignoreMissing = true
        }
        return .include(template, ignoreMissing: ignoreMissing, withContext: parseContext(default: true), line: line)
    }

    private mutating func parseImport() throws -> Statement {
        let line = advance().line
        let template = try parseExpression()
        try expectName("as")
        let target = try expect(.name, describedAs: "name")
        return .importAs(template, name: target.text, withContext: parseContext(default: false), line: line)
    }

    private mutating func parseFrom() throws -> Statement {
        let line = advance().line
        let template = try parseExpression()
        try expectName("import")
        var names: [ImportedName] = []
        var withContext = false
        func contextClause(_ p: inout Parser) -> Bool {
            if (p.current.isName("with") || p.current.isName("without")) && p.look.isName("context") {
                withContext = p.advance().text == "with"
                p.advance()
                return true
            }
            return false
        }
        while true {
            if !names.isEmpty { try expectOp(",") }
            if current.kind == .name {
                if contextClause(&self) { break }
                let target = advance()
                if target.text.hasPrefix("_") {
                    throw fail("names starting with an underline can not be imported", line: target.line, kind: .assertion)
                }
                if skipName("as") {
                    let alias = try expect(.name, describedAs: "name")
                    names.append(ImportedName(name: target.text, alias: alias.text))
                } else {
                    names.append(ImportedName(name: target.text, alias: target.text))
                }
                if contextClause(&self) || !current.isOp(",") { break }
            } else {
                try expect(.name, describedAs: "name")
            }
        }
        return .fromImport(template, names: names, withContext: withContext, line: line)
    }

    private mutating func parseWith() throws -> Statement {
        advance()
        var pairs: [(AssignTarget, Expr)] = []
        while current.kind != .blockEnd {
            if !pairs.isEmpty { try expectOp(",") }
            let target = try parseAssignTarget()
            try expectOp("=")
            pairs.append((target, try parseExpression()))
        }
        let body = try parseBody(["endwith"], dropNeedle: true)
        return .with(pairs, body: body)
    }

    private mutating func parseBlock() throws -> Statement {
        advance()
        let blockName = try expect(.name, describedAs: "name").text
        _ = skipName("scoped")
        _ = skipName("required")
        if current.isOp("-") {
            throw fail("Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an underscore instead.")
        }
        let body = try parseBody(["endblock"], dropNeedle: true)
        _ = skipName(blockName)
        return .block(name: blockName, body: body)
    }

    // MARK: assignment targets

    private mutating func parseAssignTarget(withTuple: Bool = true, extraEndRules: [String] = [], withNamespace: Bool = false) throws -> AssignTarget {
        if withNamespace, current.kind == .name, look.isOp(".") {
            let ns = advance()
            advance()
            let attr = try expect(.name, describedAs: "name")
            return .namespaceAttribute(ns.text, attr.text)
        }
        let expr = withTuple
            ? try parseTuple(simplified: true, withCondition: true, extraEndRules: extraEndRules)
            : try parsePrimary()
        return try assignTarget(expr)
    }

    private func assignTarget(_ e: Expr) throws -> AssignTarget {
        switch e.kind {
        case .name(let n): return .name(n)
        case .tuple(let items): return .tuple(try items.map(assignTarget))
        case .literal: throw fail("can't assign to 'const'", line: e.line)
        case .list: throw fail("can't assign to 'list'", line: e.line)
        default: throw fail("can't assign to '\(String(describing: e.kind).prefix(while: { $0 != "(" }).lowercased())'", line: e.line)
        }
    }

    // MARK: expressions

    private mutating func parseExpression(withCondition: Bool = true) throws -> Expr {
        try enter()
        defer { nesting -= 1 }
        return withCondition ? try parseConditional() : try parseOr()
    }

    private mutating func parseConditional() throws -> Expr {
        var expr = try parseOr()
        while skipName("if") {
            let test = try parseOr()
            var otherwise: Expr? = nil
            if skipName("else") { otherwise = try parseConditional() }
            expr = Expr(kind: .conditional(test: test, then: expr, otherwise: otherwise), line: expr.line)
        }
        return expr
    }

    private mutating func parseOr() throws -> Expr {
        var left = try parseAnd()
        while skipName("or") {
            left = Expr(kind: .or(left, try parseAnd()), line: left.line)
        }
        return left
    }

    private mutating func parseAnd() throws -> Expr {
        var left = try parseNot()
        while skipName("and") {
            left = Expr(kind: .and(left, try parseNot()), line: left.line)
        }
        return left
    }

    private mutating func parseNot() throws -> Expr {
        if current.isName("not") {
            try enter()
            defer { nesting -= 1 }
            let line = advance().line
            return Expr(kind: .not(try parseNot()), line: line)
        }
        return try parseCompare()
    }

    private static let compareOps: [String: CompareOperator] = ["==": .eq, "!=": .ne, "<": .lt, "<=": .le, ">": .gt, ">=": .ge]

    private mutating func parseCompare() throws -> Expr {
        let line = current.line
        let first = try parseMath1()
        var ops: [(CompareOperator, Expr)] = []
        while true {
            if current.kind == .op, let op = Parser.compareOps[current.text] {
                advance()
                ops.append((op, try parseMath1()))
            } else if skipName("in") {
                ops.append((.in, try parseMath1()))
            } else if current.isName("not") && look.isName("in") {
                advance(); advance()
                ops.append((.notIn, try parseMath1()))
            } else {
                break
            }
        }
        return ops.isEmpty ? first : Expr(kind: .compare(first, ops), line: line)
    }

    private mutating func parseMath1() throws -> Expr {
        var left = try parseConcat()
        while current.isOp("+") || current.isOp("-") {
            let op: BinaryOperator = advance().text == "+" ? .add : .subtract
            left = Expr(kind: .binary(op, left, try parseConcat()), line: left.line)
        }
        return left
    }

    private mutating func parseConcat() throws -> Expr {
        let line = current.line
        var args = [try parseMath2()]
        while skipOp("~") { args.append(try parseMath2()) }
        return args.count == 1 ? args[0] : Expr(kind: .concat(args), line: line)
    }

    private mutating func parseMath2() throws -> Expr {
        var left = try parsePow()
        while current.kind == .op, ["*", "/", "//", "%"].contains(current.text) {
            let op = BinaryOperator(rawValue: advance().text)!
            left = Expr(kind: .binary(op, left, try parsePow()), line: left.line)
        }
        return left
    }

    private mutating func parsePow() throws -> Expr {
        var left = try parseUnary()
        while skipOp("**") {
            left = Expr(kind: .binary(.power, left, try parseUnary()), line: left.line)
        }
        return left
    }

    private mutating func parseUnary(withFilter: Bool = true) throws -> Expr {
        let line = current.line
        var node: Expr
        try enter()
        defer { nesting -= 1 }
        if skipOp("-") {
            node = Expr(kind: .negate(try parseUnary(withFilter: false)), line: line)
        } else if skipOp("+") {
            node = Expr(kind: .positive(try parseUnary(withFilter: false)), line: line)
        } else {
            node = try parsePrimary()
        }
        node = try parsePostfix(node)
        if withFilter { node = try parseFilterExpression(node) }
        return node
    }

    private mutating func parsePrimary() throws -> Expr {
        let token = current
        switch token.kind {
        case .name:
            advance()
            switch token.text {
            case "true", "True": return Expr(kind: .literal(.bool(true)), line: token.line)
            case "false", "False": return Expr(kind: .literal(.bool(false)), line: token.line)
            case "none", "None": return Expr(kind: .literal(.none), line: token.line)
            default:
                if !referencedNames.isEmpty { referencedNames[referencedNames.count - 1].insert(token.text) }
                return Expr(kind: .name(token.text), line: token.line)
            }
        case .string:
            advance()
            var text = token.text
            while current.kind == .string { text += advance().text }
            return Expr(kind: .literal(.string(text)), line: token.line)
        case .integer:
            advance()
            return Expr(kind: .literal(.int(token.int)), line: token.line)
        case .float:
            advance()
            return Expr(kind: .literal(.float(token.float)), line: token.line)
        case .op where token.text == "(":
            advance()
            let node = try parseTuple(withCondition: true, explicitParentheses: true)
            try expectOp(")")
            return node
        case .op where token.text == "[":
            return try parseList()
        case .op where token.text == "{":
            return try parseDict()
        default:
            throw fail("unexpected '\(token.description)'", line: token.line)
        }
    }

    private func isTupleEnd(_ extraEndRules: [String]) -> Bool {
        switch current.kind {
        case .variableEnd, .blockEnd: return true
        case .op where current.text == ")": return true
        case .name where extraEndRules.contains(current.text): return true
        default: return false
        }
    }

    private mutating func parseTuple(
        simplified: Bool = false, withCondition: Bool = true, extraEndRules: [String] = [], explicitParentheses: Bool = false
    ) throws -> Expr {
        let line = current.line
        var args: [Expr] = []
        var isTuple = false
        while true {
            if !args.isEmpty { try expectOp(",") }
            if isTupleEnd(extraEndRules) { break }
            if simplified {
                args.append(try parsePrimary())
            } else {
                args.append(try parseExpression(withCondition: withCondition))
            }
            if current.isOp(",") { isTuple = true } else { break }
        }
        if !isTuple {
            if let only = args.first { return only }
            if !explicitParentheses {
                throw fail("Expected an expression, got '\(current.description)'")
            }
        }
        return Expr(kind: .tuple(args), line: line)
    }

    private mutating func parseList() throws -> Expr {
        let line = advance().line
        var items: [Expr] = []
        while !current.isOp("]") {
            if !items.isEmpty { try expectOp(",") }
            if current.isOp("]") { break }
            items.append(try parseExpression())
        }
        try expectOp("]")
        return Expr(kind: .list(items), line: line)
    }

    private mutating func parseDict() throws -> Expr {
        let line = advance().line
        var items: [(Expr, Expr)] = []
        while !current.isOp("}") {
            if !items.isEmpty { try expectOp(",") }
            if current.isOp("}") { break }
            let key = try parseExpression()
            try expectOp(":")
            items.append((key, try parseExpression()))
        }
        try expectOp("}")
        return Expr(kind: .dict(items), line: line)
    }

    private mutating func parsePostfix(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            if current.isOp(".") || current.isOp("[") {
                node = try parseSubscript(node)
            } else if current.isOp("(") {
                node = Expr(kind: .call(node, try parseCallArguments()), line: node.line)
            } else {
                return node
            }
        }
    }

    private mutating func parseFilterExpression(_ start: Expr) throws -> Expr {
        var node = start
        while true {
            if current.isOp("|") {
                node = try parseFilter(node, startInline: false)!
            } else if current.isName("is") {
                node = try parseTest(node)
            } else if current.isOp("(") {
                node = Expr(kind: .call(node, try parseCallArguments()), line: node.line)
            } else {
                return node
            }
        }
    }

    private mutating func parseSubscript(_ node: Expr) throws -> Expr {
        let token = advance()
        if token.isOp(".") {
            let attr = current
            advance()
            if attr.kind == .name {
                return Expr(kind: .attribute(node, attr.text), line: token.line)
            }
            if attr.kind == .integer {
                return Expr(kind: .item(node, Expr(kind: .literal(.int(attr.int)), line: attr.line)), line: token.line)
            }
            throw fail("expected name or number", line: attr.line)
        }
        var args: [Expr] = []
        while !current.isOp("]") {
            if !args.isEmpty {
                try expectOp(",")
                if current.isOp("]") { break }
            }
            args.append(try parseSubscribed())
        }
        try expectOp("]")
        let index = args.count == 1 ? args[0] : Expr(kind: .tuple(args), line: token.line)
        return Expr(kind: .item(node, index), line: token.line)
    }

    private mutating func parseSubscribed() throws -> Expr {
        let line = current.line
        var parts: [Expr?] = []
        if skipOp(":") {
            parts = [nil]
        } else {
            let node = try parseExpression()
            if !skipOp(":") { return node }
            parts = [node]
        }
        if current.isOp(":") {
            parts.append(nil)
        } else if !current.isOp("]") && !current.isOp(",") {
            parts.append(try parseExpression())
        } else {
            parts.append(nil)
        }
        if skipOp(":") {
            if !current.isOp("]") && !current.isOp(",") {
                parts.append(try parseExpression())
            } else {
                parts.append(nil)
            }
        } else {
            parts.append(nil)
        }
        return Expr(kind: .slice(parts[0], parts[1], parts[2]), line: line)
    }

    private mutating func parseCallArguments() throws -> CallArguments {
        let open = try expect(.op, "(", describedAs: "(")
        var args = CallArguments()
        var requireComma = false
        func ensure(_ ok: Bool) throws {
            if !ok { throw fail("invalid syntax for function call expression", line: open.line) }
        }
        while !current.isOp(")") {
            if requireComma {
                try expectOp(",")
                if current.isOp(")") { break }
            }
            if current.isOp("*") {
                try ensure(args.star == nil && args.doubleStar == nil)
                advance()
                args.star = try parseExpression()
            } else if current.isOp("**") {
                try ensure(args.doubleStar == nil)
                advance()
                args.doubleStar = try parseExpression()
            } else if current.kind == .name && look.isOp("=") {
                try ensure(args.doubleStar == nil)
                let key = advance().text
                advance()
                args.keywords.append((key, try parseExpression()))
            } else {
                try ensure(args.star == nil && args.doubleStar == nil && args.keywords.isEmpty)
                args.positional.append(try parseExpression())
            }
            requireComma = true
        }
        try expectOp(")")
        return args
    }

    private mutating func dottedName() throws -> (String, Int) {
        let token = try expect(.name, describedAs: "name")
        var text = token.text
        while skipOp(".") {
            text += "." + (try expect(.name, describedAs: "name")).text
        }
        return (text, token.line)
    }

    private mutating func parseFilter(_ node: Expr?, startInline: Bool) throws -> Expr? {
        var node = node
        var inline = startInline
        var any = false
        while current.isOp("|") || inline {
            if !inline { advance() }
            let (filterName, line) = try dottedName()
            guard filters.contains(filterName) || softFrame else {
                throw fail("No filter named '\(filterName)'.", line: line, kind: .assertion)
            }
            let args = current.isOp("(") ? try parseCallArguments() : CallArguments()
            node = Expr(kind: .filter(node, filterName, args), line: line)
            inline = false
            any = true
        }
        return any ? node : nil
    }

    private mutating func parseTest(_ node: Expr) throws -> Expr {
        let line = advance().line
        let negated = skipName("not")
        let (testName, nameLine) = try dottedName()
        guard tests.contains(testName) || softFrame else {
            throw fail("No test named '\(testName)'.", line: nameLine, kind: .assertion)
        }
        var args = CallArguments()
        if current.isOp("(") {
            args = try parseCallArguments()
        } else {
            let startsArgument: Bool
            switch current.kind {
            case .name: startsArgument = !["else", "or", "and"].contains(current.text)
            case .string, .integer, .float: startsArgument = true
            case .op: startsArgument = ["(", "[", "{"].contains(current.text)
            default: startsArgument = false
            }
            if startsArgument {
                if current.isName("is") { throw fail("You cannot chain multiple tests with is") }
                args.positional = [try parsePostfix(try parsePrimary())]
            }
        }
        let test = Expr(kind: .test(node, testName, args), line: line)
        return negated ? Expr(kind: .not(test), line: line) : test
    }
}
