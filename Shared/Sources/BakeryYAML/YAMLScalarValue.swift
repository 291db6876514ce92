// Scalar typing under the YAML 1.2 core schema, as the reference CLI's round-trip loader applies it.

/// The type a scalar resolves to.
///
///     YAMLScalarValue.resolve("24.04", style: .plain, tag: nil)   // .float(24.04)
///     YAMLScalarValue.resolve("1.0.0", style: .plain, tag: nil)   // .string("1.0.0")
///     YAMLScalarValue.resolve("yes", style: .plain, tag: nil)     // .string("yes")  (YAML 1.2: not a bool)
public enum YAMLScalarValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// Integer text as written; `value` is nil when it does not fit in 64 bits.
    case int(text: String, value: Int?)
    case float(text: String)
    case string(String)

    public static let stringTag = "tag:yaml.org,2002:str"
    public static let intTag = "tag:yaml.org,2002:int"
    public static let floatTag = "tag:yaml.org,2002:float"
    public static let boolTag = "tag:yaml.org,2002:bool"
    public static let nullTag = "tag:yaml.org,2002:null"

    public static func resolve(_ text: String, style: YAMLScalarStyle, tag: String?) -> YAMLScalarValue {
        if let tag, tag != "!" {
            // An explicit standard tag decides; unknown tags keep the text.
            switch tag {
            case stringTag: return .string(text)
            case intTag: if let v = intValue(text) { return .int(text: text, value: v.value) }
            case floatTag: if isFloat(text) || intValue(text) != nil { return .float(text: text) }
            case boolTag: if let b = boolValue(text) { return .bool(b) }
            case nullTag: return .null
            default: break
            }
            return .string(text)
        }
        guard style == .plain, tag == nil else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let v = intValue(text) { return .int(text: text, value: v.value) }
        if isFloat(text) { return .float(text: text) }
        return .string(text)
    }

    /// A short name for messages: "a number", "a boolean", …
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .float: "a number"
        case .string: "a string"
        }
    }

    private static func boolValue(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// Integers: decimal, `0o` octal, `0x` hex, `0b` binary, optional sign, `_` separators (as the reference's loader accepts).
    static func intValue(_ text: String) -> (text: String, value: Int?)? {
        var body = Substring(text)
        var negative = false
        if let first = body.first, first == "+" || first == "-" {
            negative = first == "-"
            body = body.dropFirst()
        }
        var radix = 10
        if body.count > 2, body.first == "0", let marker = body.dropFirst().first {
            switch marker {
            case "x": radix = 16
            case "o": radix = 8
            case "b": radix = 2
            default: break
            }
            if radix != 10 { body = body.dropFirst(2) }
        }
        guard let first = body.first, first != "_" else { return nil }
        var value: Int? = 0
        for ch in body {
            if ch == "_" { continue }
            guard let digit = ch.hexDigitValue, digit < radix else { return nil }
            if let current = value {
                let (m, o1) = current.multipliedReportingOverflow(by: radix)
                let (s, o2) = m.addingReportingOverflow(digit)
                value = (o1 || o2) ? nil : s
            }
        }
        if negative, let v = value { value = -v }
        return (text, value)
    }

    /// Floats: `1.5`, `1.`, `.5`, `1e3`, `1.0e+3`, `.inf`, `-.inf`, `.nan` (digits may carry `_`).
    static func isFloat(_ text: String) -> Bool {
        var s = Substring(text)
        if let first = s.first, first == "+" || first == "-" { s = s.dropFirst() }
        if [".inf", ".Inf", ".INF"].contains(s) { return true }
        if text == ".nan" || text == ".NaN" || text == ".NAN" { return true }
        // mantissa
        var intDigits = 0, fracDigits = 0, sawDot = false
        var rest = s[...]
        func isDigitOrUnderscore(_ c: Character) -> Bool { c.isASCII && (c.isNumber || c == "_") }
        if let c = rest.first, c.isASCII, c.isNumber {
            while let c = rest.first, isDigitOrUnderscore(c) { intDigits += 1; rest = rest.dropFirst() }
        }
        if rest.first == "." {
            sawDot = true
            rest = rest.dropFirst()
            while let c = rest.first, isDigitOrUnderscore(c) { fracDigits += 1; rest = rest.dropFirst() }
        }
        guard intDigits > 0 || fracDigits > 0 else { return false }
        var sawExponent = false
        if let c = rest.first, c == "e" || c == "E" {
            rest = rest.dropFirst()
            if let sign = rest.first, sign == "+" || sign == "-" { rest = rest.dropFirst() }
            var expDigits = 0
            while let c = rest.first, c.isASCII, c.isNumber { expDigits += 1; rest = rest.dropFirst() }
            guard expDigits > 0 else { return false }
            sawExponent = true
        }
        guard rest.isEmpty else { return false }
        return sawDot || sawExponent
    }
}
