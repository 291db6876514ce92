// `gjson` (goss.md §4.3): strict JSON parsing and a documented subset of gjson's path syntax.
//
// Supported paths: dotted keys (`a.b.c`), `\.` and `\\` escapes inside a key (`fav\.movie`), `*` and `?`
// wildcards in a key (first match in document order), array indices (`children.1`), `#` (array length
// when last; otherwise `a.#.b` collects `b` from every element), and `@this`. Not supported (reported as
// "Path not found"): queries `#(…)`, other modifiers (`@reverse`, …), multipaths, `|` pipes, JSON Lines.

enum GJSON {
    /// Maximum nesting of arrays and objects accepted (deeper documents are "Invalid json").
    static let maximumDepth = 512

    /// The document, or nil when it is not valid JSON (numbers become float64, as gjson's `Value()`).
    static func parse(_ text: String) -> GossValue? {
        var parser = Parser(bytes: Array(text.utf8))
        parser.skipSpace()
        guard let value = parser.value(depth: 0) else { return nil }
        parser.skipSpace()
        return parser.index == parser.bytes.count ? value : nil
    }

    /// The value at `path`, or nil when the path does not exist.
    static func get(_ document: GossValue, path: String) -> GossValue? {
        guard !path.isEmpty else { return nil }
        return resolve(document, components(path)[...])
    }

    enum PathChar: Equatable {
        case literal(Character)
        case star
        case question
    }

    struct Component {
        var chars: [PathChar]
        var text: String {
            String(chars.map { if case .literal(let c) = $0 { c } else if $0 == .star { "*" } else { "?" } })
        }
        var isWildcard: Bool { chars.contains { $0 == .star || $0 == .question } }
        var isPlainHash: Bool { chars == [.literal("#")] }
    }

    static func components(_ path: String) -> [Component] {
        var result: [Component] = []
        var current: [PathChar] = []
        var escaped = false
        for c in path {
            if escaped { current.append(.literal(c)); escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case ".": result.append(Component(chars: current)); current = []
            case "*": current.append(.star)
            case "?": current.append(.question)
            default: current.append(.literal(c))
            }
        }
        result.append(Component(chars: current))
        return result
    }

    private static func resolve(_ value: GossValue, _ path: ArraySlice<Component>) -> GossValue? {
        guard let component = path.first else { return value }
        let rest = path.dropFirst()
        if component.chars == "@this".map(PathChar.literal) { return resolve(value, rest) }
        switch value {
        case .list(let items):
            if component.isPlainHash {
                if rest.isEmpty { return .float(Double(items.count)) }
                return .list(items.compactMap { resolve($0, rest) })
            }
            let text = component.text
            guard !component.isWildcard, !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let index = Int(text.prefix(18)), index < items.count else { return nil }
            return resolve(items[index], rest)
        case .map(let entries):
            if component.isWildcard {
                guard let entry = entries.first(where: { glob(component.chars[...], Array($0.key)[...]) }) else { return nil }
                return resolve(entry.value, rest)
            }
            let key = component.text
            guard let entry = entries.first(where: { $0.key.utf8.elementsEqual(key.utf8) }) else { return nil }
            return resolve(entry.value, rest)
        default:
            return nil
        }
    }

    /// `*` any run, `?` one character (iterative, no exponential backtracking).
    static func glob(_ pattern: ArraySlice<PathChar>, _ text: ArraySlice<Character>) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0
        var starP = -1, starT = 0
        while ti < t.count {
            if pi < p.count, p[pi] == .question || p[pi] == .literal(t[ti]) {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == .star {
                starP = pi; starT = ti; pi += 1
            } else if starP >= 0 {
                pi = starP + 1; starT += 1; ti = starT
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == .star { pi += 1 }
        return pi == p.count
    }

    struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func literal(_ word: String, _ value: GossValue) -> GossValue? {
            let w = Array(word.utf8)
            guard index + w.count <= bytes.count, Array(bytes[index..<(index + w.count)]) == w else { return nil }
            index += w.count
            return value
        }

        mutating func value(depth: Int) -> GossValue? {
            guard index < bytes.count, depth < GJSON.maximumDepth else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var entries: [GossEntry] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .map(entries) }
                while true {
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return nil }
                    skipSpace()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return nil }
                    index += 1
                    skipSpace()
                    guard let v = value(depth: depth + 1) else { return nil }
                    entries.append(GossEntry(key, v))
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "}") { index += 1; return .map(entries) }
                    return nil
                }
            case UInt8(ascii: "["):
                index += 1
                var items: [GossValue] = []
                skipSpace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .list(items) }
                while true {
                    skipSpace()
                    guard let v = value(depth: depth + 1) else { return nil }
                    items.append(v)
                    skipSpace()
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    if bytes[index] == UInt8(ascii: "]") { index += 1; return .list(items) }
                    return nil
                }
            case UInt8(ascii: "\""):
                return string().map(GossValue.string)
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func number() -> GossValue? {
            let start = index
            func digits() -> Int {
                let s = index
                while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
                return index - s
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "0") {
                index += 1
            } else if digits() == 0 {
                return nil
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                guard digits() > 0 else { return nil }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { return nil }
            }
            guard let d = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else { return nil }
            return .float(d)
        }

        mutating func hex4() -> UInt32? {
            guard index + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for b in bytes[index..<(index + 4)] {
                v <<= 4
                switch b {
                case 0x30...0x39: v |= UInt32(b - 0x30)
                case 0x41...0x46: v |= UInt32(b - 0x41 + 10)
                case 0x61...0x66: v |= UInt32(b - 0x61 + 10)
                default: return nil
                }
            }
            index += 4
            return v
        }

        mutating func string() -> String? {
            index += 1   // the opening quote
            var out: [UInt8] = []
            while index < bytes.count {
                let b = bytes[index]
                switch b {
                case UInt8(ascii: "\""):
                    index += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < bytes.count else { return nil }
                    let e = bytes[index]
                    index += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        guard var scalar = hex4() else { return nil }
                        if (0xD800...0xDBFF).contains(scalar), index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                           bytes[index + 1] == UInt8(ascii: "u") {
                            let save = index
                            index += 2
                            if let low = hex4(), (0xDC00...0xDFFF).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                index = save
                            }
                        }
                        let s = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                        out.append(contentsOf: Array(String(s).utf8))
                    default: return nil
                    }
                default:
                    guard b >= 0x20 else { return nil }
                    out.append(b)
                    index += 1
                }
            }
            return nil
        }
    }
}
