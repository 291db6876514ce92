import Foundation

/// A value as Jinja2 templates see it: Python's built-in types, plus undefined values,
/// callables (macros, filters' helpers, bound methods), imported template modules and namespaces.
public enum Value: Sendable {
    indirect case undefined(Undefined)
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    /// A string marked safe (`|safe`, `|escape`). Adding a plain string to it escapes that string.
    case markup(String)
    case list([Value])
    case tuple([Value])
    indirect case dict(Dict)
    case function(Function)
    case module(Module)
    case namespace(Namespace)
    /// The `loop` variable inside `{% for %}`.
    case loop(LoopContext)

    public static func undefined(name: String) -> Value {
        .undefined(Undefined(name: name))
    }

    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    public var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// Python's `type(x).__name__`.
    public var typeName: String {
        switch self {
        case .undefined(let u): return u.strict ? "StrictUndefined" : "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float"
        case .string: return "str"
        case .markup: return "Markup"
        case .list: return "list"
        case .tuple: return "tuple"
        case .dict: return "dict"
        case .function(let f): return f.isMacro ? "Macro" : "function"
        case .module: return "TemplateModule"
        case .namespace: return "Namespace"
        case .loop: return "LoopContext"
        }
    }

    /// Jinja2's `object_type_repr`, used in "has no attribute" messages.
    var objectTypeRepr: String {
        switch self {
        case .none: return "None"
        case .markup: return "markupsafe.Markup object"
        case .function(let f): return f.isMacro ? "jinja2.runtime.Macro object" : "builtin_function_or_method object"
        case .module: return "jinja2.environment.TemplateModule object"
        case .namespace: return "jinja2.utils.Namespace object"
        case .loop: return "jinja2.runtime.LoopContext object"
        default: return "\(typeName) object"
        }
    }

    /// The text of a string or markup value, or nil.
    public var stringValue: String? {
        switch self {
        case .string(let s), .markup(let s): return s
        default: return nil
        }
    }

    /// Elements of a list or tuple.
    var sequenceElements: [Value]? {
        switch self {
        case .list(let a), .tuple(let a): return a
        default: return nil
        }
    }
}

/// An undefined value. Strict undefined values (the kind bakery uses for variables) fail as soon as
/// they are printed, iterated, compared or tested for truth; lenient ones (an inline `if` without
/// `else`) behave as empty.
public struct Undefined: Sendable {
    public var name: String?
    public var hint: String?
    /// `object_type_repr` of the object the attribute or item was looked up on, if any.
    public var owner: String?
    public var key: Value.KeyDescription?
    public var strict: Bool

    public init(name: String? = nil, hint: String? = nil, strict: Bool = true) {
        self.name = name
        self.hint = hint
        self.strict = strict
    }

    /// Jinja2's `UndefinedError` message for this value.
    public var message: String {
        if let hint { return hint }
        if let owner, let key {
            switch key {
            case .name(let n): return "'\(owner)' has no attribute '\(n)'"
            case .other(let repr): return "\(owner) has no element \(repr)"
            }
        }
        if let name { return "'\(name)' is undefined" }
        return "value is undefined"
    }

    func error() -> JinjaError { JinjaError(.undefined, message) }
}

extension Value {
    public enum KeyDescription: Sendable {
        case name(String)
        case other(String)
    }
}

/// A Python dict: insertion-ordered, keyed by hashable values.
public struct Dict: Sendable {
    public private(set) var keys: [Value] = []
    public private(set) var values: [Value] = []
    private var index: [HashKey: Int] = [:]

    public init() {}

    public init(_ pairs: [(String, Value)]) {
        for (k, v) in pairs { self[string: k] = v }
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public var pairs: [(Value, Value)] { Array(zip(keys, values)) }

    public func get(_ key: Value) throws -> Value? {
        guard let i = index[try HashKey(key)] else { return nil }
        return values[i]
    }

    public subscript(string key: String) -> Value? {
        get { index[.string(key)].map { values[$0] } }
        set { try? set(.string(key), newValue) }
    }

    public mutating func set(_ key: Value, _ value: Value?) throws {
        let h = try HashKey(key)
        if let value {
            if let i = index[h] {
                values[i] = value
            } else {
                index[h] = keys.count
                keys.append(key)
                values.append(value)
            }
        } else if let i = index[h] {
            keys.remove(at: i)
            values.remove(at: i)
            index = [:]
            for (j, k) in keys.enumerated() { index[(try? HashKey(k))!] = j }
        }
    }

    public func contains(_ key: Value) throws -> Bool { index[try HashKey(key)] != nil }
}

/// Python's hashing view of a value: `1`, `1.0` and `True` are the same key.
enum HashKey: Hashable {
    case none
    case int(Int)
    case float(UInt64)
    case string(String)
    case tuple([HashKey])
    case object(ObjectIdentifier)

