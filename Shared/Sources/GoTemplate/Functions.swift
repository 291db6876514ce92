// The functions a gossfile can call: Go's builtins, the Sprig subset in GoFunctions+Sprig.swift, and goss's own
// (which win over Sprig's, which win over the builtins, as in goss).
import Foundation

/// Why a template function failed; the executor adds the template name, position and function name
/// (`error calling NAME: MESSAGE`).
public struct GoFunctionFailure: Error {
    public let message: String
    /// Wrong argument count or type: Go reports these without "error calling".
    let isArgumentError: Bool
    public init(_ message: String) { self.init(message, argumentError: false) }
    init(_ message: String, argumentError: Bool) {
        self.message = message
        self.isArgumentError = argumentError
    }
}

/// An error that a template function throws to stop rendering and reach the caller of `GoTemplate.render` unchanged:
/// neither wrapped in a `GoTemplateError` nor turned into "no such file" by `readFile`.
///
///     struct NeedsFile: GoTemplatePassthrough { let path: String }
///     // readFile throws NeedsFile(path:) for a file not fetched yet; the caller fetches it and renders again.
public protocol GoTemplatePassthrough: Error {}

/// A table of template functions by name.
///
///     let functions = GoFunctions.goss(environment: ["A": "1"], readFile: { try String(contentsOfFile: $0) })
public struct GoFunctions: Sendable {
    public typealias Function = @Sendable ([GoValue]) throws -> GoValue
    public var table: [String: Function]

    public init(_ table: [String: Function]) { self.table = table }

    /// Go's builtins, the Sprig subset, and goss's functions, as goss sets them up.
    /// `environment` is the process environment goss sees (`getEnv`, Sprig's `env` and `expandenv`).
    /// `readFile` reads where goss runs (inside the container for dgoss); it is given the path as written. A
    /// `GoFunctionFailure` it throws is reported as is, a `GoTemplatePassthrough` leaves `render` unchanged, and any
    /// other error reads `open PATH: no such file or directory`.
    public static func goss(
        environment: [String: String] = [:],
        readFile: @escaping @Sendable (String) throws -> String = { _ in throw GoFunctionFailure("readFile is not available here") }
    ) -> GoFunctions {
        var table = builtins
        for (name, function) in sprig(environment: environment) { table[name] = function }
        table["readFile"] = { values in
            let args = try Arguments("readFile", values, count: 1)
            let path = try args.string(0)
            do {
                return .string(try readFile(path).trimmingCharacters(in: .whitespacesAndNewlines))
            } catch let failure as GoFunctionFailure {
                throw failure
            } catch where error is GoTemplatePassthrough {
                throw error
            } catch {
                throw GoFunctionFailure("open \(path): no such file or directory")
            }
        }
        table["getEnv"] = { values in
            let args = try Arguments("getEnv", values, atLeast: 1)
            let key = try args.string(0)
            let defaults = try (1..<values.count).map { try args.string($0) }
            if let value = environment[key], !value.isEmpty { return .string(value) }
            return .string(defaults.first ?? "")
        }
        table["regexMatch"] = { values in
            let args = try Arguments("regexMatch", values, count: 2)
            return .bool(try regex(args.string(0)).matches(try args.string(1)))
        }
        table["toUpper"] = { values in .string(upper(try Arguments("toUpper", values, count: 1).string(0))) }
        table["toLower"] = { values in .string(lower(try Arguments("toLower", values, count: 1).string(0))) }
        table["mkSlice"] = { values in .list(values) }
        table["findStringSubmatch"] = { values in
            let args = try Arguments("findStringSubmatch", values, count: 2)
            let re = try regex(args.string(0))
            var result: [String: GoValue] = [:]
            guard let groups = try re.firstMatch(in: try args.string(1)) else { return .map(result) }
            let named = re.groupNames.contains { !$0.isEmpty }
            for (i, group) in groups.enumerated() {
                let key = named ? re.groupNames[i] : String(i)
                if !key.isEmpty { result[key] = .string(group ?? "") }
            }
            return .map(result)
        }
        return GoFunctions(table)
    }

    /// Compiles for a template function; a bad pattern is the function's error.
    static func regex(_ pattern: String) throws -> GoRegex {
        do { return try GoRegex.compile(pattern) } catch { throw GoFunctionFailure(String(describing: error)) }
    }

