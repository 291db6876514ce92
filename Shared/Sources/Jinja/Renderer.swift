import Foundation

/// A frame's variables: a short list searched linearly (most frames hold a handful of names, and
/// comparing short strings is cheaper than hashing them), with a hash index once it grows.
struct Variables {
    private(set) var names: [String] = []
    private(set) var values: [Value] = []
    private var index: [String: Int]? = nil

    init() {}

    init(_ dictionary: [String: Value]) {
        for (k, v) in dictionary { self[k] = v }
    }

    var keys: [String] { names }

    private func position(_ name: String) -> Int? {
        if let index { return index[name] }
        return names.firstIndex(of: name)
    }

    subscript(name: String) -> Value? {
        get { position(name).map { values[$0] } }
        set {
            if let i = position(name) {
                if let newValue { values[i] = newValue } else { remove(at: i) }
            } else if let newValue {
                names.append(name)
                values.append(newValue)
                if index != nil {
                    index![name] = names.count - 1
                } else if names.count > 12 {
                    index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
                }
            }
        }
    }

    private mutating func remove(at i: Int) {
        names.remove(at: i)
        values.remove(at: i)
        if index != nil { index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) }) }
    }
}

/// Variables visible at one point of a template: a chain of frames (template, loop iteration,
/// macro call, `with` block) ending at the render context.
final class Scope: @unchecked Sendable {
    var vars: Variables
    let parent: Scope?

    init(parent: Scope?, vars: [String: Value] = [:]) {
        self.parent = parent
        self.vars = Variables(vars)
    }

    func lookup(_ name: String) -> Value? {
        var scope: Scope? = self
        while let s = scope {
            if let v = s.vars[name] { return v }
            scope = s.parent
        }
        return nil
    }

    /// Every visible variable, inner frames winning (what `include` passes on).
    func flattened() -> [String: Value] {
        var chain: [Scope] = []
        var scope: Scope? = self
        while let s = scope { chain.append(s); scope = s.parent }
        var out: [String: Value] = [:]
        for s in chain.reversed() {
            for (k, v) in zip(s.vars.names, s.vars.values) { out[k] = v }
        }
        return out
    }
}

/// Renders templates: one instance per top-level render. Filters receive it to call back into the
/// engine (`map`, `select`, …) and to reach the environment.
public final class Renderer {
    public let environment: Environment
    private var depth = 0
    private var steps = 0
    private var templateStack: [Template] = []
    private var modules: [String: Module] = [:]

    init(environment: Environment) {
        self.environment = environment
    }

    private var currentTemplate: String { templateStack.last?.name ?? "<template>" }

    func renderTemplate(_ template: Template, context: [String: Value]) throws -> String {
        let root = Scope(parent: Scope(parent: nil, vars: context))
        var out = ""
        try run(template, scope: root, into: &out)
        return out
    }

    private func run(_ template: Template, scope: Scope, into out: inout String) throws {
        try runFrame(template, template.statements, scope, into: &out)
    }

    /// Executes `statements` as code of `owner` (a template body, an include, a macro body),
    /// bounding the nesting of such frames.
    private func runFrame(_ owner: Template, _ statements: [Statement], _ scope: Scope, into out: inout String) throws {
        depth += 1
        templateStack.append(owner)
        defer {
            depth -= 1
            templateStack.removeLast()
        }
        if depth > environment.maxDepth {
            throw JinjaError(.limit, "maximum recursion depth exceeded (\(environment.maxDepth) nested macro calls, includes or imports)")
        }
        try execute(statements, scope, &out)
    }

    // MARK: statements

    /// Counts one unit of work against the render's budget.
    @inline(__always)
    private func step(cost: Int = 1) throws {
        steps += cost
        if steps > environment.maxSteps {
            throw JinjaError(.limit, "the template did more than \(environment.maxSteps) steps of work (a runaway loop or recursion?)")
        }
    }

    private func checkOutput(_ out: String) throws {
        if out.utf8.count > environment.maxBytes {
            throw JinjaError(.limit, "the output grew past \(environment.maxBytes) bytes")
        }
    }

