// The Sprig v3 functions goss offers that a gossfile is likely to use, with Sprig's semantics (argument order,
// conversions through spf13/cast, zero values instead of errors where Sprig swallows them).
//
// Strings: trim trimAll trimPrefix trimSuffix upper lower title repeat substr nospace trunc contains hasPrefix
//   hasSuffix quote squote cat indent nindent replace split splitList splitn join sortAlpha toStrings
// Conversions: atoi int int64 float64 toString
// Maths: add add1 sub mul div mod max min biggest
// Flow: default empty coalesce ternary fail all any
// Lists: list tuple first last rest initial append push prepend concat reverse uniq without has compact slice
// Dicts: dict get set unset hasKey keys (sorted: Sprig's order is random) values (in key order) pick omit
// Encoding: toJson toRawJson toPrettyJson fromJson b64enc b64dec
// Regex: regexFind regexFindAll regexReplaceAll regexReplaceAllLiteral regexSplit regexQuoteMeta (regexMatch is goss's)
// Paths: base dir clean ext isAbs; Environment: env expandenv; Versions: semverCompare; Types: typeOf kindOf
import Foundation

extension GoFunctions {
    typealias Table = [String: Function]

    static func sprig(environment: [String: String]) -> Table {
        var table = sprigStrings
        table.merge(sprigNumbers) { $1 }
        table.merge(sprigLists) { $1 }
        table.merge(sprigDicts) { $1 }
        table.merge(sprigEncodings) { $1 }
        table.merge(sprigRegex) { $1 }
        table.merge(sprigPaths) { $1 }
        table["env"] = { values in .string(environment[try Arguments("env", values, count: 1).string(0)] ?? "") }
        table["expandenv"] = { values in
            .string(expandEnvironment(try Arguments("expandenv", values, count: 1).string(0)) { environment[$0] ?? "" })
        }
        table["semverCompare"] = { values in
            let args = try Arguments("semverCompare", values, count: 2)
            do {
                return .bool(try SemverConstraint(args.string(0)).check(Semver(args.string(1))))
            } catch let failure as SemverError {
                throw GoFunctionFailure(failure.message)
            }
        }
        return table
    }

    // MARK: Conversions (spf13/cast as Sprig uses it: failures give 0)

    static func toInt(_ value: GoValue) -> Int {
        switch value {
        case .int(let n): return n
        case .float(let f):
            guard f.isFinite else { return 0 }
            if f >= 9.2e18 { return Int.max }
            if f <= -9.2e18 { return Int.min }
            return Int(f)
        case .bool(let b): return b ? 1 : 0
        case .string(let s):
            if case .int(let n)? = Lexer.numberValue(trimZeroDecimal(s)) { return n }
            return 0
        default: return 0
        }
    }

    static func toFloat(_ value: GoValue) -> Double {
        switch value {
        case .int(let n): return Double(n)
        case .float(let f): return f
        case .bool(let b): return b ? 1 : 0
        case .string(let s): return Double(s) ?? 0
        default: return 0
        }
    }

    /// cast's trimZeroDecimal: "12.000" → "12".
    static func trimZeroDecimal(_ s: String) -> String {
        var foundZero = false
        for (offset, c) in s.unicodeScalars.enumerated().reversed() {
            switch c {
            case ".": return foundZero ? String(String.UnicodeScalarView(s.unicodeScalars.prefix(offset))) : s
            case "0": foundZero = true
            default: return s
            }
        }
        return s
    }

    /// Sprig's strval.
    static func strval(_ value: GoValue) -> String { value.stringValue ?? value.printed }

    /// Sprig's strslice: a list's non-nil elements as strings; nil is empty; anything else one string.
    static func strslice(_ value: GoValue) -> [String] {
        switch value {
        case .list(let items): return items.filter { $0 != .null }.map(strval)
        case .null: return []
        default: return [strval(value)]
        }
    }

    static func list(_ value: GoValue, _ function: String) throws -> [GoValue] {
        guard case .list(let items) = value else {
            throw GoFunctionFailure("Cannot \(function) on type \(value.typeName)")
        }
        return items
    }

