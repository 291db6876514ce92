import Foundation

/// Python semantics for values: truth, `str()`, `repr()`, equality, ordering and arithmetic,
/// matching CPython so templates print and compare exactly as under Jinja2.
enum Python {
    // MARK: truth

    static func truthy(_ v: Value) throws -> Bool {
        switch v {
        case .undefined(let u):
            if u.strict { throw u.error() }
            return false
        case .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s), .markup(let s): return !s.isEmpty
        case .list(let a), .tuple(let a): return !a.isEmpty
        case .dict(let d): return !d.isEmpty
        case .function, .module, .namespace, .loop: return true
        }
    }

    // MARK: str / repr

    static func str(_ v: Value) throws -> String {
        switch v {
        case .undefined(let u):
            if u.strict { throw u.error() }
            return ""
        case .string(let s), .markup(let s): return s
        default: return try repr(v)
        }
    }

    /// The most text one conversion or join may build (the render's own limit is checked on top).
    static let maxTextBytes = 64 << 20

    static func checkTextSize(_ s: String) throws {
        if s.utf8.count > maxTextBytes { throw JinjaError(.limit, "a string grew past \(maxTextBytes) bytes") }
    }

    static func repr(_ v: Value) throws -> String {
        var out = ""
        try repr(v, into: &out)
        return out
    }

    /// Appends `repr(v)`, checking the size as it grows: a structure that shares itself many times
    /// over (`[l, l]` doubled thirty times) stops at the limit instead of walking 2^30 leaves.
    static func repr(_ v: Value, into out: inout String) throws {
        switch v {
        case .list(let a):
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += ", " }
                try repr(e, into: &out)
            }
            out += "]"
            try checkTextSize(out)
        case .tuple(let a):
            out += "("
            for (i, e) in a.enumerated() {
                if i > 0 { out += ", " }
                try repr(e, into: &out)
            }
            out += a.count == 1 ? ",)" : ")"
            try checkTextSize(out)
        case .dict(let d):
            out += "{"
            for (i, pair) in d.pairs.enumerated() {
                if i > 0 { out += ", " }
                try repr(pair.0, into: &out)
                out += ": "
                try repr(pair.1, into: &out)
            }
            out += "}"
            try checkTextSize(out)
        default:
            out += try scalarRepr(v)
        }
    }

    private static func scalarRepr(_ v: Value) throws -> String {
        switch v {
        case .undefined(let u):
            if u.strict { throw u.error() }
            return "Undefined"
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .float(let d): return floatRepr(d)
        case .string(let s): return stringRepr(s)
        case .markup(let s): return "Markup(\(stringRepr(s)))"
        case .list, .tuple, .dict: return try repr(v)
        case .function(let f): return f.isMacro ? "<Macro '\(f.name)'>" : "<built-in function \(f.name)>"
        case .module(let m): return "<TemplateModule '\(m.name)'>"
        case .namespace(let n): return "<Namespace \(try repr(.dict(n.attributes)))>"
        case .loop(let l): return "<LoopContext \(l.index0 + 1)/\(l.items.count)>"
        }
    }

    /// CPython's `repr(float)`: shortest round-trip digits, fixed notation for exponents -4…15.
    static func floatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let text = "\(abs(d))"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let intPart = String(parts[0])
        let fracPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = Array(intPart + fracPart)
        exponent += intPart.count - 1
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            exponent -= 1
        }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        let sign = d < 0 ? "-" : ""
        if exponent >= -4 && exponent < 16 {
            if exponent >= 0 {
                var whole = String(digits.prefix(exponent + 1))
                if whole.count < exponent + 1 { whole += String(repeating: "0", count: exponent + 1 - whole.count) }
                let frac = digits.count > exponent + 1 ? String(digits[(exponent + 1)...]) : "0"
                return sign + whole + "." + frac
            }
            return sign + "0." + String(repeating: "0", count: -exponent - 1) + String(digits)
        }
        var out = sign + String(digits[0])
        if digits.count > 1 { out += "." + String(digits[1...]) }
        let magnitude = abs(exponent)
        out += (exponent < 0 ? "e-" : "e+") + (magnitude < 10 ? "0" : "") + String(magnitude)
        return out
    }

    static func stringRepr(_ s: String) -> String {
        let quote: Character = (s.contains("'") && !s.contains("\"")) ? "\"" : "'"
        var out = String(quote)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if isPrintable(scalar) {
                    out.unicodeScalars.append(scalar)
                } else if scalar.value < 0x100 {
                    out += "\\x" + hex(scalar.value, 2)
                } else if scalar.value < 0x10000 {
                    out += "\\u" + hex(scalar.value, 4)
                } else {
                    out += "\\U" + hex(scalar.value, 8)
                }
            }
        }
        out.append(quote)
        return out
    }

    private static func hex(_ v: UInt32, _ width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }

    static func isPrintable(_ s: Unicode.Scalar) -> Bool {
        if s == " " { return true }
        switch s.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    // MARK: equality and ordering

    static func equal(_ a: Value, _ b: Value) throws -> Bool {
        switch (a, b) {
        case (.undefined(let u), _) where u.strict: throw u.error()
        case (_, .undefined(let u)) where u.strict: throw u.error()
        case (.undefined, .undefined): return true
        case (.undefined, _), (_, .undefined): return false
        case (.none, .none): return true
        case (.string(let x), .string(let y)), (.markup(let x), .markup(let y)),
             (.string(let x), .markup(let y)), (.markup(let x), .string(let y)):
            return x == y
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            guard x.count == y.count else { return false }
            for (p, q) in zip(x, y) where !(try equal(p, q)) { return false }
            return true
        case (.dict(let x), .dict(let y)):
            guard x.count == y.count else { return false }
            for (k, v) in x.pairs {
                guard let w = try y.get(k), try equal(v, w) else { return false }
            }
            return true
        case (.function(let x), .function(let y)): return x === y
        case (.namespace(let x), .namespace(let y)): return x === y
        default:
            if let x = number(a), let y = number(b) { return compareNumbers(x, y) == .orderedSame }
            return false
        }
    }

    enum Number {
        case int(Int)
        case float(Double)
        var double: Double {
            switch self {
            case .int(let i): return Double(i)
            case .float(let d): return d
            }
        }
    }

    static func number(_ v: Value) -> Number? {
        switch v {
        case .bool(let b): return .int(b ? 1 : 0)
        case .int(let i): return .int(i)
        case .float(let d): return .float(d)
        default: return nil
        }
    }

    static func compareNumbers(_ a: Number, _ b: Number) -> ComparisonResult? {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame)
        default:
            let x = a.double, y = b.double
            if x.isNaN || y.isNaN { return nil }
            return x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame)
        }
    }

    /// Python's `<`-family comparison; `nil` means every comparison is False (NaN).
    static func compare(_ a: Value, _ b: Value, op: String) throws -> ComparisonResult? {
        if case .undefined(let u) = a, u.strict { throw u.error() }
        if case .undefined(let u) = b, u.strict { throw u.error() }
        if let x = number(a), let y = number(b) { return compareNumbers(x, y) }
        switch (a, b) {
        case (.string(let x), .string(let y)), (.markup(let x), .markup(let y)),
             (.string(let x), .markup(let y)), (.markup(let x), .string(let y)):
            return compareStrings(x, y)
        case (.list(let x), .list(let y)), (.tuple(let x), .tuple(let y)):
            for (p, q) in zip(x, y) where !(try equal(p, q)) {
                return try compare(p, q, op: op)
            }
            return x.count < y.count ? .orderedAscending : (x.count > y.count ? .orderedDescending : .orderedSame)
        default:
            throw JinjaError(.type, "'\(op)' not supported between instances of '\(a.typeName)' and '\(b.typeName)'")
        }
    }

    /// Python orders strings by code point.
    static func compareStrings(_ x: String, _ y: String) -> ComparisonResult {
        var i = x.unicodeScalars.makeIterator(), j = y.unicodeScalars.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return .orderedSame
            case (nil, _): return .orderedAscending
            case (_, nil): return .orderedDescending
            case (let p?, let q?):
                if p.value != q.value { return p.value < q.value ? .orderedAscending : .orderedDescending }
            }
        }
    }

    // MARK: containment

    static func contains(_ container: Value, _ item: Value) throws -> Bool {
        switch container {
        case .undefined(let u):
            if u.strict { throw u.error() }
            return false
        case .string(let s), .markup(let s):
            guard let needle = item.stringValue else {
                throw JinjaError(.type, "'in <string>' requires string as left operand, not \(item.typeName)")
            }
            return isSubstring(needle, of: s)
        case .list(let a), .tuple(let a):
            for e in a where try equal(e, item) { return true }
            return false
        case .dict(let d):
            return try d.contains(item)
        case .namespace(let n):
            return try n.attributes.contains(item)
        default:
            throw JinjaError(.type, "argument of type '\(container.typeName)' is not iterable")
        }
    }

    // MARK: arithmetic

    static func add(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a, b)
        switch (a, b) {
        case (.markup(let x), _): return .markup(x + (try escapedText(b)))
        case (_, .markup(let y)): return .markup((try escapedText(a)) + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.tuple(let x), .tuple(let y)): return .tuple(x + y)
        case (.string, _), (.list, _), (.tuple, _):
            throw JinjaError(.type, "can only concatenate \(a.typeName) (not \"\(b.typeName)\") to \(a.typeName)")
        default:
            return try arithmetic(a, b, "+", { x, y in x.addingReportingOverflow(y) }, { $0 + $1 })
        }
    }

    static func subtract(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a, b)
        return try arithmetic(a, b, "-", { x, y in x.subtractingReportingOverflow(y) }, { $0 - $1 })
    }

    static func multiply(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a, b)
        func repeatCount(_ v: Value) -> Int? {
            switch v {
            case .int(let i): return i
            case .bool(let b): return b ? 1 : 0
            default: return nil
            }
        }
        switch (a, b) {
        case (.string(let s), _), (.markup(let s), _):
            if let n = repeatCount(b) { return try repeated(s, n, markup: { if case .markup = a { return true }; return false }()) }
        case (_, .string(let s)), (_, .markup(let s)):
            if let n = repeatCount(a) { return try repeated(s, n, markup: { if case .markup = b { return true }; return false }()) }
        case (.list(let l), _):
            if let n = repeatCount(b) { return .list(try repeatedList(l, n)) }
        case (_, .list(let l)):
            if let n = repeatCount(a) { return .list(try repeatedList(l, n)) }
        case (.tuple(let l), _):
            if let n = repeatCount(b) { return .tuple(try repeatedList(l, n)) }
        default: break
        }
        return try arithmetic(a, b, "*", { x, y in x.multipliedReportingOverflow(by: y) }, { $0 * $1 })
    }

    private static let maxRepeat = 10_000_000

    private static func repeated(_ s: String, _ n: Int, markup: Bool) throws -> Value {
        guard n > 0 else { return markup ? .markup("") : .string("") }
        guard s.utf8.count.multipliedReportingOverflow(by: n).partialValue <= maxRepeat, s.utf8.count * n <= maxRepeat else {
            throw JinjaError(.limit, "string repetition would exceed \(maxRepeat) bytes")
        }
        let r = String(repeating: s, count: n)
        return markup ? .markup(r) : .string(r)
    }

    private static func repeatedList(_ l: [Value], _ n: Int) throws -> [Value] {
        guard n > 0 else { return [] }
        guard l.count.multipliedReportingOverflow(by: n).partialValue <= maxRepeat, l.count * n <= maxRepeat else {
            throw JinjaError(.limit, "list repetition would exceed \(maxRepeat) items")
        }
        var out: [Value] = []
        out.reserveCapacity(l.count * n)
        for _ in 0..<n { out += l }
        return out
    }

    static func trueDivide(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a, b)
        guard let x = number(a), let y = number(b) else { throw unsupported("/", a, b) }
        if y.double == 0 { throw JinjaError(.value, "division by zero") }
        return .float(x.double / y.double)
    }

    static func floorDivide(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a, b)
        guard let x = number(a), let y = number(b) else { throw unsupported("//", a, b) }
        if case .int(let p) = x, case .int(let q) = y {
            if q == 0 { throw JinjaError(.value, "integer division or modulo by zero") }
            if p == Int.min && q == -1 { throw overflow() }
            var r = p / q
            if (p % q != 0) && ((p < 0) != (q < 0)) { r -= 1 }
            return .int(r)
        }
        if y.double == 0 { throw JinjaError(.value, "float floor division by zero") }
        return .float((x.double / y.double).rounded(.down))
    }

    static func modulo(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a, b)
        if let s = a.stringValue {
            let args: [Value]
            var mapping: Dict? = nil
            var checkAll = true
            switch b {
            case .tuple(let t): args = t
            case .dict(let d): args = [b]; mapping = d
            // Python treats any other object with __getitem__ as a mapping: no "not all converted" check.
            case .list: args = [b]; checkAll = false
            default: args = [b]
            }
            let out = try PercentFormat.format(s, args, mapping: mapping, checkAllConverted: checkAll)
            if case .markup = a { return .markup(out) }
            return .string(out)
        }
        guard let x = number(a), let y = number(b) else { throw unsupported("%", a, b) }
        if case .int(let p) = x, case .int(let q) = y {
            if q == 0 { throw JinjaError(.value, "integer division or modulo by zero") }
            if q == -1 { return .int(0) }
            var r = p % q
            if r != 0 && ((r < 0) != (q < 0)) { r += q }
            return .int(r)
        }
        if y.double == 0 { throw JinjaError(.value, "float modulo") }
        var r = fmod(x.double, y.double)
        if r != 0 && ((r < 0) != (y.double < 0)) { r += y.double }
        return .float(r)
    }

    static func power(_ a: Value, _ b: Value) throws -> Value {
        try checkDefined(a, b)
        guard let x = number(a), let y = number(b) else { throw unsupported("** or pow()", a, b) }
        if case .int(let base) = x, case .int(let exp) = y {
            if exp < 0 {
                if base == 0 { throw JinjaError(.value, "0.0 cannot be raised to a negative power") }
                return .float(pow(Double(base), Double(exp)))
            }
            var result = 1, factor = base, e = exp
            while e > 0 {
                if e & 1 == 1 {
                    let (r, o) = result.multipliedReportingOverflow(by: factor)
                    if o { throw overflow() }
                    result = r
                }
                e >>= 1
                if e > 0 {
                    let (f, o) = factor.multipliedReportingOverflow(by: factor)
                    if o { throw overflow() }
                    factor = f
                }
            }
            return .int(result)
        }
        if x.double == 0 && y.double < 0 { throw JinjaError(.value, "0.0 cannot be raised to a negative power") }
        let r = pow(x.double, y.double)
        if r.isNaN && !x.double.isNaN && !y.double.isNaN { throw JinjaError(.value, "math domain error") }
        return .float(r)
    }

    static func negate(_ a: Value) throws -> Value {
        try checkDefined(a, a)
        switch number(a) {
        case .int(let i)?:
            if i == Int.min { throw overflow() }
            return .int(-i)
        case .float(let d)?: return .float(-d)
        case nil: throw JinjaError(.type, "bad operand type for unary -: '\(a.typeName)'")
        }
    }

    static func positive(_ a: Value) throws -> Value {
        try checkDefined(a, a)
        switch number(a) {
        case .int(let i)?: return .int(i)
        case .float(let d)?: return .float(d)
        case nil: throw JinjaError(.type, "bad operand type for unary +: '\(a.typeName)'")
        }
    }

    private static func arithmetic(
        _ a: Value, _ b: Value, _ op: String,
        _ intOp: (Int, Int) -> (partialValue: Int, overflow: Bool),
        _ floatOp: (Double, Double) -> Double
    ) throws -> Value {
        guard let x = number(a), let y = number(b) else { throw unsupported(op, a, b) }
        if case .int(let p) = x, case .int(let q) = y {
            let (r, o) = intOp(p, q)
            if o { throw overflow() }
            return .int(r)
        }
        return .float(floatOp(x.double, y.double))
    }

    static func checkDefined(_ a: Value, _ b: Value) throws {
        if case .undefined(let u) = a { throw u.error() }
        if case .undefined(let u) = b { throw u.error() }
    }

    private static func unsupported(_ op: String, _ a: Value, _ b: Value) -> JinjaError {
        JinjaError(.type, "unsupported operand type(s) for \(op): '\(a.typeName)' and '\(b.typeName)'")
    }

    static func overflow() -> JinjaError {
        JinjaError(.limit, "integer result does not fit in 64 bits")
    }

    /// What adding `v` to markup appends: its text, HTML-escaped unless it is markup already.
    static func escapedText(_ v: Value) throws -> String {
        if case .markup(let s) = v { return s }
        return htmlEscape(try str(v))
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    // MARK: iteration

    /// The items `for` and filters iterate: a list's elements, a dict's keys, a string's characters.
    static func iterate(_ v: Value) throws -> [Value] {
        switch v {
        case .undefined(let u):
            if u.strict { throw u.error() }
            return []
        case .list(let a), .tuple(let a): return a
        case .dict(let d): return d.keys
        case .string(let s): return s.unicodeScalars.map { .string(String($0)) }
        case .markup(let s): return s.unicodeScalars.map { .markup(String($0)) }
        case .namespace(let n): return n.attributes.keys
        default: throw JinjaError(.type, "'\(v.typeName)' object is not iterable")
        }
    }

    static func length(_ v: Value) throws -> Int {
        switch v {
        case .undefined(let u):
            if u.strict { throw u.error() }
            return 0
        case .string(let s), .markup(let s): return s.unicodeScalars.count
        case .list(let a), .tuple(let a): return a.count
        case .dict(let d): return d.count
        default: throw JinjaError(.type, "object of type '\(v.typeName)' has no len()")
        }
    }

    // MARK: whitespace

    /// Python's `str.isspace()` characters.
    static func isSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x1C...0x1F, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    static func strip(_ s: String, chars: String? = nil, leading: Bool = true, trailing: Bool = true) -> String {
        let scalars = s.unicodeScalars
        let allowed = chars.map { Set($0.unicodeScalars) }
        func strippable(_ c: Unicode.Scalar) -> Bool { allowed.map { $0.contains(c) } ?? isSpace(c) }
        var lo = scalars.startIndex, hi = scalars.endIndex
        if leading {
            while lo < hi, strippable(scalars[lo]) { lo = scalars.index(after: lo) }
        }
        if trailing {
            while hi > lo {
                let before = scalars.index(before: hi)
                guard strippable(scalars[before]) else { break }
                hi = before
            }
        }
        if lo == scalars.startIndex && hi == scalars.endIndex { return s }
        return String(scalars[lo..<hi])
    }

    /// Python's `str.splitlines()` (without keepends): breaks at \n, \r\n, \r, \v, \f, \x1c-\x1e,
    /// U+0085, U+2028 and U+2029.
    static func splitLines(_ s: String) -> [String] {
        var lines: [String] = []
        var utf8 = Array(s.utf8)
        let n = utf8.count
        var start = 0
        var i = 0
        while i < n {
            let b = utf8[i]
            var breakLength = 0
            switch b {
            case 0x0A, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E: breakLength = 1
            case 0x0D: breakLength = (i + 1 < n && utf8[i + 1] == 0x0A) ? 2 : 1
            case 0xC2 where i + 1 < n && utf8[i + 1] == 0x85: breakLength = 2
            case 0xE2 where i + 2 < n && utf8[i + 1] == 0x80 && (utf8[i + 2] == 0xA8 || utf8[i + 2] == 0xA9): breakLength = 3
            default: break
            }
            if breakLength > 0 {
                lines.append(String(decoding: utf8[start..<i], as: UTF8.self))
                i += breakLength
                start = i
            } else {
                i += 1
            }
        }
        if start < n { lines.append(String(decoding: utf8[start..<n], as: UTF8.self)) }
        utf8.removeAll()
        return lines
    }

    /// Byte offsets of the occurrences of `needle` in `haystack` (non-overlapping unless
    /// `overlapping`), found with Knuth–Morris–Pratt: linear time, whatever the input.
    static func occurrences(of needle: [UInt8], in haystack: [UInt8], limit: Int = -1, overlapping: Bool = false) -> [Int] {
        guard !needle.isEmpty, needle.count <= haystack.count, limit != 0 else { return [] }
        // failure[k]: length of the longest proper border of needle[0...k].
        var failure = [Int](repeating: 0, count: needle.count)
        var k = 0
        for i in 1..<needle.count {
            while k > 0 && needle[i] != needle[k] { k = failure[k - 1] }
            if needle[i] == needle[k] { k += 1 }
            failure[i] = k
        }
        var found: [Int] = []
        var matched = 0
        for (i, byte) in haystack.enumerated() {
            while matched > 0 && byte != needle[matched] { matched = failure[matched - 1] }
            if byte == needle[matched] { matched += 1 }
            if matched == needle.count {
                found.append(i - needle.count + 1)
                if limit >= 0 && found.count >= limit { break }
                matched = overlapping ? failure[matched - 1] : 0
            }
        }
        return found
    }

    /// Whether `needle` occurs in `haystack` (code points, as Python compares), in linear time.
    static func isSubstring(_ needle: String, of haystack: String) -> Bool {
        needle.isEmpty || !occurrences(of: Array(needle.utf8), in: Array(haystack.utf8), limit: 1).isEmpty
    }

    /// Python's `str.split(sep, maxsplit)`.
    static func split(_ s: String, separator: String?, maxSplit: Int = -1) throws -> [String] {
        if let separator {
            if separator.isEmpty { throw JinjaError(.value, "empty separator") }
            let bytes = Array(s.utf8), sep = Array(separator.utf8)
            var parts: [String] = []
            var start = 0
            for offset in occurrences(of: sep, in: bytes, limit: maxSplit) {
                parts.append(String(decoding: bytes[start..<offset], as: UTF8.self))
                start = offset + sep.count
            }
            parts.append(String(decoding: bytes[start...], as: UTF8.self))
            return parts
        }
        var parts: [String] = []
        var current = String.UnicodeScalarView()
        var inWord = false
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if isSpace(c) {
                if inWord {
                    parts.append(String(current))
                    current = String.UnicodeScalarView()
                    inWord = false
                }
            } else {
                if !inWord && maxSplit >= 0 && parts.count == maxSplit {
                    var tail = String.UnicodeScalarView()
                    tail.append(contentsOf: scalars[i...])
                    parts.append(strip(String(tail), leading: false))
                    return parts
                }
                inWord = true
                current.append(c)
            }
            i += 1
        }
        if inWord { parts.append(String(current)) }
        return parts
    }
}