    private func execute(_ statements: [Statement], _ scope: Scope, _ out: inout String) throws {
        for statement in statements {
            try step()
            switch statement {
            case .data(let text):
                out += text
                try checkOutput(out)
            case .output(let expr):
                let v = try evaluate(expr, scope)
                switch v {
                case .string(let s), .markup(let s): out += s
                default: out += try located(expr.line) { try Python.str(v) }
                }
                try located(expr.line) { try checkOutput(out) }
            case .ifChain(let branches, let otherwise):
                var taken = false
                for (test, body) in branches {
                    let v = try evaluate(test, scope)
                    if try located(test.line, { try Python.truthy(v) }) {
                        try execute(body, scope, &out)
                        taken = true
                        break
                    }
                }
                if !taken, let otherwise { try execute(otherwise, scope, &out) }
            case .forLoop(let loop):
                try executeFor(loop, scope, &out)
            case .set(let target, let expr, let line):
                let v = try evaluate(expr, scope)
                try located(line) { try assign(target, v, scope) }
            case .setBlock(let target, let filter, let body, let line):
                var text = ""
                try execute(body, scope, &text)
                var v: Value = .string(text)
                if let filter { v = try applyFilterChain(filter, input: v, scope) }
                try located(line) { try assign(target, v, scope) }
            case .macro(let definition):
                scope.vars[definition.name] = .function(Function(macro: definition, closure: scope, owner: templateStack.last!))
            case .callBlock(let callerDefinition, let call):
                let caller = Function(macro: callerDefinition, closure: scope, owner: templateStack.last!)
                guard case .call(let callee, let args) = call.kind else { break }
                let v = try evaluateCall(callee, args, scope, line: call.line, caller: .function(caller))
                out += try located(call.line) { try Python.str(v) }
            case .filterBlock(let filter, let body):
                var text = ""
                try execute(body, Scope(parent: scope), &text)
                let v = try applyFilterChain(filter, input: .string(text), scope)
                out += try located(filter.line) { try Python.str(v) }
            case .include(let nameExpr, let ignoreMissing, let withContext, let line):
                let nameValue = try evaluate(nameExpr, scope)
                let template: Template
                do {
                    template = try located(line) { try loadTemplate(nameValue) }
                } catch let error as JinjaError where error.kind == .notFound && ignoreMissing {
                    continue
                }
                let context = withContext ? scope.flattened() : [:]
                try located(line) { try run(template, scope: Scope(parent: Scope(parent: nil, vars: context)), into: &out) }
            case .importAs(let nameExpr, let name, let withContext, let line):
                let module = try importModule(nameExpr, withContext: withContext, scope, line: line)
                scope.vars[name] = .module(module)
            case .fromImport(let nameExpr, let names, let withContext, let line):
                let module = try importModule(nameExpr, withContext: withContext, scope, line: line)
                for n in names {
                    if let v = module.exports[string: n.name] {
                        scope.vars[n.alias] = v
                    } else {
                        scope.vars[n.alias] = .undefined(Undefined(
                            hint: "the template '\(module.name)' (imported on line \(line) in '\(currentTemplate)') does not export the requested name '\(n.name)'"))
                    }
                }
            case .with(let pairs, let body):
                let inner = Scope(parent: scope)
                for (target, expr) in pairs {
                    let v = try evaluate(expr, inner)
                    try located(expr.line) { try assign(target, v, inner) }
                }
                try execute(body, inner, &out)
            case .block(_, let body):
                try execute(body, scope, &out)
            }
        }
    }

    private func executeFor(_ loop: ForLoop, _ scope: Scope, _ out: inout String) throws {
        let iterable = try evaluate(loop.iterable, scope)
        var items = try located(loop.iterable.line) { try Python.iterate(iterable) }
        if let filter = loop.filter {
            var kept: [Value] = []
            for item in items {
                let s = Scope(parent: scope)
                try located(loop.line) { try assign(loop.target, item, s) }
                let ok = try evaluate(filter, s)
                if try located(filter.line, { try Python.truthy(ok) }) { kept.append(item) }
            }
            items = kept
        }
        if items.isEmpty {
            try execute(loop.otherwise, scope, &out)
            return
        }
        let changed = LoopContext.ChangedState()
        for (i, item) in items.enumerated() {
            try located(loop.line) { try step() }
            let s = Scope(parent: scope)
            try located(loop.line) { try assign(loop.target, item, s) }
            s.vars["loop"] = .loop(LoopContext(items: items, index0: i, changed: changed))
            try execute(loop.body, s, &out)
        }
    }


