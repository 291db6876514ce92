// Executes a parsed Go template against data, with goss's option missingkey=error, and bounded work and output.
import Foundation

/// A parsed Go `text/template`, as goss renders gossfiles before reading them as YAML.
///
///     let template = try GoTemplate(name: "test", source: text)
///     let yaml = try template.render(data: .map(["Env": .environment(env)]), functions: .goss(readFile: read))
///
/// Errors are `GoTemplateError` (printed as goss prints them), except errors conforming to `GoTemplatePassthrough`,
/// which a function throws to reach the caller of `render` unchanged.
/// Supported: text and actions with `{{-`/`-}}` trimming and comments; `if`/`else if`/`else`, `with`/`else with`,
/// `range` over lists, maps (sorted keys) and ints with `$i, $v :=`, `break`, `continue`; variables with `:=` and `=`;
/// pipelines, parenthesised arguments, `(pipeline).Field`; `define`, `template`, `block`. Not supported: `call`
/// (no function values) and methods.
public struct GoTemplate: Sendable {
    /// Output beyond this many bytes is an error, not a hang or an exhausted memory.
    public static let maxOutputBytes = 10 * 1024 * 1024
    /// Executed nodes and commands beyond this count are an error (e.g. `range 1000000000`); a gossfile needs a few thousand.
    public static let maxSteps = 1_000_000
    /// Nested `{{template}}` calls beyond this depth are an error.
    public static let maxTemplateDepth = 100

    public let name: String
    let nodes: [Node]
    let definitions: [String: [Node]]
    let functionUses: [FunctionUse]

    struct FunctionUse: Sendable {
        let name: String
        let position: GoTemplatePosition
    }

    /// Parses `source`; throws a parse-phase `GoTemplateError` (`template: NAME:LINE: …`).
    public init(name: String, source: String) throws {
        self.name = name
        var parser = Parser(lexer: Lexer(name: name, source: source))
        let parsed = try parser.parse()
        self.nodes = parsed.nodes
        self.definitions = parsed.definitions
        self.functionUses = parsed.functionUses.map { FunctionUse(name: $0.0, position: $0.1) }
    }

    /// Renders with `data` as `.` and `$`. A function the template names that `functions` lacks is reported as Go's
    /// parse error (`function "x" not defined`) before anything runs.
    public func render(data: GoValue, functions: GoFunctions = .goss()) throws -> String {
        for use in functionUses where functions.table[use.name] == nil && use.name != "and" && use.name != "or" {
            throw GoTemplateError.parse(name, use.position, "function \"\(use.name)\" not defined")
        }
        var executor = Executor(name: name, root: data, functions: functions, definitions: definitions)
        var output = ""
        _ = try executor.run(nodes, dot: data, into: &output)
        return output
    }
}

struct Executor {
    enum Flow { case normal, breakLoop, continueLoop }

    let name: String
    let functions: GoFunctions
    let definitions: [String: [Node]]
    var scopes: [[String: GoValue]]
    var steps = 0
    var templateDepth = 0

    init(name: String, root: GoValue, functions: GoFunctions, definitions: [String: [Node]]) {
        self.name = name
        self.functions = functions
        self.definitions = definitions
        self.scopes = [["$": root]]
    }

    func error(_ message: String, _ position: GoTemplatePosition, _ context: String?) -> GoTemplateError {
        GoTemplateError.execution(name, position, context, message)
    }

    mutating func tick(_ position: GoTemplatePosition) throws {
        steps += 1
        if steps > GoTemplate.maxSteps {
            throw error("template execution exceeded \(GoTemplate.maxSteps) steps", position, nil)
        }
    }

    func append(_ text: String, to output: inout String, at position: GoTemplatePosition) throws {
        output += text
        if output.utf8.count > GoTemplate.maxOutputBytes {
            throw error("template output exceeds \(GoTemplate.maxOutputBytes) bytes", position, nil)
        }
    }

