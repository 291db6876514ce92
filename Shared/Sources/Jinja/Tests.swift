import Foundation

/// Jinja2 3.1's built-in tests (`x is defined`, `n is divisibleby 3`, …).
enum BuiltinTests {
    static let all: [String: TestFunction] = {
        var t: [String: TestFunction] = [:]
        t["defined"] = { v, _, _ in !v.isUndefined }
        t["undefined"] = { v, _, _ in v.isUndefined }
        t["none"] = { v, _, _ in v.isNone }
        t["boolean"] = { v, _, _ in if case .bool = v { return true }; return false }
        t["true"] = { v, _, _ in if case .bool(true) = v { return true }; return false }
        t["false"] = { v, _, _ in if case .bool(false) = v { return true }; return false }
        t["integer"] = { v, _, _ in if case .int = v { return true }; return false }
        t["float"] = { v, _, _ in if case .float = v { return true }; return false }
        t["number"] = { v, _, _ in Python.number(v) != nil }
        t["string"] = { v, _, _ in v.stringValue != nil }
        t["mapping"] = { v, _, _ in if case .dict = v { return true }; return false }
        t["sequence"] = { v, _, _ in
            switch v {
            case .string, .markup, .list, .tuple, .dict: return true
            default: return false
            }
        }
        t["iterable"] = { v, _, _ in
            switch v {
            case .string, .markup, .list, .tuple, .dict, .namespace: return true
            case .undefined(let u) where u.strict: throw u.error()
            case .undefined: return true
            default: return false
            }
        }
        t["callable"] = { v, _, _ in if case .function = v { return true }; return false }
        t["escaped"] = { v, _, _ in if case .markup = v { return true }; return false }
        t["lower"] = { v, _, _ in
            let s = try Python.str(v)
            return s.contains { $0.isLowercase } && !s.contains { $0.isUppercase }
        }
        t["upper"] = { v, _, _ in
            let s = try Python.str(v)
            return s.contains { $0.isUppercase } && !s.contains { $0.isLowercase }
        }
        t["odd"] = { v, _, _ in try Python.equal(try Python.modulo(v, .int(2)), .int(1)) }
        t["even"] = { v, _, _ in try Python.equal(try Python.modulo(v, .int(2)), .int(0)) }
        t["divisibleby"] = { v, a, _ in
            guard let n = a.value(0, "num") else { throw JinjaError(.type, "test_divisibleby() missing 1 required positional argument: 'num'") }
            return try Python.equal(try Python.modulo(v, n), .int(0))
        }
        t["sameas"] = { v, a, _ in
            guard let other = a.value(0, "other") else { throw JinjaError(.type, "test_sameas() missing 1 required positional argument: 'other'") }
            switch (v, other) {
            case (.none, .none): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.int(let x), .int(let y)): return x == y && x >= -5 && x <= 256
            case (.function(let x), .function(let y)): return x === y
            case (.namespace(let x), .namespace(let y)): return x === y
            default: return false
            }
        }
        t["in"] = { v, a, _ in
            guard let seq = a.value(0, "seq") else { throw JinjaError(.type, "test_in() missing 1 required positional argument: 'seq'") }
            return try Python.contains(seq, v)
        }
        let eq: TestFunction = { v, a, _ in try Python.equal(v, try other(a)) }
        let ne: TestFunction = { v, a, _ in !(try Python.equal(v, try other(a))) }
        let lt: TestFunction = { v, a, _ in try Python.compare(v, try other(a), op: "<") == .orderedAscending }
        let le: TestFunction = { v, a, _ in [.orderedAscending, .orderedSame].contains(try Python.compare(v, try other(a), op: "<=")) }
        let gt: TestFunction = { v, a, _ in try Python.compare(v, try other(a), op: ">") == .orderedDescending }
        let ge: TestFunction = { v, a, _ in [.orderedDescending, .orderedSame].contains(try Python.compare(v, try other(a), op: ">=")) }
        for (names, f) in [(["eq", "equalto", "=="], eq), (["ne", "!="], ne), (["lt", "lessthan", "<"], lt), (["le", "<="], le),
                           (["gt", "greaterthan", ">"], gt), (["ge", ">="], ge)] {
            for n in names { t[n] = f }
        }
        t["filter"] = { v, _, r in r.environment.filters[try Coerce.string(v, "name")] != nil }
        t["test"] = { v, _, r in r.environment.tests[try Coerce.string(v, "name")] != nil }
        return t
    }()

    private static func other(_ a: Arguments) throws -> Value {
        guard let o = a.value(0, "other") else { throw JinjaError(.type, "comparison test missing 1 required positional argument: 'b'") }
        return o
    }
}

/// Jinja2's default globals.
enum BuiltinGlobals {
    static let maxRange = 10_000_000

    static let all: [String: Value] = [
        "range": .function(Function(name: "range") { args, _ in
            let ints = try args.positional.map { try Coerce.int($0, "range") }
            guard args.keywords.isEmpty else { throw JinjaError(.type, "range() takes no keyword arguments") }
            let (start, stop, step): (Int, Int, Int)
            switch ints.count {
            case 1: (start, stop, step) = (0, ints[0], 1)
            case 2: (start, stop, step) = (ints[0], ints[1], 1)
            case 3: (start, stop, step) = (ints[0], ints[1], ints[2])
            default: throw JinjaError(.type, "range expected at most 3 arguments, got \(ints.count)")
            }
            guard step != 0 else { throw JinjaError(.value, "range() arg 3 must not be zero") }
            // Overflow-checked: range(-2**63, 2**63 - 1) must be a limit error, not a trap.
            let (span, overflow) = step > 0 ? stop.subtractingReportingOverflow(start) : start.subtractingReportingOverflow(stop)
            let count: UInt = overflow ? UInt.max : (span <= 0 ? 0 : UInt(span - 1) / step.magnitude + 1)
            guard count <= maxRange else { throw JinjaError(.limit, "range() of \(count) items is larger than the limit of \(maxRange)") }
            return .list(stride(from: start, to: stop, by: step).map { .int($0) })
        }),
        "dict": .function(Function(name: "dict") { args, _ in
            var d = Dict()
            for p in args.positional {
                guard case .dict(let other) = p else { throw JinjaError(.type, "dict() positional argument must be a mapping") }
                for (k, v) in other.pairs { try d.set(k, v) }
            }
            for (k, v) in args.keywords { d[string: k] = v }
            return .dict(d)
        }),
        "namespace": .function(Function(name: "namespace") { args, _ in
            var d = Dict()
            for p in args.positional {
                guard case .dict(let other) = p else { throw JinjaError(.type, "namespace() positional argument must be a mapping") }
                for (k, v) in other.pairs { try d.set(k, v) }
            }
            for (k, v) in args.keywords { d[string: k] = v }
            return .namespace(Namespace(d))
        }),
        "joiner": .function(Function(name: "joiner") { args, _ in
            let sep = try Python.str(args.value(0, "sep") ?? ", ")
            final class Box { var used = false }
            let box = Box()
            return .function(Function(name: "joiner") { _, _ in
                if box.used { return .string(sep) }
                box.used = true
                return .string("")
            })
        }),
    ]
}
