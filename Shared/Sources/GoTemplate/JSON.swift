// Go's encoding/json as Sprig's toJson/fromJson use it: sorted keys, HTML-safe escapes, Go's float forms; decoding
// numbers as float64 and giving nil for malformed input.

public enum GoJSON {
    /// Nesting deeper than this is refused when decoding (the value is then nil, as for malformed JSON).
    static let maxDepth = 512

    /// `json.Marshal` (or `MarshalIndent(v, "", indent)`); nil for NaN and infinities, which Go refuses.
    static func encode(_ value: GoValue, escapeHTML: Bool, indent: String? = nil) -> String? {
        var out = ""
        guard write(value, into: &out, escapeHTML: escapeHTML, indent: indent, level: 0) else { return nil }
        return out
    }

    private static func write(_ value: GoValue, into out: inout String, escapeHTML: Bool, indent: String?, level: Int) -> Bool {
        func newline(_ level: Int) {
            guard let indent else { return }
            out += "\n" + String(repeating: indent, count: level)
        }
        switch value {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .float(let f):
            guard f.isFinite else { return false }
            out += float(f)
        case .string(let s): out += string(s, escapeHTML: escapeHTML)
        case .list(let items):
            if items.isEmpty { out += "[]"; return true }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                guard write(item, into: &out, escapeHTML: escapeHTML, indent: indent, level: level + 1) else { return false }
            }
            newline(level)
            out += "]"
        case .map(let map):
            if map.isEmpty { out += "{}"; return true }
            out += "{"
            for (i, key) in map.keys.sorted(by: GoFormat.less).enumerated() {
                if i > 0 { out += "," }
                newline(level + 1)
                out += string(key, escapeHTML: escapeHTML) + (indent == nil ? ":" : ": ")
                guard let item = map[key], write(item, into: &out, escapeHTML: escapeHTML, indent: indent, level: level + 1) else { return false }
            }
            newline(level)
            out += "}"
        }
        return true
    }

    /// Go's float encoding: plain decimals, exponent form below 1e-6 and from 1e21 (`1e-7`, `1e+21`).
    static func float(_ f: Double) -> String {
        if f == 0 { return f.sign == .minus ? "-0" : "0" }
        let sign = f < 0 ? "-" : ""
        let magnitude = abs(f)
        let (digits, point) = GoFormat.digits(magnitude)
        if magnitude < 1e-6 || magnitude >= 1e21 {
            var text = GoFormat.exponential(digits, point - 1)
            // Go writes e-07 as e-7.
            if let range = text.range(of: "e-0") { text.replaceSubrange(range, with: "e-") }
            return sign + text
        }
        return sign + GoFormat.fixed(digits, point)
    }

    /// A string as encoding/json writes it: quoted, control characters as `\u00XX`, U+2028/2029 escaped, and `<`, `>`,
    /// `&` as `\u003c`… when `escapeHTML` (goss's JSON output uses this too).
    public static func string(_ s: String, escapeHTML: Bool) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "<" where escapeHTML: out += "\\u003c"
            case ">" where escapeHTML: out += "\\u003e"
            case "&" where escapeHTML: out += "\\u0026"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if c.value < 0x20 {
                    let hex = String(c.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// `json.Unmarshal` into `interface{}`: objects, arrays, float64 numbers, strings, bools, null; nil when malformed.
    static func decode(_ text: String) -> GoValue? {
        var parser = JSONParser(bytes: Array(text.utf8))
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.index == parser.bytes.count ? value : nil
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func skipSpace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    mutating func literal(_ word: String, _ value: GoValue) -> GoValue? {
        let w = Array(word.utf8)
        guard index + w.count <= bytes.count, Array(bytes[index..<(index + w.count)]) == w else { return nil }
        index += w.count
        return value
    }

    mutating func value(depth: Int) -> GoValue? {
        guard depth <= GoJSON.maxDepth else { return nil }
        skipSpace()
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var map: [String: GoValue] = [:]
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .map(map) }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return nil }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                guard let item = value(depth: depth + 1) else { return nil }
                map[key] = item
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .map(map) }
                return nil
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [GoValue] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .list(items) }
            while true {
                guard let item = value(depth: depth + 1) else { return nil }
                items.append(item)
                skipSpace()
                guard index < bytes.count else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .list(items) }
                return nil
            }
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default: return number()
        }
    }

    mutating func number() -> GoValue? {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits() -> Int {
            let from = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            return index - from
        }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { return nil }
        if integerDigits > 1, bytes[integerStart] == 48 { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else { return nil }
        return .float(value)
    }

    mutating func string() -> String? {
        index += 1
        var out = String.UnicodeScalarView()
        var raw: [UInt8] = []
        func flush() {
            out.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars)
            raw = []
        }
        func hex4() -> UInt32? {
            guard index + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16) else { return nil }
            index += 4
            return v
        }
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") { index += 1; flush(); return String(out) }
            if c < 0x20 { return nil }
            guard c == UInt8(ascii: "\\") else { raw.append(c); index += 1; continue }
            flush()
            index += 1
            guard index < bytes.count else { return nil }
            let e = bytes[index]
            index += 1
            switch e {
            case UInt8(ascii: "\""): out.append("\"")
            case UInt8(ascii: "\\"): out.append("\\")
            case UInt8(ascii: "/"): out.append("/")
            case UInt8(ascii: "b"): out.append("\u{08}")
            case UInt8(ascii: "f"): out.append("\u{0C}")
            case UInt8(ascii: "n"): out.append("\n")
            case UInt8(ascii: "r"): out.append("\r")
            case UInt8(ascii: "t"): out.append("\t")
            case UInt8(ascii: "u"):
                guard var code = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(code), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                   bytes[index + 1] == UInt8(ascii: "u") {
                    let save = index
                    index += 2
                    if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        index = save
                    }
                }
                out.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: return nil
            }
        }
        return nil
    }
}