    mutating func run(_ nodes: [Node], dot: GoValue, into output: inout String) throws -> Flow {
        for node in nodes {
            switch node {
            case .text(let text):
                try append(text, to: &output, at: GoTemplatePosition(line: 1, column: 1))
            case .action(let pipeline):
                try tick(pipeline.position)
                let value = try evaluate(pipeline, dot: dot)
                if pipeline.declarations.isEmpty {
                    try append(value == .null ? "<no value>" : value.printed, to: &output, at: pipeline.position)
                }
            case .ifNode(let pipeline, let body, let elseBody):
                try tick(pipeline.position)
                scopes.append([:])
                defer { scopes.removeLast() }
                let flow = try run(try evaluate(pipeline, dot: dot).isTrue ? body : elseBody, dot: dot, into: &output)
                if flow != .normal { return flow }
            case .withNode(let pipeline, let body, let elseBody):
                try tick(pipeline.position)
                scopes.append([:])
                defer { scopes.removeLast() }
                let value = try evaluate(pipeline, dot: dot)
                let flow = value.isTrue ? try run(body, dot: value, into: &output) : try run(elseBody, dot: dot, into: &output)
                if flow != .normal { return flow }
            case .rangeNode(let pipeline, let body, let elseBody):
                try tick(pipeline.position)
                scopes.append([:])
                defer { scopes.removeLast() }
                let flow = try runRange(pipeline, body, elseBody, dot: dot, into: &output)
                if flow != .normal { return flow }
            case .breakNode:
                return .breakLoop
            case .continueNode:
                return .continueLoop
            case .templateCall(let callee, let pipeline, let position):
                try tick(position)
                let context = "{{template \(GoFormat.quote(callee))\(pipeline.map { " " + $0.text } ?? "")}}"
                guard let body = definitions[callee] else {
                    throw error("template \(GoFormat.quote(callee)) not defined", position, context)
                }
                guard templateDepth < GoTemplate.maxTemplateDepth else {
                    throw error("exceeded maximum template depth (\(GoTemplate.maxTemplateDepth))", position, context)
                }
                let value = try pipeline.map { try evaluate($0, dot: dot) } ?? .null
                let saved = scopes
                scopes = [["$": value]]
                templateDepth += 1
                defer { scopes = saved; templateDepth -= 1 }
                _ = try run(body, dot: value, into: &output)
            }
        }
        return .normal
    }

    private mutating func runRange(_ pipeline: Pipeline, _ body: [Node], _ elseBody: [Node], dot: GoValue,
                                   into output: inout String) throws -> Flow {
        var header = pipeline
        let names = header.declarations
        header.declarations = []
        let value = try evaluate(header, dot: dot)
        switch value {
        case .list(let list):
            if list.isEmpty { return try run(elseBody, dot: dot, into: &output) }
            for (i, element) in list.enumerated() {
                if try iteration(names, .int(i), element, body, into: &output) == .breakLoop { break }
            }
        case .map(let map):
            if map.isEmpty { return try run(elseBody, dot: dot, into: &output) }
            for key in map.keys.sorted(by: GoFormat.less) {
                guard let element = map[key] else { continue }
                if try iteration(names, .string(key), element, body, into: &output) == .breakLoop { break }
            }
        case .int(let count):
            guard names.count < 2 else {
                throw error("can't use \(count) to iterate over more than one variable", pipeline.position, pipeline.text)
            }
            if count <= 0 { return try run(elseBody, dot: dot, into: &output) }
            for i in 0..<count {
                if try iteration(names, .int(i), .int(i), body, into: &output) == .breakLoop { break }
            }
        case .null:
            return try run(elseBody, dot: dot, into: &output)
        default:
            throw error("range can't iterate over \(value.printed)", pipeline.position, pipeline.text)
        }
        return .normal
    }

    private mutating func iteration(_ names: [String], _ key: GoValue, _ element: GoValue, _ body: [Node],
                                    into output: inout String) throws -> Flow {
        try tick(GoTemplatePosition(line: 1, column: 1))
        var scope: [String: GoValue] = [:]
        if names.count == 1 { scope[names[0]] = element }
        if names.count == 2 { scope[names[0]] = key; scope[names[1]] = element }
        scopes.append(scope)
        defer { scopes.removeLast() }
        return try run(body, dot: element, into: &output)
    }

    func lookupVariable(_ name: String, at position: GoTemplatePosition) throws -> GoValue {
        for scope in scopes.reversed() {
            if let value = scope[name] { return value }
        }
        throw error("undefined variable: \(name)", position, name)
    }

    mutating func assign(_ name: String, _ value: GoValue, declare: Bool, at position: GoTemplatePosition) throws {
        if declare {
            scopes[scopes.count - 1][name] = value
            return
        }
        guard let index = scopes.lastIndex(where: { $0[name] != nil }) else {
            throw error("undefined variable: \(name)", position, name)
        }
        scopes[index][name] = value
    }

    mutating func evaluate(_ pipeline: Pipeline, dot: GoValue) throws -> GoValue {
        var previous: GoValue? = nil
        for command in pipeline.commands {
            previous = try evaluate(command, dot: dot, piped: previous)
        }
        let value = previous ?? .null
        if let target = pipeline.declarations.last {
            try assign(target, value, declare: !pipeline.isAssignment, at: pipeline.position)
        }
        return value
    }

