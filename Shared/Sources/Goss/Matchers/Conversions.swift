// The conversions goss applies before a matcher compares (goss.md §4.1 "Conversion to a string/number",
// §4.3 "→array"), and the Go spellings used in error texts.

enum GoFormat {
    /// Go's dynamic type name for a decoded value (`%T`).
    static func typeName(_ value: GossValue) -> String {
        switch value {
        case .null: "<nil>"
        case .bool: "bool"
        case .int: "int"
        case .float: "float64"
        case .string: "string"
        case .list: "[]interface {}"
        case .map: "map[string]interface {}"
        }
    }

    static func typeName(_ actual: GossActual) -> String {
        switch actual {
        case .value(let v): typeName(v)
        case .strings: "[]string"
        case .stream(let s): s.goType
        }
    }

    /// Go's `%v` of a decoded value: `true`, `42`, `1.5`, `1e+06`, `[a b]`, `map[a:1]`, `<nil>`.
    /// `GossValue.goText` with a bound on nesting.
    static func text(_ value: GossValue, depth: Int = 0) -> String {
        guard depth < 100 else { return "..." }
        switch value {
        case .float(let f): return GoFloat.format(f)
        case .list(let items): return "[" + items.map { text($0, depth: depth + 1) }.joined(separator: " ") + "]"
        case .map(let entries):
            return "map[" + entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { "\($0.key):\(text($0.value, depth: depth + 1))" }.joined(separator: " ") + "]"
        default: return value.goText
        }
    }

    /// gomega's `format.Object(x, 1)` in short: `    <string>: foo`.
    static func object(_ actual: GossActual) -> String {
        "    <\(typeName(actual))>: \(text(Convert.json(actual)))"
    }

    /// Go's `%q`: a double-quoted string with Go escapes.
    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\u{0B}": out += "\\v"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\x" + hex2(scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func hex2(_ v: UInt32) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int((v >> 4) & 0xF)], digits[Int(v & 0xF)]])
    }

    /// Go's `strconv.ParseFloat(s, 64)`: nil on a syntax error or when out of range.
    static func parseFloat(_ s: String) -> Double? {
        guard !s.isEmpty, s.utf8.count < 1000 else { return nil }
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let lower = body.lowercased()
        if lower == "inf" || lower == "infinity" {
            return s.hasPrefix("-") ? -.infinity : .infinity
        }
        if lower == "nan" { return s == body ? .nan : nil }
        if body.contains("_") { return nil }   // underscores need a base prefix, which floats here never carry in practice
        let isHex = lower.hasPrefix("0x")
        if isHex {
            guard lower.contains("p") else { return nil }
        } else {
            // Digits, one point, an optional exponent: nothing else.
            var sawDigit = false, sawPoint = false, sawExp = false, expDigits = false
            var previous: Character = " "
            for c in lower {
                switch c {
                case "0"..."9":
                    if sawExp { expDigits = true } else { sawDigit = true }
                case ".":
                    if sawPoint || sawExp { return nil }
                    sawPoint = true
                case "e":
                    if sawExp || !sawDigit { return nil }
                    sawExp = true
                case "+", "-":
                    if previous != "e" { return nil }
                default:
                    return nil
                }
                previous = c
            }
            guard sawDigit, !sawExp || expDigits else { return nil }
        }
        guard let value = Double(s) else { return nil }
        if value.isInfinite { return nil }
        return value
    }
}

/// An error raised while matching (it becomes the result's `err`).
struct MatchFailure: Error, Sendable {
    var message: String
    init(_ message: String) { self.message = message }
}

enum Convert {
    /// The actual as goss's JSON shows it.
    static func json(_ actual: GossActual) -> GossValue {
        switch actual {
        case .value(let v): v
        case .strings(let s): .list(s.map(GossValue.string))
        case .stream(let s): .string("object: \(s.goType)")
        }
    }

    /// To-string (§4.1): `%v` of scalars, list elements joined with "\n". `changed` when the type changed.
    static func toString(_ actual: GossActual) -> (text: String, changed: Bool) {
        switch actual {
        case .value(.string(let s)): (s, false)
        case .value(.list(let items)): (items.map { GoFormat.text($0) }.joined(separator: "\n"), true)
        case .value(let v): (GoFormat.text(v), true)
        case .strings(let s): (s.joined(separator: "\n"), true)
        case .stream(let s): (String(decoding: s.bytes, as: UTF8.self), true)
        }
    }

    /// To-numeric (§4.1): numbers pass, strings (and []string joined) are trimmed and parsed as float64.
    static func toNumeric(_ actual: GossActual) -> Result<(value: GossValue, number: Double, changed: Bool), MatchFailure> {
        func parse(_ text: String) -> Result<(value: GossValue, number: Double, changed: Bool), MatchFailure> {
            let trimmed = text.trimmingGoSpace()
            guard let d = GoFormat.parseFloat(trimmed) else {
                return .failure(MatchFailure("strconv.ParseFloat: parsing \(GoFormat.quote(trimmed)): invalid syntax"))
            }
            return .success((.float(d), d, true))
        }
        switch actual {
        case .value(.int(let i)): return .success((.int(i), Double(i), false))
        case .value(.float(let f)): return .success((.float(f), f, false))
        case .value(.string(let s)): return parse(s)
        case .strings(let s): return parse(s.joined(separator: "\n"))
        case .stream(let s): return parse(String(decoding: s.bytes, as: UTF8.self))
        case .value(let v): return .failure(MatchFailure("Expected numeric, Got: \(GoFormat.text(v))"))
        }
    }

    /// To-array (§4.3): a string is split on "\n" (Go's `strings.Split`); anything else is left alone.
    static func toArray(_ actual: GossActual) -> (value: GossActual, changed: Bool) {
        switch actual {
        case .value(.string(let s)): (.strings(s.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)), true)
        case .stream(let s):
            (.strings(String(decoding: s.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)), true)
        default: (actual, false)
        }
    }

    /// The elements of a list or map actual (map values, as gomega iterates them); nil for anything else.
    static func elements(_ actual: GossActual) -> [GossActual]? {
        switch actual {
        case .strings(let s): s.map { .value(.string($0)) }
        case .value(.list(let items)): items.map { .value($0) }
        case .value(.map(let entries)): entries.map { .value($0.value) }
        default: nil
        }
    }
}

extension String {
    /// Go's `strings.TrimSpace` (Unicode white space).
    func trimmingGoSpace() -> String {
        let scalars = unicodeScalars
        func isSpace(_ s: Unicode.Scalar) -> Bool {
            switch s.value {
            case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
            default: false
            }
        }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }),
              let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
