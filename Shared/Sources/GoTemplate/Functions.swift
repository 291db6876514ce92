// The functions a gossfile can call: Go's builtins, goss's own, and the Sprig helpers Posit's files use.
import Foundation

/// Why a template function failed; the executor adds the template name, position and function name.
public struct GoFunctionFailure: Error {
    public let message: String
    public init(_ message: String) { self.message = message }
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

    /// Go's builtins, the Sprig subset Posit's gossfiles use, and goss's own functions.
    /// `readFile` reads where goss runs (inside the container for dgoss); it is given the path as written.
    public static func goss(
        environment: [String: String] = [:],
        readFile: @escaping @Sendable (String) throws -> String = { _ in throw GoFunctionFailure("readFile is not available here") }
    ) -> GoFunctions {
        var table = builtins
        for (name, function) in sprig { table[name] = function }
        table["readFile"] = { args in
            let path = try string(args, 0, of: 1, "readFile")
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
        table["getEnv"] = { args in
            guard args.count == 1 || args.count == 2 else { throw GoFunctionFailure("getEnv takes a key and an optional default") }
            let key = try string(args, 0, of: args.count, "getEnv")
            if let value = environment[key], !value.isEmpty { return .string(value) }
            return args.count == 2 ? args[1] : .string("")
        }
        table["regexMatch"] = { args in
            let pattern = try string(args, 0, of: 2, "regexMatch")
            let subject = try string(args, 1, of: 2, "regexMatch")
            do { return .bool(try GoRegex.compile(pattern).matches(subject)) } catch {
                throw GoFunctionFailure(String(describing: error))
            }
        }
        table["toUpper"] = { args in .string(try string(args, 0, of: 1, "toUpper").uppercased()) }
        table["toLower"] = { args in .string(try string(args, 0, of: 1, "toLower").lowercased()) }
        table["mkSlice"] = { args in .list(args) }
        return GoFunctions(table)
    }

    static func string(_ args: [GoValue], _ index: Int, of count: Int, _ name: String) throws -> String {
        guard args.count == count else {
            throw GoFunctionFailure("wrong number of args for \(name): want \(count) got \(args.count)")
        }
        switch args[index] {
        case .string(let s): return s
        case let other: throw GoFunctionFailure("wrong type for value; expected string; got \(other.kindName)")
        }
    }

    static func compare(_ a: GoValue, _ b: GoValue) throws -> Int {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.float(let x), .float(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : 2
        default:
            if case .list = a { throw GoFunctionFailure("non-comparable type \(a.printed): slice") }
            if case .map = a { throw GoFunctionFailure("non-comparable type \(a.printed): map") }
            throw GoFunctionFailure("incompatible types for comparison")
        }
    }

    static func ordered(_ name: String, _ test: @escaping @Sendable (Int) -> Bool) -> Function {
        { args in
            guard args.count == 2 else { throw GoFunctionFailure("wrong number of args for \(name): want 2 got \(args.count)") }
            if case .bool = args[0] { throw GoFunctionFailure("invalid type for comparison") }
            return .bool(test(try compare(args[0], args[1])))
        }
    }

    static let builtins: [String: Function] = [
        "not": { args in
            guard args.count == 1 else { throw GoFunctionFailure("wrong number of args for not: want 1 got \(args.count)") }
            return .bool(!args[0].isTrue)
        },
        "len": { args in
            guard args.count == 1 else { throw GoFunctionFailure("wrong number of args for len: want 1 got \(args.count)") }
            switch args[0] {
            case .string(let s): return .int(s.utf8.count)
            case .list(let l): return .int(l.count)
            case .map(let m): return .int(m.count)
            case let other: throw GoFunctionFailure("len of type \(other.kindName)")
            }
        },
        "index": { args in
            guard var current = args.first else { throw GoFunctionFailure("wrong number of args for index: want at least 1 got 0") }
            for key in args.dropFirst() {
                switch (current, key) {
                case (.list(let l), .int(let i)):
                    guard l.indices.contains(i) else { throw GoFunctionFailure("index out of range: \(i)") }
                    current = l[i]
                case (.map(let m), .string(let k)): current = m[k] ?? .string("")
                default: throw GoFunctionFailure("can't index item of type \(current.kindName)")
                }
            }
            return current
        },
        "print": { args in .string(printArguments(args)) },
        "println": { args in .string(args.map(\.printed).joined(separator: " ") + "\n") },
        "printf": { args in
            guard case .string(let format)? = args.first else { throw GoFunctionFailure("printf needs a format string") }
            return .string(sprintf(format, Array(args.dropFirst())))
        },
        "eq": { args in
            guard args.count >= 2 else { throw GoFunctionFailure("missing argument for comparison") }
            for other in args.dropFirst() where try compare(args[0], other) == 0 { return .bool(true) }
            return .bool(false)
        },
        "ne": { args in
            guard args.count == 2 else { throw GoFunctionFailure("wrong number of args for ne: want 2 got \(args.count)") }
            return .bool(try compare(args[0], args[1]) != 0)
        },
        "lt": ordered("lt") { $0 == -1 },
        "le": ordered("le") { $0 <= 0 },
        "gt": ordered("gt") { $0 == 1 },
        "ge": ordered("ge") { $0 == 0 || $0 == 1 },
        "urlquery": { args in
            let text = printArguments(args)
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-_.~")
            return .string((text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: "%20", with: "+"))
        },
    ]

    /// Go's `fmt.Sprint`: spaces only between operands when neither is a string.
    static func printArguments(_ args: [GoValue]) -> String {
        var out = ""
        for (i, arg) in args.enumerated() {
            if i > 0, !isString(args[i - 1]), !isString(arg) { out += " " }
            out += arg.printed
        }
        return out
    }

    static func isString(_ value: GoValue) -> Bool { if case .string = value { return true } else { return false } }

    /// Go's fmt verbs as gossfiles use them: %s %v %d %q %t %f %%.
    static func sprintf(_ format: String, _ args: [GoValue]) -> String {
        var out = ""
        var remaining = args[...]
        var chars = format.makeIterator()
        while let c = chars.next() {
            guard c == "%" else { out.append(c); continue }
            guard let verb = chars.next() else { out += "%!(NOVERB)"; break }
            if verb == "%" { out += "%"; continue }
            guard let arg = remaining.popFirst() else { out += "%!\(verb)(MISSING)"; continue }
            switch (verb, arg) {
            case ("s", .string(let s)), ("v", .string(let s)): out += s
            case ("q", .string(let s)): out += "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case ("d", .int(let i)): out += String(i)
            case ("t", .bool(let b)): out += b ? "true" : "false"
            case ("f", .float(let f)): out += String(format: "%f", f)
            case ("v", _): out += arg.printed
            default: out += "%!\(verb)(\(arg.kindName)=\(arg.printed))"
            }
        }
        if !remaining.isEmpty {
            out += "%!(EXTRA " + remaining.map { "\($0.kindName)=\($0.printed)" }.joined(separator: ", ") + ")"
        }
        return out
    }

    /// The Sprig v3 functions Posit's gossfiles use, with Sprig's semantics.
    static let sprig: [String: Function] = [
        "splitList": { args in
            let separator = try string(args, 0, of: 2, "splitList")
            let text = try string(args, 1, of: 2, "splitList")
            return .list(text.components(separatedBy: separator).map { .string($0) })
        },
        "split": { args in
            let separator = try string(args, 0, of: 2, "split")
            let text = try string(args, 1, of: 2, "split")
            var map: [String: GoValue] = [:]
            for (i, part) in text.components(separatedBy: separator).enumerated() { map["_\(i)"] = .string(part) }
            return .map(map)
        },
        "atoi": { args in .int(Int(try string(args, 0, of: 1, "atoi")) ?? 0) },
        "trim": { args in .string(try string(args, 0, of: 1, "trim").trimmingCharacters(in: .whitespacesAndNewlines)) },
        "trimPrefix": { args in
            let prefix = try string(args, 0, of: 2, "trimPrefix"), text = try string(args, 1, of: 2, "trimPrefix")
            return .string(text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text)
        },
        "trimSuffix": { args in
            let suffix = try string(args, 0, of: 2, "trimSuffix"), text = try string(args, 1, of: 2, "trimSuffix")
            return .string(text.hasSuffix(suffix) ? String(text.dropLast(suffix.count)) : text)
        },
        "upper": { args in .string(try string(args, 0, of: 1, "upper").uppercased()) },
        "lower": { args in .string(try string(args, 0, of: 1, "lower").lowercased()) },
        "contains": { args in .bool(try string(args, 1, of: 2, "contains").contains(try string(args, 0, of: 2, "contains"))) },
        "hasPrefix": { args in .bool(try string(args, 1, of: 2, "hasPrefix").hasPrefix(try string(args, 0, of: 2, "hasPrefix"))) },
        "hasSuffix": { args in .bool(try string(args, 1, of: 2, "hasSuffix").hasSuffix(try string(args, 0, of: 2, "hasSuffix"))) },
        "replace": { args in
            let old = try string(args, 0, of: 3, "replace"), new = try string(args, 1, of: 3, "replace")
            return .string(try string(args, 2, of: 3, "replace").replacingOccurrences(of: old, with: new))
        },
        "join": { args in
            let separator = try string(args, 0, of: 2, "join")
            guard case .list(let items) = args[1] else { return .string(args[1].printed) }
            return .string(items.map(\.printed).joined(separator: separator))
        },
        "list": { args in .list(args) },
        "default": { args in
            guard args.count == 2 else { throw GoFunctionFailure("wrong number of args for default: want 2 got \(args.count)") }
            return args[1].isTrue ? args[1] : args[0]
        },
        "empty": { args in
            guard args.count == 1 else { throw GoFunctionFailure("wrong number of args for empty: want 1 got \(args.count)") }
            return .bool(!args[0].isTrue)
        },
        "toString": { args in
            guard args.count == 1 else { throw GoFunctionFailure("wrong number of args for toString: want 1 got \(args.count)") }
            return .string(args[0].printed)
        },
        "quote": { args in .string(args.map { "\"\($0.printed)\"" }.joined(separator: " ")) },
    ]
}
