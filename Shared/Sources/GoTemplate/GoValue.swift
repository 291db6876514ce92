// Values of Go text/template as goss sees them: strings, ints, floats, bools, lists, maps and nil.

/// A value flowing through a Go template.
///
///     GoValue.map(["Env": .map(["IMAGE_VARIANT": .string("Standard")])])
///
/// Ints are Go's `int`/`int64` (Go treats them alike in comparisons), floats are `float64`, lists are
/// `[]interface{}` and maps are `map[string]interface{}`, as goss's `.Vars` decode from YAML.
public enum GoValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case float(Double)
    case bool(Bool)
    case list([GoValue])
    case map([String: GoValue])
    case null

    /// Go's truth: false, 0, nil and empty strings, lists and maps are false.
    public var isTrue: Bool {
        switch self {
        case .string(let s): return !s.isEmpty
        case .int(let i): return i != 0
        case .float(let f): return f != 0
        case .bool(let b): return b
        case .list(let l): return !l.isEmpty
        case .map(let m): return !m.isEmpty
        case .null: return false
        }
    }

    /// Go's `fmt` `%v`: `map[a:1 b:2]` (keys sorted), `[a b]`, `<nil>`, floats in the shortest form (`1e+06`).
    public var printed: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .float(let f): return GoFormat.shortest(f)
        case .bool(let b): return b ? "true" : "false"
        case .list(let l): return "[" + l.map(\.printed).joined(separator: " ") + "]"
        case .map(let m):
            return "map[" + m.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.printed)" }.joined(separator: " ") + "]"
        case .null: return "<nil>"
        }
    }

    /// The Go kind name used in error messages.
    var kindName: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .float: return "float64"
        case .bool: return "bool"
        case .list: return "slice"
        case .map: return "map"
        case .null: return "nil"
        }
    }

    /// The Go type name (`%T`, `typeOf`).
    var typeName: String {
        switch self {
        case .string: return "string"
        case .int: return "int"
        case .float: return "float64"
        case .bool: return "bool"
        case .list: return "[]interface {}"
        case .map: return "map[string]interface {}"
        case .null: return "<nil>"
        }
    }

    /// An environment map as goss builds `.Env`.
    public static func environment(_ env: [String: String]) -> GoValue {
        .map(env.mapValues { .string($0) })
    }
}