    static func checkedSize(_ bytes: Int, _ name: String) throws {
        guard bytes <= GoTemplate.maxOutputBytes else {
            throw GoFunctionFailure("\(name) would make a string of more than \(GoTemplate.maxOutputBytes) bytes")
        }
    }

    // MARK: Strings

    /// Go's `strings.SplitN` (n < 0: all; an empty separator splits into characters).
    static func split(_ s: String, _ separator: String, _ n: Int = -1) -> [String] {
        if n == 0 { return [] }
        if separator.isEmpty {
            var parts = s.unicodeScalars.map { String($0) }
            if n > 0, parts.count > n { parts = Array(parts.prefix(n - 1)) + [parts.dropFirst(n - 1).joined()] }
            return parts
        }
        // On UTF-8 bytes, as Go does: Foundation's range(of:) on the rest of a Substring copied that rest on every
        // call, which made splitting a 2 MB file into lines take half a minute.
        let bytes = Array(s.utf8), sep = Array(separator.utf8)
        var parts: [String] = []
        var start = 0, i = 0
        while i + sep.count <= bytes.count, n < 0 || parts.count < n - 1 {
            if bytes[i] == sep[0] && bytes[i..<(i + sep.count)].elementsEqual(sep) {
                parts.append(String(decoding: bytes[start..<i], as: UTF8.self))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(String(decoding: bytes[start...], as: UTF8.self))
        return parts
    }

    /// Go's `strings.Replace(s, old, new, -1)`.
    static func replace(_ s: String, _ old: String, _ new: String) -> String {
        if old.isEmpty {
            return new + s.unicodeScalars.map { String($0) + new }.joined()
        }
        return s.replacingOccurrences(of: old, with: new, options: .literal)
    }

    static func isGoSpace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }

    /// A byte slice of a string (Sprig's substr and trunc work on bytes); a cut character becomes U+FFFD.
    static func bytes(_ s: String, _ range: Range<Int>) -> String {
        String(decoding: Array(s.utf8)[range], as: UTF8.self)
    }

    static let sprigStrings: Table = [
        "trim": { values in .string(try Arguments("trim", values, count: 1).string(0).trimmingCharacters(in: .whitespacesAndNewlines)) },
        "trimAll": { values in
            let args = try Arguments("trimAll", values, count: 2)
            let cutset = Set(try args.string(0).unicodeScalars)
            let scalars = Array(try args.string(1).unicodeScalars)
            var start = 0, end = scalars.count
            while start < end, cutset.contains(scalars[start]) { start += 1 }
            while end > start, cutset.contains(scalars[end - 1]) { end -= 1 }
            return .string(String(String.UnicodeScalarView(scalars[start..<end])))
        },
        "trimPrefix": { values in
            let args = try Arguments("trimPrefix", values, count: 2)
            let prefix = try args.string(0), text = try args.string(1)
            return .string(text.utf8.starts(with: prefix.utf8) ? bytes(text, prefix.utf8.count..<text.utf8.count) : text)
        },
        "trimSuffix": { values in
            let args = try Arguments("trimSuffix", values, count: 2)
            let suffix = try args.string(0), text = try args.string(1)
            return .string(text.utf8.reversed().starts(with: suffix.utf8.reversed()) ? bytes(text, 0..<(text.utf8.count - suffix.utf8.count)) : text)
        },
        "upper": { values in .string(upper(try Arguments("upper", values, count: 1).string(0))) },
        "lower": { values in .string(lower(try Arguments("lower", values, count: 1).string(0))) },
        "title": { values in
            // strings.Title: the first letter after a separator is title-cased; the rest is left alone.
            var out = ""
            var previous: Unicode.Scalar = " "
            for c in try Arguments("title", values, count: 1).string(0).unicodeScalars {
                if isTitleSeparator(previous) { out += titleCase(c) } else { out.unicodeScalars.append(c) }
                previous = c
            }
            return .string(out)
        },
        "repeat": { values in
            let args = try Arguments("repeat", values, count: 2)
            let count = try args.int(0), text = try args.string(1)
            guard count >= 0 else { throw GoFunctionFailure("strings: negative Repeat count") }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: text.utf8.count)
            try checkedSize(overflow ? Int.max : bytes, "repeat")
            return .string(String(repeating: text, count: text.isEmpty ? 0 : count))
        },
        "substr": { values in
            let args = try Arguments("substr", values, count: 3)
            let start = try args.int(0), end = try args.int(1), text = try args.string(2)
            let length = text.utf8.count
            func bad(_ low: Int, _ high: Int) -> GoFunctionFailure {
                GoFunctionFailure("runtime error: slice bounds out of range [\(low):\(high)]")
            }
            if start < 0 {
                guard end >= 0, end <= length else { throw bad(0, end) }
                return .string(bytes(text, 0..<end))
            }
            if end < 0 || end > length {
                guard start <= length else { throw bad(start, length) }
                return .string(bytes(text, start..<length))
            }
            guard start <= end else { throw bad(start, end) }
            return .string(bytes(text, start..<end))
        },
        "nospace": { values in
            .string(String(String.UnicodeScalarView(try Arguments("nospace", values, count: 1).string(0).unicodeScalars.filter { !isGoSpace($0) })))
        },
        "trunc": { values in
            let args = try Arguments("trunc", values, count: 2)
            let c = try args.int(0), text = try args.string(1)
            let length = text.utf8.count
            if c < 0, length + c > 0 { return .string(bytes(text, (length + c)..<length)) }
            if c >= 0, length > c { return .string(bytes(text, 0..<c)) }
            return .string(text)
        },
        "contains": { values in
            let args = try Arguments("contains", values, count: 2)
            let needle = try args.string(0), text = try args.string(1)
            return .bool(needle.isEmpty || text.range(of: needle, options: .literal) != nil)
        },
        "hasPrefix": { values in
            let args = try Arguments("hasPrefix", values, count: 2)
            return .bool(try args.string(1).utf8.starts(with: try args.string(0).utf8))
        },
        "hasSuffix": { values in
            let args = try Arguments("hasSuffix", values, count: 2)
            return .bool(try args.string(1).utf8.reversed().starts(with: try args.string(0).utf8.reversed()))
        },
        "quote": { values in .string(values.filter { $0 != .null }.map { GoFormat.quote(strval($0)) }.joined(separator: " ")) },
        "squote": { values in .string(values.filter { $0 != .null }.map { "'" + strval($0) + "'" }.joined(separator: " ")) },
        "cat": { values in .string(values.filter { $0 != .null }.map(\.printed).joined(separator: " ")) },
        "indent": { values in
            let args = try Arguments("indent", values, count: 2)
            return .string(try indent(args.int(0), args.string(1)))
        },
        "nindent": { values in
            let args = try Arguments("nindent", values, count: 2)
            return .string("\n" + (try indent(args.int(0), args.string(1))))
        },
        "replace": { values in
            let args = try Arguments("replace", values, count: 3)
            let old = try args.string(0), new = try args.string(1), text = try args.string(2)
            if old.isEmpty { try checkedSize((text.unicodeScalars.count + 1) * new.utf8.count + text.utf8.count, "replace") }
            return .string(replace(text, old, new))
        },
        "split": { values in
            let args = try Arguments("split", values, count: 2)
            var map: [String: GoValue] = [:]
            for (i, part) in split(try args.string(1), try args.string(0)).enumerated() { map["_\(i)"] = .string(part) }
            return .map(map)
        },
        "splitList": { values in
            let args = try Arguments("splitList", values, count: 2)
            return .list(split(try args.string(1), try args.string(0)).map { .string($0) })
        },
        "splitn": { values in
            let args = try Arguments("splitn", values, count: 3)
            var map: [String: GoValue] = [:]
            for (i, part) in split(try args.string(2), try args.string(0), try args.int(1)).enumerated() { map["_\(i)"] = .string(part) }
            return .map(map)
        },
        "join": { values in
            let args = try Arguments("join", values, count: 2)
            return .string(strslice(args.values[1]).joined(separator: try args.string(0)))
        },
        "sortAlpha": { values in
            let args = try Arguments("sortAlpha", values, count: 1)
            guard case .list = args.values[0] else { return .list([.string(strval(args.values[0]))]) }
            return .list(strslice(args.values[0]).sorted(by: GoFormat.less).map { .string($0) })
        },
        "toStrings": { values in .list(strslice(try Arguments("toStrings", values, count: 1).values[0]).map { .string($0) }) },
        "toString": { values in .string(strval(try Arguments("toString", values, count: 1).values[0])) },
        "typeOf": { values in .string(try Arguments("typeOf", values, count: 1).values[0].typeName) },
        "kindOf": { values in
            let value = try Arguments("kindOf", values, count: 1).values[0]
            return .string(value == .null ? "invalid" : value.kindName)
        },
    ]