    // MARK: Go's builtins

    static let builtins: [String: Function] = [
        "not": { values in .bool(!(try Arguments("not", values, count: 1).values[0].isTrue)) },
        "len": { values in
            let args = try Arguments("len", values, count: 1)
            switch args.values[0] {
            case .string(let s): return .int(s.utf8.count)
            case .list(let l): return .int(l.count)
            case .map(let m): return .int(m.count)
            case .null: throw GoFunctionFailure("len of nil pointer")
            case let other: throw GoFunctionFailure("len of type \(other.typeName)")
            }
        },
        "index": { values in
            let args = try Arguments("index", values, atLeast: 1)
            var current = args.values[0]
            for key in args.values.dropFirst() {
                switch (current, key) {
                case (.list(let l), .int(let i)):
                    guard l.indices.contains(i) else { throw GoFunctionFailure("index out of range: \(i)") }
                    current = l[i]
                case (.string(let s), .int(let i)):
                    let bytes = Array(s.utf8)
                    guard bytes.indices.contains(i) else { throw GoFunctionFailure("index out of range: \(i)") }
                    current = .int(Int(bytes[i]))
                case (.list, _), (.string, _):
                    throw GoFunctionFailure("cannot index slice/array with type \(key.typeName)")
                case (.map(let m), .string(let k)):
                    // A missing key gives the map's zero value: "" for a map of strings such as .Env, nil otherwise.
                    current = m[k] ?? (m.values.allSatisfy { $0.stringValue != nil } ? .string("") : .null)
                case (.map, _):
                    throw GoFunctionFailure("value has type \(key.typeName); should be string")
                case (.null, _):
                    throw GoFunctionFailure("index of untyped nil")
                default:
                    throw GoFunctionFailure("can't index item of type \(current.typeName)")
                }
            }
            return current
        },
        "print": { values in .string(GoFormat.sprint(values)) },
        "println": { values in .string(GoFormat.sprintln(values)) },
        "printf": { values in
            let args = try Arguments("printf", values, atLeast: 1)
            return .string(GoFormat.sprintf(try args.string(0), Array(values.dropFirst())))
        },
        "eq": { values in
            guard values.count >= 2 else { throw GoFunctionFailure("missing argument for comparison") }
            for other in values.dropFirst() where try equal(values[0], other) { return .bool(true) }
            return .bool(false)
        },
        "ne": { values in
            let args = try Arguments("ne", values, count: 2)
            return .bool(!(try equal(args.values[0], args.values[1])))
        },
        "lt": { values in let a = try Arguments("lt", values, count: 2).values; return .bool(try less(a[0], a[1])) },
        "le": { values in
            let a = try Arguments("le", values, count: 2).values
            return .bool(try less(a[0], a[1]) || equal(a[0], a[1]))
        },
        "gt": { values in
            let a = try Arguments("gt", values, count: 2).values
            return .bool(!(try less(a[0], a[1]) || equal(a[0], a[1])))
        },
        "ge": { values in let a = try Arguments("ge", values, count: 2).values; return .bool(!(try less(a[0], a[1]))) },
        "html": { values in .string(htmlEscape(evalArgs(values))) },
        "js": { values in .string(jsEscape(evalArgs(values))) },
        "urlquery": { values in .string(queryEscape(evalArgs(values))) },
        // Handled by the executor (they short-circuit); listed so that the table names every builtin.
        "and": { values in values.first { !$0.isTrue } ?? values.last ?? .null },
        "or": { values in values.first { $0.isTrue } ?? values.last ?? .null },
    ]