    private func assign(_ target: AssignTarget, _ value: Value, _ scope: Scope) throws {
        switch target {
        case .name(let n):
            scope.vars[n] = value
        case .tuple(let targets):
            let items: [Value]
            switch value {
            case .list(let a), .tuple(let a): items = a
            case .string, .markup, .dict: items = try Python.iterate(value)
            case .undefined(let u): throw u.error()
            default: throw JinjaError(.type, "cannot unpack non-iterable \(value.typeName) object")
            }
            if items.count < targets.count {
                throw JinjaError(.value, "not enough values to unpack (expected \(targets.count), got \(items.count))")
            }
            if items.count > targets.count {
                throw JinjaError(.value, "too many values to unpack (expected \(targets.count))")
            }
            for (t, v) in zip(targets, items) { try assign(t, v, scope) }
        case .namespaceAttribute(let ns, let attr):
            guard case .namespace(let namespace)? = scope.lookup(ns) ?? environment.globals[ns] else {
                if scope.lookup(ns) == nil { throw JinjaError(.undefined, "'\(ns)' is undefined") }
                throw JinjaError(.type, "cannot assign attribute on non-namespace object")
            }
            try namespace.attributes.set(.string(attr), value)
        }
    }

    private func loadTemplate(_ nameValue: Value) throws -> Template {
        switch nameValue {
        case .string(let n), .markup(let n):
            return try environment.template(named: n)
        case .list(let names), .tuple(let names):
            var tried: [String] = []
            for n in names {
                let name = try Python.str(n)
                tried.append(name)
                do { return try environment.template(named: name) } catch let e as JinjaError where e.kind == .notFound { continue }
            }
            throw JinjaError(.notFound, "none of the templates given were found: \(tried.joined(separator: ", "))")
        case .undefined(let u):
            throw u.error()
        default:
            throw JinjaError(.type, "template name must be a string, not \(nameValue.typeName)")
        }
    }

    private func importModule(_ nameExpr: Expr, withContext: Bool, _ scope: Scope, line: Int) throws -> Module {
        let nameValue = try evaluate(nameExpr, scope)
        return try located(line) {
            let template = try loadTemplate(nameValue)
            if !withContext, let cached = modules[template.name] { return cached }
            let context = withContext ? scope.flattened() : [:]
            let root = Scope(parent: Scope(parent: nil, vars: context))
            var discarded = ""
            try run(template, scope: root, into: &discarded)
            var exports = Dict()
            for key in root.vars.keys.sorted() where !key.hasPrefix("_") {
                exports[string: key] = root.vars[key]
            }
            let module = Module(name: nameValue.stringValue ?? template.name, exports: exports)
            if !withContext { modules[template.name] = module }
            return module
        }
    }

    /// Runs `body`, attaching `line` (and the current template) to errors that have no location yet.
    @inline(__always)
    private func located<T>(_ line: Int, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as JinjaError {
            throw error.located(template: currentTemplate, line: line)
        }
    }

    // MARK: expressions

    func evaluate(_ expr: Expr, _ scope: Scope) throws -> Value {
        do {
            try step()
            let value = try evaluateUnlocated(expr, scope)
            // Large values cost in proportion to their size, so building one again and again
            // (`ns.l = ns.l + [i]` in a long loop, quadratic copying) runs out of budget, not forever.
            switch value {
            case .string(let s), .markup(let s):
                let n = s.utf8.count
                if n > environment.maxBytes { throw JinjaError(.limit, "a string grew past \(environment.maxBytes) bytes") }
                if n >= 1024 { try step(cost: n >> 10) }
            case .list(let items), .tuple(let items):
                if items.count > environment.maxItems { throw JinjaError(.limit, "a list grew past \(environment.maxItems) items") }
                if items.count >= 16 { try step(cost: items.count >> 4) }
            case .dict(let d):
                if d.count > environment.maxItems { throw JinjaError(.limit, "a dict grew past \(environment.maxItems) items") }
                if d.count >= 16 { try step(cost: d.count >> 4) }
            default: break
            }
            return value
        } catch let error as JinjaError {
            throw error.located(template: currentTemplate, line: expr.line)
        }
    }

