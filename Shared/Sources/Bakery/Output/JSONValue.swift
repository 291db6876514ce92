// JSON with ordered objects, written the way Python's json.dumps writes it.
import Jinja
import OrderedCollections

/// A JSON value whose objects keep their key order (plans and tag maps are compared byte for byte).
///
/// Objects are `OrderedDictionary`s, so a key appears at most once. Where a key is given twice
/// (``object(_:)`` from pairs, or ``parse(_:)`` reading `{"a": 1, "a": 2}`), the last value wins
/// and the key keeps the position of its first occurrence — what Python's `dict` (and so
/// `json.loads` and the reference's plan and tag maps) does with the same input.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(OrderedDictionary<String, JSONValue>)

    /// An object from key–value pairs in order; a repeated key keeps its first position and its last value.
    public static func object(_ pairs: some Sequence<(String, JSONValue)>) -> JSONValue {
        var fields = OrderedDictionary<String, JSONValue>()
        for (key, value) in pairs { fields[key] = value }
        return .object(fields)
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { return fields[key] }
        return nil
    }

    /// How to write: `indent` nil writes one line with `", "` and `": "` separators (Python's
    /// default); `asciiOnly` escapes non-ASCII as `\uXXXX` (Python's `ensure_ascii`).
    public struct Style: Sendable {
        public var indent: Int?
        public var asciiOnly: Bool
        public init(indent: Int?, asciiOnly: Bool) {
            self.indent = indent
            self.asciiOnly = asciiOnly
        }
        /// `bakery build --plan`: 2-space indent, non-ASCII raw.
        public static let plan = Style(indent: 2, asciiOnly: false)
        /// `bakery get tags`: 2-space indent, ASCII-escaped.
        public static let pretty = Style(indent: 2, asciiOnly: true)
        /// `bakery ci matrix`: one line, ASCII-escaped.
        public static let compact = Style(indent: nil, asciiOnly: true)
    }

    public func text(_ style: Style) -> String {
        var out = ""
        write(into: &out, style, level: 0)
        return out
    }

    func write(into out: inout String, _ style: Style, level: Int) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += d.isFinite ? "\(d)" : "null"
        case .string(let s): JSONValue.quote(s, asciiOnly: style.asciiOnly, into: &out)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += style.indent == nil ? ", " : "," }
                JSONValue.newline(style, level + 1, &out)
                item.write(into: &out, style, level: level + 1)
            }
            JSONValue.newline(style, level, &out)
            out += "]"
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (key, value)) in fields.enumerated() {
                if i > 0 { out += style.indent == nil ? ", " : "," }
                JSONValue.newline(style, level + 1, &out)
                JSONValue.quote(key, asciiOnly: style.asciiOnly, into: &out)
                out += ": "
                value.write(into: &out, style, level: level + 1)
            }
            JSONValue.newline(style, level, &out)
            out += "}"
        }
    }

    private static func newline(_ style: Style, _ level: Int, _ out: inout String) {
        guard let indent = style.indent else { return }
        out += "\n"
        out += String(repeating: " ", count: indent * level)
    }

    static func quote(_ s: String, asciiOnly: Bool, into out: inout String) {
        JSONString.quote(s, asciiOnly: asciiOnly, into: &out)
    }
}

extension JSONValue {
    /// How deep objects and arrays may nest: deeper text is refused rather than parsed recursively into a stack
    /// overflow (a hostile `--dev-spec`, metadata file or registry answer).
    public static let maximumDepth = 256

    /// Parses JSON text keeping object key order; nil if it is not valid JSON or nests deeper than `maximumDepth`.
    public static func parse(_ text: String) -> JSONValue? {
        var p = JSONReader(Array(text.utf8))
        guard let v = p.value() else { return nil }
        p.skip()
        return p.atEnd ? v : nil
    }
}

private struct JSONReader {
    let bytes: [UInt8]
    var i = 0
    var depth = 0
    init(_ bytes: [UInt8]) { self.bytes = bytes }
    var atEnd: Bool { i >= bytes.count }

    mutating func skip() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 10 || bytes[i] == 13 || bytes[i] == 9 { i += 1 }
    }

    mutating func literal(_ word: String, _ v: JSONValue) -> JSONValue? {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { return nil }
        i += w.count
        return v
    }

    mutating func value() -> JSONValue? {
        skip()
        guard i < bytes.count else { return nil }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            depth += 1
            defer { depth -= 1 }
            guard depth <= JSONValue.maximumDepth else { return nil }
            // A repeated key keeps its first position and takes the last value (as Python's json.loads).
            var fields = OrderedDictionary<String, JSONValue>()
            skip()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
            while true {
                skip()
                guard let k = string() else { return nil }
                skip()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                i += 1
                guard let v = value() else { return nil }
                fields[k] = v
                skip()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(fields) }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        case UInt8(ascii: "["):
            i += 1
            depth += 1
            defer { depth -= 1 }
            guard depth <= JSONValue.maximumDepth else { return nil }
            var items: [JSONValue] = []
            skip()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                guard let v = value() else { return nil }
                items.append(v)
                skip()
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                guard bytes[i] == UInt8(ascii: ",") else { return nil }
                i += 1
            }
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default:
            let start = i
            while i < bytes.count, "+-0123456789.eE".utf8.contains(bytes[i]) { i += 1 }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            if let n = Int(text) { return .int(n) }
            if let d = Double(text) { return .double(d) }
            return nil
        }
    }

    mutating func string() -> String? {
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return nil }
        i += 1
        var out = [UInt8]()
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard b == UInt8(ascii: "\\") else { out.append(b); continue }
            guard i < bytes.count else { return nil }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "u"):
                guard let high = hex() else { return nil }
                var scalar = high
                if high >= 0xD800 && high < 0xDC00, i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    i += 2
                    guard let low = hex() else { return nil }
                    scalar = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                }
                out.append(contentsOf: Array(String(Unicode.Scalar(scalar) ?? "?").utf8))
            default: out.append(e)
            }
        }
        return nil
    }

    mutating func hex() -> UInt32? {
        guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else { return nil }
        i += 4
        return v
    }
}

/// A coding key made from any string: the keys of maps such as labels, args and plan targets.
struct JSONKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { return nil }
}

extension KeyedEncodingContainer {
    /// Writes a string-keyed ordered map as a JSON object (keys in order), where `OrderedDictionary`'s
    /// own `Encodable` conformance would write a flat array of alternating keys and values.
    mutating func encodeObject(_ map: OrderedDictionary<String, some Encodable>, forKey key: Key) throws {
        var object = nestedContainer(keyedBy: JSONKey.self, forKey: key)
        for (name, value) in map { try object.encode(value, forKey: JSONKey(name)) }
    }
}

extension JSONValue: Encodable {
    /// Writes the value through any encoder (objects as keyed containers, in order).
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null:
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        case .bool(let b):
            var c = encoder.singleValueContainer()
            try c.encode(b)
        case .int(let i):
            var c = encoder.singleValueContainer()
            try c.encode(i)
        case .double(let d):
            var c = encoder.singleValueContainer()
            try c.encode(d)
        case .string(let s):
            var c = encoder.singleValueContainer()
            try c.encode(s)
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        case .object(let fields):
            var c = encoder.container(keyedBy: JSONKey.self)
            for (key, value) in fields { try c.encode(value, forKey: JSONKey(key)) }
        }
    }
}