    mutating func evaluate(_ command: Command, dot: GoValue, piped: GoValue?) throws -> GoValue {
        try tick(command.position)
        guard let head = command.operands.first else { throw error("missing value for command", command.position, nil) }
        let hasArguments = command.operands.count > 1 || piped != nil
        switch head {
        case .function(let name, let position):
            return try call(name, at: position, command: command, dot: dot, piped: piped)
        case .literal(.null, _):
            throw error("nil is not a command", command.position, "nil")
        case .field(let names, let position) where hasArguments:
            _ = try access(dot, names, at: position, text: head.text)
            throw error("\(names.last ?? "") is not a method but has arguments", position, head.text)
        case .variable(let variable, let names, let position) where hasArguments && !names.isEmpty:
            _ = try access(lookupVariable(variable, at: position), names, at: position, text: head.text)
            throw error("\(names.last ?? "") is not a method but has arguments", position, head.text)
        default:
            guard !hasArguments else {
                throw error("can't give argument to non-function \(head.text)", command.position, head.text)
            }
            return try evaluate(head, dot: dot, at: command.position)
        }
    }

    /// Calls a function with the command's arguments and the piped value last; `and`/`or` short-circuit.
    private mutating func call(_ name: String, at position: GoTemplatePosition, command: Command, dot: GoValue,
                               piped: GoValue?) throws -> GoValue {
        let operands = Array(command.operands.dropFirst())
        if name == "and" || name == "or" {
            guard !operands.isEmpty || piped != nil else {
                throw error("wrong number of args for \(name): want at least 1 got 0", position, name)
            }
            var last: GoValue = .null
            for operand in operands {
                last = try evaluate(operand, dot: dot, at: position)
                if (name == "and") != last.isTrue { return last }
            }
            if let piped { last = piped }
            return last
        }
        guard let function = functions.table[name] else {
            throw GoTemplateError.parse(self.name, position, "function \"\(name)\" not defined")
        }
        var arguments = try operands.map { try evaluate($0, dot: dot, at: position) }
        if let piped { arguments.append(piped) }
        let result: GoValue
        do {
            result = try function(arguments)
        } catch let failure as GoFunctionFailure {
            if failure.isArgumentError { throw error(failure.message, position, name) }
            throw error("error calling \(name): \(failure.message)", command.position, command.text)
        } catch let error where error is GoTemplatePassthrough || error is GoTemplateError {
            throw error
        } catch let other {
            throw error("error calling \(name): \(other)", command.position, command.text)
        }
        if let text = result.stringValue, text.utf8.count > GoTemplate.maxOutputBytes {
            throw error("error calling \(name): result exceeds \(GoTemplate.maxOutputBytes) bytes", command.position, command.text)
        }
        // Sprig's set and unset change the dict they are given; values here are copies, so write the result back
        // to the variable it came from.
        if name == "set" || name == "unset", case .variable(let variable, let fields, _)? = operands.first, fields.isEmpty {
            try assign(variable, result, declare: false, at: position)
        }
        return result
    }

    mutating func evaluate(_ operand: Operand, dot: GoValue, at position: GoTemplatePosition) throws -> GoValue {
        switch operand {
        case .literal(let value, _): return value
        case .dot: return dot
        case .field(let names, let fieldPosition): return try access(dot, names, at: fieldPosition, text: operand.text)
        case .variable(let name, let names, let variablePosition):
            return try access(lookupVariable(name, at: variablePosition), names, at: variablePosition, text: operand.text)
        case .pipeline(let pipeline): return try evaluate(pipeline, dot: dot)
        case .chained(let pipeline, let names, let chainPosition):
            return try access(evaluate(pipeline, dot: dot), names, at: chainPosition, text: operand.text)
        case .function(_, let functionPosition):
            // A function named as an argument is called with no arguments.
            return try evaluate(Command(operands: [operand], position: functionPosition), dot: dot, piped: nil)
        }
    }

    func access(_ value: GoValue, _ names: [String], at position: GoTemplatePosition, text: String) throws -> GoValue {
        var current = value
        for name in names {
            switch current {
            case .map(let map):
                guard let next = map[name] else { throw error("map has no entry for key \"\(name)\"", position, text) }
                current = next
            case .null:
                throw error("nil pointer evaluating interface {}.\(name)", position, text)
            default:
                throw error("can't evaluate field \(name) in type \(current.typeName)", position, text)
            }
        }
        return current
    }
}

extension GoValue {
    /// The string inside, or nil.
    var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
}