    private func evaluateUnlocated(_ expr: Expr, _ scope: Scope) throws -> Value {
        switch expr.kind {
        case .literal(let v):
            return v
        case .name(let n):
            if let v = scope.lookup(n) ?? environment.globals[n] { return v }
            return .undefined(name: n)
        case .list(let items):
            return .list(try items.map { try evaluate($0, scope) })
        case .tuple(let items):
            return .tuple(try items.map { try evaluate($0, scope) })
        case .dict(let pairs):
            var d = Dict()
            for (k, v) in pairs { try d.set(try evaluate(k, scope), try evaluate(v, scope)) }
            return .dict(d)
        case .attribute(let objectExpr, let name):
            let object = try evaluate(objectExpr, scope)
            return try Attributes.getattr(object, name)
        case .item(let objectExpr, let indexExpr):
            let object = try evaluate(objectExpr, scope)
            if case .slice(let a, let b, let c) = indexExpr.kind {
                return try Attributes.slice(object,
                                            try a.map { try evaluate($0, scope) },
                                            try b.map { try evaluate($0, scope) },
                                            try c.map { try evaluate($0, scope) })
            }
            return try Attributes.getitem(object, try evaluate(indexExpr, scope))
        case .slice:
            throw JinjaError(.syntax, "slice outside of a subscript")
        case .call(let callee, let args):
            return try evaluateCall(callee, args, scope, line: expr.line, caller: nil)
        case .filter(let input, let name, let args):
            guard let input else { throw JinjaError(.syntax, "filter without a value") }
            return try callFilter(name, try evaluate(input, scope), try evaluateArguments(args, scope))
        case .test(let input, let name, let args):
            return .bool(try callTest(name, try evaluate(input, scope), try evaluateArguments(args, scope)))
        case .not(let e):
            return .bool(!(try Python.truthy(try evaluate(e, scope))))
        case .negate(let e):
            return try Python.negate(try evaluate(e, scope))
        case .positive(let e):
            return try Python.positive(try evaluate(e, scope))
        case .binary(let op, let l, let r):
            let a = try evaluate(l, scope), b = try evaluate(r, scope)
            switch op {
            case .add: return try Python.add(a, b)
            case .subtract: return try Python.subtract(a, b)
            case .multiply: return try Python.multiply(a, b)
            case .divide: return try Python.trueDivide(a, b)
            case .floorDivide: return try Python.floorDivide(a, b)
            case .modulo: return try Python.modulo(a, b)
            case .power: return try Python.power(a, b)
            }
        case .and(let l, let r):
            let a = try evaluate(l, scope)
            return try Python.truthy(a) ? try evaluate(r, scope) : a
        case .or(let l, let r):
            let a = try evaluate(l, scope)
            return try Python.truthy(a) ? a : try evaluate(r, scope)
        case .concat(let parts):
            var s = ""
            for p in parts { s += try Python.str(try evaluate(p, scope)) }
            return .string(s)
        case .compare(let first, let ops):
            var left = try evaluate(first, scope)
            for (op, rightExpr) in ops {
                let right = try evaluate(rightExpr, scope)
                let ok: Bool
                switch op {
                case .eq: ok = try Python.equal(left, right)
                case .ne: ok = !(try Python.equal(left, right))
                case .in: ok = try Python.contains(right, left)
                case .notIn: ok = !(try Python.contains(right, left))
                case .lt: ok = try Python.compare(left, right, op: "<") == .orderedAscending
                case .le: ok = [.orderedAscending, .orderedSame].contains(try Python.compare(left, right, op: "<="))
                case .gt: ok = try Python.compare(left, right, op: ">") == .orderedDescending
                case .ge: ok = [.orderedDescending, .orderedSame].contains(try Python.compare(left, right, op: ">="))
                }
                if !ok { return .bool(false) }
                left = right
            }
            return .bool(true)
        case .conditional(let test, let then, let otherwise):
            if try Python.truthy(try evaluate(test, scope)) { return try evaluate(then, scope) }
            if let otherwise { return try evaluate(otherwise, scope) }
            return .undefined(Undefined(hint: "the inline if-expression on line \(expr.line) evaluated to false and no else section was defined.", strict: false))
        }
    }

    private func evaluateArguments(_ args: CallArguments, _ scope: Scope) throws -> Arguments {
        var out = Arguments(try args.positional.map { try evaluate($0, scope) },
                            keywords: try args.keywords.map { ($0.0, try evaluate($0.1, scope)) })
        if let star = args.star {
            out.positional += try Python.iterate(try evaluate(star, scope))
        }
        if let doubleStar = args.doubleStar {
            let v = try evaluate(doubleStar, scope)
            guard case .dict(let d) = v else { throw JinjaError(.type, "argument after ** must be a mapping, not \(v.typeName)") }
            for (k, value) in d.pairs {
                guard let key = k.stringValue else { throw JinjaError(.type, "keywords must be strings") }
                out.keywords.append((key, value))
            }
        }
        return out
    }

