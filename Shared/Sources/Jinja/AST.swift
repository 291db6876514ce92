/// An expression with the line it starts on.
struct Expr: Sendable {
    indirect enum Kind: Sendable {
        case literal(Value)
        case name(String)
        case list([Expr])
        case tuple([Expr])
        case dict([(Expr, Expr)])
        case attribute(Expr, String)
        case item(Expr, Expr)
        case slice(Expr?, Expr?, Expr?)
        case call(Expr, CallArguments)
        /// `value | name(args)`; the value is nil in `{% filter %}` blocks and `{% set %}` blocks.
        case filter(Expr?, String, CallArguments)
        case test(Expr, String, CallArguments)
        case not(Expr)
        case negate(Expr)
        case positive(Expr)
        case binary(BinaryOperator, Expr, Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        case concat([Expr])
        case compare(Expr, [(CompareOperator, Expr)])
        case conditional(test: Expr, then: Expr, otherwise: Expr?)
    }

    var kind: Kind
    var line: Int
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", floorDivide = "//", modulo = "%", power = "**"
}

enum CompareOperator: String, Sendable {
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">=", `in` = "in", notIn = "not in"
}

struct CallArguments: Sendable {
    var positional: [Expr] = []
    var keywords: [(String, Expr)] = []
    var star: Expr? = nil
    var doubleStar: Expr? = nil
}

/// Where `set`, `for` and `with` store values.
indirect enum AssignTarget: Sendable {
    case name(String)
    case tuple([AssignTarget])
    case namespaceAttribute(String, String)

    var names: [String] {
        switch self {
        case .name(let n): return [n]
        case .tuple(let t): return t.flatMap(\.names)
        case .namespaceAttribute: return []
        }
    }
}

/// A `{% macro %}` (or the body of a `{% call %}` block, which becomes the `caller` macro).
final class MacroDefinition: Sendable {
    let name: String
    let parameters: [(name: String, defaultValue: Expr?)]
    let body: [Statement]
    let line: Int
    /// Whether the body refers to `varargs`, `kwargs` or `caller`: only then are extra positional
    /// arguments, extra keyword arguments or a caller accepted (as in Jinja2).
    let catchesVarargs: Bool
    let catchesKwargs: Bool
    let acceptsCaller: Bool

    init(name: String, parameters: [(name: String, defaultValue: Expr?)], body: [Statement], line: Int, referencedNames: Set<String>) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.line = line
        self.catchesVarargs = referencedNames.contains("varargs")
        self.catchesKwargs = referencedNames.contains("kwargs")
        self.acceptsCaller = referencedNames.contains("caller")
    }
}

struct ImportedName: Sendable {
    var name: String
    var alias: String
}

/// A template statement.
indirect enum Statement: Sendable {
    case data(String)
    case output(Expr)
    case ifChain([(Expr, [Statement])], otherwise: [Statement]?)
    case forLoop(ForLoop)
    case set(AssignTarget, Expr, line: Int)
    case setBlock(AssignTarget, filter: Expr?, body: [Statement], line: Int)
    case macro(MacroDefinition)
    case callBlock(caller: MacroDefinition, call: Expr)
    case filterBlock(Expr, body: [Statement])
    case include(Expr, ignoreMissing: Bool, withContext: Bool, line: Int)
    case importAs(Expr, name: String, withContext: Bool, line: Int)
    case fromImport(Expr, names: [ImportedName], withContext: Bool, line: Int)
    case with([(AssignTarget, Expr)], body: [Statement])
    case block(name: String, body: [Statement])
}

struct ForLoop: Sendable {
    var target: AssignTarget
    var iterable: Expr
    var filter: Expr?
    var body: [Statement]
    var otherwise: [Statement]
    var line: Int
}
