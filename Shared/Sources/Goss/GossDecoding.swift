// Bytes to GossValue: YAML with yaml.v3's typing of untyped scalars, or JSON (numbers become floats, as in Go).
import BakeryYAML
import Foundation

/// A gossfile (or vars file) format, picked by extension as goss does.
public enum GossFileFormat: Sendable, Hashable {
    case yaml, json

    /// `.yaml`/`.yml` → YAML, `.json` → JSON; anything else is not a gossfile.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { self = .yaml }
        else if lower.hasSuffix(".json") { self = .json }
        else { return nil }
    }
}

/// A value with where it stood in the (rendered) text, for located errors.
final class LocatedValue {
    let value: GossValue
    let line: Int
    let column: Int
    /// For maps: each entry's own location, in order.
    let children: [(key: String, value: LocatedValue, line: Int)]
    let items: [LocatedValue]

    init(value: GossValue, line: Int, column: Int, children: [(key: String, value: LocatedValue, line: Int)], items: [LocatedValue]) {
        self.value = value
        self.line = line
        self.column = column
        self.children = children
        self.items = items
    }
}

enum GossDecoding {
    /// Decodes YAML the way goss's yaml.v3 does into interface{} (duplicate keys are an error).
    static func yaml(_ text: String, file: String) throws(GossError) -> LocatedValue? {
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(text, limits: .init(maxAliasExpansion: 100_000, maxDepth: 200))
        } catch {
            if error.code == .duplicateKey, let open = error.message.firstIndex(of: "'"),
               let close = error.message[error.message.index(after: open)...].firstIndex(of: "'"),
               let at = error.message.range(of: "first defined at ") {
                let key = error.message[error.message.index(after: open)..<close]
                let firstLine = error.message[at.upperBound...].prefix { $0.isNumber }
                throw GossError(message: "yaml: unmarshal errors:\n  line \(error.mark.line): mapping key \"\(key)\" already defined at line \(firstLine)",
                                file: file, line: error.mark.line, column: error.mark.column,
                                hint: "remove one of the two entries (a rendered list may repeat a key written by hand)")
            }
            throw GossError(message: "yaml: line \(error.mark.line): \(error.message)", file: file, line: error.mark.line, column: error.mark.column)
        }
        guard let root else { return nil }
        return try located(root, file: file)
    }

    private static func located(_ node: YAMLNode, file: String) throws(GossError) -> LocatedValue {
        let line = node.start.line, column = node.start.column
        switch node.content {
        case .scalar(let text, let style):
            return LocatedValue(value: scalar(text, style: style, tag: node.tag), line: line, column: column, children: [], items: [])
        case .sequence(let nodes, _):
            var items: [LocatedValue] = []
            for n in nodes { items.append(try located(n, file: file)) }
            return LocatedValue(value: .list(items.map(\.value)), line: line, column: column, children: [], items: items)
        case .mapping(let pairs, _):
            var children: [(key: String, value: LocatedValue, line: Int)] = []
            var seen: [String: Int] = [:]
            for pair in pairs {
                let keyValue = try located(pair.key, file: file).value
                let key: String
                switch keyValue {
                case .string(let s): key = s
                case .null: key = ""
                case .map, .list:
                    throw GossError(message: "yaml: line \(pair.key.start.line): invalid map key", file: file, line: pair.key.start.line, column: pair.key.start.column)
                default: key = keyValue.goText
                }
                if let first = seen[key], !pair.merged {
                    throw GossError(message: "yaml: unmarshal errors:\n  line \(pair.key.start.line): mapping key \"\(key)\" already defined at line \(first)",
                                    file: file, line: pair.key.start.line, column: pair.key.start.column,
                                    hint: "remove one of the two entries (a rendered list may repeat a key written by hand)")
                }
                seen[key] = pair.key.start.line
                children.append((key, try located(pair.value, file: file), pair.key.start.line))
            }
            return LocatedValue(value: .map(children.map { GossEntry($0.key, $0.value.value) }), line: line, column: column, children: children, items: [])
        }
    }

    /// yaml.v3's resolution of one scalar decoded into interface{}.
    static func scalar(_ text: String, style: YAMLScalarStyle, tag: String?) -> GossValue {
        if let tag, tag != "!" {
            switch tag {
            case "tag:yaml.org,2002:str": return .string(text)
            case "tag:yaml.org,2002:int": if let i = goInt(text) { return .int(i) }
            case "tag:yaml.org,2002:float": if let f = goFloat(text) { return .float(f) }
            case "tag:yaml.org,2002:bool": if let b = plainBool(text) { return .bool(b) }
            case "tag:yaml.org,2002:null": return .null
            default: break
            }
            return .string(text)
        }
        guard style == .plain else { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .float(.infinity)
        case "-.inf", "-.Inf", "-.INF": return .float(-.infinity)
        case ".nan", ".NaN", ".NAN": return .float(.nan)
        default: break
        }
        if let i = goInt(text) { return .int(i) }
        if let f = goFloat(text) { return .float(f) }
        return .string(text)
    }

    private static func plainBool(_ text: String) -> Bool? {
        switch text {
        case "true", "True", "TRUE": true
        case "false", "False", "FALSE": false
        default: nil
        }
    }

    /// Go's `strconv.ParseInt(s, 0, 64)` after yaml.v3 drops underscores: `0755` is octal, `0x1F` hex, `0b1` binary, `0o7` octal.
    static func goInt(_ raw: String) -> Int? {
        var text = Substring(raw.replacingOccurrences(of: "_", with: ""))
        guard !text.isEmpty else { return nil }
        var negative = false
        if text.first == "+" || text.first == "-" {
            negative = text.first == "-"
            text = text.dropFirst()
        }
        guard !text.isEmpty else { return nil }
        var radix = 10
        let lower = text.lowercased()
        if lower.hasPrefix("0x") { radix = 16; text = text.dropFirst(2) }
        else if lower.hasPrefix("0o") { radix = 8; text = text.dropFirst(2) }
        else if lower.hasPrefix("0b") { radix = 2; text = text.dropFirst(2) }
        else if text.count > 1 && text.hasPrefix("0") { radix = 8; text = text.dropFirst() }
        guard !text.isEmpty, let magnitude = UInt64(text, radix: radix) else { return nil }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard magnitude <= UInt64(Int.max) else { return nil }
        return Int(magnitude)
    }

    /// yaml.v3's float form: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
    static func goFloat(_ text: String) -> Double? {
        var s = Substring(text)
        if s.first == "+" || s.first == "-" { s = s.dropFirst() }
        var sawDigit = false, sawDot = false, index = s.startIndex
        while index < s.endIndex {
            let c = s[index]
            if c.isASCII && c.isNumber { sawDigit = true }
            else if c == "." && !sawDot { sawDot = true }
            else { break }
            index = s.index(after: index)
        }
        guard sawDigit else { return nil }
        if index < s.endIndex {
            guard s[index] == "e" || s[index] == "E" else { return nil }
            var rest = s[s.index(after: index)...]
            if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
            guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        }
        return Double(text)
    }

    /// Decodes JSON as Go's encoding/json into interface{} does (every number is a float64), keys in document order.
    static func json(_ text: String, file: String) throws(GossError) -> LocatedValue? {
        guard let value = GJSON.parse(text) else {
            throw GossError(message: "invalid JSON in \(file)", file: file, hint: "check the JSON syntax (strict JSON: no comments, no trailing commas)")
        }
        return located(value)
    }

    /// A parsed value as a located tree (JSON gives no positions).
    private static func located(_ value: GossValue) -> LocatedValue {
        switch value {
        case .list(let items):
            return LocatedValue(value: value, line: 0, column: 0, children: [], items: items.map(located))
        case .map(let entries):
            return LocatedValue(value: value, line: 0, column: 0, children: entries.map { (key: $0.key, value: located($0.value), line: 0) }, items: [])
        default:
            return LocatedValue(value: value, line: 0, column: 0, children: [], items: [])
        }
    }
}