    private func evaluateCall(_ calleeExpr: Expr, _ args: CallArguments, _ scope: Scope, line: Int, caller: Value?) throws -> Value {
        let callee = try evaluate(calleeExpr, scope)
        var arguments = try evaluateArguments(args, scope)
        if let caller { arguments.keywords.append(("caller", caller)) }
        return try located(line) { try call(callee, arguments) }
    }

    /// Calls a function or macro value.
    public func call(_ callee: Value, _ args: Arguments) throws -> Value {
        switch callee {
        case .function(let f):
            if let macro = f.macro { return try callMacro(f, macro, args) }
            return try f.body!(args, self)
        case .undefined(let u):
            throw u.error()
        default:
            throw JinjaError(.type, "'\(callee.typeName)' object is not callable")
        }
    }

    private func callMacro(_ f: Function, _ macro: MacroDefinition, _ args: Arguments) throws -> Value {
        let scope = Scope(parent: f.closure)
        let params = macro.parameters
        var bound = [Bool](repeating: false, count: params.count)
        for (i, v) in args.positional.enumerated() where i < params.count {
            scope.vars[params[i].name] = v
            bound[i] = true
        }
        if args.positional.count > params.count {
            guard macro.catchesVarargs else {
                throw JinjaError(.type, "macro '\(macro.name)' takes not more than \(params.count) argument(s)")
            }
        }
        if macro.catchesVarargs { scope.vars["varargs"] = .tuple(Array(args.positional.dropFirst(params.count))) }
        var extra = Dict()
        var caller: Value? = nil
        for (k, v) in args.keywords {
            if let i = params.firstIndex(where: { $0.name == k }) {
                if bound[i] { throw JinjaError(.type, "macro '\(macro.name)' got multiple values for argument '\(k)'") }
                scope.vars[k] = v
                bound[i] = true
            } else if k == "caller" && macro.acceptsCaller {
                caller = v
            } else if macro.catchesKwargs {
                extra[string: k] = v
            } else if k == "caller" {
                throw JinjaError(.type, "macro '\(macro.name)' was invoked with a caller but does not use caller()")
            } else {
                throw JinjaError(.type, "macro '\(macro.name)' takes no keyword argument '\(k)'")
            }
        }
        if macro.catchesKwargs { scope.vars["kwargs"] = .dict(extra) }
        if macro.acceptsCaller {
            scope.vars["caller"] = caller ?? .undefined(Undefined(hint: "No caller defined"))
        }
        for (i, p) in params.enumerated() where !bound[i] {
            if let d = p.defaultValue {
                templateStack.append(f.owner!)
                defer { templateStack.removeLast() }
                scope.vars[p.name] = try evaluate(d, scope)
            } else {
                scope.vars[p.name] = .undefined(Undefined(name: p.name, hint: "parameter '\(p.name)' was not provided"))
            }
        }
        var out = ""
        try runFrame(f.owner!, macro.body, scope, into: &out)
        return .string(out)
    }

    // MARK: filters and tests

    /// Applies the filter `name` to `value`.
    public func callFilter(_ name: String, _ value: Value, _ args: Arguments) throws -> Value {
        guard let filter = environment.filters[name] else {
            throw JinjaError(.assertion, "No filter named '\(name)' found.")
        }
        return try filter(value, args, self)
    }

    /// Applies the test `name` to `value`.
    public func callTest(_ name: String, _ value: Value, _ args: Arguments) throws -> Bool {
        guard let test = environment.tests[name] else {
            throw JinjaError(.assertion, "No test named '\(name)' found.")
        }
        return try test(value, args, self)
    }

    private func applyFilterChain(_ expr: Expr, input: Value, _ scope: Scope) throws -> Value {
        guard case .filter(let inner, let name, let args) = expr.kind else { return try evaluate(expr, scope) }
        let value = try inner.map { try applyFilterChain($0, input: input, scope) } ?? input
        let arguments = try evaluateArguments(args, scope)
        return try located(expr.line) { try callFilter(name, value, arguments) }
    }
}
