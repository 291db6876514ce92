// Executes a parsed Go template against data, with goss's option missingkey=error.
import Foundation

/// A parsed Go `text/template`, as goss renders gossfiles before reading them as YAML.
///
///     let template = try GoTemplate(name: "goss.yaml", source: text)
///     let yaml = try template.render(data: .map(["Env": .environment(env)]), functions: .goss(readFile: read))
public struct GoTemplate: Sendable {
    public let name: String
    let nodes: [Node]

    public init(name: String, source: String) throws {
        self.name = name
        var parser = Parser(lexer: Lexer(name: name, source: source))
        self.nodes = try parser.parse()
    }

    public func render(data: GoValue, functions: GoFunctions = .goss()) throws -> String {
        var executor = Executor(name: name, root: data, functions: functions)
        var output = ""
        try executor.run(nodes, dot: data, into: &output)
        return output
    }
}

struct Executor {
    let name: String
    let root: GoValue
    let functions: GoFunctions
    var scopes: [[String: GoValue]] = []

    init(name: String, root: GoValue, functions: GoFunctions) {
        self.name = name
        self.root = root
        self.functions = functions
        self.scopes = [["$": root]]
    }

    func error(_ message: String, _ position: GoTemplatePosition) -> GoTemplateError {
        GoTemplateError(name: name, position: position, message: "executing \"\(name)\": " + message)
    }

    mutating func run(_ nodes: [Node], dot: GoValue, into output: inout String) throws {
        for node in nodes {
            switch node {
            case .text(let text): output += text
            case .action(let pipeline):
                let value = try evaluate(pipeline, dot: dot)
                if pipeline.declarations.isEmpty { output += value.printed }
            case .ifNode(let pipeline, let body, let elseBody):
                scopes.append([:])
                defer { scopes.removeLast() }
                try run(try evaluate(pipeline, dot: dot).isTrue ? body : elseBody, dot: dot, into: &output)
            case .withNode(let pipeline, let body, let elseBody):
                scopes.append([:])
                defer { scopes.removeLast() }
                let value = try evaluate(pipeline, dot: dot)
                if value.isTrue { try run(body, dot: value, into: &output) } else { try run(elseBody, dot: dot, into: &output) }
            case .rangeNode(let pipeline, let body, let elseBody):
                var header = pipeline
                let names = header.declarations
                header.declarations = []
                let value = try evaluate(header, dot: dot)
                var items: [(GoValue, GoValue)] = []
                switch value {
                case .list(let list): items = list.enumerated().map { (.int($0.offset), $0.element) }
                case .map(let map): items = map.keys.sorted().map { (.string($0), map[$0]!) }
                case .int(let count) where count >= 0: items = (0..<count).map { (.int($0), .int($0)) }
                case .null: items = []
                default: throw error("range can't iterate over \(value.printed)", pipeline.position)
                }
                if items.isEmpty {
                    scopes.append([:])
                    defer { scopes.removeLast() }
                    try run(elseBody, dot: dot, into: &output)
                    continue
                }
                for (key, element) in items {
                    var scope: [String: GoValue] = [:]
                    if names.count == 1 { scope[names[0]] = element }
                    if names.count == 2 { scope[names[0]] = key; scope[names[1]] = element }
                    scopes.append(scope)
                    defer { scopes.removeLast() }
                    try run(body, dot: element, into: &output)
                }
            }
        }
    }

    func lookupVariable(_ name: String, at position: GoTemplatePosition) throws -> GoValue {
        for scope in scopes.reversed() {
            if let value = scope[name] { return value }
        }
        throw error("undefined variable: \(name)", position)
    }

    mutating func evaluate(_ pipeline: Pipeline, dot: GoValue) throws -> GoValue {
        var previous: GoValue? = nil
        for command in pipeline.commands {
            previous = try evaluate(command, dot: dot, piped: previous)
        }
        let value = previous ?? .null
        if !pipeline.declarations.isEmpty {
            let target = pipeline.declarations.last!
            if pipeline.isAssignment {
                guard let index = scopes.lastIndex(where: { $0[target] != nil }) else {
                    throw error("undefined variable: \(target)", pipeline.position)
                }
                scopes[index][target] = value
            } else {
                scopes[scopes.count - 1][target] = value
            }
        }
        return value
    }

    mutating func evaluate(_ command: Command, dot: GoValue, piped: GoValue?) throws -> GoValue {
        guard let head = command.operands.first else { throw error("empty command", command.position) }
        if case .function(let name, let position) = head {
            let argumentOperands = Array(command.operands.dropFirst())
            // and/or short-circuit and return the deciding argument.
            if name == "and" || name == "or" {
                var operands = argumentOperands.map { Optional($0) }
                if piped != nil { operands.append(nil) }
                guard !operands.isEmpty else { throw error("wrong number of args for \(name): want at least 1 got 0", position) }
                var last: GoValue = .null
                for operand in operands {
                    last = try operand.map { try evaluate($0, dot: dot, at: position) } ?? piped!
                    if (name == "and") != last.isTrue { return last }
                }
                return last
            }
            guard let function = functions.table[name] else {
                throw error("function \"\(name)\" not defined", position)
            }
            var arguments = try argumentOperands.map { try evaluate($0, dot: dot, at: position) }
            if let piped { arguments.append(piped) }
            do {
                return try function(arguments)
            } catch let failure as GoFunctionFailure {
                throw error("error calling \(name): \(failure.message)", position)
            } catch let error where error is GoTemplatePassthrough {
                throw error
            } catch let other {
                throw error("error calling \(name): \(other)", position)
            }
        }
        guard command.operands.count == 1, piped == nil else {
            throw error("can't give argument to non-function \(describe(head))", command.position)
        }
        return try evaluate(head, dot: dot, at: command.position)
    }

    mutating func evaluate(_ operand: Operand, dot: GoValue, at position: GoTemplatePosition) throws -> GoValue {
        switch operand {
        case .literal(let value): return value
        case .dot: return dot
        case .field(let names): return try access(dot, names, at: position)
        case .variable(let name, let names): return try access(lookupVariable(name, at: position), names, at: position)
        case .pipeline(let pipeline): return try evaluate(pipeline, dot: dot)
        case .chained(let pipeline, let names): return try access(evaluate(pipeline, dot: dot), names, at: position)
        case .function(_, let functionPosition):
            // A function named as an argument is called with no arguments.
            return try evaluate(Command(operands: [operand], position: functionPosition), dot: dot, piped: nil)
        }
    }

    func access(_ value: GoValue, _ names: [String], at position: GoTemplatePosition) throws -> GoValue {
        var current = value
        for name in names {
            switch current {
            case .map(let map):
                guard let next = map[name] else { throw error("map has no entry for key \"\(name)\"", position) }
                current = next
            case .null:
                throw error("nil pointer evaluating interface {}.\(name)", position)
            default:
                throw error("can't evaluate field \(name) in type \(current.kindName)", position)
            }
        }
        return current
    }

    func describe(_ operand: Operand) -> String {
        switch operand {
        case .literal(let value): return value.printed
        case .dot: return "."
        case .field(let names): return "." + names.joined(separator: ".")
        case .variable(let name, let names): return ([name] + names).joined(separator: ".")
        case .pipeline, .chained: return "(pipeline)"
        case .function(let name, _): return name
        }
    }
}
