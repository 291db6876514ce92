// Values as goss sees them after YAML (or JSON) decoding: the expected side of every check, and JSON output.

/// A decoded gossfile value, with yaml.v3's scalar typing (see `GossYAML`).
///
///     GossValue.string("0755")           // mode: "0755"
///     GossValue.int(493)                 // mode: 0755 (unquoted: octal)
///     GossValue.list([.string("/^curl \\d/")])
public enum GossValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case list([GossValue])
    /// A mapping in source order (keys are strings, as goss decodes them).
    case map([GossEntry])

    public static let emptyObject = GossValue.map([])

    public var isNull: Bool { if case .null = self { true } else { false } }

    /// The value of `key` when this is a map.
    public subscript(key: String) -> GossValue? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// Go's `%v` text: `true`, `42`, `1.5`, `1e+06`, `[a b]`, `map[a:1]`, `<nil>`.
    public var goText: String {
        switch self {
        case .null: "<nil>"
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .float(let f): GoFloat.format(f)
        case .string(let s): s
        case .list(let items): "[" + items.map(\.goText).joined(separator: " ") + "]"
        case .map(let entries):
            "map[" + entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
                .map { "\($0.key):\($0.value.goText)" }.joined(separator: " ") + "]"
        }
    }
}

/// One key of a `GossValue.map`.
public struct GossEntry: Sendable, Hashable {
    public var key: String
    public var value: GossValue
    public init(_ key: String, _ value: GossValue) {
        self.key = key
        self.value = value
    }
}

/// Go's `%v` for a float64 (`strconv.FormatFloat(f, 'g', -1, 64)`: shortest digits, an exponent below 1e-4 and from 1e+06).
public enum GoFloat {
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Inf" : "+Inf" }
        if value == 0 { return value.sign == .minus ? "-0" : "0" }
        // Swift's description is the shortest round-trip digits; re-lay them out as Go's %v does.
        var digits = "\(abs(value))"
        // Normalise Swift's forms ("1e-07", "1.5e+20", "123.0") into digits and exponent.
        var mantissa = digits
        var exp10 = 0
        if let e = digits.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = String(digits[..<e])
            exp10 = Int(digits[digits.index(after: e)...]) ?? 0
        }
        var intPart = mantissa
        var fracPart = ""
        if let dot = mantissa.firstIndex(of: ".") {
            intPart = String(mantissa[..<dot])
            fracPart = String(mantissa[mantissa.index(after: dot)...])
        }
        var all = intPart + fracPart
        var pointPosition = intPart.count + exp10
        // Strip leading zeros (0.001 → "0001" with point 1).
        while all.hasPrefix("0") && all.count > 1 {
            all.removeFirst()
            pointPosition -= 1
        }
        while all.hasSuffix("0") && all.count > 1 { all.removeLast() }
        digits = all
        let sciExponent = pointPosition - 1
        let sign = value < 0 ? "-" : ""
        if sciExponent < -4 || sciExponent >= 6 {
            var text = String(digits.prefix(1))
            if digits.count > 1 { text += "." + digits.dropFirst() }
            let e = sciExponent
            text += "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
            return sign + text
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let index = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<index] + "." + digits[index...]
    }
}