    init(_ v: Value) throws {
        switch v {
        case .none: self = .none
        case .bool(let b): self = .int(b ? 1 : 0)
        case .int(let i): self = .int(i)
        case .float(let d):
            if d.rounded() == d, let i = Int(exactly: d) { self = .int(i) } else { self = .float(d.bitPattern) }
        case .string(let s), .markup(let s): self = .string(s)
        case .tuple(let items): self = .tuple(try items.map(HashKey.init))
        case .function(let f): self = .object(ObjectIdentifier(f))
        case .namespace(let n): self = .object(ObjectIdentifier(n))
        case .loop(let l): self = .object(ObjectIdentifier(l))
        case .undefined(let u):
            if u.strict { throw u.error() }
            self = .none
        case .list, .dict, .module:
            throw JinjaError(.type, "unhashable type: '\(v.typeName)'")
        }
    }
}

/// Positional and keyword arguments of a call.
public struct Arguments: Sendable {
    public var positional: [Value]
    public var keywords: [(String, Value)]

    public init(_ positional: [Value] = [], keywords: [(String, Value)] = []) {
        self.positional = positional
        self.keywords = keywords
    }

    public func keyword(_ name: String) -> Value? {
        keywords.last(where: { $0.0 == name })?.1
    }
}

/// Something callable from a template: a built-in function or bound method, or a macro.
public final class Function: @unchecked Sendable {
    public typealias Body = (Arguments, Renderer) throws -> Value
    public let name: String
    let body: Body?
    let macro: MacroDefinition?
    let closure: Scope?
    let owner: Template?

    public init(name: String, _ body: @escaping Body) {
        self.name = name
        self.body = body
        self.macro = nil
        self.closure = nil
        self.owner = nil
    }

    init(macro: MacroDefinition, closure: Scope, owner: Template) {
        self.name = macro.name
        self.body = nil
        self.macro = macro
        self.closure = closure
        self.owner = owner
    }

    var isMacro: Bool { macro != nil }
}

/// An imported template: its top-level macros and variables.
public struct Module: Sendable {
    public var name: String
    public var exports: Dict
}

/// The state behind `loop` in one `{% for %}` iteration; attributes are computed on access.
public final class LoopContext: @unchecked Sendable {
    let items: [Value]
    let index0: Int
    let changed: ChangedState

    final class ChangedState { var last: Value? }

    init(items: [Value], index0: Int, changed: ChangedState) {
        self.items = items
        self.index0 = index0
        self.changed = changed
    }

    func attribute(_ name: String) -> Value? {
        let count = items.count
        switch name {
        case "index": return .int(index0 + 1)
        case "index0": return .int(index0)
        case "revindex": return .int(count - index0)
        case "revindex0": return .int(count - index0 - 1)
        case "first": return .bool(index0 == 0)
        case "last": return .bool(index0 == count - 1)
        case "length": return .int(count)
        case "depth": return .int(1)
        case "depth0": return .int(0)
        case "previtem": return index0 > 0 ? items[index0 - 1] : .undefined(Undefined(hint: "there is no previous item"))
        case "nextitem": return index0 + 1 < count ? items[index0 + 1] : .undefined(Undefined(hint: "there is no next item"))
        case "cycle":
            let i = index0
            return .function(Function(name: "cycle") { args, _ in
                guard !args.positional.isEmpty else { throw JinjaError(.type, "no items for cycling given") }
                return args.positional[i % args.positional.count]
            })
        case "changed":
            let state = changed
            return .function(Function(name: "changed") { args, _ in
                let value = Value.tuple(args.positional)
                defer { state.last = value }
                guard let last = state.last else { return .bool(true) }
                return .bool(!(try Python.equal(last, value)))
            })
        default: return nil
        }
    }
}

/// `namespace()`: a mutable attribute bag that `{% set ns.attr = … %}` can write through scopes.
public final class Namespace: @unchecked Sendable {
    var attributes: Dict
    init(_ attributes: Dict) { self.attributes = attributes }
}

// MARK: - Building values from Swift

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByFloatLiteral, ExpressibleByNilLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(floatLiteral value: Double) { self = .float(value) }
    public init(nilLiteral: ()) { self = .none }
    public init(dictionaryLiteral elements: (String, Value)...) { self = .dict(Dict(elements)) }
}