    /// Go's `eq` for two values: same basic kind only (ints with ints, strings with strings, …); nil equals nil and
    /// differs from anything else; lists and maps cannot be compared.
    static func equal(_ a: GoValue, _ b: GoValue) throws -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        case (.null, _), (_, .null): return false
        case (.list, _): throw GoFunctionFailure("non-comparable type \(a.printed): \(a.typeName)")
        case (.map, _): throw GoFunctionFailure("non-comparable type \(a.printed): \(a.typeName)")
        case (_, .list), (_, .map): throw GoFunctionFailure("non-comparable type \(b.printed): \(b.typeName)")
        default: throw GoFunctionFailure("incompatible types for comparison")
        }
    }

    /// Go's `lt`: ints, floats and strings of the same kind.
    static func less(_ a: GoValue, _ b: GoValue) throws -> Bool {
        func ordered(_ v: GoValue) -> Bool {
            switch v { case .int, .float, .string: return true; default: return false }
        }
        guard ordered(a), ordered(b) else { throw GoFunctionFailure("invalid type for comparison") }
        switch (a, b) {
        case (.string(let x), .string(let y)): return GoFormat.less(x, y)
        case (.int(let x), .int(let y)): return x < y
        case (.float(let x), .float(let y)): return x < y
        default: throw GoFunctionFailure("incompatible types for comparison")
        }
    }

    /// The text builtins' argument: a lone string as is, otherwise `fmt.Sprint`.
    static func evalArgs(_ values: [GoValue]) -> String {
        if values.count == 1, case .string(let s) = values[0] { return s }
        return GoFormat.sprint(values)
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\0": out += "\u{FFFD}"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func jsEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "'": out += "\\'"
            case "\"": out += "\\\""
            case "<": out += "\\u003C"
            case ">": out += "\\u003E"
            case "&": out += "\\u0026"
            case "=": out += "\\u003D"
            default:
                if c.value < 0x20 || (!c.isASCII && !GoFormat.isPrintable(c)) {
                    let hex = String(c.value, radix: 16, uppercase: true)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    /// Go's `url.QueryEscape`.
    static func queryEscape(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "): out += "+"
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }

    /// Go's `unicode.ToUpper` rune by rune (a character without a one-rune upper case stays as it is).
    static func upper(_ s: String) -> String { mapScalars(s) { $0.properties.uppercaseMapping } }
    static func lower(_ s: String) -> String { mapScalars(s) { $0.properties.lowercaseMapping } }
    static func titleCase(_ c: Unicode.Scalar) -> String { mapScalars(String(c)) { $0.properties.titlecaseMapping } }

    private static func mapScalars(_ s: String, _ mapping: (Unicode.Scalar) -> String) -> String {
        var out = String.UnicodeScalarView()
        for c in s.unicodeScalars {
            let mapped = mapping(c).unicodeScalars
            if mapped.count == 1, let single = mapped.first { out.append(single) } else { out.append(c) }
        }
        return String(out)
    }
}

/// A function's arguments, checked as Go checks a call: count first, then each argument's type.
struct Arguments {
    let name: String
    let values: [GoValue]

    init(_ name: String, _ values: [GoValue], count: Int) throws {
        guard values.count == count else {
            throw GoFunctionFailure("wrong number of args for \(name): want \(count) got \(values.count)", argumentError: true)
        }
        self.name = name
        self.values = values
    }

    init(_ name: String, _ values: [GoValue], atLeast: Int) throws {
        guard values.count >= atLeast else {
            throw GoFunctionFailure("wrong number of args for \(name): want at least \(atLeast) got \(values.count)", argumentError: true)
        }
        self.name = name
        self.values = values
    }

    init(_ name: String, _ values: [GoValue], from low: Int, to high: Int) throws {
        guard values.count >= low, values.count <= high else {
            throw GoFunctionFailure("wrong number of args for \(name): want \(low)-\(high) got \(values.count)", argumentError: true)
        }
        self.name = name
        self.values = values
    }

    private func wrongType(_ expected: String, _ value: GoValue) -> GoFunctionFailure {
        GoFunctionFailure("wrong type for value; expected \(expected); got \(value.typeName)", argumentError: true)
    }

    func string(_ i: Int) throws -> String {
        guard case .string(let s) = values[i] else { throw wrongType("string", values[i]) }
        return s
    }

    func int(_ i: Int) throws -> Int {
        guard case .int(let n) = values[i] else { throw wrongType("int", values[i]) }
        return n
    }

    func bool(_ i: Int) throws -> Bool {
        guard case .bool(let b) = values[i] else { throw wrongType("bool", values[i]) }
        return b
    }

    func map(_ i: Int) throws -> [String: GoValue] {
        guard case .map(let m) = values[i] else { throw wrongType("map[string]interface {}", values[i]) }
        return m
    }
}