    static func isTitleSeparator(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            return !((c >= "0" && c <= "9") || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_")
        }
        if c.properties.isAlphabetic || c.properties.numericType == .decimal { return false }
        return isGoSpace(c)
    }

    static func indent(_ spaces: Int, _ text: String) throws -> String {
        guard spaces >= 0 else { throw GoFunctionFailure("strings: negative Repeat count") }
        let lines = text.utf8.reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
        let (padding, overflow) = spaces.multipliedReportingOverflow(by: lines)
        try checkedSize(overflow ? Int.max : padding + text.utf8.count, "indent")
        let pad = String(repeating: " ", count: spaces)
        return pad + text.replacingOccurrences(of: "\n", with: "\n" + pad)
    }

    // MARK: Numbers and flow

    static let sprigNumbers: Table = [
        "atoi": { values in
            // strconv.Atoi: base 10, optional sign, 0 on error.
            let text = try Arguments("atoi", values, count: 1).string(0)
            let digits = text.hasPrefix("+") || text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text) else { return .int(0) }
            return .int(value)
        },
        "int": { values in .int(toInt(try Arguments("int", values, count: 1).values[0])) },
        "int64": { values in .int(toInt(try Arguments("int64", values, count: 1).values[0])) },
        "float64": { values in .float(toFloat(try Arguments("float64", values, count: 1).values[0])) },
        "add": { values in .int(values.reduce(0) { $0 &+ toInt($1) }) },
        "add1": { values in .int(toInt(try Arguments("add1", values, count: 1).values[0]) &+ 1) },
        "sub": { values in
            let args = try Arguments("sub", values, count: 2)
            return .int(toInt(args.values[0]) &- toInt(args.values[1]))
        },
        "mul": { values in
            let args = try Arguments("mul", values, atLeast: 1)
            return .int(args.values.dropFirst().reduce(toInt(args.values[0])) { $0 &* toInt($1) })
        },
        "div": { values in
            let args = try Arguments("div", values, count: 2)
            let divisor = toInt(args.values[1])
            guard divisor != 0 else { throw GoFunctionFailure("runtime error: integer divide by zero") }
            return .int(toInt(args.values[0]).dividedReportingOverflow(by: divisor).partialValue)
        },
        "mod": { values in
            let args = try Arguments("mod", values, count: 2)
            let divisor = toInt(args.values[1])
            guard divisor != 0 else { throw GoFunctionFailure("runtime error: integer divide by zero") }
            return .int(toInt(args.values[0]).remainderReportingOverflow(dividingBy: divisor).partialValue)
        },
        "max": { values in
            let args = try Arguments("max", values, atLeast: 1)
            return .int(args.values.map(toInt).max() ?? 0)
        },
        "biggest": { values in
            let args = try Arguments("biggest", values, atLeast: 1)
            return .int(args.values.map(toInt).max() ?? 0)
        },
        "min": { values in
            let args = try Arguments("min", values, atLeast: 1)
            return .int(args.values.map(toInt).min() ?? 0)
        },
        "default": { values in
            let args = try Arguments("default", values, atLeast: 1)
            guard values.count > 1, values[1].isTrue else { return args.values[0] }
            return values[1]
        },
        "empty": { values in .bool(!(try Arguments("empty", values, count: 1).values[0].isTrue)) },
        "coalesce": { values in values.first { $0.isTrue } ?? .null },
        "all": { values in .bool(values.allSatisfy(\.isTrue)) },
        "any": { values in .bool(values.contains(where: \.isTrue)) },
        "ternary": { values in
            let args = try Arguments("ternary", values, count: 3)
            return try args.bool(2) ? args.values[0] : args.values[1]
        },
        "fail": { values in throw GoFunctionFailure(try Arguments("fail", values, count: 1).string(0)) },
    ]

    // MARK: Lists

    static let sprigLists: Table = [
        "list": { values in .list(values) },
        "tuple": { values in .list(values) },
        "first": { values in
            let items = try list(try Arguments("first", values, count: 1).values[0], "find first")
            return items.first ?? .null
        },
        "last": { values in
            let items = try list(try Arguments("last", values, count: 1).values[0], "find last")
            return items.last ?? .null
        },
        "rest": { values in
            let items = try list(try Arguments("rest", values, count: 1).values[0], "find rest")
            return .list(Array(items.dropFirst()))
        },
        "initial": { values in
            let items = try list(try Arguments("initial", values, count: 1).values[0], "find initial")
            return .list(Array(items.dropLast()))
        },
        "append": { values in
            let args = try Arguments("append", values, count: 2)
            return .list(try list(args.values[0], "push") + [args.values[1]])
        },
        "push": { values in
            let args = try Arguments("push", values, count: 2)
            return .list(try list(args.values[0], "push") + [args.values[1]])
        },
        "prepend": { values in
            let args = try Arguments("prepend", values, count: 2)
            return .list([args.values[1]] + (try list(args.values[0], "prepend")))
        },
        "concat": { values in
            var out: [GoValue] = []
            for value in values {
                guard case .list(let items) = value else { throw GoFunctionFailure("Cannot concat type \(value.typeName) as list") }
                out += items
            }
            return .list(out)
        },
        "reverse": { values in .list(try list(try Arguments("reverse", values, count: 1).values[0], "find reverse").reversed()) },
        "uniq": { values in
            // A set, not a scan of what was kept (a list of 200 000 distinct lines hung the render for minutes).
            var seen = Set<GoValue>()
            return .list(try list(try Arguments("uniq", values, count: 1).values[0], "find uniq").filter { seen.insert($0).inserted })
        },
        "without": { values in
            let args = try Arguments("without", values, atLeast: 1)
            let omit = Array(args.values.dropFirst())
            return .list(try list(args.values[0], "find without").filter { !omit.contains($0) })
        },
        "has": { values in
            let args = try Arguments("has", values, count: 2)
            if args.values[1] == .null { return .bool(false) }
            return .bool(try list(args.values[1], "find has").contains(args.values[0]))
        },
        "compact": { values in .list(try list(try Arguments("compact", values, count: 1).values[0], "compact").filter(\.isTrue)) },
        "slice": { values in
            let args = try Arguments("slice", values, atLeast: 1)
            let items = try list(args.values[0], "slice")
            let start = values.count > 1 ? toInt(values[1]) : 0
            let end = values.count > 2 ? toInt(values[2]) : items.count
            guard start >= 0, end <= items.count, start <= end else {
                throw GoFunctionFailure("runtime error: slice bounds out of range [\(start):\(end)] with capacity \(items.count)")
            }
            return .list(Array(items[start..<end]))
        },
    ]

    // MARK: Dicts

    static let sprigDicts: Table = [
        "dict": { values in
            var map: [String: GoValue] = [:]
            var i = 0
            while i < values.count {
                map[strval(values[i])] = i + 1 < values.count ? values[i + 1] : .string("")
                i += 2
            }
            return .map(map)
        },
        "get": { values in
            let args = try Arguments("get", values, count: 2)
            return try args.map(0)[try args.string(1)] ?? .string("")
        },
        "set": { values in
            let args = try Arguments("set", values, count: 3)
            var map = try args.map(0)
            map[try args.string(1)] = args.values[2]
            return .map(map)
        },
        "unset": { values in
            let args = try Arguments("unset", values, count: 2)
            var map = try args.map(0)
            map[try args.string(1)] = nil
            return .map(map)
        },
        "hasKey": { values in
            let args = try Arguments("hasKey", values, count: 2)
            return .bool(try args.map(0)[try args.string(1)] != nil)
        },
        "keys": { values in
            var keys: [String] = []
            let args = try Arguments("keys", values, atLeast: 0)
            for i in values.indices { keys += Array(try args.map(i).keys) }
            return .list(keys.sorted(by: GoFormat.less).map { .string($0) })
        },
        "values": { values in
            let map = try Arguments("values", values, count: 1).map(0)
            return .list(map.keys.sorted(by: GoFormat.less).compactMap { map[$0] })
        },
        "pick": { values in
            let args = try Arguments("pick", values, atLeast: 1)
            let map = try args.map(0)
            let wanted = Set(try (1..<values.count).map { try args.string($0) })
            return .map(map.filter { wanted.contains($0.key) })
        },
        "omit": { values in
            let args = try Arguments("omit", values, atLeast: 1)
            let map = try args.map(0)
            let unwanted = Set(try (1..<values.count).map { try args.string($0) })
            return .map(map.filter { !unwanted.contains($0.key) })
        },
    ]

    // MARK: Encodings

    static let sprigEncodings: Table = [
        "toJson": { values in .string(GoJSON.encode(try Arguments("toJson", values, count: 1).values[0], escapeHTML: true) ?? "") },
        "toRawJson": { values in .string(GoJSON.encode(try Arguments("toRawJson", values, count: 1).values[0], escapeHTML: false) ?? "") },
        "toPrettyJson": { values in
            .string(GoJSON.encode(try Arguments("toPrettyJson", values, count: 1).values[0], escapeHTML: true, indent: "  ") ?? "")
        },
        "fromJson": { values in GoJSON.decode(try Arguments("fromJson", values, count: 1).string(0)) ?? .null },
        "b64enc": { values in .string(Data(try Arguments("b64enc", values, count: 1).string(0).utf8).base64EncodedString()) },
        "b64dec": { values in .string(base64Decode(try Arguments("b64dec", values, count: 1).string(0))) },
    ]

    /// Go's `base64.StdEncoding.DecodeString`, or its error text (Sprig returns the error as the value).
    static func base64Decode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var quantum: [UInt8] = []
        var quantumStart = 0
        var padding = 0
        var index = 0
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c - 65
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - 97 + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - 48 + 52
            case UInt8(ascii: "+"): return 62
            case UInt8(ascii: "/"): return 63
            default: return nil
            }
        }
        func corrupt(_ at: Int) -> String { "illegal base64 data at input byte \(at)" }
        for c in text.utf8 {
            defer { index += 1 }
            if c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r") { continue }
            if quantum.isEmpty && padding == 0 { quantumStart = index }
            if padding > 0 && c != UInt8(ascii: "=") { return corrupt(index) }
            if c == UInt8(ascii: "=") {
                guard quantum.count >= 2, quantum.count + padding < 4 else { return corrupt(index) }
                padding += 1
                if quantum.count + padding == 4 { quantum += Array(repeating: 0, count: padding) }
                continue
            }
            guard let v = value(c) else { return corrupt(index) }
            quantum.append(v)
            if quantum.count == 4 {
                bytes += [quantum[0] << 2 | quantum[1] >> 4, quantum[1] << 4 | quantum[2] >> 2, quantum[2] << 6 | quantum[3]]
                quantum = []
            }
        }
        if padding > 0 {
            guard quantum.count == 4 else { return corrupt(quantumStart) }
            let kept = 3 - padding
            bytes += Array([quantum[0] << 2 | quantum[1] >> 4, quantum[1] << 4 | quantum[2] >> 2, quantum[2] << 6 | quantum[3]].prefix(kept))
        } else if !quantum.isEmpty {
            return corrupt(quantumStart)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Regex

    static let sprigRegex: Table = [
        "regexFind": { values in
            let args = try Arguments("regexFind", values, count: 2)
            return .string(try regex(args.string(0)).firstMatch(in: try args.string(1))?.first.flatMap { $0 } ?? "")
        },
        "regexFindAll": { values in
            let args = try Arguments("regexFindAll", values, count: 3)
            let matches = try regex(args.string(0)).allMatches(in: try args.string(1), limit: try args.int(2))
            return .list(matches.map { .string($0.first.flatMap { $0 } ?? "") })
        },
        "regexReplaceAll": { values in
            let args = try Arguments("regexReplaceAll", values, count: 3)
            return .string(try regex(args.string(0)).replaceAll(in: try args.string(1), with: try args.string(2)))
        },
        "regexReplaceAllLiteral": { values in
            let args = try Arguments("regexReplaceAllLiteral", values, count: 3)
            return .string(try regex(args.string(0)).replaceAll(in: try args.string(1), with: try args.string(2), literal: true))
        },
        "regexSplit": { values in
            let args = try Arguments("regexSplit", values, count: 3)
            return .list(try regex(args.string(0)).split(try args.string(1), limit: try args.int(2)).map { .string($0) })
        },
        "regexQuoteMeta": { values in .string(GoRegex.quoteMeta(try Arguments("regexQuoteMeta", values, count: 1).string(0))) },
    ]

    // MARK: Paths (Go's path package: slash-separated)

    /// Go's `path.Clean`.
    static func cleanPath(_ path: String) -> String {
        if path.isEmpty { return "." }
        let rooted = path.hasPrefix("/")
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            switch part {
            case ".": continue
            case "..":
                if let last = parts.last, last != ".." { parts.removeLast() }
                else if !rooted { parts.append("..") }
            default: parts.append(part)
            }
        }
        let joined = parts.joined(separator: "/")
        if rooted { return "/" + joined }
        return joined.isEmpty ? "." : joined
    }

    static let sprigPaths: Table = [
        "base": { values in
            var path = Substring(try Arguments("base", values, count: 1).string(0))
            if path.isEmpty { return .string(".") }
            while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
            if path == "/" { return .string("/") }
            if let slash = path.lastIndex(of: "/") { path = path[path.index(after: slash)...] }
            return .string(String(path))
        },
        "dir": { values in
            let path = try Arguments("dir", values, count: 1).string(0)
            guard let slash = path.lastIndex(of: "/") else { return .string(".") }
            return .string(cleanPath(String(path[...slash])))
        },
        "clean": { values in .string(cleanPath(try Arguments("clean", values, count: 1).string(0))) },
        "ext": { values in
            let path = try Arguments("ext", values, count: 1).string(0)
            for index in path.indices.reversed() {
                if path[index] == "/" { break }
                if path[index] == "." { return .string(String(path[index...])) }
            }
            return .string("")
        },
        "isAbs": { values in .bool(try Arguments("isAbs", values, count: 1).string(0).hasPrefix("/")) },
    ]

    // MARK: Environment

    /// Go's `os.Expand`: `$NAME`, `${NAME}`, the special one-character names; bad syntax is dropped.
    static func expandEnvironment(_ text: String, _ lookup: (String) -> String) -> String {
        let s = Array(text.utf8)
        func isSpecial(_ c: UInt8) -> Bool { "*#$@!?-0123456789".utf8.contains(c) }
        func isAlphaNumeric(_ c: UInt8) -> Bool {
            c == UInt8(ascii: "_") || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
        }
        var out: [UInt8] = []
        var i = 0, j = 0
        while j < s.count {
            if s[j] == UInt8(ascii: "$"), j + 1 < s.count {
                out += s[i..<j]
                let rest = s[(j + 1)...]
                var name: [UInt8] = []
                var width = 0
                if rest.first == UInt8(ascii: "{") {
                    if rest.count > 2, isSpecial(rest[rest.startIndex + 1]), rest[rest.startIndex + 2] == UInt8(ascii: "}") {
                        name = [rest[rest.startIndex + 1]]; width = 3
                    } else if let close = rest.firstIndex(of: UInt8(ascii: "}")) {
                        if close == rest.startIndex + 1 { width = 2 } else {
                            name = Array(rest[(rest.startIndex + 1)..<close]); width = close - rest.startIndex + 1
                        }
                    } else {
                        width = 1
                    }
                } else if let first = rest.first, isSpecial(first) {
                    name = [first]; width = 1
                } else {
                    var k = rest.startIndex
                    while k < rest.endIndex, isAlphaNumeric(rest[k]) { k += 1 }
                    name = Array(rest[rest.startIndex..<k]); width = k - rest.startIndex
                }
                if name.isEmpty && width > 0 {
                    // Invalid syntax: the characters are eaten.
                } else if name.isEmpty {
                    out.append(s[j])
                } else {
                    out += Array(lookup(String(decoding: name, as: UTF8.self)).utf8)
                }
                j += width
                i = j + 1
            }
            j += 1
        }
        out += s[min(i, s.count)...]
        return String(decoding: out, as: UTF8.self)
    }
}
